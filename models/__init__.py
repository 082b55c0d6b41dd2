"""pantau's trained artifacts as package data: the extraction pipeline (`ner-id/`, loadable with `spacy.load`)
and the user-editable registries (`registry/*.toml`). Found with `importlib.resources`, never relative to a checkout."""

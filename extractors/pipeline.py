"""The one spaCy pipeline: NER (the shipped trained pipeline, or the rule stand-in when asked) then pantau's
components (`extractors/components.py`).

`load_pipeline("default")` loads the pipeline shipped as package data (`pantau.models/ner-id`: the trained NER and
pantau's components with the registries serialized), and fills the registry again from the registry files (the
shipped ones or `registry_dir`), so an edited registry applies without rebuilding the model. `extract` runs ONE
`nlp.pipe` over a batch and turns each Doc into `ArticleFacts`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from functools import cache
from importlib.resources import files
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pantau.extractors import components, ner_vote, rule_ner  # noqa: F401  (register the factories)
from pantau.extractors.boilerplate import clean_text, dateline_place
from pantau.types import ArticleContext, ArticleFacts

RULES_VERSION = "0.6.0"  # bump when any rule's output changes
DEFAULT_MODEL = "default"  # the pipeline shipped in the package
RULES_MODEL = "rules"  # the rule NER stand-in: only when asked for
EXTRACTION_COMPONENTS = ("pantau_registry", "pantau_regulations", "pantau_organizations", "pantau_officials",
                         "pantau_figures", "pantau_regulation_events", "pantau_quotes")
NER_PREFIXES = ("tok2vec", "transformer", "ner", "stash_")  # the parts of a trained pipeline that pantau keeps


class ModelNotFound(RuntimeError):
    """The NER pipeline asked for is not there; the message names the path and how to get it."""


def shipped_model_dir() -> Path:
    return Path(str(files("pantau.models") / "ner-id"))


def model_dir(model: str | Path) -> Path:
    """The directory of `model`: `default` → the shipped pipeline; anything else is a path."""
    path = shipped_model_dir() if str(model) == DEFAULT_MODEL else Path(model)
    if not (path / "config.cfg").exists():
        raise ModelNotFound(
            f"no spaCy pipeline at {path} (its config.cfg is missing): rebuild it with "
            f"`pantau model train --out {path}`"
            + (" or reinstall pantau" if str(model) == DEFAULT_MODEL else "")
            + f", or use --model {RULES_MODEL} for the rule-based stand-in (lower quality)")
    return path


def load_ner(path: str | Path) -> Language:
    """Only the NER part of a saved pipeline (for NER evaluation and training experiments)."""
    return spacy.load(path, exclude=list(EXTRACTION_COMPONENTS))


def _model_tag(nlp: Language) -> str:
    """`<lang>_<name>-<version>` of the trained NER, or `rule-ner` for the stand-in."""
    if "pantau_rule_ner" in nlp.pipe_names:
        return "rule-ner"
    meta = nlp.meta
    return f"{meta.get('lang', 'id')}_{meta.get('name', 'ner')}-{meta.get('version', '0')}"


def extractor_version(nlp: Language) -> str:
    """What produced a fact: the rules' version and the NER model's (stored with every mention)."""
    return f"pantau-extract-{RULES_VERSION}+{_model_tag(nlp)}"


def assemble(nlp: Language, *, strict_names: bool = True, registry_dir: str | Path | None = None) -> Language:
    """Add pantau's components to a trained NER pipeline (other trained parts are removed: they would only cost
    time) and fill the registry; the result is the whole extractor, to save with `nlp.to_disk`."""
    for name in list(nlp.pipe_names):
        if not name.startswith(NER_PREFIXES):
            nlp.remove_pipe(name)
    return _add_components(nlp, strict_names, registry_dir)


def _add_components(nlp: Language, strict_names: bool, registry_dir: str | Path | None) -> Language:
    if "pantau_rule_ner" in nlp.pipe_names:
        nlp.add_pipe("pantau_registry", before="pantau_rule_ner")  # the rule NER reads the registry matches
    else:
        nlp.add_pipe("pantau_registry")
    for name in EXTRACTION_COMPONENTS[1:]:
        nlp.add_pipe(name, config={"strict_names": strict_names} if name == "pantau_officials" else {})
    nlp.get_pipe("pantau_registry").initialize(registry_dir=str(registry_dir) if registry_dir else None)
    return nlp


def rules_pipeline(registry_dir: str | Path | None = None) -> Language:
    """`spacy.blank("id")` with the rule NER stand-in instead of a trained model."""
    nlp = spacy.blank("id")
    nlp.add_pipe("pantau_rule_ner")
    return _add_components(nlp, strict_names=False, registry_dir=registry_dir)


_LOAD_LOCK = threading.Lock()


def load_pipeline(model: str | Path = DEFAULT_MODEL, registry_dir: str | Path | None = None) -> Language:
    """The pipeline for `model` (`default`, `rules` or a pipeline directory), built once per process (also when
    threads of one flow ask at the same time). A bare NER pipeline gets pantau's components added."""
    with _LOAD_LOCK:
        return _load(str(model), str(registry_dir) if registry_dir else None)


@cache
def _load(model: str, registry_dir: str | None) -> Language:
    if model == RULES_MODEL:
        nlp = rules_pipeline(registry_dir)
    else:
        nlp = spacy.load(model_dir(model))
        if "pantau_registry" in nlp.pipe_names:
            nlp.get_pipe("pantau_registry").initialize(registry_dir=registry_dir)
            if "pantau_regulation_events" not in nlp.pipe_names:  # saved before that component existed
                nlp.add_pipe("pantau_regulation_events", before="pantau_quotes")
        else:
            nlp = assemble(nlp, registry_dir=registry_dir)
    nlp.meta["pantau_extractor_version"] = extractor_version(nlp)
    return nlp


def doc_to_facts(doc: Doc, version: str) -> ArticleFacts:
    return ArticleFacts(
        regulations=[s._.pantau_regulation for s in doc._.pantau_regulations or []],
        regulation_references_without_number=[s._.pantau_regulation_reference
                                              for s in doc._.pantau_regulation_references or []],
        officials=list(doc._.pantau_officials or []),
        organizations=list(doc._.pantau_organizations or []),
        figures=[s._.pantau_figure for s in doc._.pantau_figures or []],
        quotes=[s._.pantau_quote for s in doc._.pantau_quotes or []],
        locations=list(doc._.pantau_locations or []),
        regulation_events=list(doc._.pantau_regulation_events or []),
        regulation_relations=list(doc._.pantau_regulation_relations or []),
        extractor_version=version,
    )


def extract(nlp: Language, texts: Sequence[str], published: Sequence[dt.date | None] | None = None,
            batch_size: int = 32, contexts: Sequence[ArticleContext | None] | None = None) -> list[ArticleFacts]:
    """Facts for each (already boilerplate-cleaned) text; offsets index the text as given. `contexts` (dateline,
    feed region) help where the text leaves a fact implicit, such as the issuer of a Perda."""
    dates = list(published) if published is not None else [None] * len(texts)
    contexts = list(contexts) if contexts is not None else [None] * len(texts)
    if len(dates) != len(texts) or len(contexts) != len(texts):
        raise ValueError("published and contexts must have one entry per text")

    def docs():
        # The date must be on the Doc before the components run (offices are looked up for that day),
        # so Docs are made here and also passed as the context.
        for text, day, context in zip(texts, dates, contexts):
            if isinstance(day, dt.datetime):
                day = day.date()
            doc = nlp.make_doc(text)
            doc._.pantau_published = day
            doc._.pantau_context = context
            yield doc, day

    version = nlp.meta.get("pantau_extractor_version") or extractor_version(nlp)
    return [doc_to_facts(doc, version) for doc, _ in nlp.pipe(docs(), as_tuples=True, batch_size=batch_size)]


def extract_text(nlp: Language, raw_text: str, published: dt.date | None = None,
                 region: str | None = None) -> ArticleFacts:
    """Clean site furniture from one raw article, then extract (what `pantau extract FILE` prints); its dateline
    (and `region`, as a feed's) are the article's context."""
    context = ArticleContext(published, dateline_place(raw_text), region)
    return extract(nlp, [clean_text(raw_text)], [published], contexts=[context])[0]

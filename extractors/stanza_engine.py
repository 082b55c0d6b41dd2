"""Optional stanza engine: a dependency parse attaches offices and appositions to names.

Everything else (regulations, organizations, figures, quotes, people) comes from the spaCy pipeline; stanza only
adds what the parse shows about who holds which office (`Gubernur Jawa Barat Ridwan Kamil`, `Anggoro Eko Cahyo,
Direktur Utama BPJS Ketenagakerjaan`). The adapter reads only `sentences[].words[]` (id, text, upos, head,
deprel), so it works on any stanza `Document`, including one built from CoNLL-U text.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass

from pantau.extractors.boilerplate import clean_text
from pantau.extractors.lexicon import TITLE_HEADS
from pantau.types import ArticleFacts

HOW_TO_GET_STANZA = """the stanza engine needs the optional extra and stanza's Indonesian models:
  1. pip install 'pantau[stanza]'          (pulls torch: large)
  2. on a machine with internet access:
       python -c "import stanza; stanza.download('id', processors='tokenize,mwt,pos,lemma,depparse')"
     then copy the stanza_resources folder (default ~/stanza_resources) to this machine and point
     STANZA_RESOURCES_DIR at it (or pass its path)."""

PROCESSORS = "tokenize,mwt,pos,lemma,depparse"
NAME_LINKS = {"flat", "flat:name", "flat:foreign"}  # how the parts of one name hang together
OFFICE_LINKS = {"appos", "flat", "flat:name"}  # name ↔ title; `nmod` of a title is its institution


class StanzaUnavailable(RuntimeError):
    """stanza or its Indonesian models are missing; the message says how to get them."""


@dataclass
class NameOffice:
    name: str
    office: str


def load_stanza(resources_dir: str | None = None):
    """A stanza Indonesian pipeline, or `StanzaUnavailable` with instructions (no download is attempted)."""
    try:
        import stanza
    except ImportError as exc:
        raise StanzaUnavailable(HOW_TO_GET_STANZA) from exc
    resources = resources_dir or os.environ.get("STANZA_RESOURCES_DIR")
    try:
        kwargs = {"dir": resources} if resources else {}
        return stanza.Pipeline("id", processors=PROCESSORS, download_method=None, verbose=False, **kwargs)
    except Exception as exc:  # stanza raises several kinds for missing resources
        raise StanzaUnavailable(f"{HOW_TO_GET_STANZA}\n(stanza said: {exc})") from exc


def _subtree(children: dict[int, list], word, skip: set[int]) -> list:
    out = [word]
    for child in children[word.id]:
        if child.id not in skip:
            out += _subtree(children, child, skip)
    return out


def _is_title(word) -> bool:
    return word.text.lower() in TITLE_HEADS


def offices_from_parse(document) -> list[NameOffice]:
    """(name, office) pairs the dependency parse supports.

    A name is a PROPN with its `flat` parts. Its office is a title word it depends on (`Gubernur ← Ridwan`) or
    a title word that depends on it as an apposition (`Anggoro → appos → Direktur`), with that title's own
    dependents (the institution) and without the name.
    """
    found: list[NameOffice] = []
    for sentence in document.sentences:
        words = {w.id: w for w in sentence.words}
        children: dict[int, list] = defaultdict(list)
        for w in sentence.words:
            children[w.head].append(w)
        for w in sentence.words:
            if w.upos != "PROPN" or w.deprel in NAME_LINKS or _is_title(w):
                continue
            name_words = sorted([w] + [c for c in children[w.id] if c.deprel in NAME_LINKS and c.upos == "PROPN"],
                                key=lambda x: x.id)
            name_ids = {x.id for x in name_words}
            head = words.get(w.head)
            title = None
            if head is not None and _is_title(head) and w.deprel in OFFICE_LINKS:
                title = head
            else:
                title = next((c for c in children[w.id] if c.deprel == "appos" and _is_title(c)), None)
            if title is None:
                continue
            # The office: the title and its dependents, minus the name and anything hanging off the name.
            skip = name_ids | {c.id for x in name_words for c in children[x.id]} | {w.id}
            office_words = sorted(_subtree(children, title, skip), key=lambda x: x.id)
            office = " ".join(x.text for x in office_words if x.upos != "PUNCT")
            found.append(NameOffice(" ".join(x.text for x in name_words), office))
    return found


def apply_offices(facts: ArticleFacts, pairs: list[NameOffice]) -> ArticleFacts:
    """Give each official the office the parse attaches to one of their mentions (text beats registry)."""
    for official in facts.officials:
        surfaces = {official.name} | {m.text for m in official.mentions}
        pair = next((p for p in pairs if p.name in surfaces), None)
        if pair and official.office_source != "text":
            official.office, official.office_source = pair.office, "text"
    return facts


def extract_text_stanza(nlp, raw_text: str, published: dt.date | None = None, stanza_pipeline=None
                        ) -> ArticleFacts:
    """`extract_text` plus offices from stanza's parse (`pantau extract --engine stanza`)."""
    from pantau.extractors.pipeline import extract

    stanza_pipeline = stanza_pipeline or load_stanza()
    text = clean_text(raw_text)
    facts = extract(nlp, [text], [published])[0]
    return apply_offices(facts, offices_from_parse(stanza_pipeline(text)))

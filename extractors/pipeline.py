"""The one spaCy pipeline: NER (trained `models/ner-id`, else the rule stand-in) then the pantau components.

`extract` runs ONE `nlp.pipe` over a batch and turns each Doc into `ArticleFacts`.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from . import components, ner_vote, rule_ner  # registers the components and extensions
from .boilerplate import clean_text
from .facts import ArticleFacts

RULES_VERSION = "0.4.0"  # bump when any rule's output changes
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL_DIR = REPO_ROOT / "models" / "ner-id"
REGISTERED = (components, ner_vote, rule_ner)
EXTRACTION_COMPONENTS = ("pantau_regulations", "pantau_organizations", "pantau_officials", "pantau_figures",
                         "pantau_quotes")


def _model_tag(model_dir: Path) -> str:
    """`ner-id-<name>-<version>` from the model's meta.json, or `rule-ner` without a model."""
    meta_path = model_dir / "meta.json"
    if not meta_path.exists():
        return "rule-ner"
    meta = json.loads(meta_path.read_text())
    return f"{meta.get('lang', 'id')}_{meta.get('name', 'ner')}-{meta.get('version', '0')}"


def extractor_version(model_dir: str | Path | None = None) -> str:
    return f"pantau-extract-{RULES_VERSION}+{_model_tag(Path(model_dir or DEFAULT_MODEL_DIR))}"


EXTRACTOR_VERSION: str = extractor_version()


_LOAD_LOCK = threading.Lock()


def load_pipeline(model_dir: str | Path | None = None) -> Language:
    """The pipeline for `model_dir` (default `models/ner-id`), built once per process (also when threads of
    one flow ask at the same time)."""
    with _LOAD_LOCK:
        return _load(Path(model_dir or DEFAULT_MODEL_DIR).resolve())


@cache
def _load(model_dir: Path) -> Language:
    if (model_dir / "config.cfg").exists():
        nlp = spacy.load(model_dir)
        # Only NER (the voting members and their vote, or one `ner` with the tok2vec it listens to) is needed;
        # other trained parts would only cost time.
        for name in list(nlp.pipe_names):
            if not (name in {"tok2vec", "transformer"} or name.startswith(("ner", "stash_"))):
                nlp.remove_pipe(name)
        trained = True
    else:
        nlp = spacy.blank("id")
        nlp.add_pipe("pantau_rule_ner")
        trained = False
    for name in EXTRACTION_COMPONENTS:
        config = {"strict_names": trained} if name == "pantau_officials" else {}
        nlp.add_pipe(name, config=config)
    nlp.meta["pantau_extractor_version"] = extractor_version(model_dir)
    return nlp


def doc_to_facts(doc: Doc, version: str = EXTRACTOR_VERSION) -> ArticleFacts:
    return ArticleFacts(
        regulations=[s._.regulation for s in doc._.regulations or []],
        regulation_references_without_number=[s._.regulation_reference for s in doc._.regulation_references or []],
        officials=list(doc._.officials or []),
        organizations=list(doc._.organizations or []),
        figures=[s._.figure for s in doc._.figures or []],
        quotes=[s._.quote for s in doc._.quotes or []],
        locations=list(doc._.locations or []),
        extractor_version=version,
    )


def extract(nlp: Language, texts: Sequence[str], published: Sequence[dt.date | None] | None = None,
            batch_size: int = 32) -> list[ArticleFacts]:
    """Facts for each (already boilerplate-cleaned) text; offsets index the text as given."""
    dates = list(published) if published is not None else [None] * len(texts)
    if len(dates) != len(texts):
        raise ValueError("published must have one entry per text")

    def docs():
        # The date must be on the Doc before the components run (offices are looked up for that day),
        # so Docs are made here and also passed as the context.
        for text, day in zip(texts, dates):
            if isinstance(day, dt.datetime):
                day = day.date()
            doc = nlp.make_doc(text)
            doc._.published = day
            yield doc, day

    version = nlp.meta.get("pantau_extractor_version", EXTRACTOR_VERSION)
    return [doc_to_facts(doc, version) for doc, _ in nlp.pipe(docs(), as_tuples=True, batch_size=batch_size)]


def extract_text(nlp: Language, raw_text: str, published: dt.date | None = None) -> ArticleFacts:
    """Clean site furniture from one raw article, then extract (what `pantau extract FILE` prints)."""
    return extract(nlp, [clean_text(raw_text)], [published])[0]

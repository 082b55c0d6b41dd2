"""`pantau_rule_ner`: a rule-based stand-in for the trained NER (PER/ORG/LOC), used only when asked for
(`--model rules`): registry aliases, organization head words, and names next to speech verbs."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pantau.extractors.components import doc_text, registry_hits, set_ents
from pantau.extractors.lexicon import REPORTING_VERBS, SPEECH_VERBS
from pantau.extractors.officials import NOT_NAME
from pantau.extractors.organizations import headed_spans

# `kata Budi Santoso` / `Budi Santoso mengatakan`
PER_AFTER_VERB = re.compile(rf"\b{SPEECH_VERBS}\s+(?P<name>[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+){{0,3}})")
PER_BEFORE_VERB = re.compile(rf"(?P<name>[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+){{1,3}})\s+{REPORTING_VERBS}\b")


def rule_entities(doc: Doc) -> list[Span]:
    hits = registry_hits(doc)
    text = doc_text(doc)
    people = []
    for pattern in (PER_AFTER_VERB, PER_BEFORE_VERB):
        for m in pattern.finditer(text):
            if not any(w in NOT_NAME for w in m["name"].split()):
                people.append(doc.char_span(m.start("name"), m.end("name"), "PER", alignment_mode="expand"))
    people = [p for p in people if p is not None]
    regions = [(s.start_char, s.end_char) for s, label, _ in hits if label == "LOC"]
    person_starts = {p.start_char for p in people} | {s.start_char for s, label, _ in hits if label == "PER"}
    orgs = [doc.char_span(a, b, "ORG", alignment_mode="expand")
            for a, b in headed_spans(text, regions, person_starts)]
    # Registry matches first: filter_spans keeps the longest, so a named unit wins over an alias inside it.
    return filter_spans([s for s, _, _ in hits] + [o for o in orgs if o is not None] + people)


class RuleNer:
    """Sets `doc.ents` from the registry matches and the rules above; runs after `pantau_registry`."""

    def __call__(self, doc: Doc) -> Doc:
        set_ents(doc, rule_entities(doc))
        return doc


@Language.factory("pantau_rule_ner", assigns=["doc.ents"])
def make_rule_ner(nlp: Language, name: str) -> RuleNer:
    return RuleNer()

"""`pantau_rule_ner`: a rule-based stand-in for the trained NER (PER/ORG/LOC) so the pipeline works before
`models/ner-id` exists. Registry aliases, organization head words, and names next to speech verbs."""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from .components import doc_text, registry_matcher
from .officials import NOT_NAME, SPEECH_VERBS

ORG_HEADS = (r"Pemerintah|Pemprov|Pemkab|Pemkot|Dinas|Badan|Kementerian|Kemenko|Direktorat|Dewan|Komisi|Majelis"
             r"|Mahkamah|Kejaksaan|Pengadilan|Kepolisian|Polda|Polres|Polresta|Polsek|Kodam|Korem|Kodim"
             r"|Universitas|Institut|Sekolah|SMA|SMK|SMP|SD|Rumah\ Sakit|RSUD|Bank|PT|CV|Yayasan|Partai"
             r"|Lembaga|Komite|Satuan|Satgas|Tim|Perum|Perusahaan|Koperasi|Asosiasi|Ikatan|Persatuan")
_CAP = r"(?:[A-Z][\w'’.-]*|dan|&)"
ORG = re.compile(rf"(?<![\w-])(?:{ORG_HEADS})(?:\s+{_CAP}){{1,6}}", re.VERBOSE)
# `kata Budi Santoso` / `Budi Santoso mengatakan`
PER_AFTER_VERB = re.compile(rf"\b{SPEECH_VERBS}\s+(?P<name>[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+){{0,3}})")
PER_BEFORE_VERB = re.compile(r"(?P<name>[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+){1,3})\s+(?:mengatakan|menyebutkan|"
                             r"mengungkapkan|menjelaskan|menegaskan|menuturkan|menyampaikan|menambahkan)\b")


def _trim_org(text: str) -> str:
    return re.sub(r"(?:\s+(?:dan|&))+$", "", text)


def rule_entities(doc: Doc, matcher) -> list:
    spans = [s for s, _, _ in matcher(doc)]
    text = doc_text(doc)
    for m in ORG.finditer(text):
        span = doc.char_span(m.start(), m.start() + len(_trim_org(m.group(0)).rstrip(".")), "ORG",
                             alignment_mode="expand")
        if span is not None:
            spans.append(span)
    for pattern in (PER_AFTER_VERB, PER_BEFORE_VERB):
        for m in pattern.finditer(text):
            words = m["name"].split()
            if any(w in NOT_NAME for w in words):
                continue
            span = doc.char_span(m.start("name"), m.end("name"), "PER", alignment_mode="expand")
            if span is not None:
                spans.append(span)
    return filter_spans(spans)


@Language.factory("pantau_rule_ner", default_config={"registry_path": None})
def make_rule_ner(nlp: Language, name: str, registry_path: str | None):
    matcher = registry_matcher(nlp, registry_path)

    def pantau_rule_ner(doc: Doc) -> Doc:
        doc.ents = rule_entities(doc, matcher)
        return doc

    return pantau_rule_ner

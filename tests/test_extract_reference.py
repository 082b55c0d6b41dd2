"""The done-test: the whole reference expectation against `extract_text` on the reference article."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pantau.extractors.expected import compare
from pantau.extractors.pipeline import extract_text, load_pipeline

SHARED = Path(__file__).resolve().parents[2] / "shared"
ARTICLE = SHARED / "examples" / "jabar-bpjs-ketenagakerjaan.txt"
EXPECTED = SHARED / "examples" / "jabar-bpjs-ketenagakerjaan.expected.json"

pytestmark = pytest.mark.shared

ENGINES = ["rule-ner", "model"]


@pytest.fixture(scope="module", params=ENGINES)
def nlp(request):
    if request.param == "model":
        return load_pipeline()
    return load_pipeline("rules")


@pytest.fixture(scope="module")
def reference():
    if not ARTICLE.exists() or not EXPECTED.exists():
        pytest.skip(f"reference article not found under {SHARED} (the shared data folder beside the repo)")
    return ARTICLE.read_text(), json.loads(EXPECTED.read_text())


def test_whole_expectation(nlp, reference):
    text, expected = reference
    facts = extract_text(nlp, text)
    assert compare(facts, expected) == []


def test_minimum_contract(nlp, reference):
    text, _ = reference
    facts = extract_text(nlp, text)
    got = {(r.type, r.number, r.year) for r in facts.regulations}
    assert got == {("Instruksi Presiden", "2", 2021), ("Peraturan Gubernur", "158", 2021),
                   ("Keputusan Gubernur", "560.05/Kep.69-Kesra/2022", 2022), ("Peraturan Daerah", "5", 2023)}
    offices = {o.name: o.office for o in facts.officials}
    assert offices["Ridwan Kamil"] == "Gubernur Jawa Barat"
    assert offices["Anggoro Eko Cahyo"] == "Direktur Utama BPJS Ketenagakerjaan"
    assert facts.extractor_version


def test_offsets_index_the_cleaned_text(nlp, reference):
    from pantau.extractors.boilerplate import clean_text

    text, _ = reference
    cleaned = clean_text(text)
    facts = extract_text(nlp, text)
    for item in [*facts.regulations, *facts.figures, *facts.quotes, *facts.regulation_references_without_number]:
        assert cleaned[item.start:item.end] == item.text
    for person in facts.officials:
        for m in person.mentions:
            assert cleaned[m.start:m.end] == m.text


def test_official_office_follows_the_article_date(nlp, reference):
    import datetime as dt

    text, _ = reference
    later = extract_text(nlp, text, published=dt.date(2024, 1, 10))  # after his term
    ridwan = next(o for o in later.officials if o.person_id == "ridwan-kamil")
    assert ridwan.office is None

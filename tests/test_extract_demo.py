"""The bundled demo site's articles (demo/expected.json), through trafilatura and clean_text as ingest does."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import trafilatura

from pantau.extractors.boilerplate import clean_text
from pantau.extractors.expected import compare
from pantau.extractors.pipeline import extract, load_pipeline

DEMO = Path(__file__).resolve().parents[1] / "demo"
EXPECTED = json.loads((DEMO / "expected.json").read_text(encoding="utf-8"))


def body(path: str) -> str:
    html = (DEMO / "site" / path.lstrip("/")).read_text(encoding="utf-8").replace("{{BASE}}", "http://127.0.0.1:1")
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    return clean_text(text or "")


@pytest.fixture(scope="module", params=["rule-ner", "model"])
def nlp(request):
    if request.param == "model":
        return load_pipeline()
    return load_pipeline("rules")


@pytest.mark.parametrize("path", sorted(EXPECTED["articles"]))
def test_demo_article(nlp, path):
    article = EXPECTED["articles"][path]
    text = body(path)
    for line in article.get("boilerplate_lines", []):
        assert line not in text
    facts = extract(nlp, [text], [dt.datetime.fromisoformat(article["published"]).date()])[0]
    assert compare(facts, article) == []
    found = {r.text for r in facts.regulations}
    assert not found & set(article.get("not_regulations", []))

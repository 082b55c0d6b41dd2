"""The ingest flow end to end: the demo site on 127.0.0.1, a real Prefect (temporary server), a real DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import demo_settings

from pantau.demo.server import serve_demo
from pantau.warehouse import db

pytestmark = pytest.mark.slow

EXPECTED = json.loads((Path(__file__).resolve().parents[1] / "demo" / "expected.json").read_text(encoding="utf-8"))
TABLES = ("feeds", "articles", "regulations", "regulation_mentions", "people", "person_mentions", "organizations",
          "organization_mentions", "figures", "quotes", "alerts", "alert_deliveries")


def table_counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory, prefect_harness):
    """Two runs of the flow over the demo site, into one warehouse; the state after each."""
    from pantau.flows.ingest import ingest_flow

    tmp = tmp_path_factory.mktemp("e2e")
    with serve_demo() as base_url:
        settings = demo_settings(tmp, base_url)
        first = ingest_flow(settings)
        with db.connect(settings.warehouse.path, read_only=True) as con:
            after_first = table_counts(con)
        jsonl_after_first = Path(settings.alerts.jsonl_path).read_text(encoding="utf-8")
        second = ingest_flow(settings)
    return {"settings": settings, "base_url": base_url, "first": first, "second": second,
            "after_first": after_first, "jsonl_after_first": jsonl_after_first}


def test_feeds_and_pages_are_recorded_with_a_status(demo_runs):
    with db.connect(demo_runs["settings"].warehouse.path, read_only=True) as con:
        statuses = dict(con.execute(
            "SELECT f.url, x.status FROM feed_fetches x JOIN feeds f USING (feed_id) WHERE x.run_id = ?",
            [demo_runs["first"].run_id]).fetchall())
        base = demo_runs["base_url"]
        for feed in EXPECTED["feeds"]:
            assert statuses[base + feed["path"]] == ("parse_error" if feed["broken"] else "ok"), feed["path"]
        missing = base + EXPECTED["missing_pages"][0]
        row = con.execute("SELECT http_status, body_status, fetch_error FROM articles WHERE url = ?", [missing]).fetchone()
        assert row[0] == 404 and row[1] in ("summary_only", "failed") and "404" in row[2]
        pages = {p: s for p, s in con.execute("SELECT url, body_status FROM articles").fetchall()}
        for path in EXPECTED["articles"]:
            assert pages[base + path] == "full", path
        good_items = sum(f["expected_entries"] for f in EXPECTED["feeds"] if not f["broken"])
        assert len(pages) == good_items


def test_regulations_are_stored_once_each(demo_runs):
    with db.connect(demo_runs["settings"].warehouse.path, read_only=True) as con:
        stored = set(con.execute("SELECT type, issuer, number, year FROM regulations").fetchall())
        expected = {(r["type"], r["issuer"], r["number"], r["year"]) for r in EXPECTED["distinct_regulations"]}
        assert stored == expected
        for label in EXPECTED["regulations_mentioned_in_several_articles"]:
            articles = con.execute(
                "SELECT count(DISTINCT m.article_id) FROM regulation_mentions m JOIN regulations r USING (regulation_id) "
                "WHERE r.label = ? AND m.kind = 'citation'", [label]).fetchone()[0]
            assert articles >= 2, label
        leaked = con.execute("SELECT surface FROM regulation_mentions WHERE surface ILIKE '%Cimahi%'").fetchall()
        assert leaked == []


def test_officials_figures_and_quotes_are_stored(demo_runs):
    base = demo_runs["base_url"]
    with db.connect(demo_runs["settings"].warehouse.path, read_only=True) as con:
        for path, article in EXPECTED["articles"].items():
            url = base + path
            people = dict(con.execute(
                "SELECT p.name, any_value(m.office) FROM person_mentions m JOIN people p USING (person_id) "
                "JOIN articles a USING (article_id) WHERE a.url = ? GROUP BY p.name", [url]).fetchall())
            for official in article["officials"]:
                assert official["name"] in people, (path, official["name"], people)
                if official.get("office"):
                    assert people[official["name"]] == official["office"], (path, official["name"])
            figures = set(con.execute(
                "SELECT value, unit FROM figures JOIN articles USING (article_id) WHERE url = ?", [url]).fetchall())
            for figure in article["figures"]:
                if not figure.get("optional"):
                    assert (float(figure["value"]), figure["unit"]) in figures, (path, figure["text"])
            speakers = [s for (s,) in con.execute(
                "SELECT speaker FROM quotes JOIN articles USING (article_id) WHERE url = ? ORDER BY start_char",
                [url]).fetchall()]
            assert speakers == [q["speaker"] for q in article["quotes"]], path


def test_alerts_once_per_new_regulation(demo_runs):
    with db.connect(demo_runs["settings"].warehouse.path, read_only=True) as con:
        alerts = con.execute("SELECT subject_id, rule FROM alerts").fetchall()
        regulations = con.execute("SELECT regulation_id FROM regulations").fetchall()
        assert sorted(a for a, _ in alerts) == sorted(r for (r,) in regulations)
        undelivered = con.execute("SELECT count(*) FROM alert_deliveries WHERE status <> 'delivered'").fetchone()[0]
        assert undelivered == 0
    lines = [json.loads(line) for line in demo_runs["jsonl_after_first"].splitlines()]
    assert len(lines) == len(alerts) == demo_runs["first"].counts["alerts_raised"]
    assert {line["regulation_id"] for line in lines} == {a for a, _ in alerts}
    assert all(line["alert_id"] and line["article_url"].startswith(demo_runs["base_url"]) for line in lines)


def test_second_run_adds_nothing(demo_runs):
    second = demo_runs["second"]
    with db.connect(demo_runs["settings"].warehouse.path, read_only=True) as con:
        assert table_counts(con) == demo_runs["after_first"]
        runs = con.execute("SELECT status, articles_new, regulation_mentions, person_mentions, alerts_raised "
                           "FROM runs ORDER BY started_at").fetchall()
    assert [r[0] for r in runs] == ["completed", "completed"]
    assert runs[1][1:] == (0, 0, 0, 0)
    assert second.counts["alerts_raised"] == 0 and second.deliveries.delivered == []
    with db.connect(demo_runs["settings"].warehouse.path, read_only=True) as con:
        # the 404 page was tried again although its feed was unchanged, and kept its feed summary
        missing = demo_runs["base_url"] + EXPECTED["missing_pages"][0]
        attempts, status, body = con.execute(
            "SELECT fetch_attempts, body_status, body FROM articles WHERE url = ?", [missing]).fetchone()
    assert (attempts, status) == (2, "summary_only") and body
    assert Path(demo_runs["settings"].alerts.jsonl_path).read_text(encoding="utf-8") == demo_runs["jsonl_after_first"]

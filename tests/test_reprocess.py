"""Re-extraction of stored articles: same facts, current extractor version, atomic replacement, alerts only for new."""

from __future__ import annotations

import pytest
from factories import article, demo_settings, facts

from pantau.demo.server import serve_demo
from pantau.types import Figure
from pantau.warehouse import db, store
from pantau.warehouse.runs import get_run

FACT_TABLES = {
    "regulation_mentions": "article_id, start_char, end_char, surface, kind, regulation_id",
    "person_mentions": "article_id, start_char, surface, person_id, office",
    "organization_mentions": "article_id, start_char, surface, org_id",
    "figures": "article_id, start_char, surface, value, unit",
    "quotes": "article_id, start_char, text, speaker",
}


def facts_of(con) -> dict[str, set]:
    return {t: set(con.execute(f"SELECT {cols} FROM {t}").fetchall()) for t, cols in FACT_TABLES.items()}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, prefect_harness):
    from pantau.flows.ingest import ingest_flow

    tmp = tmp_path_factory.mktemp("reprocess")
    with serve_demo() as base_url:
        settings = demo_settings(tmp, base_url, "w.duckdb")
        ingest_flow(settings)
    return settings


@pytest.mark.slow
def test_reprocess_replaces_facts_with_the_current_version_and_alerts_only_new(ingested):
    from pantau.flows.reprocess import reprocess_flow

    settings = ingested
    with db.connect(settings.warehouse.path) as con:
        before = facts_of(con)
        # Pretend an older extractor wrote everything, and that one regulation was never seen (nor alerted).
        for table in FACT_TABLES:
            con.execute(f"UPDATE {table} SET extractor_version = 'old-0'")
        con.execute("UPDATE articles SET extractor_version = 'old-0' WHERE extractor_version IS NOT NULL")
        forgotten = con.execute("SELECT min(regulation_id) FROM regulations").fetchone()[0]
        con.execute("DELETE FROM alert_deliveries WHERE alert_id IN "
                    "(SELECT alert_id FROM alerts WHERE subject_id = ?)", [forgotten])
        con.execute("DELETE FROM alerts WHERE subject_id = ?", [forgotten])
        con.execute("DELETE FROM regulations WHERE regulation_id = ?", [forgotten])
        alerts_before = con.execute("SELECT count(*) FROM alerts").fetchone()[0]
        with_text = con.execute("SELECT count(*) FROM articles WHERE body <> '' AND duplicate_of IS NULL").fetchone()[0]

    result = reprocess_flow(settings)

    with db.connect(settings.warehouse.path, read_only=True) as con:
        assert facts_of(con) == before
        versions = {v for t in FACT_TABLES for (v,) in con.execute(f"SELECT DISTINCT extractor_version FROM {t}").fetchall()}
        current = con.execute("SELECT extractor_version FROM runs WHERE run_id = ?", [result.run_id]).fetchone()[0]
        assert versions == {current} and "old-0" not in current
        assert {v for (v,) in con.execute("SELECT DISTINCT extractor_version FROM articles "
                                          "WHERE body <> '' AND duplicate_of IS NULL").fetchall()} == {current}
        alerted = [s for (s,) in con.execute("SELECT subject_id FROM alerts WHERE run_id = ?", [result.run_id]).fetchall()]
        assert alerted == [forgotten]
        assert con.execute("SELECT count(*) FROM alerts").fetchone()[0] == alerts_before + 1
        run = get_run(con, result.run_id)
    assert result.counts["articles_reprocessed"] == with_text
    assert result.counts["alerts_raised"] == 1 and result.counts["regulations_new"] == 1
    assert run["kind"] == "reprocess" and run["status"] == "completed"
    assert run["status_counts"]["articles"] == {"reprocessed": with_text}

    # Nothing stale left: --only-stale does no work, raises nothing.
    again = reprocess_flow(settings, only_stale=True)
    assert again.counts.get("articles_reprocessed", 0) == 0 and again.counts["alerts_raised"] == 0


@pytest.mark.slow
def test_reprocess_without_alerts_still_refreshes_views_and_search(ingested):
    """Every path that writes facts refreshes what derives from them, also `pantau reprocess --no-alert`."""
    from pantau.flows.reprocess import reprocess_flow
    from pantau.warehouse import search

    settings = ingested
    with db.connect(settings.warehouse.path) as con:
        expected = con.execute("SELECT count(*) FROM regulation_first_mentions").fetchone()[0]
        con.execute("DELETE FROM regulation_first_mentions")  # as if the views and the index were stale
        con.execute("DELETE FROM search_postings")
        alerts_before = con.execute("SELECT count(*) FROM alerts").fetchone()[0]
    result = reprocess_flow(settings, alert_new=False)
    with db.connect(settings.warehouse.path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM regulation_first_mentions").fetchone()[0] == expected > 0
        assert search.search(con, "jaminan sosial")[1]
        assert con.execute("SELECT count(*) FROM alerts").fetchone()[0] == alerts_before
    assert "alerts_raised" not in result.counts and set(result.steps) == {"summary views", "full-text index"}


def test_replacement_is_atomic_per_batch(tmp_path):
    a1, a2 = article("https://example.id/berita/1"), article("https://example.id/berita/2")
    with db.connect(tmp_path / "w.duckdb") as con:
        store.store_batch(con, "run1", [a1, a2], [facts(), facts()])
        before = facts_of(con)
        good = facts()
        good.extractor_version = "new-1"
        broken = facts()
        broken.figures = [Figure(text="x", start=1, end=2, value="not a number", unit="IDR")]
        with pytest.raises(ValueError):
            store.replace_facts_batch(con, [a1, a2], [good, broken])
        assert facts_of(con) == before
        assert {v for (v,) in con.execute("SELECT DISTINCT extractor_version FROM regulation_mentions").fetchall()} == {"test-1"}
        replaced = store.replace_facts_batch(con, [a1, a2], [good, None])
        assert replaced.new_regulation_ids == []  # known regulation: no alert
        versions = dict(con.execute("SELECT article_id, extractor_version FROM articles").fetchall())
        assert versions == {a1.article_id: "new-1", a2.article_id: "test-1"}

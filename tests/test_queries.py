"""The documented views: right answers on hand-built facts, and duplicates never counted twice."""

from __future__ import annotations

from dataclasses import replace

from factories import article, facts

from pantau.warehouse import db, store
from pantau.warehouse.queries import SUMMARY_VIEWS, refresh_views

VIEWS = ("unique_articles", *SUMMARY_VIEWS)


def build(path, duplicate: bool):
    con = db.connect(path)
    first = article("https://example.id/berita/1")
    # a different text, so that the store's own dedup (issue 5) does not catch it: the views must
    copy = replace(article("https://example.id/sindikasi/1",
                           body="Gubernur meneken Pergub tentang upah; BPJamsostek mencatat kenaikan peserta."),
                   content_hash="h2")
    store.store_batch(con, "run1", [first, copy], [facts(), facts()])
    if duplicate:  # what issue 5's dedup records for a syndicated copy
        con.execute("UPDATE articles SET duplicate_of = ? WHERE article_id = ?", [first.article_id, copy.article_id])
    refresh_views(con)  # what the flow does after each run
    return con


def test_views_answer_the_common_questions(tmp_path):
    with build(tmp_path / "w.duckdb", duplicate=False) as con:
        for view in VIEWS:
            assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0, view
        row = con.execute("SELECT label, articles, mentions, first_surface FROM regulation_first_mentions").fetchone()
        assert row == ("Peraturan Gubernur Jawa Barat 158/2021", 2, 2, "Pergub Jabar No. 158/2021")
        assert con.execute("SELECT month::VARCHAR, mentions FROM regulation_mentions_by_month").fetchall() == [
            ("2024-05-01", 2)]
        assert con.execute("SELECT name, office, articles FROM official_offices").fetchall() == [
            ("Ridwan Kamil", "Gubernur Jawa Barat", 2)]
        speakers = con.execute("SELECT DISTINCT speaker, office, label FROM regulation_quotes").fetchall()
        assert speakers == [("Ridwan Kamil", "Gubernur Jawa Barat", "Peraturan Gubernur Jawa Barat 158/2021")]
        assert con.execute("SELECT organization, sum(value) FROM organization_figures GROUP BY ALL").fetchall() == [
            ("BPJS Ketenagakerjaan", 2 * 25_100_000_000_000)]


def test_views_do_not_count_a_duplicate_article(tmp_path):
    with build(tmp_path / "w.duckdb", duplicate=True) as con:
        assert con.execute("SELECT count(*) FROM unique_articles").fetchone()[0] == 1
        assert con.execute("SELECT articles, mentions FROM regulation_first_mentions").fetchone() == (1, 1)
        assert con.execute("SELECT sum(mentions) FROM regulation_mentions_by_month").fetchone()[0] == 1
        assert con.execute("SELECT articles, mentions FROM official_offices").fetchone() == (1, 1)
        assert con.execute("SELECT count(*) FROM regulation_quotes").fetchone()[0] == 1
        assert con.execute("SELECT count(*), sum(value) FROM organization_figures").fetchone() == (1, 25_100_000_000_000)

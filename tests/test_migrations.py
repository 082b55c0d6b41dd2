"""Upgrading a warehouse file made by an older schema version keeps its data."""

from __future__ import annotations

import duckdb
import pytest

from pantau.warehouse import db
from pantau.warehouse.queries import refresh_views


def make_file_at_version(path, version: int) -> None:
    """A file as the code of schema `version` left it: its migrations applied, then some data written."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
    for number, name, sql in db.available_migrations():
        if number <= version:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [number, name])
    # Only columns of schema 1, which every later version keeps.
    con.execute("""INSERT INTO articles (article_id, url, canonical_url, title, published_at, fetched_at, body,
                                         body_status, first_run_id)
                   VALUES ('a1', 'https://x.id/1', 'https://x.id/1', 'Perda parkir', '2024-05-01 03:00:00+00',
                           '2024-05-01 04:00:00+00', 'Perda Kota Bandung Nomor 1 Tahun 2024 tentang parkir.',
                           'full', 'r1')""")
    con.execute("""INSERT INTO regulations (regulation_id, label, type, issuer, number, year, title, date,
                                            first_seen_article_id, first_seen_at)
                   VALUES ('perda-bdg-1-2024', 'Peraturan Daerah Kota Bandung 1/2024',
                   'Peraturan Daerah', 'Kota Bandung', '1', 2024, 'Retribusi Parkir', NULL, 'a1',
                   '2024-05-01 03:00:00+00')""")
    con.execute("""INSERT INTO regulation_mentions (article_id, start_char, end_char, surface, kind, regulation_id,
                                                    method, extractor_version)
                   VALUES ('a1', 0, 37, 'Perda Kota Bandung Nomor 1 Tahun 2024', 'citation', 'perda-bdg-1-2024',
                           'pantau-pipeline', 'old-1')""")
    con.execute("""INSERT INTO alerts VALUES ('k1', 'new-regulation', 'new_regulation', 'perda-bdg-1-2024', 'a1',
                   'Regulasi baru', '{}', '2024-05-01 05:00:00+00', 'r1')""")
    con.execute("INSERT INTO alert_deliveries (alert_id, channel, status, attempts) VALUES ('k1', 'jsonl', 'delivered', 1)")
    con.close()


LATEST = db.available_migrations()[-1][0]


@pytest.mark.parametrize("version", range(1, LATEST))
def test_upgrading_an_older_file_keeps_its_data(tmp_path, version):
    path = tmp_path / f"v{version}.duckdb"
    make_file_at_version(path, version)
    with db.connect(path) as con:
        assert db.schema_version(con) == LATEST
        versions = [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
        assert versions == list(range(1, LATEST + 1))
        assert con.execute("SELECT title, body_status FROM articles").fetchall() == [("Perda parkir", "full")]
        assert con.execute("SELECT label FROM regulations").fetchall() == [("Peraturan Daerah Kota Bandung 1/2024",)]
        assert con.execute("SELECT surface, extractor_version FROM regulation_mentions").fetchall() == [
            ("Perda Kota Bandung Nomor 1 Tahun 2024", "old-1")]
        assert con.execute("SELECT status, attempts FROM alert_deliveries").fetchall() == [("delivered", 1)]
        # the summary views work on the old data: built by migration 3 from a file older than it, and by the
        # refresh every run does for a file that had them already
        expected = [("Peraturan Daerah Kota Bandung 1/2024", 1, 1)]
        summary = "SELECT label, articles, mentions FROM regulation_first_mentions"
        if version < 3:
            assert con.execute(summary).fetchall() == expected
        refresh_views(con)
        assert con.execute(summary).fetchall() == expected
    with db.connect(path, read_only=True) as con:  # and the upgrade is durable
        assert db.schema_version(con) == LATEST


def test_previous_version_is_covered():
    assert LATEST >= 2  # the parametrized test above includes LATEST - 1, the previous schema version

"""`pantau export --parquet DIR`: the public tables as Parquet, partitioned by publication month."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import duckdb
from factories import article, facts
from test_cli import pantau

from pantau.warehouse import db, store


def test_export_partitions_by_publication_month(tmp_path):
    path = tmp_path / "w.duckdb"
    with db.connect(path) as con:
        may = replace(article("https://example.id/mei", body="Pergub Jabar No. 158/2021 berlaku bulan Mei."),
                      content_hash="h1")
        june = replace(article("https://example.id/juni", body="Dinas menyalurkan bantuan untuk nelayan Garut."),
                       content_hash="h2", published_at=datetime(2024, 6, 3, tzinfo=timezone.utc))
        store.store_batch(con, "r1", [may, june], [facts(), facts("perda/2")])
    out = tmp_path / "export"
    result = pantau("export", "--parquet", str(out), "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (out / "articles").iterdir()) == ["month=2024-05", "month=2024-06"]
    assert sorted(p.name for p in (out / "regulation_mentions").iterdir()) == ["month=2024-05", "month=2024-06"]
    read = duckdb.connect()
    rows = read.execute(f"SELECT url, month FROM read_parquet('{out}/articles/*/*.parquet', hive_partitioning = true) "
                        "ORDER BY url").fetchall()
    assert rows == [("https://example.id/juni", "2024-06"), ("https://example.id/mei", "2024-05")]
    counts = dict(read.execute(f"SELECT month, count(*) FROM read_parquet('{out}/person_mentions/*/*.parquet', "
                               "hive_partitioning = true) GROUP BY ALL").fetchall())
    assert counts == {"2024-05": 1, "2024-06": 1}
    assert read.execute(f"SELECT name FROM '{out}/people.parquet'").fetchall() == [("Ridwan Kamil",)]
    # exporting again replaces the earlier export
    assert pantau("export", "--parquet", str(out), "--db", str(path)).returncode == 0
    assert len(list((out / "articles").glob("*/*.parquet"))) == 2

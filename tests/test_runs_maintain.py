"""`pantau maintain`: views, full-text index, Parquet export and checkpoint as one recorded run."""

from __future__ import annotations

import pytest
from factories import article, facts

from pantau.settings import Settings
from pantau.warehouse import db, store
from pantau.warehouse.runs import list_runs


@pytest.mark.slow
def test_maintain_rebuilds_exports_and_records_a_run(tmp_path, prefect_harness):
    from pantau.flows.maintain import maintain_flow

    settings = Settings()
    settings.warehouse.path = str(tmp_path / "w.duckdb")
    with db.connect(settings.warehouse.path) as con:
        store.store_batch(con, "run1", [article()], [facts()])
    done = maintain_flow(settings, export_dir=str(tmp_path / "parquet"))
    assert list(done) == ["summary views", "full-text index", f"parquet export to {tmp_path / 'parquet'}",
                          "checkpoint"]
    assert list((tmp_path / "parquet").rglob("*.parquet"))
    with db.connect(settings.warehouse.path, read_only=True) as con:
        (run,) = list_runs(con, kind="maintain")
        exported = con.execute(f"SELECT count(*) FROM read_parquet('{tmp_path}/parquet/regulations/*/*.parquet')"
                               ).fetchone()[0]
    assert run["status"] == "completed" and set(run["status_counts"]["steps"]) == set(done)
    assert exported == 1

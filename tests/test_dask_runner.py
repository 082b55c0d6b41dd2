"""Scale-out: the ingest flow with extraction on a local Dask cluster stores exactly what the default runner stores,
and each worker process loads the model once, however many batches it runs."""

from __future__ import annotations

import os

import pytest
from factories import demo_settings

from pantau.demo.server import serve_demo
from pantau.warehouse import db

pytestmark = pytest.mark.slow

TABLES = {
    "articles": "article_id, url, title, published_at, body, body_status, extractor_version, duplicate_of",
    "regulations": "regulation_id, label, type, issuer, number, year, title, first_seen_article_id",
    "regulation_mentions": "*",
    "people": "*",
    "person_mentions": "*",
    "organizations": "*",
    "organization_mentions": "*",
    "figures": "*",
    "quotes": "*",
    "alerts": "alert_id, rule, kind, subject_id, article_id, title",
}


def rows(path: str) -> dict[str, list]:
    with db.connect(path, read_only=True) as con:
        return {t: sorted(con.execute(f"SELECT {cols} FROM {t}").fetchall(), key=repr) for t, cols in TABLES.items()}


def test_dask_runner_stores_the_same_rows_as_threads(tmp_path, prefect_harness):
    from pantau.flows.extract import RunnerSpec
    from pantau.flows.ingest import ingest_flow

    results = {}
    with serve_demo() as base_url:
        for name, spec in (("threads", RunnerSpec()), ("dask", RunnerSpec(kind="dask", workers=2))):
            settings = demo_settings(tmp_path, base_url, f"{name}.duckdb")
            settings.alerts.jsonl_path = str(tmp_path / f"{name}.jsonl")
            settings.extraction.batch_size = 2  # several batches per worker
            results[name] = ingest_flow(settings, runner=spec)

    threads, dask = rows(str(tmp_path / "threads.duckdb")), rows(str(tmp_path / "dask.duckdb"))
    assert threads["regulation_mentions"] and threads["person_mentions"]
    for table in TABLES:
        assert dask[table] == threads[table], table

    # Extraction ran in the Dask worker processes, not in this one, each loading the model exactly once.
    loads = results["dask"].extraction.model_loads
    assert results["dask"].extraction.batches >= 3
    assert os.getpid() not in loads and 1 <= len(loads) <= 2
    assert set(loads.values()) == {1}
    assert results["threads"].extraction.model_loads == {os.getpid(): 1}
    with db.connect(str(tmp_path / "dask.duckdb"), read_only=True) as con:
        assert con.execute("SELECT runner FROM runs").fetchone()[0] == "dask:local:2"

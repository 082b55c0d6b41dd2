"""Run summaries: what `runs` records for each flow run and what `pantau runs` shows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from factories import demo_settings

from pantau.demo.server import serve_demo
from pantau.warehouse import db
from pantau.warehouse.runs import finish_run, get_run, list_runs, start_run

PANTAU = str(Path(sys.executable).with_name("pantau"))


def pantau(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run([PANTAU, *args], capture_output=True, text=True, timeout=120, env=env)


def test_finish_run_stores_counts_per_status_and_duration(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        start_run(con, "r1", "v1", kind="reprocess", model_version="id_ner-1", runner="threads:2")
        finish_run(con, "r1", {"articles_new": 3, "regulation_mentions": 4},
                   status_counts={"articles": {"full": 2, "failed": 1}})
        start_run(con, "r2", "v1")
        finish_run(con, "r2", {}, error="RuntimeError: boom")
        r1, r2 = get_run(con, "r1"), get_run(con, "r2")
        assert [r["run_id"] for r in list_runs(con)] == ["r2", "r1"]
        assert [r["run_id"] for r in list_runs(con, kind="reprocess")] == ["r1"]
    assert r1["status"] == "completed" and r1["kind"] == "reprocess" and r1["duration_s"] >= 0
    assert r1["articles_new"] == 3 and r1["regulation_mentions"] == 4 and r1["articles_failed"] == 0
    assert r1["status_counts"] == {"articles": {"full": 2, "failed": 1}}
    assert (r1["model_version"], r1["runner"], r1["extractor_version"]) == ("id_ner-1", "threads:2", "v1")
    assert r2["status"] == "failed" and r2["error"] == "RuntimeError: boom" and r2["kind"] == "ingest"


@pytest.mark.slow
def test_ingest_run_summary_and_pantau_runs(tmp_path, prefect_harness):
    from pantau.flows.ingest import ingest_flow

    with serve_demo() as base_url:
        settings = demo_settings(tmp_path, base_url, "w.duckdb")
        result = ingest_flow(settings)
    with db.connect(settings.warehouse.path, read_only=True) as con:
        run = get_run(con, result.run_id)
    assert run["status"] == "completed" and run["kind"] == "ingest" and run["duration_s"] > 0
    assert run["status_counts"]["feeds"] == {"ok": 2, "parse_error": 1}
    articles = run["status_counts"]["articles"]
    assert sum(articles.values()) == run["articles_new"] and articles["full"] >= 6
    assert run["status_counts"]["mentions"]["regulation"] == run["regulation_mentions"] > 0
    assert run["status_counts"]["alerts"]["raised"] == run["alerts_raised"] > 0
    assert run["model_version"] and run["model_version"] in run["extractor_version"]
    assert run["runner"] == "threads:1" and run["flow_run_id"]

    shown = pantau("runs", "--db", settings.warehouse.path)
    assert shown.returncode == 0, shown.stderr
    assert result.run_id in shown.stdout and "parse_error:1" in shown.stdout and run["model_version"] in shown.stdout
    data = json.loads(pantau("runs", "--db", settings.warehouse.path, "--format", "json").stdout)
    assert data[0]["run_id"] == result.run_id and data[0]["status_counts"]["feeds"]["ok"] == 2


def test_pantau_runs_without_a_warehouse_is_one_line(tmp_path):
    shown = pantau("runs", "--db", str(tmp_path / "none.duckdb"))
    assert shown.returncode == 1 and len(shown.stderr.strip().splitlines()) == 1 and "no warehouse" in shown.stderr

"""The maintain flow: upkeep of the warehouse between ingest runs (`pantau maintain`). Orchestration only.

Steps, each a plain function in `warehouse/` run in the flow's process (the single writer), recorded as a run of
kind `maintain`: the summary views and the full-text index rebuilt (ingest runs do both too, after storing),
optionally a Parquet export of the public tables (`warehouse.export`), then a checkpoint of the DuckDB file.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from prefect import flow

from pantau.config import Settings
from warehouse import db, search
from warehouse import runs as runs_db
from warehouse.export import export_parquet
from warehouse.queries import refresh_views


def _steps(export_dir: str | None) -> list[tuple[str, Callable[[Any], Any]]]:
    steps: list[tuple[str, Callable[[Any], Any]]] = [
        ("summary views", refresh_views),  # warehouse/views.sql, materialized
        ("full-text index", search.rebuild),  # returns the backend: fts | fallback
    ]
    if export_dir:
        steps.append((f"parquet export to {export_dir}",
                      lambda con: sum(export_parquet(con, export_dir).values())))  # rows written
    steps.append(("checkpoint", runs_db.checkpoint))
    return steps


@flow(name="pantau-maintain", validate_parameters=False)
def maintain_flow(settings: Settings, export_dir: str | None = None, run_id: str | None = None) -> dict[str, Any]:
    run_id = run_id or uuid.uuid4().hex[:12]
    con = db.connect(settings.warehouse.path)
    done: dict[str, Any] = {}
    try:
        runs_db.start_run(con, run_id, None, kind="maintain")
        try:
            for name, step in _steps(export_dir):
                started = time.perf_counter()
                outcome = step(con)
                seconds = f"{time.perf_counter() - started:.2f} s"
                done[name] = f"{outcome} ({seconds})" if outcome is not None else f"done ({seconds})"
        except Exception as exc:
            runs_db.finish_run(con, run_id, {}, error=f"{type(exc).__name__}: {exc}", status_counts={"steps": done})
            raise
        runs_db.finish_run(con, run_id, {}, status_counts={"steps": done})
    finally:
        con.close()
    return done

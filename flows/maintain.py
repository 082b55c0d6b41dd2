"""The maintain flow: upkeep of the warehouse between ingest runs (`pantau maintain`). Orchestration only.

Steps, each a plain function in `warehouse/` run in the flow's process (the single writer), recorded as a run of
kind `maintain`: full-text index rebuild and Parquet export when the warehouse provides them, then a checkpoint.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from prefect import flow

from pantau.config import Settings
from warehouse import db
from warehouse import runs as runs_db


def _steps(export_dir: str | None) -> list[tuple[str, Callable[[Any], Any]]]:
    steps: list[tuple[str, Callable[[Any], Any]]] = []
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
                done[name] = outcome if outcome is not None else f"done in {time.perf_counter() - started:.2f} s"
        except Exception as exc:
            runs_db.finish_run(con, run_id, {}, error=f"{type(exc).__name__}: {exc}", status_counts={"steps": {}})
            raise
        runs_db.finish_run(con, run_id, {}, status_counts={"steps": {k: 1 for k in done}})
    finally:
        con.close()
    return done

"""The maintain flow: upkeep of the warehouse between ingest runs (`pantau maintain`). Orchestration only.

Steps, each a plain function in `warehouse/` run in the flow's process (the single writer), recorded as a run of
kind `maintain`: the summary views and the full-text index rebuilt (ingest runs do both too, after storing),
optionally a Parquet export of the public tables (`warehouse.export`), then a checkpoint of the DuckDB file.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prefect import flow

from pantau.flows.steps import recorded_run, refresh
from pantau.settings import Settings
from pantau.warehouse import runs as runs_db
from pantau.warehouse.export import export_parquet


@flow(name="pantau-maintain", validate_parameters=False)
def maintain_flow(settings: Settings, export_dir: str | None = None, run_id: str | None = None) -> dict[str, str]:
    """The views and the full-text index rebuilt, an optional Parquet export, a checkpoint; returns the steps."""
    with recorded_run(settings, "maintain", run_id=run_id, extracts=False) as (con, result):
        refresh(con, result)
        later: list[tuple[str, Callable[[Any], Any]]] = []
        if export_dir:
            later.append((f"parquet export to {export_dir}",
                          lambda con: sum(export_parquet(con, export_dir).values())))  # rows written
        later.append(("checkpoint", runs_db.checkpoint))
        for name, step in later:
            started = time.perf_counter()
            outcome = step(con)
            seconds = f"{time.perf_counter() - started:.2f} s"
            result.steps[name] = f"{outcome} ({seconds})" if outcome is not None else f"done ({seconds})"
    return result.steps

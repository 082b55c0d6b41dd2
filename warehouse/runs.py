"""Writes and reads about flow runs (`runs`): one row per ingest, reprocess or maintain run, with its summary."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import duckdb

COUNT_COLUMNS = ("feeds_polled", "feeds_failed", "articles_new", "articles_failed", "regulation_mentions",
                 "person_mentions", "organization_mentions", "alerts_raised")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, extractor_version: str | None, *, kind: str = "ingest",
              model_version: str | None = None, runner: str | None = None, flow_run_id: str | None = None) -> None:
    # We hold the write lock, so a run still marked running is one whose process died (SIGKILL, power loss).
    con.execute("UPDATE runs SET status = 'interrupted', error = coalesce(error, 'the process ended before the run "
                "finished') WHERE status = 'running'")
    con.execute(
        """INSERT INTO runs (run_id, started_at, status, extractor_version, kind, model_version, runner, flow_run_id)
           VALUES (?, ?, 'running', ?, ?, ?, ?, ?)""",
        [run_id, _now(), extractor_version, kind, model_version, runner, flow_run_id])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, counts: dict[str, int], error: str | None = None,
               status_counts: dict[str, dict[str, int]] | None = None) -> None:
    """Close a run: counts, counts per status (`{"feeds": {"ok": 2}, "articles": {"full": 5}}`), duration."""
    finished = _now()
    con.execute(
        f"""UPDATE runs SET finished_at = ?, status = ?, {", ".join(f"{c} = ?" for c in COUNT_COLUMNS)}, error = ?,
                          status_counts = ?, duration_s = date_diff('microsecond', started_at, ?) / 1e6
            WHERE run_id = ?""",
        [finished, "failed" if error else "completed", *(counts.get(c, 0) for c in COUNT_COLUMNS), error,
         json.dumps(status_counts or {}, sort_keys=True), finished, run_id],
    )


def list_runs(con: duckdb.DuckDBPyConnection, limit: int = 20, kind: str | None = None,
              run_id: str | None = None) -> list[dict[str, Any]]:
    """The newest runs first, each as a dict (status_counts parsed)."""
    cur = con.execute(
        f"""SELECT run_id, kind, started_at, finished_at, status, duration_s, {", ".join(COUNT_COLUMNS)},
                   extractor_version, model_version, runner, flow_run_id, status_counts, error
            FROM runs WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR run_id = ?)
            ORDER BY started_at DESC LIMIT ?""",
        [kind, kind, run_id, run_id, limit])
    columns = [c[0] for c in cur.description]
    rows = [dict(zip(columns, row)) for row in cur.fetchall()]
    for row in rows:
        row["status_counts"] = json.loads(row["status_counts"]) if row["status_counts"] else {}
    return rows


def get_run(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any] | None:
    rows = list_runs(con, limit=1, run_id=run_id)
    return rows[0] if rows else None


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Upkeep (`pantau maintain`): write the WAL into the database file and reclaim space from replaced facts."""
    con.execute("CHECKPOINT")

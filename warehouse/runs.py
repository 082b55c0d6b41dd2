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
              model_version: str | None = None, runner: str | None = None,
              flow_run_id: str | None = None) -> list[dict[str, Any]]:
    """Record a run's start; returns the runs it finds interrupted (see `interrupted_work`), which it finishes."""
    # We hold the write lock, so a run still marked running is one whose process died (SIGKILL, power loss).
    stale = [r for (r,) in con.execute("SELECT run_id FROM runs WHERE status = 'running' ORDER BY started_at")
             .fetchall()]
    con.execute("UPDATE runs SET status = 'interrupted', error = coalesce(error, 'the process ended before the run "
                "finished') WHERE status = 'running'")
    con.execute(
        """INSERT INTO runs (run_id, started_at, status, extractor_version, kind, model_version, runner, flow_run_id,
                             finishes)
           VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?)""",
        [run_id, _now(), extractor_version, kind, model_version, runner, flow_run_id, stale or None])
    return interrupted_work(con, stale)


def interrupted_work(con: duckdb.DuckDBPyConnection, run_ids: list[str]) -> list[dict[str, Any]]:
    """What each interrupted run had committed before it died, and what it left for the next run: its kind, start,
    articles stored, alerts raised, and the deliveries of its alerts not yet delivered (to any run's alerts)."""
    if not run_ids:
        return []
    cur = con.execute(
        """SELECT r.run_id, r.kind, r.started_at,
                  (SELECT count(*) FROM articles a WHERE a.first_run_id = r.run_id) AS articles_stored,
                  (SELECT count(*) FROM alerts x WHERE x.run_id = r.run_id) AS alerts_raised,
                  (SELECT count(*) FROM alert_deliveries d JOIN alerts x USING (alert_id)
                    WHERE x.run_id = r.run_id AND d.status <> 'delivered') AS deliveries_pending
           FROM runs r WHERE r.run_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY r.started_at""", [run_ids])
    columns = [c[0] for c in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


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
                   extractor_version, model_version, runner, flow_run_id, status_counts, error,
                   coalesce(finishes, []) AS finishes
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

"""Writes about ingestion runs (`runs`)."""

from __future__ import annotations

from datetime import datetime, timezone

import duckdb


def _now() -> datetime:
    return datetime.now(timezone.utc)


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, extractor_version: str) -> None:
    con.execute("INSERT INTO runs (run_id, started_at, status, extractor_version) VALUES (?, ?, 'running', ?)",
                [run_id, _now(), extractor_version])


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, counts: dict[str, int], error: str | None = None) -> None:
    con.execute(
        """UPDATE runs SET finished_at = ?, status = ?, feeds_polled = ?, feeds_failed = ?, articles_new = ?,
                          articles_failed = ?, regulation_mentions = ?, person_mentions = ?,
                          organization_mentions = ?, alerts_raised = ?, error = ?
           WHERE run_id = ?""",
        [_now(), "failed" if error else "completed", counts.get("feeds_polled", 0), counts.get("feeds_failed", 0),
         counts.get("articles_new", 0), counts.get("articles_failed", 0), counts.get("regulation_mentions", 0),
         counts.get("person_mentions", 0), counts.get("organization_mentions", 0), counts.get("alerts_raised", 0),
         error, run_id],
    )

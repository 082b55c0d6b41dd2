"""Writes about feeds: the feed list and every poll's outcome (`feed_fetches`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

import duckdb

from ingest.feeds import FeedPoll, FeedState
from ingest.urls import canonical_url, stable_id
from pantau.config import FeedConfig


def _now() -> datetime:
    return datetime.now(timezone.utc)


def feed_id_for(url: str) -> str:
    return stable_id(canonical_url(url))


def upsert_feeds(con: duckdb.DuckDBPyConnection, feeds: Iterable[FeedConfig], source: str) -> int:
    """Add feeds (config or CLI); an existing URL keeps its state and gets the newer name/region."""
    rows = [(feed_id_for(f.url), f.url, f.name, f.region, source, _now()) for f in feeds]
    if rows:
        con.executemany(
            """INSERT INTO feeds (feed_id, url, name, region, source, added_at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (feed_id) DO UPDATE SET name = coalesce(excluded.name, feeds.name),
                                                  region = coalesce(excluded.region, feeds.region),
                                                  enabled = TRUE""",
            rows,
        )
    return len(rows)


def remove_feed(con: duckdb.DuckDBPyConnection, url: str) -> bool:
    """Disable a feed (its fetch history and articles stay)."""
    found = con.execute("UPDATE feeds SET enabled = FALSE WHERE feed_id = ? RETURNING feed_id",
                        [feed_id_for(url)]).fetchall()
    return bool(found)


def enabled_feeds(con: duckdb.DuckDBPyConnection) -> list[FeedState]:
    rows = con.execute(
        "SELECT feed_id, url, name, etag, last_modified, body_hash FROM feeds WHERE enabled ORDER BY url"
    ).fetchall()
    return [FeedState(*row) for row in rows]


def record_poll(con: duckdb.DuckDBPyConnection, run_id: str, poll: FeedPoll, new_articles: int) -> None:
    failed = poll.status not in ("ok", "not_modified", "empty")
    con.execute(
        """INSERT INTO feed_fetches (run_id, feed_id, url, fetched_at, status, http_status, elapsed_ms, entries,
                                     new_articles, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [run_id, poll.feed_id, poll.url, _now(), poll.status, poll.http_status, poll.elapsed_ms,
         len(poll.entries), new_articles, poll.error],
    )
    con.execute(
        """UPDATE feeds SET etag = ?, last_modified = ?, body_hash = ?, last_status = ?, last_fetched_at = ?,
                            failures_in_row = CASE WHEN ? THEN failures_in_row + 1 ELSE 0 END
           WHERE feed_id = ?""",
        [poll.etag, poll.last_modified, poll.body_hash, poll.status, _now(), failed, poll.feed_id],
    )

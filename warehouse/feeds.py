"""Writes about feeds: the feed list, every poll's outcome (`feed_fetches`) and the backoff of broken feeds.

Backoff: a failed poll raises the feed's `failure_score` (by 1 for transient faults, by 2 for faults that rarely fix
themselves); a good poll (`ok`, `not_modified`, `empty`) resets it. The first failure in a row costs nothing (the
next run tries again); from the second on, the feed sits out `2^(score-2)` runs (at most `MAX_SKIP_RUNS`) and is not
polled before `next_poll_at` (`2^(score-2)` minutes, at most `MAX_BACKOFF`). Its first good poll re-enables it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

import duckdb

from pantau.settings import FeedConfig
from pantau.types import GOOD_STATUSES, FeedPoll, FeedState
from pantau.urls import canonical_url, stable_id
from pantau.warehouse.transactions import transaction

PERSISTENT = {"http_4xx", "dns", "tls", "html_not_feed", "redirect_loop"}  # weigh 2 in the failure score
MAX_SKIP_RUNS = 32
MAX_BACKOFF = timedelta(hours=6)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def backoff(failures_in_row: int, score: int, now: datetime) -> tuple[int, datetime | None]:
    """(runs to skip, not before) after a failed poll."""
    if failures_in_row < 2:
        return 0, None
    steps = 2 ** min(max(score - 2, 0), 10)
    return min(steps, MAX_SKIP_RUNS), now + min(timedelta(minutes=steps), MAX_BACKOFF)


def feed_id_for(url: str) -> str:
    return stable_id(canonical_url(url))


def upsert_feeds(con: duckdb.DuckDBPyConnection, feeds: Iterable[FeedConfig], source: str) -> int:
    """Add feeds (config or CLI); an existing URL keeps its state and gets the newer name/region."""
    unique = {feed_id_for(f.url): f for f in feeds}  # one row per feed: ON CONFLICT cannot take a key twice
    if unique:
        columns = [list(unique), [f.url for f in unique.values()], [f.name for f in unique.values()],
                   [f.region for f in unique.values()]]
        con.execute(
            """INSERT INTO feeds (feed_id, url, name, region, source, added_at)
               SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), ?, ?
               ON CONFLICT (feed_id) DO UPDATE SET name = coalesce(excluded.name, feeds.name),
                                                  region = coalesce(excluded.region, feeds.region),
                                                  enabled = TRUE""",
            [*columns, source, _now()],
        )
        if source == "cli":  # adding a feed by hand again means: poll it next run, whatever its backoff
            con.execute("UPDATE feeds SET skip_runs = 0, next_poll_at = NULL "
                        "WHERE feed_id IN (SELECT unnest(?::VARCHAR[]))", [list(unique)])
    return len(unique)


def remove_feed(con: duckdb.DuckDBPyConnection, url: str) -> bool:
    """Disable a feed (its fetch history and articles stay)."""
    found = con.execute("UPDATE feeds SET enabled = FALSE WHERE feed_id = ? RETURNING feed_id",
                        [feed_id_for(url)]).fetchall()
    return bool(found)


def feed_regions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """feed_id → the region configured for the feed (`pantau feeds add URL --region …`), for feeds that have one."""
    return dict(con.execute("SELECT feed_id, region FROM feeds WHERE region IS NOT NULL AND region <> ''").fetchall())


def enabled_feeds(con: duckdb.DuckDBPyConnection) -> list[FeedState]:
    rows = con.execute(
        "SELECT feed_id, url, name, etag, last_modified, body_hash FROM feeds WHERE enabled ORDER BY url"
    ).fetchall()
    return [FeedState(*row) for row in rows]


def due_feeds(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> list[FeedState]:
    """The enabled feeds to poll in this run; every backed-off feed left out counts one skipped run down."""
    now = now or _now()
    rows = con.execute(
        """SELECT feed_id, url, name, etag, last_modified, body_hash FROM feeds
           WHERE enabled AND coalesce(skip_runs, 0) <= 0 AND (next_poll_at IS NULL OR next_poll_at <= ?)
           ORDER BY url""",
        [now],
    ).fetchall()
    con.execute("UPDATE feeds SET skip_runs = skip_runs - 1 WHERE enabled AND skip_runs > 0")
    return [FeedState(*row) for row in rows]


def record_polls(con: duckdb.DuckDBPyConnection, run_id: str, polls: Sequence[tuple[FeedPoll, int]],
                 validators: bool = True) -> None:
    """One `feed_fetches` row per poll, and each feed's status and backoff, in one transaction.

    With `validators=False` the conditional-GET state (ETag, Last-Modified, body hash) is left as it was: the flow
    saves it with `save_validators` only once the feed's new entries are stored, so a run killed in between
    re-reads the feed in full next time instead of being told "not modified" and losing the entries.
    """
    if not polls:
        return
    now = _now()
    ids = [poll.feed_id for poll, _ in polls]
    state = {row[0]: row[1:] for row in con.execute(
        "SELECT feed_id, coalesce(failures_in_row, 0), coalesce(failure_score, 0) FROM feeds "
        "WHERE feed_id IN (SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()}
    fetches: dict[str, list] = {c: [] for c in _FETCH_COLUMNS}
    updates: dict[str, list] = {c: [] for c in _FEED_COLUMNS}
    for poll, new_articles in polls:
        for column, value in zip(_FETCH_COLUMNS, (
                run_id, poll.feed_id, poll.url, now, poll.status, poll.http_status, poll.elapsed_ms,
                len(poll.entries), new_articles, poll.error, poll.attempts, poll.problem)):
            fetches[column].append(value)
        in_row, score = state.get(poll.feed_id, (0, 0))
        if poll.status in GOOD_STATUSES:
            in_row, score, skip, not_before, last_ok = 0, 0, 0, None, now
        else:
            in_row, score = in_row + 1, score + (2 if poll.status in PERSISTENT else 1)
            (skip, not_before), last_ok = backoff(in_row, score, now), None
        for column, value in zip(_FEED_COLUMNS, (poll.feed_id, poll.status, now, in_row, score, skip, not_before,
                                                 last_ok, poll.error)):
            updates[column].append(value)
    with transaction(con):
        # one statement per table, the rows passed as typed lists and unnested: 1,000 polls in milliseconds
        con.execute(f"INSERT INTO feed_fetches ({', '.join(_FETCH_COLUMNS)}) SELECT {_unnest(_FETCH_COLUMNS)}",
                    list(fetches.values()))
        con.execute(
            f"""UPDATE feeds SET last_status = v.status, last_fetched_at = v.fetched_at,
                                failures_in_row = v.in_row, failure_score = v.score, skip_runs = v.skip,
                                next_poll_at = v.not_before, last_ok_at = coalesce(v.last_ok, feeds.last_ok_at),
                                last_error = v.error
                FROM (SELECT {_unnest(_FEED_COLUMNS)}) AS v WHERE feeds.feed_id = v.feed_id""",
            list(updates.values()),
        )
        if validators:
            _save_validators(con, [poll for poll, _ in polls])


_FETCH_COLUMNS = {"run_id": "VARCHAR", "feed_id": "VARCHAR", "url": "VARCHAR", "fetched_at": "TIMESTAMPTZ",
                  "status": "VARCHAR", "http_status": "INTEGER", "elapsed_ms": "DOUBLE", "entries": "INTEGER",
                  "new_articles": "INTEGER", "error": "VARCHAR", "attempts": "INTEGER", "problem": "VARCHAR"}
_FEED_COLUMNS = {"feed_id": "VARCHAR", "status": "VARCHAR", "fetched_at": "TIMESTAMPTZ", "in_row": "INTEGER",
                 "score": "INTEGER", "skip": "INTEGER", "not_before": "TIMESTAMPTZ", "last_ok": "TIMESTAMPTZ",
                 "error": "VARCHAR"}
_VALIDATOR_COLUMNS = {"feed_id": "VARCHAR", "etag": "VARCHAR", "last_modified": "VARCHAR", "body_hash": "VARCHAR"}


def _unnest(columns: dict[str, str]) -> str:
    """`unnest(?::T[]) AS c, …`: one list parameter per column, zipped row by row."""
    return ", ".join(f"unnest(?::{kind}[]) AS {name}" for name, kind in columns.items())


def save_validators(con: duckdb.DuckDBPyConnection, polls: Sequence[FeedPoll]) -> None:
    """Remember each feed's ETag, Last-Modified and body hash for the next conditional GET."""
    if polls:
        with transaction(con):
            _save_validators(con, polls)


def _save_validators(con: duckdb.DuckDBPyConnection, polls: Sequence[FeedPoll]) -> None:
    if not polls:
        return
    columns = [[p.feed_id for p in polls], [p.etag for p in polls], [p.last_modified for p in polls],
               [p.body_hash for p in polls]]
    con.execute(f"""UPDATE feeds SET etag = v.etag, last_modified = v.last_modified, body_hash = v.body_hash
                    FROM (SELECT {_unnest(_VALIDATOR_COLUMNS)}) AS v WHERE feeds.feed_id = v.feed_id""", columns)


def feed_status(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    """`pantau feeds status`: per feed, the last status, its failure score and backoff, and its recent history."""
    cur = con.execute(
        """WITH recent AS (
               SELECT feed_id, status, row_number() OVER (PARTITION BY feed_id ORDER BY fetch_id DESC) AS n
               FROM feed_fetches),
           history AS (
               SELECT feed_id, string_agg(status, ' ' ORDER BY n DESC) AS last_polls FROM recent WHERE n <= 5
               GROUP BY feed_id),
           totals AS (
               SELECT feed_id, count(*) AS polls, sum(new_articles) AS articles,
                      round(avg(elapsed_ms)) AS avg_ms FROM feed_fetches GROUP BY feed_id)
           SELECT coalesce(f.name, f.url) AS feed, f.url, f.enabled, f.last_status AS status,
                  f.failure_score AS score, f.failures_in_row AS failing_runs,
                  CASE WHEN NOT f.enabled THEN 'removed'
                       WHEN f.skip_runs > 0 OR f.next_poll_at > now()
                       THEN 'skip ' || f.skip_runs || ' run(s), not before '
                            || strftime(f.next_poll_at AT TIME ZONE 'UTC', '%H:%M UTC')
                       ELSE 'due' END AS next_poll,
                  strftime(f.last_ok_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M UTC') AS last_ok,
                  coalesce(t.polls, 0) AS polls, coalesce(t.articles, 0) AS new_articles, t.avg_ms,
                  h.last_polls, left(f.last_error, 80) AS last_error
           FROM feeds f LEFT JOIN totals t USING (feed_id) LEFT JOIN history h USING (feed_id)
           ORDER BY f.enabled DESC, f.failure_score DESC, feed"""
    )
    return [c[0] for c in cur.description], cur.fetchall()

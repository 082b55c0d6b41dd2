"""Reads: run summaries, feed lists, and user SQL."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from importlib import resources

import duckdb

from pantau.warehouse.transactions import transaction


def run_query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple[list[str], list[tuple]]:
    cur = con.execute(sql, params or [])
    if cur.description is None:
        return [], []
    return [c[0] for c in cur.description], cur.fetchall()


def run_summary(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    row = con.execute(
        """SELECT feeds_polled, feeds_failed, articles_new, articles_failed, regulation_mentions, person_mentions,
                  organization_mentions, alerts_raised,
                  (SELECT count(*) FROM regulations r JOIN articles a ON a.article_id = r.first_seen_article_id
                    WHERE a.first_run_id = runs.run_id) AS regulations_new
           FROM runs WHERE run_id = ?""",
        [run_id],
    ).fetchone()
    keys = ("feeds_polled", "feeds_failed", "articles_new", "articles_failed", "regulation_mentions",
            "person_mentions", "organization_mentions", "alerts_raised", "regulations_new")
    return dict(zip(keys, row or (0,) * len(keys)))


def list_feeds(con: duckdb.DuckDBPyConnection) -> tuple[list[str], list[tuple]]:
    return run_query(con, """SELECT url, name, region, source, enabled, last_status, last_fetched_at, failures_in_row
                             FROM feeds ORDER BY enabled DESC, url""")


def latest_fetches(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[list[str], list[tuple]]:
    return run_query(con, """SELECT f.name, x.status, x.http_status, x.entries, x.new_articles, x.error
                             FROM feed_fetches x JOIN feeds f USING (feed_id)
                             WHERE x.run_id = ? ORDER BY f.name""", [run_id])


def refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the summary views (warehouse/views.sql, materialized as tables) in one transaction."""
    sql = resources.files(__package__).joinpath("views.sql").read_text(encoding="utf-8")
    with transaction(con):
        con.execute(sql)


def refresh_derived(con: duckdb.DuckDBPyConnection,
                    on_step: Callable[[str], None] | None = None) -> dict[str, str]:
    """Everything derived from the facts, rebuilt: the summary views, then the full-text index (neither is
    incremental). Every path that writes facts ends with this; returns what each step did and how long it took.
    `on_step` hears each step's name as it starts."""
    from pantau.warehouse import search

    on_step = on_step or (lambda step: None)
    done = {}
    started = time.perf_counter()
    on_step("summary views")
    refresh_views(con)
    done["summary views"] = f"done ({time.perf_counter() - started:.2f} s)"
    started = time.perf_counter()
    on_step("full-text index")
    backend = search.rebuild(con)
    done["full-text index"] = f"{backend} ({time.perf_counter() - started:.2f} s)"
    return done


def _view_definitions() -> dict[str, str]:
    """views.sql as {table: its SELECT}, in file order."""
    sql = resources.files(__package__).joinpath("views.sql").read_text(encoding="utf-8")
    sql = "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))
    found = {}
    for statement in filter(str.strip, sql.split(";")):
        match = re.match(r"\s*CREATE OR REPLACE TABLE (\w+) AS\s+(.*)", statement, re.S)
        if match:
            found[match.group(1)] = match.group(2)
    return found


def derived_drift(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How far everything derived lags the facts: per summary view, the rows it has and its query would not give
    (or the other way round); for the full-text index, the unique articles it lacks plus the documents it has that
    are no longer unique articles. All zeros right after `refresh_derived`."""
    drift = {}
    for name, select in _view_definitions().items():
        drift[name] = con.execute(
            f"""WITH fresh AS ({select})
                SELECT (SELECT count(*) FROM (SELECT * FROM {name} EXCEPT ALL SELECT * FROM fresh))
                     + (SELECT count(*) FROM (SELECT * FROM fresh EXCEPT ALL SELECT * FROM {name}))""").fetchone()[0]
    drift["full-text index"] = con.execute(
        """SELECT (SELECT count(*) FROM unique_articles WHERE article_id NOT IN (SELECT article_id FROM search_docs))
                + (SELECT count(*) FROM search_docs WHERE article_id NOT IN (SELECT article_id FROM unique_articles))"""
    ).fetchone()[0]
    return drift


SUMMARY_VIEWS = ("regulation_first_mentions", "regulation_mentions_by_month", "official_offices",
                 "organization_activity", "regulation_quotes", "organization_figures")

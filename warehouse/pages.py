"""The reads behind the web page (`pantau ui`): every statement it runs, on a snapshot cursor.

Lists are paginated (`PAGE_SIZE` rows, `page` from 1) and sorted by a whitelisted column (`SORTS`); they read the
materialized summary views (views.sql), so a page costs a few index-free scans of small tables even on millions
of mentions (bench/warehouse_queries.py --pages). Rows come back as dicts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

PAGE_SIZE = 50
CONTEXT_CHARS = 140  # of article text on each side of a highlighted mention

# list → {sort key: SQL expression}; the first is the default
SORTS = {
    "regulations": {"first_seen": "r.first_seen_at", "label": "r.label", "type": "r.type", "issuer": "r.issuer",
                    "year": "r.year", "articles": "coalesce(f.articles, 0)", "mentions": "coalesce(f.mentions, 0)",
                    "last_seen": "f.last_mentioned_at"},
    "people": {"mentions": "s.mentions", "name": "p.name", "articles": "s.articles", "last_seen": "o.last_seen_at"},
    "organizations": {"mentions": "coalesce(o.mentions, 0)", "name": "g.name", "articles": "coalesce(o.articles, 0)",
                      "last_seen": "o.last_seen_at"},
    "alerts": {"created": "a.created_at", "rule": "a.rule", "title": "a.title"},
    "feeds": {"failures": "f.failures_in_row", "name": "coalesce(f.name, f.url)", "status": "f.last_status",
              "fetched": "f.last_fetched_at", "ok": "f.last_ok_at", "articles": "articles"},
}


def _rows(cur: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur.execute(sql, params or [])
    names = [c[0] for c in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _one(cur: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> dict[str, Any] | None:
    rows = _rows(cur, sql, params)
    return rows[0] if rows else None


def _order(listing: str, sort: str | None, descending: bool) -> tuple[str, str]:
    """(sort key used, ORDER BY expression): unknown keys fall back to the list's default."""
    columns = SORTS[listing]
    key = sort if sort in columns else next(iter(columns))
    return key, f"{columns[key]} {'DESC' if descending else 'ASC'} NULLS LAST"


def _offset(page: int, limit: int = PAGE_SIZE) -> int:
    return (max(page, 1) - 1) * limit


def _has_table(cur: duckdb.DuckDBPyConnection, name: str) -> bool:
    cur.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND database_name = current_database()",
                [name])
    return bool(cur.fetchone()[0])


# --- overview ---------------------------------------------------------------------------------------------------

def freshness(cur: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The newest run and when it ended: how fresh the page's data is."""
    return _one(cur, """SELECT run_id, kind, status, started_at, finished_at FROM runs
                        ORDER BY started_at DESC LIMIT 1""") or {}


def totals(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return _one(cur, """SELECT (SELECT count(*) FROM unique_articles) AS articles,
                               (SELECT count(*) FROM regulations) AS regulations,
                               (SELECT count(*) FROM regulation_mentions) AS regulation_mentions,
                               (SELECT count(*) FROM people) AS people,
                               (SELECT count(*) FROM organizations) AS organizations,
                               (SELECT count(*) FROM alerts) AS alerts,
                               (SELECT count(*) FROM feeds WHERE enabled) AS feeds""")


def new_regulations(cur: duckdb.DuckDBPyConnection, since: date | datetime, limit: int = 20) -> list[dict[str, Any]]:
    return _rows(cur, """SELECT r.regulation_id, r.label, r.type, r.issuer, r.title, r.first_seen_at,
                                r.issuer_unknown, f.first_article_id, f.first_article_title, f.articles
                         FROM regulations r LEFT JOIN regulation_first_mentions f USING (regulation_id)
                         WHERE r.first_seen_at >= ? ORDER BY r.first_seen_at DESC, r.regulation_id LIMIT ?""",
                 [since, limit])


def newest_first_seen(cur: duckdb.DuckDBPyConnection) -> datetime | None:
    """When the newest regulation was first seen (its article's publication): where "recent" ends."""
    cur.execute("SELECT max(first_seen_at) FROM regulations")
    return cur.fetchone()[0]


def feed_health(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Enabled feeds per last poll status (`ok`, `not_modified`, `timeout`, …; `never` before the first poll)."""
    cur.execute("""SELECT coalesce(last_status, 'never'), count(*) FROM feeds WHERE enabled
                   GROUP BY ALL ORDER BY 2 DESC, 1""")
    return dict(cur.fetchall())


# --- regulations ------------------------------------------------------------------------------------------------

def regulation_facets(cur: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """The values the regulation filters offer."""
    cur.execute("SELECT DISTINCT type FROM regulations ORDER BY type")
    types = [t for (t,) in cur.fetchall()]
    cur.execute("SELECT DISTINCT year FROM regulations WHERE year IS NOT NULL ORDER BY year DESC")
    years = [y for (y,) in cur.fetchall()]
    cur.execute("SELECT DISTINCT issuer FROM regulations WHERE issuer IS NOT NULL ORDER BY issuer")
    issuers = [i for (i,) in cur.fetchall()]
    return {"types": types, "years": years, "issuers": issuers}


def regulations(cur: duckdb.DuckDBPyConnection, *, type: str | None = None, issuer: str | None = None,
                year: int | None = None, seen_since: date | None = None, sort: str | None = None,
                descending: bool = True, page: int = 1, limit: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], int]:
    """(one page of regulations, how many match); `issuer` matches the issuer or the region within it."""
    where, params = ["TRUE"], []
    if type:
        where.append("r.type = ?")
        params.append(type)
    if issuer:
        where.append("r.issuer ILIKE '%' || ? || '%'")
        params.append(issuer)
    if year:
        where.append("r.year = ?")
        params.append(year)
    if seen_since:
        where.append("r.first_seen_at >= ?")
        params.append(seen_since)
    _, order = _order("regulations", sort, descending)
    condition = " AND ".join(where)
    cur.execute(f"SELECT count(*) FROM regulations r WHERE {condition}", params)
    total = cur.fetchone()[0]
    rows = _rows(cur, f"""SELECT r.regulation_id, r.label, r.type, r.issuer, r.number, r.year, r.title,
                                 r.first_seen_at, r.issuer_unknown, coalesce(f.articles, 0) AS articles,
                                 coalesce(f.mentions, 0) AS mentions, f.last_mentioned_at
                          FROM regulations r LEFT JOIN regulation_first_mentions f USING (regulation_id)
                          WHERE {condition} ORDER BY {order}, r.regulation_id LIMIT ? OFFSET ?""",
                 [*params, limit, _offset(page, limit)])
    return rows, total


def regulation(cur: duckdb.DuckDBPyConnection, regulation_id: str) -> dict[str, Any] | None:
    return _one(cur, """SELECT r.*, f.first_mentioned_at, f.last_mentioned_at, f.first_article_id,
                               f.first_article_title, f.first_surface, coalesce(f.articles, 0) AS articles,
                               coalesce(f.mentions, 0) AS mentions
                        FROM regulations r LEFT JOIN regulation_first_mentions f USING (regulation_id)
                        WHERE r.regulation_id = ?""", [regulation_id])


def regulation_months(cur: duckdb.DuckDBPyConnection, regulation_id: str) -> list[dict[str, Any]]:
    return _rows(cur, """SELECT month, articles, mentions FROM regulation_mentions_by_month
                         WHERE regulation_id = ? ORDER BY month""", [regulation_id])


def regulation_mentions(cur: duckdb.DuckDBPyConnection, regulation_id: str, page: int = 1) -> list[dict[str, Any]]:
    """Each mention with its article and the text around it (before, surface, after)."""
    return _rows(cur, f"""
        SELECT m.article_id, m.start_char, m.kind, a.title, a.url, a.published_at,
               substr(a.body, greatest(1, m.start_char - {CONTEXT_CHARS} + 1),
                      least(m.start_char, {CONTEXT_CHARS})) AS before,
               substr(a.body, m.start_char + 1, m.end_char - m.start_char) AS surface,
               substr(a.body, m.end_char + 1, {CONTEXT_CHARS}) AS after
        FROM regulation_mentions m JOIN unique_articles a USING (article_id)
        WHERE m.regulation_id = ?
        ORDER BY a.published_at DESC, m.article_id, m.start_char LIMIT ? OFFSET ?""",
                 [regulation_id, PAGE_SIZE, _offset(page)])


def regulation_quotes(cur: duckdb.DuckDBPyConnection, regulation_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The quotes nearest to the regulation's mentions (views.sql `regulation_quotes`), newest first."""
    return _rows(cur, """SELECT speaker, person_id, office, quote, article_id, article_title, published_at
                         FROM regulation_quotes WHERE regulation_id = ?
                         ORDER BY published_at DESC, article_id LIMIT ?""", [regulation_id, limit])


def regulation_events(cur: duckdb.DuckDBPyConnection, regulation_id: str) -> list[dict[str, Any]]:
    """Its lifecycle as reported (views.sql `regulation_timeline`), oldest first; empty on a warehouse made before
    events were extracted."""
    if not _has_table(cur, "regulation_timeline"):
        return []
    return _rows(cur, """SELECT event, first_reported_at, date, actor, trigger, first_article_id, first_article_title,
                                articles, draft_id
                         FROM regulation_timeline WHERE regulation_id = ? ORDER BY first_reported_at, event""",
                 [regulation_id])


def regulation_relations(cur: duckdb.DuckDBPyConnection, regulation_id: str) -> list[dict[str, Any]]:
    """Relations to other regulations, both ways: (relation, other regulation, its label, direction)."""
    if not _has_table(cur, "regulation_relations"):
        return []
    return _rows(cur, """SELECT DISTINCT x.relation, CASE WHEN x.source_regulation_id = $1 THEN 'out' ELSE 'in' END
                                AS direction, o.regulation_id AS other_id, o.label AS other_label
                         FROM regulation_relations x JOIN regulations o
                           ON o.regulation_id = CASE WHEN x.source_regulation_id = $1 THEN x.target_regulation_id
                                                     ELSE x.source_regulation_id END
                         WHERE $1 IN (x.source_regulation_id, x.target_regulation_id)
                         ORDER BY 1, 2, 4""", [regulation_id])


# --- articles ---------------------------------------------------------------------------------------------------

@dataclass
class Span:
    start: int
    end: int
    kind: str  # regulation | person | organization | figure | quote
    target: str | None  # the page it links to
    label: str


def article(cur: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, Any] | None:
    return _one(cur, """SELECT a.article_id, a.url, a.title, a.published_at, a.fetched_at, a.body, a.body_status,
                               a.duplicate_of, a.dateline, f.name AS feed
                        FROM articles a LEFT JOIN feeds f USING (feed_id) WHERE a.article_id = ?""", [article_id])


def article_spans(cur: duckdb.DuckDBPyConnection, article_id: str) -> list[Span]:
    """Every fact of the article as a character span, sorted; links to the fact's page where it has one."""
    cur.execute(
        """SELECT start_char, end_char, 'regulation', regulation_id, coalesce(r.label, m.surface)
           FROM regulation_mentions m LEFT JOIN regulations r USING (regulation_id) WHERE m.article_id = $1
           UNION ALL
           SELECT start_char, end_char, 'person', person_id, coalesce(p.name, '') || coalesce(' — ' || office, '')
           FROM person_mentions m LEFT JOIN people p USING (person_id) WHERE m.article_id = $1
           UNION ALL
           SELECT start_char, end_char, 'organization', org_id, o.name
           FROM organization_mentions m LEFT JOIN organizations o USING (org_id) WHERE m.article_id = $1
           UNION ALL
           SELECT start_char, end_char, 'figure', NULL, surface || ' = ' || value || ' ' || unit
           FROM figures WHERE article_id = $1
           UNION ALL
           SELECT start_char, end_char, 'quote', person_id, 'kutipan' || coalesce(': ' || speaker, '')
           FROM quotes WHERE article_id = $1
           ORDER BY 1, 2 DESC""", [article_id])
    return [Span(*row) for row in cur.fetchall()]


def article_regulations(cur: duckdb.DuckDBPyConnection, article_id: str) -> list[dict[str, Any]]:
    return _rows(cur, """SELECT DISTINCT r.regulation_id, r.label, r.title FROM regulation_mentions m
                         JOIN regulations r USING (regulation_id) WHERE m.article_id = ? ORDER BY r.label""",
                 [article_id])


# --- people and organizations -----------------------------------------------------------------------------------

def people(cur: duckdb.DuckDBPyConnection, q: str | None = None, sort: str | None = None, descending: bool = True,
           page: int = 1) -> tuple[list[dict[str, Any]], int]:
    _, order = _order("people", sort, descending)
    where = "p.name ILIKE '%' || ? || '%'" if q else "? IS NULL"
    cur.execute(f"SELECT count(*) FROM people p WHERE {where}", [q or None])
    total = cur.fetchone()[0]
    rows = _rows(cur, f"""
        WITH s AS (SELECT person_id, count(*) AS mentions, count(DISTINCT article_id) AS articles
                   FROM person_mentions GROUP BY person_id),
             o AS (SELECT person_id, arg_max(office, last_seen_at) AS office, max(last_seen_at) AS last_seen_at
                   FROM official_offices GROUP BY person_id)
        SELECT p.person_id, p.name, p.source, coalesce(s.mentions, 0) AS mentions,
               coalesce(s.articles, 0) AS articles, o.office, o.last_seen_at
        FROM people p LEFT JOIN s USING (person_id) LEFT JOIN o USING (person_id)
        WHERE {where} ORDER BY {order}, p.person_id LIMIT ? OFFSET ?""",
                 [q or None, PAGE_SIZE, _offset(page)])
    return rows, total


def person(cur: duckdb.DuckDBPyConnection, person_id: str) -> dict[str, Any] | None:
    return _one(cur, "SELECT person_id, name, source FROM people WHERE person_id = ?", [person_id])


def person_offices(cur: duckdb.DuckDBPyConnection, person_id: str) -> list[dict[str, Any]]:
    return _rows(cur, """SELECT office, first_seen_at, last_seen_at, articles, mentions FROM official_offices
                         WHERE person_id = ? ORDER BY first_seen_at, office""", [person_id])


def person_quotes(cur: duckdb.DuckDBPyConnection, person_id: str, limit: int = 30) -> list[dict[str, Any]]:
    return _rows(cur, """SELECT q.text AS quote, q.article_id, a.title AS article_title, a.published_at
                         FROM quotes q JOIN unique_articles a USING (article_id) WHERE q.person_id = ?
                         ORDER BY a.published_at DESC, q.article_id, q.start_char LIMIT ?""", [person_id, limit])


def person_articles(cur: duckdb.DuckDBPyConnection, person_id: str, limit: int = 30) -> list[dict[str, Any]]:
    return _rows(cur, """SELECT a.article_id, a.title, a.published_at, any_value(m.office) AS office
                         FROM person_mentions m JOIN unique_articles a USING (article_id) WHERE m.person_id = ?
                         GROUP BY ALL ORDER BY a.published_at DESC, a.article_id LIMIT ?""", [person_id, limit])


def organizations(cur: duckdb.DuckDBPyConnection, q: str | None = None, sort: str | None = None,
                  descending: bool = True, page: int = 1) -> tuple[list[dict[str, Any]], int]:
    _, order = _order("organizations", sort, descending)
    where = "g.name ILIKE '%' || ? || '%'" if q else "? IS NULL"
    cur.execute(f"SELECT count(*) FROM organizations g WHERE {where}", [q or None])
    total = cur.fetchone()[0]
    rows = _rows(cur, f"""
        SELECT g.org_id, g.name, g.source, coalesce(o.mentions, 0) AS mentions, coalesce(o.articles, 0) AS articles,
               o.first_seen_at, o.last_seen_at
        FROM organizations g LEFT JOIN organization_activity o USING (org_id)
        WHERE {where} ORDER BY {order}, g.org_id LIMIT ? OFFSET ?""", [q or None, PAGE_SIZE, _offset(page)])
    return rows, total


def organization(cur: duckdb.DuckDBPyConnection, org_id: str) -> dict[str, Any] | None:
    return _one(cur, """SELECT g.org_id, g.name, g.source, o.mentions, o.articles, o.first_seen_at, o.last_seen_at,
                               o.surfaces
                        FROM organizations g LEFT JOIN organization_activity o USING (org_id)
                        WHERE g.org_id = ?""", [org_id])


def organization_figures(cur: duckdb.DuckDBPyConnection, org_id: str, limit: int = 30) -> list[dict[str, Any]]:
    return _rows(cur, """SELECT surface, value, unit, as_of, article_id, article_title, published_at
                         FROM organization_figures WHERE org_id = ?
                         ORDER BY published_at DESC, article_id LIMIT ?""", [org_id, limit])


def organization_articles(cur: duckdb.DuckDBPyConnection, org_id: str, limit: int = 30) -> list[dict[str, Any]]:
    return _rows(cur, """SELECT a.article_id, a.title, a.published_at, count(*) AS mentions
                         FROM organization_mentions m JOIN unique_articles a USING (article_id) WHERE m.org_id = ?
                         GROUP BY ALL ORDER BY a.published_at DESC, a.article_id LIMIT ?""", [org_id, limit])


# --- feeds and alerts -------------------------------------------------------------------------------------------

def feeds(cur: duckdb.DuckDBPyConnection, sort: str | None = None, descending: bool = True,
          page: int = 1) -> tuple[list[dict[str, Any]], int]:
    _, order = _order("feeds", sort, descending)
    cur.execute("SELECT count(*) FROM feeds")
    total = cur.fetchone()[0]
    rows = _rows(cur, f"""
        SELECT f.feed_id, f.url, f.name, f.region, f.enabled, f.last_status, f.last_fetched_at, f.last_ok_at,
               f.failures_in_row, f.last_error, coalesce(n.articles, 0) AS articles
        FROM feeds f LEFT JOIN (SELECT feed_id, count(*) AS articles FROM articles GROUP BY feed_id) n USING (feed_id)
        ORDER BY f.enabled DESC, {order}, f.url LIMIT ? OFFSET ?""", [PAGE_SIZE, _offset(page)])
    return rows, total


def alerts(cur: duckdb.DuckDBPyConnection, since: date | datetime | None = None, sort: str | None = None,
           descending: bool = True, page: int = 1, limit: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], int]:
    """Alerts raised since `since`, with their deliveries (`[{channel, status, attempts, last_error}]`)."""
    _, order = _order("alerts", sort, descending)
    cur.execute("SELECT count(*) FROM alerts WHERE created_at >= coalesce(?, '-infinity'::TIMESTAMPTZ)", [since])
    total = cur.fetchone()[0]
    rows = _rows(cur, f"""
        WITH a AS (SELECT * FROM alerts a WHERE a.created_at >= coalesce(?, '-infinity'::TIMESTAMPTZ)
                   ORDER BY {order}, a.alert_id LIMIT ? OFFSET ?),  -- the page first, then its deliveries
             d AS (SELECT alert_id, list({{'channel': channel, 'status': status, 'attempts': attempts,
                                          'last_error': last_error, 'delivered_at': delivered_at}}
                                         ORDER BY channel) AS deliveries
                   FROM alert_deliveries WHERE alert_id IN (SELECT alert_id FROM a) GROUP BY alert_id)
        SELECT a.alert_id, a.rule, a.kind, a.subject_id, a.article_id, a.title, a.created_at,
               a.payload->>'article_title' AS article_title, coalesce(d.deliveries, []) AS deliveries
        FROM a LEFT JOIN d USING (alert_id) ORDER BY {order}, a.alert_id""",
                 [since, limit, _offset(page, limit)])
    return rows, total


# --- the SQL console --------------------------------------------------------------------------------------------

class ConsoleError(ValueError):
    """A console query that failed or took too long, worded for the page."""


def console(cur: duckdb.DuckDBPyConnection, sql: str, max_rows: int = 1000,
            timeout_s: float = 5.0) -> tuple[list[str], list[tuple], bool]:
    """(columns, at most `max_rows` rows, whether there were more) of a user's query on a read-only snapshot
    cursor (writes and file access are refused by DuckDB itself); interrupted after `timeout_s` seconds."""
    timer = threading.Timer(timeout_s, cur.interrupt)
    timer.start()
    try:
        cur.execute(sql)
        if cur.description is None:
            return [], [], False
        rows = cur.fetchmany(max_rows + 1)
    except duckdb.InterruptException:
        raise ConsoleError(f"the query took longer than {timeout_s:g} s and was stopped") from None
    except duckdb.Error as exc:
        raise ConsoleError(str(exc).splitlines()[0]) from None
    finally:
        timer.cancel()
    return [c[0] for c in cur.description], rows[:max_rows], len(rows) > max_rows

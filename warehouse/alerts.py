"""The alert outbox: alerts are rows first, deliveries second, so nothing is sent twice or silently dropped."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import duckdb

from pantau.warehouse.transactions import transaction


@dataclass
class PendingDelivery:
    alert_id: str
    channel: str
    rule: str
    title: str
    payload: dict[str, Any]
    attempts: int


def alert_id_for(rule: str, subject_id: str) -> str:
    """The idempotency key receivers can deduplicate on."""
    return hashlib.sha1(f"{rule}\x1f{subject_id}".encode()).hexdigest()[:20]


def new_regulation_payloads(con: duckdb.DuckDBPyConnection, regulation_ids: list[str]) -> list[dict[str, Any]]:
    """What an alert about a first-seen regulation says: the regulation and the article that first named it."""
    if not regulation_ids:
        return []
    rows = con.execute(
        """SELECT r.regulation_id, r.label, r.type, r.issuer, r.number, r.year, r.title, r.date,
                  a.article_id, a.title, a.url, a.published_at,
                  (SELECT m.surface FROM regulation_mentions m
                    WHERE m.article_id = a.article_id AND m.regulation_id = r.regulation_id
                    ORDER BY m.start_char LIMIT 1)
           FROM regulations r JOIN articles a ON a.article_id = r.first_seen_article_id
           WHERE r.regulation_id IN (SELECT unnest(?::VARCHAR[]))
           ORDER BY a.published_at, r.regulation_id""",
        [regulation_ids],
    ).fetchall()
    keys = ("regulation_id", "label", "type", "issuer", "number", "year", "title", "date",
            "article_id", "article_title", "article_url", "published_at", "surface")
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(keys, row)} for row in rows]


def raise_alerts(con: duckdb.DuckDBPyConnection, run_id: str, rule: str, kind: str, channels: list[str],
                 subjects: list[dict[str, Any]], subject_key: str) -> int:
    """Insert alerts and their pending deliveries; an alert that exists already is left alone."""
    raised = 0
    now = datetime.now(timezone.utc)
    with transaction(con):
        for subject in subjects:
            alert_id = alert_id_for(rule, subject[subject_key])
            payload = {"alert_id": alert_id, "rule": rule, "kind": kind, **subject}
            title = (f"Regulasi baru: {subject.get('label')}" if kind == "new_regulation"
                     else f"{EVENT_WORDS.get(subject.get('event'), subject.get('event'))}: {subject.get('label')}"
                     if kind == "regulation_event"
                     else f"{rule}: {subject.get('article_title') or subject[subject_key]}")
            inserted = con.execute(
                """INSERT INTO alerts (alert_id, rule, kind, subject_id, article_id, title, payload, created_at, run_id)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING alert_id""",
                [alert_id, rule, kind, subject[subject_key], subject.get("article_id"), title,
                 json.dumps(payload, ensure_ascii=False), now, run_id],
            ).fetchall()
            if inserted:
                raised += 1
                con.executemany(
                    "INSERT INTO alert_deliveries (alert_id, channel, status) VALUES (?, ?, 'pending') "
                    "ON CONFLICT DO NOTHING",
                    [(alert_id, channel) for channel in channels],
                )
    return raised


def pending_deliveries(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> list[PendingDelivery]:
    """Every delivery not yet delivered whose retry time has come (`now`; None means all of them).

    A row left 'sending' by a crash between sending and recording is due again: it is re-sent with the same
    `alert_id`, which receivers deduplicate on.
    """
    rows = con.execute(
        """SELECT d.alert_id, d.channel, a.rule, a.title, a.payload, d.attempts
           FROM alert_deliveries d JOIN alerts a USING (alert_id)
           WHERE d.status <> 'delivered' AND (?::TIMESTAMPTZ IS NULL OR d.next_attempt_at IS NULL
                                              OR d.next_attempt_at <= ?::TIMESTAMPTZ)
           ORDER BY a.created_at, a.alert_id, d.channel""",
        [now, now],
    ).fetchall()
    return [PendingDelivery(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]


def begin_attempt(con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str]], now: datetime) -> None:
    """Record (and commit) that these (alert_id, channel) are being sent, before the channel is called."""
    con.executemany(
        """UPDATE alert_deliveries SET status = 'sending', attempts = attempts + 1, last_attempt_at = ?
           WHERE alert_id = ? AND channel = ? AND status <> 'delivered'""",
        [(now, alert_id, channel) for alert_id, channel in keys],
    )


def mark_delivered(con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str]], now: datetime) -> None:
    con.executemany(
        """UPDATE alert_deliveries SET status = 'delivered', delivered_at = ?, last_error = NULL, next_attempt_at = NULL
           WHERE alert_id = ? AND channel = ?""",
        [(now, alert_id, channel) for alert_id, channel in keys],
    )


def mark_failed(con: duckdb.DuckDBPyConnection, keys: list[tuple[str, str]], error: str,
                next_attempt_at: datetime | None) -> None:
    con.executemany(
        """UPDATE alert_deliveries SET status = 'failed', last_error = ?, next_attempt_at = ?
           WHERE alert_id = ? AND channel = ?""",
        [(error, next_attempt_at, alert_id, channel) for alert_id, channel in keys],
    )


def replay(con: duckdb.DuckDBPyConnection, since: date | datetime, channel: str | None = None) -> int:
    """Queue the alerts raised since `since` for delivery again (same `alert_id`); returns how many deliveries."""
    return con.execute(
        """UPDATE alert_deliveries SET status = 'pending', next_attempt_at = NULL
           WHERE alert_id IN (SELECT alert_id FROM alerts WHERE created_at >= ?::TIMESTAMPTZ)
             AND (?::VARCHAR IS NULL OR channel = ?)""",
        [since, channel, channel],
    ).fetchone()[0]


def backoff(attempts: int, base_seconds: float, max_seconds: float) -> timedelta:
    """The wait after the `attempts`-th failed attempt: base, 2*base, 4*base, … capped at max."""
    return timedelta(seconds=min(max_seconds, base_seconds * 2 ** max(0, attempts - 1)))


def delivery_attempts(con: duckdb.DuckDBPyConnection, alert_id: str | None = None) -> list[dict[str, Any]]:
    cur = con.execute(
        """SELECT alert_id, channel, status, attempts, last_error, last_attempt_at, next_attempt_at, delivered_at
           FROM alert_deliveries WHERE ?::VARCHAR IS NULL OR alert_id = ? ORDER BY alert_id, channel""",
        [alert_id, alert_id],
    )
    columns = [c[0] for c in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


# --- watchlists ------------------------------------------------------------------------------------------------

def watchlist_payloads(con: duckdb.DuckDBPyConnection, run_id: str, filters: dict[str, Any],
                       article_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Articles extracted in this run (not duplicates) that match every filter, with what matched.

    filters: regulation_type, issuer, number, year (a mentioned regulation has all of them), keyword (in the
    article title or a mentioned regulation's title), person (name or id), organization (name, id or surface).
    """
    where, params = [], []
    reg_conditions = []
    for key, column in (("regulation_type", "r.type"), ("issuer", "r.issuer"), ("number", "r.number")):
        if filters.get(key) is not None:
            reg_conditions.append(f"lower({column}) = lower(?)")
            params.append(str(filters[key]))
    if filters.get("year") is not None:
        reg_conditions.append("r.year = ?")
        params.append(int(filters["year"]))
    reg_match = " AND ".join(reg_conditions) or "TRUE"
    keyword = filters.get("keyword")
    if reg_conditions:
        where.append(f"EXISTS (SELECT 1 FROM regulation_mentions m JOIN regulations r USING (regulation_id) "
                     f"WHERE m.article_id = a.article_id AND {reg_match})")
    if keyword is not None:
        where.append("(a.title ILIKE '%' || ? || '%' OR EXISTS (SELECT 1 FROM regulation_mentions m "
                     "JOIN regulations r USING (regulation_id) WHERE m.article_id = a.article_id "
                     "AND r.title ILIKE '%' || ? || '%'))")
        params_kw = [keyword, keyword]
    else:
        params_kw = []
    if filters.get("person") is not None:
        where.append("EXISTS (SELECT 1 FROM person_mentions pm JOIN people p USING (person_id) "
                     "WHERE pm.article_id = a.article_id AND (lower(p.name) = lower(?) OR p.person_id = ?))")
        params_person = [filters["person"], filters["person"]]
    else:
        params_person = []
    if filters.get("organization") is not None:
        where.append("EXISTS (SELECT 1 FROM organization_mentions om JOIN organizations o USING (org_id) "
                     "WHERE om.article_id = a.article_id AND (lower(o.name) = lower(?) OR o.org_id = ? "
                     "OR lower(om.surface) = lower(?)))")
        params_org = [filters["organization"]] * 3
    else:
        params_org = []
    if not where:
        return []
    if article_ids is not None:  # one batch's articles
        where.append("a.article_id IN (SELECT unnest(?::VARCHAR[]))")
        params_org = [*params_org, article_ids]
    # Parameters in the order their placeholders appear: the regulation labels sub-select, then the WHERE parts.
    rows = con.execute(
        f"""SELECT a.article_id, a.title, a.url, a.published_at,
                   (SELECT list(DISTINCT r.label ORDER BY r.label) FROM regulation_mentions m
                      JOIN regulations r USING (regulation_id) WHERE m.article_id = a.article_id AND {reg_match})
            FROM unique_articles a
            WHERE a.extracted_at IS NOT NULL
              AND a.extracted_at >= coalesce((SELECT started_at FROM runs WHERE run_id = ?), '-infinity'::TIMESTAMPTZ)
              AND {" AND ".join(where)}
            ORDER BY a.published_at, a.article_id""",
        [*params, run_id, *(params if reg_conditions else []), *params_kw, *params_person, *params_org],
    ).fetchall()
    matched = {k: v for k, v in filters.items() if v is not None}
    return [{"article_id": r[0], "article_title": r[1], "article_url": r[2],
             "published_at": r[3].isoformat() if r[3] else None, "regulations": r[4] or [], "matched": matched}
            for r in rows]


# --- regulation events --------------------------------------------------------------------------------------------

EVENT_WORDS = {"drafted": "Dibahas", "passed": "Disahkan", "signed": "Ditetapkan/diundangkan",
               "in_force": "Mulai berlaku", "amended": "Diubah", "revoked": "Dicabut", "annulled": "Dibatalkan",
               "challenged": "Digugat"}


def event_payloads(con: duckdb.DuckDBPyConnection, run_id: str, filters: dict[str, Any],
                   article_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Events reported as done in this run's articles (or one stored batch's) on a regulation or draft matching
    every filter, one per (subject, event): its `subject_id` is `<regulation or draft id>#<event>`, so each thing
    that happens to a regulation alerts once however many articles report it."""
    where, params = ["e.modality = 'done'"], []
    for key, column in (("regulation_type", "coalesce(r.type, d.type)"), ("issuer", "coalesce(r.issuer, d.issuer)"),
                        ("number", "r.number")):
        if filters.get(key) is not None:
            where.append(f"lower({column}) = lower(?)")
            params.append(str(filters[key]))
    if filters.get("year") is not None:
        where.append("r.year = ?")
        params.append(int(filters["year"]))
    if filters.get("keyword") is not None:
        where.append("coalesce(r.title, d.title) ILIKE '%' || ? || '%'")
        params.append(filters["keyword"])
    if filters.get("events"):
        where.append("e.event IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(filters["events"]))
    if filters.get("regulation_ids"):
        where.append("e.regulation_id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(list(filters["regulation_ids"]))
    if article_ids is not None:
        where.append("e.article_id IN (SELECT unnest(?::VARCHAR[]))")
        params.append(article_ids)
    rows = con.execute(
        f"""SELECT coalesce(e.regulation_id, e.draft_id) || '#' || e.event AS subject_id,
                   arg_min({{'event': e.event, 'regulation_id': e.regulation_id, 'draft_id': e.draft_id,
                             'label': coalesce(r.label, d.type || coalesce(' ' || d.issuer, '')
                                               || coalesce(' tentang ' || d.title, '')),
                             'regulation_title': coalesce(r.title, d.title), 'trigger': e.trigger,
                             'actor': e.actor, 'date': e.date, 'article_id': e.article_id,
                             'article_title': a.title, 'article_url': a.url, 'published_at': a.published_at}},
                           (a.published_at, e.article_id, e.start_char))  -- the first report of it
            FROM regulation_events e JOIN unique_articles a USING (article_id)
            LEFT JOIN regulations r USING (regulation_id) LEFT JOIN drafts d ON d.draft_id = e.draft_id
            WHERE a.extracted_at >= coalesce((SELECT started_at FROM runs WHERE run_id = ?), '-infinity'::TIMESTAMPTZ)
              AND {" AND ".join(where)}
            GROUP BY 1 ORDER BY min(a.published_at), 1""", [run_id, *params]).fetchall()
    payloads = []
    for subject_id, first in rows:
        for key in ("date", "published_at"):
            first[key] = first[key].isoformat() if first[key] else None
        payloads.append({"subject_id": subject_id, **first})
    return payloads


def list_alerts(con: duckdb.DuckDBPyConnection, limit: int = 50) -> tuple[list[str], list[tuple]]:
    cur = con.execute(
        """SELECT a.created_at, a.rule, a.title, a.payload->>'article_title' AS article,
                  string_agg(d.channel || ':' || d.status
                             || CASE WHEN d.status <> 'delivered' AND d.attempts > 0
                                     THEN ' (' || d.attempts || ' attempts'
                                          || coalesce(', next ' || strftime(d.next_attempt_at, '%Y-%m-%d %H:%M'), '')
                                          || ')' ELSE '' END,
                             ', ' ORDER BY d.channel) AS deliveries,
                  a.alert_id
           FROM alerts a LEFT JOIN alert_deliveries d USING (alert_id)
           GROUP BY ALL ORDER BY a.created_at DESC, a.alert_id LIMIT ?""",
        [limit],
    )
    return [c[0] for c in cur.description], cur.fetchall()

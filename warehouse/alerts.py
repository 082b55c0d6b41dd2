"""The alert outbox: alerts are rows first, deliveries second, so nothing is sent twice or silently dropped."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import duckdb


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
    con.begin()
    try:
        for subject in subjects:
            alert_id = alert_id_for(rule, subject[subject_key])
            payload = {"alert_id": alert_id, "rule": rule, "kind": kind, **subject}
            title = f"Regulasi baru: {subject.get('label')}" if kind == "new_regulation" else str(subject[subject_key])
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
        con.commit()
    except Exception:
        con.rollback()
        raise
    return raised


def pending_deliveries(con: duckdb.DuckDBPyConnection) -> list[PendingDelivery]:
    rows = con.execute(
        """SELECT d.alert_id, d.channel, a.rule, a.title, a.payload, d.attempts
           FROM alert_deliveries d JOIN alerts a USING (alert_id)
           WHERE d.status <> 'delivered' ORDER BY a.created_at, a.alert_id, d.channel"""
    ).fetchall()
    return [PendingDelivery(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows]


def mark_delivery(con: duckdb.DuckDBPyConnection, alert_id: str, channel: str, error: str | None) -> None:
    con.execute(
        """UPDATE alert_deliveries SET attempts = attempts + 1, status = ?, last_error = ?,
                  delivered_at = CASE WHEN ? IS NULL THEN now() ELSE delivered_at END
           WHERE alert_id = ? AND channel = ?""",
        ["failed" if error else "delivered", error, error, alert_id, channel],
    )


def list_alerts(con: duckdb.DuckDBPyConnection, limit: int = 50) -> tuple[list[str], list[tuple]]:
    cur = con.execute(
        """SELECT a.created_at, a.rule, a.title, a.payload->>'article_title' AS article,
                  string_agg(d.channel || ':' || d.status, ', ' ORDER BY d.channel) AS deliveries, a.alert_id
           FROM alerts a LEFT JOIN alert_deliveries d USING (alert_id)
           GROUP BY ALL ORDER BY a.created_at DESC, a.alert_id LIMIT ?""",
        [limit],
    )
    return [c[0] for c in cur.description], cur.fetchall()

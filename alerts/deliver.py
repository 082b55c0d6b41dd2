"""Raising alerts from a run's new facts and delivering the outbox.

Exactly once, as a receiver sees it: every (alert, channel) is a row in `alert_deliveries`. Before a channel is
called the row is marked `sending` (and committed); after, `delivered` or `failed` with the error and, for the
network channels (webhook, email), the time of the next attempt (exponential backoff). A delivered row is never
sent again. A crash between sending and recording leaves `sending`, which the next run sends again with the same
`alert_id`, the idempotency key receivers deduplicate on (JSON body, `Idempotency-Key` header, email headers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import duckdb
from rich.console import Console

from pantau.alerts.channels import Channel, ConsoleChannel, DeliveryError, EmailChannel, JsonlChannel, WebhookChannel
from pantau.settings import EVENT_FILTERS, WATCH_FILTERS, AlertRule, AlertSettings, RetrySettings
from pantau.warehouse import alerts as outbox


@dataclass
class DeliveryReport:
    delivered: list[tuple[str, str]] = field(default_factory=list)  # (alert title, channel)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (alert title, channel, error)


def rule_filters(rule: AlertRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in WATCH_FILTERS if getattr(rule, name) is not None}


def event_filters(rule: AlertRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in EVENT_FILTERS if getattr(rule, name) is not None}


def raise_for_run(con: duckdb.DuckDBPyConnection, run_id: str, settings: AlertSettings,
                  new_regulation_ids: list[str], article_ids: list[str] | None = None) -> int:
    """Evaluate every rule on what this run saw first (or, with `article_ids`, on one stored batch: called in the
    transaction that stores the batch, so facts and their alerts commit together); returns how many were raised."""
    raised = 0
    for rule in settings.rules:
        if rule.kind == "new_regulation":
            subjects = outbox.new_regulation_payloads(con, new_regulation_ids)
            raised += outbox.raise_alerts(con, run_id, rule.name, rule.kind, rule.channels, subjects,
                                          subject_key="regulation_id")
        elif rule.kind == "regulation_event":
            subjects = outbox.event_payloads(con, run_id, event_filters(rule), article_ids)
            raised += outbox.raise_alerts(con, run_id, rule.name, rule.kind, rule.channels, subjects,
                                          subject_key="subject_id")
        elif rule.kind == "watchlist":
            subjects = outbox.watchlist_payloads(con, run_id, rule_filters(rule), article_ids)
            raised += outbox.raise_alerts(con, run_id, rule.name, rule.kind, rule.channels, subjects,
                                          subject_key="article_id")
    return raised


def channels_for(settings: AlertSettings, console: Console | None = None) -> dict[str, Channel]:
    channels: dict[str, Any] = {"console": ConsoleChannel(console), "jsonl": JsonlChannel(settings.jsonl_path)}
    hook = settings.webhook
    if hook.url or hook.url_env:
        channels["webhook"] = WebhookChannel(hook.url, hook.url_env, hook.token_env, hook.format, hook.timeout)
    mail = settings.email
    if mail.host:
        channels["email"] = EmailChannel(mail.host, mail.port, mail.security, mail.username_env, mail.password_env,
                                         mail.sender, mail.to, mail.subject_prefix, mail.timeout, mail.ca_file)
    return channels


def deliver_pending(con: duckdb.DuckDBPyConnection, channels: dict[str, Channel],
                    retry: RetrySettings | None = None, now: datetime | None = None) -> DeliveryReport:
    """Send every due undelivered (alert, channel); record each outcome so a success is never repeated.

    Email deliveries due in this call go out as one digest. `now` is the clock (tests move it forward).
    """
    retry = retry or RetrySettings()
    now = now or datetime.now(timezone.utc)
    report = DeliveryReport()
    due = outbox.pending_deliveries(con, now)
    batches: dict[str, list[outbox.PendingDelivery]] = {}
    for item in due:
        channel = channels.get(item.channel)
        if hasattr(channel, "send_digest"):
            batches.setdefault(item.channel, []).append(item)
        else:
            _attempt(con, channel, [item], retry, now, report)
    for name, items in batches.items():
        _attempt(con, channels[name], items, retry, now, report)
    return report


def _attempt(con: duckdb.DuckDBPyConnection, channel: Any, items: list[outbox.PendingDelivery],
             retry: RetrySettings, now: datetime, report: DeliveryReport) -> None:
    keys = [(item.alert_id, item.channel) for item in items]
    outbox.begin_attempt(con, keys, now)  # committed before sending: a crash from here on means "send again"
    try:
        if channel is None:
            raise DeliveryError(f"channel '{items[0].channel}' is not configured")
        if len(items) > 1 or hasattr(channel, "send_digest"):
            channel.send_digest([(item.title, item.payload) for item in items])
        else:
            channel.send(items[0].title, items[0].payload)
    except DeliveryError as exc:
        next_at = None
        if getattr(channel, "retries_with_backoff", False):
            attempts = max(item.attempts for item in items) + 1
            next_at = now + outbox.backoff(attempts, retry.base_seconds, retry.max_seconds)
        outbox.mark_failed(con, keys, str(exc), next_at)
        report.failed += [(item.title, item.channel, str(exc)) for item in items]
        return
    outbox.mark_delivered(con, keys, datetime.now(timezone.utc))
    report.delivered += [(item.title, item.channel) for item in items]


def send_sample(settings: AlertSettings, rule_name: str, console: Console | None = None) -> list[tuple[str, str | None]]:
    """`pantau alerts test RULE`: send a sample alert through the rule's channels, outside the outbox.

    Returns (channel, error or None) per channel.
    """
    rule = next((r for r in settings.rules if r.name == rule_name), None)
    if rule is None:
        known = ", ".join(r.name for r in settings.rules) or "none"
        raise KeyError(f"no alert rule named '{rule_name}' (rules: {known})")
    stamp = datetime.now(timezone.utc)
    alert_id = "test-" + outbox.alert_id_for(rule.name, stamp.isoformat())
    payload = {
        "alert_id": alert_id, "rule": rule.name, "kind": rule.kind, "test": True,
        "regulation_id": "peraturan-daerah-contoh-1-2025", "label": "Peraturan Daerah Contoh 1/2025",
        "type": "Peraturan Daerah", "issuer": "Contoh", "number": "1", "year": 2025,
        "title": "Contoh Alert pantau (uji saluran)", "article_title": "Uji coba saluran alert pantau",
        "article_url": "https://example.org/pantau-test", "published_at": stamp.isoformat(),
        "matched": rule_filters(rule),
    }
    title = f"[TEST] {rule.name}: Peraturan Daerah Contoh 1/2025"
    channels = channels_for(settings, console)
    results = []
    for name in rule.channels:
        try:
            if name not in channels:
                raise DeliveryError(f"channel '{name}' is not configured")
            channels[name].send(title, payload)
            results.append((name, None))
        except DeliveryError as exc:
            results.append((name, str(exc)))
    return results

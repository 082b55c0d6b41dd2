"""Raising alerts from a run's new facts and delivering the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
from rich.console import Console

from alerts.channels import Channel, ConsoleChannel, DeliveryError, JsonlChannel
from pantau.config import AlertSettings
from warehouse import alerts as outbox


@dataclass
class DeliveryReport:
    delivered: list[tuple[str, str]] = field(default_factory=list)  # (alert title, channel)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (alert title, channel, error)


def raise_for_run(con: duckdb.DuckDBPyConnection, run_id: str, settings: AlertSettings,
                  new_regulation_ids: list[str]) -> int:
    """Evaluate every rule on what this run saw first; returns how many alerts were raised."""
    raised = 0
    for rule in settings.rules:
        if rule.kind == "new_regulation":
            subjects = outbox.new_regulation_payloads(con, new_regulation_ids)
            raised += outbox.raise_alerts(con, run_id, rule.name, rule.kind, rule.channels, subjects,
                                          subject_key="regulation_id")
    return raised


def channels_for(settings: AlertSettings, console: Console | None = None) -> dict[str, Channel]:
    return {"console": ConsoleChannel(console), "jsonl": JsonlChannel(settings.jsonl_path)}


def deliver_pending(con: duckdb.DuckDBPyConnection, channels: dict[str, Channel]) -> DeliveryReport:
    """Send every undelivered (alert, channel); record each outcome so a success is never repeated."""
    report = DeliveryReport()
    for item in outbox.pending_deliveries(con):
        channel = channels.get(item.channel)
        try:
            if channel is None:
                raise DeliveryError(f"channel '{item.channel}' is not configured")
            channel.send(item.title, item.payload)
        except DeliveryError as exc:
            outbox.mark_delivery(con, item.alert_id, item.channel, str(exc))
            report.failed.append((item.title, item.channel, str(exc)))
            continue
        outbox.mark_delivery(con, item.alert_id, item.channel, None)
        report.delivered.append((item.title, item.channel))
    return report

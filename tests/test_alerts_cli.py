"""`pantau alerts test RULE` and `pantau alerts replay --since DATE` against a real webhook receiver."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import pytest
from alert_receivers import start_webhook_receiver
from factories import article, facts
from test_cli import pantau

from pantau.alerts.deliver import channels_for, deliver_pending, raise_for_run
from pantau.settings import load_settings
from pantau.warehouse import db, store


@pytest.fixture
def webhook():
    receiver, server = start_webhook_receiver()
    yield receiver
    server.shutdown()
    server.server_close()


def write_config(tmp_path, url: str):
    config = tmp_path / "pantau.toml"
    config.write_text(textwrap.dedent(f"""
        [warehouse]
        path = "{tmp_path / 'w.duckdb'}"
        [alerts]
        jsonl_path = "{tmp_path / 'alerts.jsonl'}"
        [alerts.webhook]
        url = "{url}"
        format = "slack"
        [[alerts.rules]]
        name = "baru"
        channels = ["webhook", "jsonl"]
    """))
    return config


def test_alerts_test_sends_a_sample(tmp_path, webhook):
    config = write_config(tmp_path, webhook.url)
    result = pantau("alerts", "test", "baru", "--config", str(config))
    assert result.returncode == 0, result.stderr
    (request,) = webhook.requests
    assert "[TEST] baru" in request["json"]["text"] and request["headers"]["idempotency-key"].startswith("test-")
    assert "test-" in (tmp_path / "alerts.jsonl").read_text()
    assert not (tmp_path / "w.duckdb").exists()  # outside the outbox
    unknown = pantau("alerts", "test", "nope", "--config", str(config))
    assert unknown.returncode == 1 and "no alert rule named 'nope'" in unknown.stderr


def test_alerts_replay_since(tmp_path, webhook):
    config = write_config(tmp_path, webhook.url)
    settings = load_settings(config)
    with db.connect(settings.warehouse.path) as con:
        a = replace(article(), content_hash="h1")
        new = store.store_batch(con, "r1", [a], [facts()]).new_regulation_ids
        raise_for_run(con, "r1", settings.alerts, new)
        assert len(deliver_pending(con, channels_for(settings.alerts), settings.alerts.retry).delivered) == 2
    future = pantau("alerts", "replay", "--since", "2999-01-01", "--config", str(config))
    assert future.returncode == 0 and "replayed 0 deliveries" in future.stdout
    replayed = pantau("alerts", "replay", "--since", "2000-01-01", "--channel", "webhook", "--config", str(config))
    assert replayed.returncode == 0, replayed.stderr
    assert "replayed 1 deliveries: 1 delivered" in replayed.stdout
    assert len(webhook.requests) == 2 and len(webhook.accepted) == 1  # same key: a deduplicating receiver keeps one
    listed = pantau("alerts", "list", "--config", str(config))
    assert "webhook:delivered" in listed.stdout
    bad = pantau("alerts", "replay", "--since", "kemarin", "--config", str(config))
    assert bad.returncode == 1 and "YYYY-MM-DD" in bad.stderr

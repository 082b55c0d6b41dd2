"""Alert rules, channels and the outbox against real receivers: an HTTP server and an SMTP server on 127.0.0.1."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from alert_receivers import alert_ids as header_alert_ids
from alert_receivers import start_smtp, start_webhook_receiver
from factories import article, facts

from pantau.alerts.deliver import channels_for, deliver_pending, raise_for_run, send_sample
from pantau.settings import (
    AlertRule,
    AlertSettings,
    ConfigError,
    EmailSettings,
    RetrySettings,
    WebhookSettings,
    load_settings,
)
from pantau.warehouse import db, store
from pantau.warehouse.alerts import delivery_attempts, pending_deliveries, replay

T0 = datetime(2025, 1, 1, 8, 0, tzinfo=timezone.utc)
BODIES = ["Pergub Jabar No. 158/2021 mengatur bantuan iuran pekerja rentan di Bandung.",
          "Dinas tenaga kerja menyalurkan bantuan sosial untuk nelayan di pesisir selatan Garut.",
          "Pemerintah kota menata pedagang kaki lima di alun-alun dan menyiapkan zona baru."]


def stored(con, n: int = 1) -> list[str]:
    """n articles, each first to mention its own regulation; returns the new regulation ids."""
    new = []
    for i in range(n):
        a = replace(article(f"https://example.id/berita/{i}", body=BODIES[i]), content_hash=f"h{i}")
        new += store.store_batch(con, f"run{i}", [a], [facts(f"peraturan-gubernur/jawa-barat/{158 + i}/2021")]).new_regulation_ids
    return new


@pytest.fixture
def webhook():
    receiver, server = start_webhook_receiver()
    yield receiver
    receiver.release.set()
    server.shutdown()
    server.server_close()


pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def smtp():
    sink, controller = start_smtp(auth=("pantau", "rahasia"))
    yield sink, controller
    controller.stop()


def webhook_settings(url: str, fmt: str = "json") -> AlertSettings:
    return AlertSettings(rules=[AlertRule(name="baru", channels=["webhook"])],
                         webhook=WebhookSettings(url=url, format=fmt), retry=RetrySettings(30, 3600))


def test_webhook_that_fails_twice_is_retried_with_backoff_then_delivered_once(tmp_path, webhook):
    webhook.fail_next = 2
    settings = webhook_settings(webhook.url)
    with db.connect(tmp_path / "w.duckdb") as con:
        assert raise_for_run(con, "r1", settings, stored(con)) == 1
        channels = channels_for(settings)

        first = deliver_pending(con, channels, settings.retry, now=T0)
        assert first.delivered == [] and "HTTP 503" in first.failed[0][2]
        (row,) = delivery_attempts(con)
        assert (row["status"], row["attempts"]) == ("failed", 1)
        assert row["next_attempt_at"] == T0 + timedelta(seconds=30) and "503" in row["last_error"]

        # not due yet: nothing is sent
        assert deliver_pending(con, channels, settings.retry, now=T0 + timedelta(seconds=10)).failed == []
        assert len(webhook.requests) == 1

        second = deliver_pending(con, channels, settings.retry, now=T0 + timedelta(seconds=31))
        assert len(second.failed) == 1
        (row,) = delivery_attempts(con)
        assert row["attempts"] == 2 and row["next_attempt_at"] == T0 + timedelta(seconds=31 + 60)  # backoff doubles

        third = deliver_pending(con, channels, settings.retry, now=T0 + timedelta(seconds=100))
        assert [c for _, c in third.delivered] == ["webhook"]
        (row,) = delivery_attempts(con)
        assert (row["status"], row["attempts"], row["last_error"]) == ("delivered", 3, None)
        assert row["delivered_at"] is not None

        # nothing is re-sent after success
        assert deliver_pending(con, channels, settings.retry, now=T0 + timedelta(days=1)).delivered == []
    assert len(webhook.requests) == 3 and len(webhook.accepted) == 1
    (accepted,) = webhook.accepted.values()
    alert_id = accepted["json"]["alert_id"]
    assert accepted["headers"]["idempotency-key"] == alert_id == accepted["headers"]["x-pantau-alert-id"]
    assert accepted["json"]["label"] == "Peraturan Gubernur Jawa Barat 158/2021"
    assert accepted["json"]["article_url"] == "https://example.id/berita/0"


def test_slack_compatible_payload_and_bearer_token_from_the_environment(tmp_path, webhook, monkeypatch):
    monkeypatch.setenv("PANTAU_TEST_HOOK_TOKEN", "s3cret")
    settings = webhook_settings(webhook.url, fmt="slack")
    settings.webhook.token_env = "PANTAU_TEST_HOOK_TOKEN"
    with db.connect(tmp_path / "w.duckdb") as con:
        raise_for_run(con, "r1", settings, stored(con))
        assert len(deliver_pending(con, channels_for(settings), settings.retry).delivered) == 1
    (request,) = webhook.requests
    body = request["json"]
    assert set(body) == {"text", "blocks"}
    assert "Regulasi baru: Peraturan Gubernur Jawa Barat 158/2021" in body["text"]
    assert body["blocks"][0]["type"] == "section" and "<https://example.id/berita/0|" in body["blocks"][0]["text"]["text"]
    assert request["headers"]["idempotency-key"] in body["blocks"][1]["elements"][0]["text"]
    assert request["headers"]["authorization"] == "Bearer s3cret"


def test_missing_secret_is_a_recorded_failure_not_a_crash(tmp_path, webhook):
    settings = webhook_settings(webhook.url)
    settings.webhook.token_env = "PANTAU_TEST_UNSET_TOKEN"
    with db.connect(tmp_path / "w.duckdb") as con:
        raise_for_run(con, "r1", settings, stored(con))
        report = deliver_pending(con, channels_for(settings), settings.retry, now=T0)
        assert "PANTAU_TEST_UNSET_TOKEN is not set" in report.failed[0][2]
        assert delivery_attempts(con)[0]["next_attempt_at"] == T0 + timedelta(seconds=30)
    assert webhook.requests == []


def email_settings(port: int) -> AlertSettings:
    return AlertSettings(
        rules=[AlertRule(name="baru", channels=["email"])],
        email=EmailSettings(host="127.0.0.1", port=port, security="none", username_env="PANTAU_TEST_SMTP_USER",
                            password_env="PANTAU_TEST_SMTP_PASSWORD", sender="pantau@example.id",
                            to=["redaksi@example.id", "analis@example.id"]),
        retry=RetrySettings(60, 3600))


def test_email_is_one_digest_per_run_in_text_and_html(tmp_path, smtp, monkeypatch):
    sink, controller = smtp
    monkeypatch.setenv("PANTAU_TEST_SMTP_USER", "pantau")
    monkeypatch.setenv("PANTAU_TEST_SMTP_PASSWORD", "rahasia")
    settings = email_settings(controller.port)
    with db.connect(tmp_path / "w.duckdb") as con:
        assert raise_for_run(con, "r1", settings, stored(con, 3)) == 3
        report = deliver_pending(con, channels_for(settings), settings.retry)
        assert len(report.delivered) == 3 and report.failed == []
        assert deliver_pending(con, channels_for(settings), settings.retry).delivered == []
        alert_ids = sorted(r["alert_id"] for r in delivery_attempts(con))
    (msg,) = sink.messages
    assert sink.envelopes[0][:2] == ("pantau@example.id", ["redaksi@example.id", "analis@example.id"])
    assert sorted(header_alert_ids(msg)) == alert_ids
    assert str(msg["Message-ID"]).startswith("<pantau-") and msg["Subject"].startswith("[pantau] 3 alerts")
    plain = msg.get_body(("plain",)).get_content()
    rich = msg.get_body(("html",)).get_content()
    assert plain.count("Regulasi baru: Peraturan Gubernur Jawa Barat 158/2021") == 3
    assert rich.count("<b>Regulasi baru: Peraturan Gubernur Jawa Barat 158/2021</b>") == 3
    assert all(alert_id in plain and alert_id in rich for alert_id in alert_ids)
    assert '<a href="https://example.id/berita/0">' in rich


def test_smtp_down_then_up_delivers_the_digest_once(tmp_path, monkeypatch):
    from alert_receivers import free_port

    monkeypatch.setenv("PANTAU_TEST_SMTP_USER", "pantau")
    monkeypatch.setenv("PANTAU_TEST_SMTP_PASSWORD", "rahasia")
    port = free_port()
    settings = email_settings(port)
    with db.connect(tmp_path / "w.duckdb") as con:
        raise_for_run(con, "r1", settings, stored(con, 2))
        down = deliver_pending(con, channels_for(settings), settings.retry, now=T0)
        assert len(down.failed) == 2 and "ConnectionRefused" in down.failed[0][2]
        assert {r["next_attempt_at"] for r in delivery_attempts(con)} == {T0 + timedelta(seconds=60)}
        sink, controller = start_smtp(auth=("pantau", "rahasia"), port=port)
        try:
            assert deliver_pending(con, channels_for(settings), settings.retry, now=T0 + timedelta(seconds=30)).delivered == []
            up = deliver_pending(con, channels_for(settings), settings.retry, now=T0 + timedelta(seconds=61))
            assert len(up.delivered) == 2
        finally:
            controller.stop()
        assert {(r["status"], r["attempts"]) for r in delivery_attempts(con)} == {("delivered", 2)}
    assert len(sink.messages) == 1 and len(sink.by_alert) == 2


def test_smtp_starttls_verifies_the_server_certificate(tmp_path, monkeypatch):
    from alert_receivers import self_signed_cert

    cert, key = self_signed_cert(tmp_path)
    sink, controller = start_smtp(auth=("pantau", "rahasia"), tls=(cert, key))
    monkeypatch.setenv("PANTAU_TEST_SMTP_USER", "pantau")
    monkeypatch.setenv("PANTAU_TEST_SMTP_PASSWORD", "rahasia")
    settings = email_settings(controller.port)
    settings.email.security = "starttls"
    try:
        with db.connect(tmp_path / "w.duckdb") as con:
            raise_for_run(con, "r1", settings, stored(con))
            untrusted = deliver_pending(con, channels_for(settings), settings.retry, now=T0)
            assert "CERTIFICATE_VERIFY_FAILED" in untrusted.failed[0][2] and sink.messages == []
            settings.email.ca_file = cert  # the private CA is trusted: delivered, over TLS, after login
            trusted = deliver_pending(con, channels_for(settings), settings.retry, now=T0 + timedelta(hours=1))
            assert len(trusted.delivered) == 1
    finally:
        controller.stop()
    assert len(sink.messages) == 1


def test_wrong_smtp_password_is_a_failure(tmp_path, smtp, monkeypatch):
    sink, controller = smtp
    monkeypatch.setenv("PANTAU_TEST_SMTP_USER", "pantau")
    monkeypatch.setenv("PANTAU_TEST_SMTP_PASSWORD", "salah")
    settings = email_settings(controller.port)
    settings.email.timeout = 2  # aiosmtpd answers a bad login slowly
    with db.connect(tmp_path / "w.duckdb") as con:
        raise_for_run(con, "r1", settings, stored(con))
        report = deliver_pending(con, channels_for(settings), settings.retry)
        assert report.failed[0][2].startswith("email: SMTP")
        assert delivery_attempts(con)[0]["status"] == "failed"
    assert sink.messages == []


@pytest.mark.parametrize("filters, matches", [
    ({"regulation_type": "peraturan gubernur"}, True),
    ({"issuer": "Jawa Barat", "number": "158", "year": 2021}, True),
    ({"issuer": "Jawa Barat", "year": 2020}, False),
    ({"keyword": "judul"}, True),  # the article title
    ({"keyword": "parkir"}, False),
    ({"person": "Ridwan Kamil"}, True),
    ({"person": "ridwan-kamil", "organization": "BPJamsostek"}, True),  # an organization by its surface form
    ({"organization": "BPJS Ketenagakerjaan"}, True),
    ({"organization": "Bank Indonesia"}, False),
])
def test_watchlist_rules(tmp_path, filters, matches):
    settings = AlertSettings(rules=[AlertRule(name="pantauan", kind="watchlist", channels=["jsonl"], **filters)],
                             jsonl_path=str(tmp_path / "a.jsonl"))
    with db.connect(tmp_path / "w.duckdb") as con:
        new = stored(con)
        assert raise_for_run(con, "r1", settings, new) == int(matches)
        assert raise_for_run(con, "r2", settings, new) == 0  # once per (rule, article)
        if matches:
            (item,) = pending_deliveries(con)
            assert item.payload["kind"] == "watchlist" and item.payload["matched"] == filters
            assert item.payload["article_url"] == "https://example.id/berita/0"
            assert item.title == "pantauan: Judul"


def test_replay_resends_with_the_same_key(tmp_path, webhook):
    settings = webhook_settings(webhook.url)
    with db.connect(tmp_path / "w.duckdb") as con:
        raise_for_run(con, "r1", settings, stored(con))
        deliver_pending(con, channels_for(settings), settings.retry)
        assert replay(con, T0.date() + timedelta(days=365 * 100)) == 0
        assert replay(con, T0.date()) == 1
        assert len(deliver_pending(con, channels_for(settings), settings.retry).delivered) == 1
    assert len(webhook.requests) == 2 and len(webhook.accepted) == 1


def test_alerts_test_sends_a_sample_through_the_rule_channels(tmp_path, webhook):
    settings = webhook_settings(webhook.url)
    assert send_sample(settings, "baru") == [("webhook", None)]
    (request,) = webhook.requests
    assert request["json"]["test"] is True and request["headers"]["idempotency-key"].startswith("test-")
    with pytest.raises(KeyError, match="no alert rule named 'nope'"):
        send_sample(settings, "nope")


def test_alert_config(tmp_path):
    path = tmp_path / "pantau.toml"
    path.write_text("""
[alerts.webhook]
url_env = "PANTAU_WEBHOOK_URL"
format = "slack"

[alerts.email]
host = "smtp.example.id"
password_env = "PANTAU_SMTP_PASSWORD"
to = ["redaksi@example.id"]

[[alerts.rules]]
name = "perda-bandung"
kind = "watchlist"
regulation_type = "Peraturan Daerah"
issuer = "Kota Bandung"
channels = ["webhook", "email"]
""")
    settings = load_settings(path)
    (rule,) = settings.alerts.rules
    assert (rule.kind, rule.issuer, rule.channels) == ("watchlist", "Kota Bandung", ["webhook", "email"])
    assert settings.alerts.webhook.format == "slack" and settings.alerts.email.to == ["redaksi@example.id"]
    assert set(channels_for(settings.alerts)) == {"console", "jsonl", "webhook", "email"}

    bad = {
        '[alerts.email]\npassword = "x"\n': "unknown key 'password'",  # secrets never in the config
        '[[alerts.rules]]\nname = "w"\nkind = "watchlist"\n': "needs at least one of",
        '[[alerts.rules]]\nname = "w"\nchannels = ["webhook"]\n': "set url or url_env",
        '[[alerts.rules]]\nname = "w"\nchannels = ["email"]\n': "set host and to",
        '[[alerts.rules]]\nname = "w"\nkeyword = "parkir"\n': "only applies to kind = \"watchlist\"",
        '[alerts.webhook]\nurl = "http://x"\nformat = "xml"\n': "json or slack",
    }
    for text, message in bad.items():
        path.write_text(text)
        with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
            load_settings(path)

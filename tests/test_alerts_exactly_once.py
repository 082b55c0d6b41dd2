"""Exactly once as the receiver sees it: SIGKILL between sending and recording, then a re-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest
from alert_receivers import start_webhook_receiver
from factories import article, facts

from pantau.alerts.deliver import raise_for_run
from pantau.settings import load_settings
from pantau.warehouse import db, store
from pantau.warehouse.alerts import delivery_attempts

BODIES = ["Pergub Jabar No. 158/2021 mengatur bantuan iuran pekerja rentan di Bandung.",
          "Dinas tenaga kerja menyalurkan bantuan sosial untuk nelayan di pesisir selatan Garut.",
          "Pemerintah kota menata pedagang kaki lima di alun-alun dan menyiapkan zona baru."]
DELIVER = textwrap.dedent("""
    import sys
    from pantau.alerts.deliver import channels_for, deliver_pending
    from pantau.settings import load_settings
    from pantau.warehouse import db
    settings = load_settings(sys.argv[1])
    with db.connect(settings.warehouse.path) as con:
        report = deliver_pending(con, channels_for(settings.alerts), settings.alerts.retry)
    print(len(report.delivered), len(report.failed))
""")


@pytest.fixture
def webhook():
    receiver, server = start_webhook_receiver()
    yield receiver
    receiver.release.set()
    server.shutdown()
    server.server_close()


def test_sigkill_during_delivery_then_rerun_delivers_each_alert_once(tmp_path: Path, webhook):
    config = tmp_path / "pantau.toml"
    config.write_text(textwrap.dedent(f"""
        [warehouse]
        path = "{tmp_path / 'w.duckdb'}"
        [alerts.webhook]
        url = "{webhook.url}"
        [[alerts.rules]]
        name = "baru"
        channels = ["webhook"]
    """))
    settings = load_settings(config)
    with db.connect(settings.warehouse.path) as con:
        new = []
        for i, body in enumerate(BODIES):
            a = replace(article(f"https://example.id/berita/{i}", body=body), content_hash=f"h{i}")
            new += store.store_batch(con, "r1", [a], [facts(f"pergub/{i}")]).new_regulation_ids
        assert raise_for_run(con, "r1", settings.alerts, new) == 3
        alert_ids = sorted(r["alert_id"] for r in delivery_attempts(con))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    webhook.hold = __import__("threading").Event()
    webhook.hold.set()  # the first request is received (and accepted), then its sender is killed before the answer
    sender = subprocess.Popen([sys.executable, "-c", DELIVER, str(config)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert webhook.holding.wait(60), sender.communicate(timeout=5)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(10)
    finally:
        webhook.release.set()
    assert sender.returncode == -signal.SIGKILL
    assert len(webhook.accepted) == 1  # the receiver has the first alert; the outbox could not record it
    with db.connect(settings.warehouse.path, read_only=True) as con:
        rows = {r["alert_id"]: r for r in delivery_attempts(con)}
    killed = webhook.raw_keys[0]
    assert (rows[killed]["status"], rows[killed]["attempts"]) == ("sending", 1)
    assert {rows[k]["status"] for k in alert_ids if k != killed} == {"pending"}

    rerun = subprocess.run([sys.executable, "-c", DELIVER, str(config)], env=env, capture_output=True, text=True,
                           timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert rerun.stdout.split() == ["3", "0"]
    # the killed alert went out twice on the wire with one key; deduplicated, every alert arrived exactly once
    assert sorted(webhook.raw_keys) == sorted(alert_ids + [killed])
    assert sorted(webhook.accepted) == alert_ids
    with db.connect(settings.warehouse.path, read_only=True) as con:
        assert {(r["status"]) for r in delivery_attempts(con)} == {"delivered"}
    again = subprocess.run([sys.executable, "-c", DELIVER, str(config)], env=env, capture_output=True, text=True,
                           timeout=120)
    assert again.stdout.split() == ["0", "0"] and len(webhook.requests) == 4  # nothing re-sent after success

"""Alerts through real `pantau run` processes over the demo site, with a real webhook receiver on 127.0.0.1:

1. a run whose webhook is down raises the alerts and records the failures (attempts, error, next retry);
2. the next run delivers; while it holds the write lock a second writer (`pantau sql --write`, `pantau run`)
   gets a one-line error naming the holder; it is SIGKILLed after the receiver got its first alert;
3. a re-run delivers every alert exactly once, as the receiver deduplicating on the idempotency key sees it;
4. one more run over the same input adds no row and sends nothing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from alert_receivers import start_webhook_receiver
from test_cli import PANTAU

from pantau.demo.server import feed_urls, serve_demo
from pantau.warehouse import db
from pantau.warehouse.alerts import delivery_attempts

pytestmark = pytest.mark.slow

TABLES = ("feeds", "articles", "regulations", "regulation_mentions", "people", "person_mentions", "organizations",
          "organization_mentions", "figures", "quotes", "alerts", "alert_deliveries")


def counts(path) -> dict[str, int]:
    with db.connect(path, read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


@pytest.fixture(scope="module")
def api_env(prefect_harness) -> dict[str, str]:
    from prefect.settings import PREFECT_API_URL

    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "COLUMNS": "250"}


def start_run(config: Path, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([PANTAU, "run", "--config", str(config)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def run(config: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run([PANTAU, "run", "--config", str(config)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def test_webhook_down_then_kill_then_exactly_once_then_nothing(tmp_path, api_env):
    receiver, server = start_webhook_receiver()
    db_path = tmp_path / "pantau.duckdb"
    try:
        with serve_demo() as base_url:
            feeds = "".join(f"\n[[feeds]]\nurl = {json.dumps(f['url'])}\nname = {json.dumps(f['name'])}\n"
                            for f in feed_urls(base_url))
            config = tmp_path / "pantau.toml"
            config.write_text(f"""
[warehouse]
path = "{db_path}"

[alerts.webhook]
url = "{receiver.url}"

[alerts.retry]
base_seconds = 1

[[alerts.rules]]
name = "regulasi-baru"
channels = ["webhook"]
{feeds}""")

            # 1. the webhook is down
            receiver.fail_next = 10_000
            run(config, api_env)
            with db.connect(db_path, read_only=True) as con:
                rows = delivery_attempts(con)
                regulations = con.execute("SELECT count(*) FROM regulations").fetchone()[0]
            assert regulations > 0 and len(rows) == regulations
            assert {(r["status"], r["attempts"]) for r in rows} == {("failed", 1)}
            assert all("HTTP 503" in r["last_error"] and r["next_attempt_at"] > r["last_attempt_at"] for r in rows)
            assert receiver.accepted == {} and len(receiver.requests) == regulations
            alert_ids = sorted(r["alert_id"] for r in rows)
            time.sleep(1.5)  # past the backoff (base_seconds = 1)

            # 2. the webhook is up; the run is killed once the receiver has its first alert
            receiver.fail_next = 0
            receiver.requests.clear()
            receiver.hold = threading.Event()
            receiver.hold.set()
            holder = start_run(config, api_env)
            try:
                assert receiver.holding.wait(180), holder.communicate(timeout=5)
                # a reader is answered from the read snapshot the last run published, and says so
                read = subprocess.run([PANTAU, "sql", "SELECT 1", "--config", str(config)], env=api_env,
                                      capture_output=True, text=True, timeout=120)
                assert read.returncode == 0 and "answered from its read snapshot" in " ".join(read.stderr.split())
                for args in (["sql", "--write", "DELETE FROM alerts"], ["run"]):
                    busy = subprocess.run([PANTAU, *args, "--config", str(config)], env=api_env,
                                          capture_output=True, text=True, timeout=120)
                    assert busy.returncode == 1, args
                    message = " ".join(busy.stderr.split())  # rich wraps long lines at the terminal width
                    assert f"PID {holder.pid}" in message and "pantau run" in message, (holder.pid, message)
                    assert busy.stderr.count("error:") == 1 and "Traceback" not in busy.stderr
                os.killpg(holder.pid, signal.SIGKILL)
                holder.wait(30)
            finally:
                receiver.release.set()
                if holder.poll() is None:
                    os.killpg(holder.pid, signal.SIGKILL)
                    holder.wait(30)
            assert holder.returncode == -signal.SIGKILL
            killed = receiver.raw_keys[0]
            assert list(receiver.accepted) == [killed]
            with db.connect(db_path, read_only=True) as con:
                assert {r["alert_id"]: r["status"] for r in delivery_attempts(con)}[killed] == "sending"
            time.sleep(1.5)

            # 3. the re-run delivers the rest, and the killed one again under the same key
            run(config, api_env)
            assert sorted(receiver.accepted) == alert_ids  # deduplicated: each alert exactly once
            assert sorted(receiver.raw_keys) == sorted(alert_ids + [killed])
            with db.connect(db_path, read_only=True) as con:
                assert {r["status"] for r in delivery_attempts(con)} == {"delivered"}
            before, sent = counts(db_path), len(receiver.requests)

            # 4. same input again: no row, no alert
            done = run(config, api_env)
            assert counts(db_path) == before and len(receiver.requests) == sent
            assert "alerts raised" in done.stdout
            with db.connect(db_path, read_only=True) as con:
                last = con.execute("SELECT articles_new, regulation_mentions, alerts_raised FROM runs "
                                   "WHERE status = 'completed' ORDER BY started_at DESC LIMIT 1").fetchone()
            assert last == (0, 0, 0)
    finally:
        receiver.release.set()
        server.shutdown()
        server.server_close()

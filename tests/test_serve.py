"""Scheduled operation: a real Prefect server on 127.0.0.1, `pantau serve` on a short interval against the demo site.

The server (`prefect server start`) and `pantau serve` run as subprocesses with a temporary PREFECT_HOME; the test
waits (bounded) for two scheduled runs to complete and then reads the warehouse they wrote.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pantau.demo.server import feed_urls, serve_demo
from pantau.warehouse import db

BIN = Path(sys.executable).parent
SERVER_START_TIMEOUT = 120
RUNS_TIMEOUT = 240


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, sig: int = signal.SIGINT, grace: float = 20) -> None:
    """Stop a process group this test started (the server's or serve's, with their children)."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=grace)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


@pytest.fixture
def prefect_server(tmp_path) -> Iterator[tuple[str, dict[str, str]]]:
    """A real Prefect server on 127.0.0.1 with a temporary PREFECT_HOME; yields (api url, env for clients)."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_UI_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING")
    server_env = {**env, "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2"}
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-ui", "--analytics-off"], env=server_env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Prefect server did not start within {SERVER_START_TIMEOUT} s:\n{tail(log)}")
            time.sleep(1)
        yield api, {**env, "PREFECT_API_URL": api}
    finally:
        stop(server, signal.SIGTERM)


def flow_runs(api: str) -> list[dict]:
    response = httpx.post(f"{api}/flow_runs/filter", json={"sort": "EXPECTED_START_TIME_ASC"}, timeout=10)
    response.raise_for_status()
    return response.json()


@pytest.mark.slow
def test_serve_runs_the_ingest_deployment_on_schedule(tmp_path, prefect_server):
    api, env = prefect_server
    env = {**env, "PREFECT_RUNNER_POLL_FREQUENCY": "2", "COLUMNS": "250"}
    db_path = tmp_path / "pantau.duckdb"
    log = tmp_path / "serve.log"
    with serve_demo() as base_url:
        feeds = "".join(f'\n[[feeds]]\nurl = "{f["url"]}"\nname = "{f["name"]}"\n' for f in feed_urls(base_url))
        config = tmp_path / "pantau.toml"
        config.write_text(f'[warehouse]\npath = "{db_path}"\n\n[alerts]\njsonl_path = "{tmp_path / "alerts.jsonl"}"\n'
                          + feeds, encoding="utf-8")
        with open(log, "w") as out:
            serve = subprocess.Popen([str(BIN / "pantau"), "serve", "--interval", "15s", "--config", str(config)],
                                     env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            deadline = time.monotonic() + RUNS_TIMEOUT
            while True:
                runs = flow_runs(api)
                done = [r for r in runs if r["state_type"] == "COMPLETED"]
                bad = [r for r in runs if r["state_type"] in ("FAILED", "CRASHED")]
                assert not bad, f"{bad[0]['state_name']}: {bad[0]['state']}\n{tail(log)}"
                if len(done) >= 2:
                    break
                if serve.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"no two completed scheduled runs within {RUNS_TIMEOUT} s "
                                f"({[r['state_name'] for r in runs]}):\n{tail(log)}")
                time.sleep(2)
        finally:
            stop(serve)

    deployments = httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()
    assert [d["name"] for d in deployments] == ["scheduled"]
    schedule = deployments[0]["schedules"][0]["schedule"]
    assert schedule["interval"] == 15 and schedule["timezone"] == "Asia/Jakarta"
    assert all(r["deployment_id"] == deployments[0]["id"] and r["auto_scheduled"] for r in done[:2])

    with db.connect(db_path, read_only=True) as con:
        runs = con.execute("SELECT flow_run_id, status, articles_new, regulation_mentions, alerts_raised FROM runs "
                           "ORDER BY started_at").fetchall()
        regulations = con.execute("SELECT count(*) FROM regulations").fetchone()[0]
        alerts = con.execute("SELECT count(*) FROM alerts").fetchone()[0]
        full = con.execute("SELECT count(*) FROM articles WHERE body_status = 'full'").fetchone()[0]
    by_flow_run = {r[0]: r for r in runs}
    first, second = (by_flow_run[r["id"]] for r in done[:2])
    assert first[1] == second[1] == "completed"
    assert first[2] >= 7 and first[3] > 0 and first[4] == regulations == alerts > 0 and full >= 6
    assert second[2:] == (0, 0, 0)  # the second scheduled run finds nothing new


@pytest.mark.parametrize("api_url", [None, "http://127.0.0.1:{port}/api"])
def test_serve_without_a_reachable_server_says_so_in_one_line(tmp_path, api_url):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    if api_url:
        env["PREFECT_API_URL"] = api_url.format(port=free_port())  # nothing listens there
    done = subprocess.run([str(BIN / "pantau"), "serve", "--interval", "15m", "--db", str(tmp_path / "w.duckdb")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "prefect server start" in lines[0], done.stderr
    assert ("not reachable" in lines[0] or "no Prefect server" in lines[0]) and "Traceback" not in done.stderr
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("args, message", [
    (["--cron", "every day"], "not a valid cron"),
    (["--interval", "soon"], "--interval must look like"),
    (["--cron", "*/5 * * * *", "--interval", "5m"], "not both"),
])
def test_serve_rejects_bad_schedules(args, message):
    done = subprocess.run([str(BIN / "pantau"), "serve", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "250"})
    assert done.returncode == 1 and message in done.stderr


def test_schedules_are_in_jakarta_time():
    from datetime import timedelta

    from pantau.flows.serve import make_schedule, parse_interval

    assert parse_interval("15m") == timedelta(minutes=15) and parse_interval("1h30m") == timedelta(minutes=90)
    assert parse_interval("45") == timedelta(seconds=45)
    cron = make_schedule(None, None)
    assert (cron.cron, cron.timezone) == ("*/15 * * * *", "Asia/Jakarta")
    interval = make_schedule(None, "30s")
    assert (interval.interval, interval.timezone) == (timedelta(seconds=30), "Asia/Jakarta")

"""The page keeps answering while a `pantau run` writes the same warehouse, and never blocks that run: it reads the
read snapshot, which the run replaces when it ends (and the page then shows the new data). `pantau sql` answers
from the snapshot too while the run holds the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from test_faults import slow_feed
from web_server import build_demo_warehouse, serve_ui

pytestmark = pytest.mark.slow

PANTAU = str(Path(sys.executable).with_name("pantau"))
ARTICLES = 6


def test_page_answers_while_a_run_writes_and_the_run_succeeds(local_site, tmp_path, prefect_harness):
    from prefect.settings import PREFECT_API_URL

    warehouse = build_demo_warehouse(tmp_path)
    site = local_site
    # pages are served one at a time, 1.5 s each: the run holds the warehouse for 9 s at least
    config = slow_feed(site, tmp_path, warehouse, ARTICLES, seconds=1.5, first_number=300)
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "COLUMNS": "200"}
    with serve_ui(warehouse) as base, httpx.Client(base_url=base, timeout=30) as client:
        before = client.get("/api/regulations", params={"limit": 1000}).json()
        run = subprocess.Popen([PANTAU, "run", "--config", str(config)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            deadline = time.monotonic() + 240
            while not site.hits.get("/a/1.html"):  # the run is fetching: it holds the warehouse
                assert run.poll() is None, run.stderr.read()[-2000:]
                assert time.monotonic() < deadline, "the run never reached the article pages"
                time.sleep(0.05)
            during = subprocess.run([PANTAU, "sql", "--db", str(warehouse), "--format", "json",
                                     "SELECT count(*) AS n FROM regulations"], env=env, capture_output=True,
                                    text=True, timeout=60)
            assert run.poll() is None  # still running: it held the warehouse the whole time `pantau sql` ran
            answered = 0
            while answered < 6 or (run.poll() is None and not site.hits.get(f"/a/{ARTICLES - 1}.html")):
                for path in ("/", "/regulations", "/alerts", "/feeds", "/api/regulations", "/sql?q=SELECT+1"):
                    assert client.get(path).status_code == 200, path
                    answered += 1
            assert answered >= 6
            stdout, stderr = run.communicate(timeout=300)
        finally:
            if run.poll() is None:
                run.kill()
        assert run.returncode == 0, stderr[-3000:]
        assert during.returncode == 0, during.stderr
        assert "answered from its read snapshot" in during.stderr  # the run held the warehouse meanwhile
        assert f'"n": {len(before)}' in during.stdout
        after = client.get("/api/regulations", params={"limit": 1000}).json()
        assert len(after) == len(before) + ARTICLES  # the run's snapshot replaced the old one: new data shown
        run_id = stdout.split("run ", 1)[1].split()[0]
        assert run_id in client.get("/").text  # and the page says which run it is as of

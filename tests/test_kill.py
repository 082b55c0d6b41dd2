"""A run killed with SIGKILL mid-way and started again stores every article exactly once.

A real `pantau run` subprocess (its own session, so the Prefect temporary server it starts dies with it) against a
local site whose article pages are slow; killed once some batches are stored, then run again to completion.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pantau.warehouse import db
from tests.test_faults import slow_feed

pytestmark = pytest.mark.slow

ARTICLES = 12
PANTAU = str(Path(sys.executable).with_name("pantau"))


def test_sigkill_mid_run_then_rerun_stores_every_article_once(local_site, tmp_path):
    site = local_site
    warehouse = tmp_path / "w.duckdb"
    config = slow_feed(site, tmp_path, warehouse, ARTICLES, seconds=0.5, first_number=200)
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    command = [PANTAU, "run", "--config", str(config)]

    first = subprocess.Popen(command, cwd=tmp_path, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 240
        # pages are served one at a time (per_host_concurrency = 1), 0.5 s each: when the 9th is asked for, the
        # first batches (2 pages each) have been fetched, extracted and stored, and the rest have not
        while sum(site.hits.get(f"/a/{n}.html", 0) for n in range(ARTICLES)) < 9:
            assert first.poll() is None, first.stderr.read().decode(errors="replace")[-2000:]
            assert time.monotonic() < deadline, "the run never reached the article pages"
            time.sleep(0.05)
        # then wait for the next commit (the write-ahead log grows): a batch of articles has just been stored
        wal = Path(f"{warehouse}.wal")
        size = wal.stat().st_size if wal.exists() else 0
        until = time.monotonic() + 15
        while (wal.stat().st_size if wal.exists() else 0) == size and time.monotonic() < until and first.poll() is None:
            time.sleep(0.02)
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # the whole session: pantau and the Prefect server it started
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL

    with db.connect(warehouse, read_only=True) as con:  # the killed run's committed batches survive
        stored_before = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(f"killed run had stored {stored_before}/{ARTICLES} articles")
    assert stored_before < ARTICLES

    second = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, timeout=300,
                            start_new_session=True)
    assert second.returncode == 0, second.stderr.decode(errors="replace")[-3000:]

    with db.connect(warehouse, read_only=True) as con:
        total, distinct, full = con.execute(
            "SELECT count(*), count(DISTINCT canonical_url), count(*) FILTER (WHERE body_status = 'full') "
            "FROM articles").fetchone()
        assert (total, distinct, full) == (ARTICLES, ARTICLES, ARTICLES)
        assert con.execute("SELECT count(duplicate_of) FROM articles").fetchone() == (0,)
        # each article's facts once: one citation of its own regulation number per article, no repeats
        per_article = con.execute(
            "SELECT article_id, count(*) FROM regulation_mentions WHERE kind = 'citation' GROUP BY article_id"
        ).fetchall()
        assert len(per_article) == ARTICLES
        dupes = con.execute("SELECT count(*) - count(DISTINCT (article_id, start_char)) FROM regulation_mentions")
        assert dupes.fetchone() == (0,)
        runs = con.execute("SELECT run_id, status, finishes FROM runs ORDER BY started_at").fetchall()
    # the killed run is closed by the next one, which says it finishes that run's work
    (killed, status, _), (_, next_status, finishes) = runs
    assert (status, next_status, finishes) == ("interrupted", "completed", [killed])
    said = second.stderr.decode(errors="replace")
    assert f"run {killed} (ingest, started" in said and f"after storing {stored_before} articles" in said
    assert f"finished the work of interrupted run {killed}" in second.stdout.decode(errors="replace")
    shown = subprocess.run([PANTAU, "runs", "--config", str(config), "--format", "json"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
    listed = {r["run_id"]: (r["status"], r["finishes"]) for r in json.loads(shown.stdout)}
    assert listed[killed] == ("interrupted", []) and list(listed.values())[0] == ("completed", [killed])

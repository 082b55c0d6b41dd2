"""`pantau search` and `pantau sql --write` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import replace

from factories import article, facts
from test_cli import pantau

from pantau.warehouse import db, search, store


def test_search_command(tmp_path):
    path = tmp_path / "w.duckdb"
    with db.connect(path) as con:
        parkir = replace(article("https://example.id/parkir", body="Tarif retribusi parkir di tepi jalan naik."),
                         title="Retribusi Parkir Naik", content_hash="h1")
        banjir = replace(article("https://example.id/banjir", body="Banjir merendam permukiman warga di Dayeuhkolot."),
                         title="Banjir", content_hash="h2")
        store.store_batch(con, "r1", [parkir, banjir], [facts(), facts("perda/2")])
    missing = pantau("search", "retribusi parkir", "--db", str(path))
    assert missing.returncode == 1 and "no search index yet" in missing.stderr
    built = pantau("search", "retribusi parkir", "--db", str(path), "--rebuild")
    assert built.returncode == 0, built.stderr
    assert "Retribusi Parkir Naik" in built.stdout and "Banjir" not in built.stdout
    hits = json.loads(pantau("search", "perparkiran", "--db", str(path), "-f", "json").stdout)
    assert [h["url"] for h in hits] == ["https://example.id/parkir"]  # stemmed: perparkiran -> parkir
    with db.connect(path, read_only=True) as con:
        assert search.backend(con) in ("fts", "fallback")


def test_sql_write_needs_the_flag_and_the_lock(tmp_path):
    path = tmp_path / "w.duckdb"
    with db.connect(path) as con:
        store.store_batch(con, "r1", [article()], [facts()])
    update = "UPDATE feeds SET name = 'x'"
    assert pantau("sql", "--db", str(path), update).returncode == 1
    done = pantau("sql", "--db", str(path), "--write", "DELETE FROM quotes")
    assert done.returncode == 0, done.stderr
    with db.connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM quotes").fetchone()[0] == 0
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(path)!r})
        print("ready", flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        busy = pantau("sql", "--db", str(path), "--write", "DELETE FROM figures")
        assert busy.returncode == 1 and f"PID {holder.pid}" in busy.stderr
        # one message (rich may wrap it at the terminal width), no traceback
        assert busy.stderr.count("error:") == 1 and "one writer" in busy.stderr and "Traceback" not in busy.stderr
    finally:
        holder.kill()
        holder.wait()

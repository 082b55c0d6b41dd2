import subprocess
import sys
import textwrap
import time

import duckdb
import pytest
from factories import article, facts

from pantau.alerts.channels import DeliveryError
from pantau.alerts.deliver import deliver_pending, raise_for_run
from pantau.settings import AlertSettings
from pantau.warehouse import db, store
from pantau.warehouse import feeds as feeds_db
from pantau.warehouse.alerts import pending_deliveries

PUBLIC_TABLES = {"feeds", "feed_fetches", "runs", "articles", "regulations", "regulation_mentions", "people",
                 "person_mentions", "organizations", "organization_mentions", "figures", "quotes", "alerts",
                 "alert_deliveries", "schema_version"}


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "regulations", "regulation_mentions", "person_mentions",
                      "organization_mentions", "figures", "quotes", "alerts")}


def test_new_file_gets_every_table_and_a_schema_version(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert PUBLIC_TABLES <= tables
        latest = db.available_migrations()[-1][0]
        assert db.schema_version(con) == latest
    with db.connect(tmp_path / "w.duckdb") as con:  # reopening applies nothing twice
        assert con.execute("SELECT count(*) FROM schema_version").fetchone()[0] == latest


def test_store_is_idempotent(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        first = store.store_batch(con, "run1", [article()], [facts()])
        assert first.articles_new == 1
        assert first.new_regulation_ids == ["peraturan-gubernur/jawa-barat/158/2021"]
        assert first.mentions == {"regulation": 1, "person": 1, "organization": 1, "figure": 1, "quote": 1}
        before = counts(con)
        again = store.store_batch(con, "run2", [article()], [facts()])
        assert again.articles_new == 0 and again.new_regulation_ids == []
        assert all(n == 0 for n in again.mentions.values())
        assert counts(con) == before
        row = con.execute("SELECT value, unit FROM figures").fetchone()
        assert row == (25_100_000_000_000, "IDR")
        assert con.execute("SELECT fetch_attempts, first_run_id FROM articles").fetchone() == (2, "run1")


def test_second_article_with_same_regulation_is_not_new(tmp_path):
    with db.connect(tmp_path / "w.duckdb") as con:
        store.store_batch(con, "run1", [article()], [facts()])
        other = store.store_batch(con, "run2", [article("https://example.id/berita/2")], [facts()])
        assert other.articles_new == 1 and other.new_regulation_ids == []
        assert con.execute("SELECT count(*) FROM regulation_mentions").fetchone()[0] == 2
        assert con.execute("SELECT count(*) FROM regulations").fetchone()[0] == 1


class Recorder:
    def __init__(self, fail_times: int = 0):
        self.sent: list[dict] = []
        self.fail_times = fail_times

    def send(self, title, payload):
        if self.fail_times:
            self.fail_times -= 1
            raise DeliveryError("receiver down")
        self.sent.append(payload)


def test_alerts_are_raised_once_and_delivered_once(tmp_path):
    settings = AlertSettings(jsonl_path=str(tmp_path / "a.jsonl"))
    with db.connect(tmp_path / "w.duckdb") as con:
        stored = store.store_batch(con, "run1", [article()], [facts()])
        assert raise_for_run(con, "run1", settings, stored.new_regulation_ids) == 1
        assert raise_for_run(con, "run2", settings, stored.new_regulation_ids) == 0
        console, jsonl = Recorder(), Recorder(fail_times=1)
        report = deliver_pending(con, {"console": console, "jsonl": jsonl})
        assert len(report.delivered) == 1 and len(report.failed) == 1
        assert console.sent[0]["label"] == "Peraturan Gubernur Jawa Barat 158/2021"
        assert console.sent[0]["article_url"] == "https://example.id/berita/1"
        # the failed channel is retried on the next delivery; the delivered one is not repeated
        report = deliver_pending(con, {"console": console, "jsonl": jsonl})
        assert [c for _, c in report.delivered] == ["jsonl"]
        assert len(console.sent) == 1 and len(jsonl.sent) == 1
        assert jsonl.sent[0]["alert_id"] == console.sent[0]["alert_id"]
        assert pending_deliveries(con) == []
        assert deliver_pending(con, {"console": console, "jsonl": jsonl}).delivered == []


def test_second_writer_gets_a_one_line_error_naming_the_holder(tmp_path):
    path = tmp_path / "w.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("ready", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        for read_only in (False, True):
            with pytest.raises(db.WarehouseBusy) as info:
                db.connect(path, read_only=read_only)
            message = str(info.value)
            assert f"PID {holder.pid}" in message and "one writer" in message
            assert "\n" not in message
        assert time.monotonic() - started < 10  # an error, not a hang
    finally:
        holder.kill()
        holder.wait()


def test_reading_a_missing_warehouse_is_a_clear_error(tmp_path):
    with pytest.raises(db.WarehouseError, match="no warehouse at"):
        db.connect(tmp_path / "none.duckdb", read_only=True)


def test_feeds_upsert_and_remove(tmp_path):
    from pantau.settings import FeedConfig

    with db.connect(tmp_path / "w.duckdb") as con:
        feeds_db.upsert_feeds(con, [FeedConfig("https://a.id/rss", "A")], source="config")
        feeds_db.upsert_feeds(con, [FeedConfig("https://a.id/rss", None, "Jawa Barat")], source="cli")
        assert con.execute("SELECT name, region FROM feeds").fetchall() == [("A", "Jawa Barat")]
        assert feeds_db.remove_feed(con, "https://a.id/rss")
        assert feeds_db.enabled_feeds(con) == []
        assert not feeds_db.remove_feed(con, "https://b.id/rss")
        with pytest.raises(duckdb.Error):
            con.execute("INSERT INTO feeds (feed_id, url, source, added_at) VALUES ('x', 'https://a.id/rss', 'cli', now())")

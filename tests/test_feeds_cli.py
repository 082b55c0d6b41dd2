"""`pantau feeds add-defaults | check | status`, and the default feeds failing cleanly without a network."""

from __future__ import annotations

import socket

import pytest
from typer.testing import CliRunner

from pantau.cli import app
from pantau.ingest.defaults import DEFAULT_FEEDS
from pantau.ingest.feeds import poll_many
from pantau.settings import HttpSettings
from pantau.types import FeedState
from pantau.warehouse.feeds import feed_id_for

RSS = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>K</title>'
       b"<item><title>Satu</title><link>/a/1.html</link></item></channel></rss>")


@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_default_feeds_fail_cleanly_without_a_network(monkeypatch):
    real = socket.getaddrinfo

    def offline(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", offline)
    assert len(DEFAULT_FEEDS) >= 6 and all(f.region == "Jawa Barat" and f.name for f in DEFAULT_FEEDS)
    feeds = [FeedState(feed_id_for(f.url), f.url, f.name) for f in DEFAULT_FEEDS]
    polls = poll_many(feeds, HttpSettings(connect_timeout=1, read_timeout=1, retries=0, politeness_delay=0))
    assert {p.status for p in polls} == {"dns"} and all(p.error for p in polls)


def test_add_defaults_check_and_status(cli, local_site, tmp_path):
    db = str(tmp_path / "w.duckdb")
    out = cli("feeds", "add-defaults", "--db", db)
    assert out.exit_code == 0 and "Antara Jabar" in out.output and "Tribun Jabar" in out.output
    local_site.routes["/rss"] = (200, {"Content-Type": "application/rss+xml"}, RSS)
    assert cli("feeds", "add", local_site.url("/rss"), "--name", "Lokal", "--db", db).exit_code == 0
    out = cli("feeds", "check", local_site.url("/rss"), "--db", db)
    assert out.exit_code == 0 and " ok " in out.output, out.output
    out = cli("feeds", "status", "--db", db)
    assert out.exit_code == 0 and "Lokal" in out.output and " ok " in out.output and "due" in out.output
    assert "Pikiran Rakyat" in out.output  # never polled yet: listed without a status
    assert cli("feeds", "check", "https://tidak-ada.example/rss", "--db", db).exit_code == 1

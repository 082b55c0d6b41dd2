"""Polite polling: User-Agent, per-host concurrency, politeness delay, conditional GET, bounded bodies."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib

import pytest

from pantau.ingest import feeds as feeds_module
from pantau.ingest.feeds import poll_feed, poll_many
from pantau.ingest.http import fetch, make_client
from pantau.settings import HttpSettings
from pantau.types import FeedState

RSS = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>K</title>'
       b"<item><title>Satu</title><link>/a/1.html</link><guid>g1</guid></item></channel></rss>")


def quick(**overrides) -> HttpSettings:
    base = dict(connect_timeout=0.5, read_timeout=1.0, total_timeout=3.0, retries=0, retry_backoff=0.05,
                max_bytes=100_000, per_host_concurrency=2, politeness_delay=0)
    return HttpSettings(**{**base, **overrides})


def test_user_agent_and_conditional_headers_are_sent(local_site):
    local_site.routes["/rss"] = (200, {"ETag": '"e1"', "Last-Modified": "Mon, 12 Aug 2024 03:00:00 GMT"}, RSS)
    settings = quick()
    with make_client(settings) as client:
        first = poll_feed(client, FeedState("f", local_site.url("/rss")), settings)
        local_site.routes["/rss"] = lambda h: ((304, {}, b"") if h.headers.get("If-Modified-Since") else (200, {}, RSS))
        state = FeedState("f", local_site.url("/rss"), etag=first.etag, last_modified=first.last_modified,
                          body_hash=first.body_hash)
        second = poll_feed(client, state, settings)
    assert local_site.requests[0]["user-agent"].startswith("pantau/")
    assert local_site.requests[1]["if-none-match"] == '"e1"'
    assert local_site.requests[1]["if-modified-since"] == "Mon, 12 Aug 2024 03:00:00 GMT"
    assert second.status == "not_modified" and second.etag == '"e1"' and second.body_hash == first.body_hash


def test_unchanged_feed_costs_one_request_and_no_parsing(local_site, monkeypatch):
    local_site.routes["/rss"] = (200, {}, RSS)  # no validators at all
    settings = quick()
    calls = []
    real_parse = feeds_module.feedparser.parse
    monkeypatch.setattr(feeds_module.feedparser, "parse", lambda *a, **k: calls.append(1) or real_parse(*a, **k))
    with make_client(settings) as client:
        first = poll_feed(client, FeedState("f", local_site.url("/rss")), settings)
        second = poll_feed(client, FeedState("f", local_site.url("/rss"), body_hash=first.body_hash), settings)
    assert (first.status, second.status) == ("ok", "not_modified")
    assert len(calls) == 1 and local_site.hits["/rss"] == 2


def test_per_host_concurrency_and_politeness_delay(local_site):
    lock, state = threading.Lock(), {"now": 0, "max": 0, "starts": []}

    def slow(handler):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            state["starts"].append(time.monotonic())
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        return 200, {}, RSS

    for i in range(6):
        local_site.routes[f"/rss{i}"] = slow
    settings = quick(per_host_concurrency=2, politeness_delay=0.05)
    feeds = [FeedState(f"f{i}", local_site.url(f"/rss{i}")) for i in range(6)]
    polls = poll_many(feeds, settings, workers=6)
    assert [p.status for p in polls] == ["ok"] * 6
    assert state["max"] == 2  # six workers, yet never more than two requests in flight to the host
    starts = sorted(state["starts"])
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.03  # starts spaced by the politeness delay (0.05 s at the client; arrival jitters)


def test_retries_back_off_on_timeouts_and_5xx_only(local_site):
    local_site.routes["/500"] = (500, {}, b"x")
    local_site.routes["/404"] = (404, {}, b"x")
    settings = quick(retries=2, retry_backoff=0.1)
    with make_client(settings) as client:
        started = time.monotonic()
        five = fetch(client, local_site.url("/500"), settings)
        took = time.monotonic() - started
        four = fetch(client, local_site.url("/404"), settings)
    assert (five.status, five.attempts, four.status, four.attempts) == ("http_5xx", 3, "http_4xx", 1)
    assert took >= 0.1 + 0.2  # backoff 0.1 s, then 0.2 s


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_capped_after_decompression(local_site, encoding):
    payload = b"<rss>" + b"A" * 5_000_000
    if encoding == "gzip":
        body = gzip.compress(payload)
    elif encoding == "deflate":
        body = zlib.compress(payload)
    else:
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body = compressor.compress(payload) + compressor.flush()
    name = "deflate" if encoding == "raw-deflate" else encoding
    local_site.routes["/z"] = (200, {"Content-Encoding": name}, body)
    local_site.routes["/small"] = (200, {"Content-Encoding": name},
                                   gzip.compress(RSS) if name == "gzip" else zlib.compress(RSS))
    settings = quick()
    with make_client(settings) as client:
        big = fetch(client, local_site.url("/z"), settings)
        small = fetch(client, local_site.url("/small"), settings)
    assert len(body) < settings.max_bytes and big.status == "too_large" and "decompressed" in big.error
    assert small.status == "ok" and small.content == RSS


def test_total_deadline_stops_a_drip_fed_body():
    """A server that sends a byte every 50 ms never trips the read timeout; the overall deadline stops it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    stop = threading.Event()

    def drip() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b"<")
                except OSError:
                    return
                time.sleep(0.05)

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    settings = quick(read_timeout=1.0, total_timeout=0.5)
    try:
        with make_client(settings) as client:
            started = time.monotonic()
            got = fetch(client, f"http://127.0.0.1:{server.getsockname()[1]}/rss", settings)
            took = time.monotonic() - started
    finally:
        stop.set()
        server.close()
    assert got.status == "timeout" and "0.5 s" in got.error
    assert took < 2.0

"""Benchmark: re-polling unchanged feeds, and article-page throughput with N hosts. Prints measured figures.

    .venv/bin/python bench/poll_feeds.py                 # 1,000 feeds; pages over 1, 2, 4, 8 hosts
    .venv/bin/python bench/poll_feeds.py --feeds 2000 --hosts 1,4,16 --pages 160

1. Feeds: a local HTTP/1.1 server (its own process, so it does not share the GIL with the poller) serves `--feeds`
   RSS feeds; 9 in 10 send an ETag (answered with 304), 1 in 10 sends no validator at all (caught by the body
   hash). A first poll fills the warehouse's conditional-GET state; the second poll — `due_feeds` → `poll_many` →
   `record_polls`, the flow's polling path — is timed. All feeds live on one loopback host standing in for many
   real hosts, so the per-host limit is raised to the worker count and the politeness delay set to 0 for this part.
2. Pages: N servers on N loopback ports (N hosts), each page answering after `--latency` seconds. `--pages` pages
   are fetched with the per-host limits in force (`per_host_concurrency`, `politeness_delay`), once as bare HTTP
   and once through `fetch_article` (trafilatura + boilerplate removal + hashes).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import tempfile
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread

from pantau.ingest.articles import fetch_article
from pantau.ingest.feeds import poll_many
from pantau.ingest.http import fetch, make_client
from pantau.settings import FeedConfig, HttpSettings
from pantau.types import FeedEntry
from pantau.warehouse import db
from pantau.warehouse import feeds as feeds_db

ITEM = ("<item><title>Berita {i}-{j}</title><link>/berita/{i}-{j}.html</link><guid>g-{i}-{j}</guid>"
        "<pubDate>Mon, 12 Aug 2024 10:00:00 +0700</pubDate><description>Ringkasan berita {j} dari feed {i} tentang "
        "anggaran daerah dan peraturan gubernur yang baru.</description></item>")

PAGE = """<html><head><title>Berita {n}</title></head><body><nav>Beranda | Daerah | Ekonomi</nav><article>
<h1>Pemprov Jabar terbitkan aturan baru nomor {n}</h1>
<p>Bandung (ANTARA) - Pemerintah Provinsi Jawa Barat menerbitkan Peraturan Gubernur Jawa Barat Nomor {n} Tahun 2024
tentang Perlindungan Pekerja Rentan yang mulai berlaku pada bulan Juni tahun ini bagi seluruh pekerja informal.</p>
<p>Baca Juga: Perwal Cimahi No. 9/2023 Digugat Warga</p>
<p>Gubernur menyebut aturan itu sebagai langkah penting bagi jaminan sosial pekerja di seluruh Jawa Barat, dengan
anggaran Rp25,1 miliar untuk 12.500 pekerja pada tahap pertama, dan pendataan dilakukan oleh dinas di kabupaten.</p>
<p>Kepala dinas mengatakan sosialisasi akan dilakukan bersama BPJS Ketenagakerjaan di 27 kabupaten dan kota.</p>
</article><footer>Copyright 2024 Kabar Uji. All rights reserved.</footer></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

    def do_GET(self) -> None:  # noqa: N802
        server = self.server
        if self.path.startswith("/feed/"):
            i = int(self.path.split("/")[2].split(".")[0])
            etag = f'"v{i}"' if i % 10 else None
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed %d</title>' % i
                    + "".join(ITEM.format(i=i, j=j) for j in range(10)) + "</channel></rss>").encode()
            self._send(200, "application/rss+xml; charset=utf-8", body, etag)
        elif self.path.startswith("/berita/"):
            time.sleep(server.latency)
            n = int(self.path.split("/")[2].split(".")[0].split("-")[0])
            self._send(200, "text/html; charset=utf-8", PAGE.format(n=n).encode(), None)
        else:
            self._send(404, "text/plain", b"not found", None)

    def _send(self, status: int, ctype: str, body: bytes, etag: str | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def _serve(count: int, latency: float, ports: mp.Queue, stop: mp.Event) -> None:
    servers = []
    for _ in range(count):
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.request_queue_size = 256
        server.latency = latency  # type: ignore[attr-defined]
        Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    ports.put([s.server_address[1] for s in servers])
    stop.wait()
    for server in servers:
        server.shutdown()


class Site:
    """`count` servers (hosts) in a child process."""

    def __init__(self, count: int, latency: float = 0.0) -> None:
        ctx = mp.get_context("spawn")
        self._ports, self._stop = ctx.Queue(), ctx.Event()
        self._proc = ctx.Process(target=_serve, args=(count, latency, self._ports, self._stop), daemon=True)

    def __enter__(self) -> list[str]:
        self._proc.start()
        return [f"http://127.0.0.1:{port}" for port in self._ports.get(timeout=30)]

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._proc.join(timeout=10)
        if self._proc.is_alive():
            self._proc.terminate()


def bench_feeds(n: int, workers: int) -> dict[str, float]:
    settings = HttpSettings(per_host_concurrency=workers, politeness_delay=0.0, retries=0)
    with Site(1) as (base,), tempfile.TemporaryDirectory() as tmp:
        con = db.connect(Path(tmp) / "bench.duckdb")
        feeds_db.upsert_feeds(con, [FeedConfig(f"{base}/feed/{i}.xml") for i in range(n)], source="config")
        started = time.perf_counter()
        first = poll_many(feeds_db.due_feeds(con), settings, workers)
        feeds_db.record_polls(con, "first", [(p, len(p.entries)) for p in first])
        cold = time.perf_counter() - started

        started = time.perf_counter()
        due = feeds_db.due_feeds(con)
        polls = poll_many(due, settings, workers)
        polled = time.perf_counter() - started
        feeds_db.record_polls(con, "second", [(p, 0) for p in polls])
        warm = time.perf_counter() - started
        statuses = Counter(p.status for p in polls)
        recorded = con.execute("SELECT count(*) FROM feed_fetches WHERE run_id = 'second'").fetchone()[0]
        con.close()
    print(f"feeds: {n} served locally, {workers} workers")
    print(f"  first poll (parse {sum(len(p.entries) for p in first)} entries, record): {cold:.2f} s "
          f"— {Counter(p.status for p in first).most_common()}")
    print(f"  re-poll of unchanged feeds: {warm:.2f} s total ({polled:.2f} s polling, {warm - polled:.2f} s "
          f"recording {recorded} feed_fetches rows) = {n / warm:.0f} feeds/s — {statuses.most_common()}")
    print(f"  not_modified: {statuses['not_modified']}/{n} ({100 * statuses['not_modified'] / n:.1f} %); "
          f"target < 5 s: {'met' if warm < 5 else 'MISSED'}")
    return {"repoll_s": warm, "not_modified": statuses["not_modified"]}


def bench_flow(counts: list[int]) -> None:
    """The same re-poll through the Prefect flow (`pantau run`'s path), for a few feed counts."""
    import os

    os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="pantau-bench-prefect-"))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from pantau.flows.ingest import ingest_flow
    from pantau.settings import Settings

    print("flow: re-poll of unchanged feeds through ingest_flow (temporary Prefect server, model load, store, views)")
    with Site(1) as (base,):
        for n in counts:
            with tempfile.TemporaryDirectory() as tmp:
                settings = Settings()
                settings.warehouse.path, settings.alerts.jsonl_path = f"{tmp}/w.duckdb", f"{tmp}/a.jsonl"
                settings.http.politeness_delay, settings.http.per_host_concurrency = 0.0, 32
                con = db.connect(settings.warehouse.path)
                feeds_db.upsert_feeds(con, [FeedConfig(f"{base}/feed/{i}.xml") for i in range(n)], source="cli")
                polls = poll_many(feeds_db.due_feeds(con), settings.http, 32)
                for poll in polls:
                    poll.entries = []  # remember the validators only: the flow run below sees unchanged feeds
                feeds_db.record_polls(con, "seed", [(poll, 0) for poll in polls])
                con.close()
                started = time.perf_counter()
                result = ingest_flow(settings)
                took = time.perf_counter() - started
                print(f"  {n:>5} feeds: {took:.2f} s for the whole run — {result.status_counts.get('feeds', {})}")


def bench_pages(hosts: list[int], pages: int, latency: float, settings: HttpSettings, workers: int) -> None:
    print(f"pages: {pages} article pages, {latency * 1000:.0f} ms server latency, per-host limit "
          f"{settings.per_host_concurrency} in flight and {settings.politeness_delay:g} s between starts, "
          f"{workers} workers")
    print(f"  {'hosts':>5}  {'http pages/s':>12}  {'http+trafilatura pages/s':>24}  {'full':>5}")
    for count in hosts:
        with Site(count, latency) as bases:
            urls = [f"{bases[i % count]}/berita/{i}.html" for i in range(pages)]
            rates = []
            for full in (False, True):
                from concurrent.futures import ThreadPoolExecutor

                with make_client(settings) as client, ThreadPoolExecutor(workers) as pool:
                    started = time.perf_counter()
                    if full:
                        entries = [FeedEntry(u, u, "t", None, None, None, None) for u in urls]
                        got = list(pool.map(lambda e: fetch_article(client, e, "f", settings), entries))
                        ok = sum(a.body_status == "full" for a in got)
                    else:
                        got = list(pool.map(lambda u: fetch(client, u, settings), urls))
                        ok = sum(g.status == "ok" for g in got)
                    rates.append((pages / (time.perf_counter() - started), ok))
                urls = [u.replace(".html", "-2.html") for u in urls]  # fresh pages for the second pass
            print(f"  {count:>5}  {rates[0][0]:>12.1f}  {rates[1][0]:>24.1f}  {rates[1][1]:>5}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=32, help="poller threads")
    parser.add_argument("--hosts", default="1,2,4,8", help="host counts for the page benchmark")
    parser.add_argument("--pages", type=int, default=96)
    parser.add_argument("--latency", type=float, default=0.05, help="server time per page, seconds")
    parser.add_argument("--per-host", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.1, help="politeness delay per host, seconds")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--flow", action="store_true", help="also time the Prefect flow (1, 1, --feeds feeds)")
    args = parser.parse_args()
    result = bench_feeds(args.feeds, args.workers)
    if args.flow:
        bench_flow([1, 1, args.feeds])  # the first run also starts the temporary Prefect server, loads the model
    if not args.skip_pages:
        settings = HttpSettings(per_host_concurrency=args.per_host, politeness_delay=args.delay, retries=0)
        bench_pages([int(h) for h in args.hosts.split(",")], args.pages, args.latency, settings, workers=16)
    sys.exit(0 if result["repoll_s"] < 5 else 1)


if __name__ == "__main__":
    main()

"""The fault suite (issue 5): every fault a feed or page can throw at a run, served by a real HTTP server on
127.0.0.1. Each gives its status, the run goes on, nothing good is lost, and the next run recovers.

`cycle` is the ingest flow without Prefect and extraction: due feeds → poll → record → fetch pages → store →
save validators, in that order (the flow's order).
"""

from __future__ import annotations

import gzip
import socket
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pantau.ingest.articles import fetch_many
from pantau.ingest.feeds import poll_many
from pantau.settings import FeedConfig, HttpSettings
from pantau.warehouse import db, store
from pantau.warehouse import feeds as feeds_db

SETTINGS = HttpSettings(connect_timeout=0.5, read_timeout=0.4, total_timeout=2.0, retries=2, retry_backoff=0.05,
                        max_bytes=200_000, max_redirects=4, per_host_concurrency=8, politeness_delay=0)

PAGE = """<html><head><title>{title}</title></head><body><nav>Beranda | Daerah</nav><article><h1>{title}</h1>
<p>Bandung (ANTARA) - {title}. Pemerintah Provinsi Jawa Barat menerbitkan Peraturan Gubernur Jawa Barat Nomor {n}
Tahun 2024 tentang Perlindungan Pekerja Rentan yang mulai berlaku bulan ini bagi pekerja sektor informal.</p>
<p>Baca Juga: Berita lain yang tidak terkait</p>
<p>Gubernur menyebut aturan nomor {n} itu langkah penting bagi jaminan sosial pekerja di seluruh Jawa Barat, dan
dinas terkait diminta menyiapkan pendataan peserta di tiap kabupaten dan kota sebelum akhir tahun anggaran.</p>
</article><footer>Copyright 2024 Kabar Uji</footer></body></html>"""


_WORDS = ("anggaran warga desa sekolah jalan banjir irigasi pasar petani nelayan buruh guru bidan puskesmas sampah "
          "terminal angkot stasiun kereta bendungan sawah kebun teh kopi tahu oncom batik angklung wisata hotel "
          "museum taman alun-alun masjid gereja vihara pesantren kampus pabrik tekstil sepatu garmen koperasi bank "
          "pajak retribusi parkir lampu trotoar jembatan tol bandara pelabuhan gudang listrik air bersih sanitasi "
          "stunting gizi posyandu vaksin rumah susun relokasi pedagang ojek kurir logistik digital internet").split()


def page(n: int, title: str) -> tuple[int, dict[str, str], bytes]:
    """An article page whose text differs from every other n (so no two pages look like syndicated copies)."""
    import random

    words = random.Random(n).sample(_WORDS, 60)
    filler = " ".join(words[:30]) + ".</p><p>" + " ".join(words[30:]) + "."
    body = PAGE.format(title=title, n=n).replace("<p>Baca Juga", f"<p>{filler}</p><p>Baca Juga")
    return html(body)


def rss(items: str, encoding: str = "UTF-8") -> bytes:
    return (f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel><title>Kabar Uji</title>'
            f"<link>http://kabar.test/</link>{items}</channel></rss>").encode("utf-8")


def item(path: str, title: str, guid: str | None = None, link: bool = True, summary: str = "Ringkasan berita.") -> str:
    return (f"<item><title>{title}</title>" + (f"<link>{path}</link>" if link else "")
            + (f"<guid>{guid}</guid>" if guid else "")
            + f"<pubDate>Senin, 12 Agustus 2024 10:00 WIB</pubDate><description>{summary}</description></item>")


def xml(body: bytes, **headers) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/rss+xml; charset=utf-8", **headers}, body


def html(body: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body.encode("utf-8")


def cycle(con, run_id: str, now: datetime | None = None) -> dict[str, object]:
    """One run without Prefect or extraction; returns {feed url: poll}."""
    feeds = feeds_db.due_feeds(con, now)
    polls = poll_many(feeds, SETTINGS)
    todo = store.entries_to_fetch(con, polls, max_attempts=3)
    new = {}
    for feed_id, _ in todo:
        new[feed_id] = new.get(feed_id, 0) + 1
    feeds_db.record_polls(con, run_id, [(p, new.get(p.feed_id, 0)) for p in polls], validators=False)
    articles = fetch_many(todo, SETTINGS)
    if articles:
        store.store_batch(con, run_id, articles, [None] * len(articles))
    feeds_db.save_validators(con, polls)
    return {p.url: p for p in polls}


def refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


GOOD_ITEMS = item("/a/1.html", "Satu", "g1") + item("/a/2.html", "Dua", "g2") + item("/a/hilang.html", "Hilang", "g3")


def stalled(handler):
    time.sleep(1.2)  # past read_timeout (0.4 s): every attempt times out
    return xml(rss(GOOD_ITEMS))


def entity_bomb() -> bytes:
    entities = ['<!ENTITY e0 "hahahahahahahahahahahahahahahahahahahahahahahahahahaha">']
    entities += [f'<!ENTITY e{i} "{("&e%d;" % (i - 1)) * 10}">' for i in range(1, 10)]
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE rss [\n' + "\n".join(entities).encode()
            + b'\n]>\n<rss version="2.0"><channel><title>&e9;</title>'
            + b"<item><title>Bom &e9;</title><link>/a/bom.html</link><description>&e9;</description></item>"
            + b"</channel></rss>")


# path -> (route, expected status of the first run)
FAULTS: dict[str, tuple[object, str]] = {
    "/f/500": ((500, {}, b"internal error"), "http_5xx"),
    "/f/stall": (stalled, "timeout"),
    "/f/malformed": (xml(b"<?xml version='1.0'?><rss><channel><item><title>putus"), "parse_error"),
    "/f/html": (html("<!DOCTYPE html><html><body><p>Beranda</p></body></html>"), "html_not_feed"),
    "/f/bomb": ((200, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
                 gzip.compress(b"<?xml version='1.0'?><rss><channel>" + b" " * 30_000_000, 6)), "too_large"),
    "/f/large": (xml(rss(item("/a/x.html", "x" * 300_000))), "too_large"),
    "/f/loop": ((302, {"Location": "/f/loop"}, b""), "redirect_loop"),
    "/f/empty": (xml(rss("")), "empty"),
    "/f/404": ((404, {}, b"gone"), "http_4xx"),
}


@pytest.fixture
def faulty(local_site, tmp_path):
    """A warehouse whose feeds are one good feed, every fault, a refused port and an unresolvable host."""
    site = local_site
    for n in (1, 2):
        site.routes[f"/a/{n}.html"] = page(n, f"Berita nomor {n} dari Bandung")
    site.routes["/good"] = xml(rss(GOOD_ITEMS))
    for path, (route, _) in FAULTS.items():
        site.routes[path] = route
    urls = [site.url("/good")] + [site.url(p) for p in FAULTS]
    refused = f"http://127.0.0.1:{refused_port()}/rss"
    dns = "http://feed.pantau-tidak-ada.invalid/rss"
    tls = site.url("/good").replace("http://", "https://")
    con = db.connect(tmp_path / "w.duckdb")
    feeds_db.upsert_feeds(con, [FeedConfig(u) for u in urls + [refused, dns, tls]], source="config")
    yield site, con, {"refused": refused, "dns": dns, "tls": tls}
    con.close()


def test_every_fault_gets_its_status_and_the_run_goes_on(faulty):
    site, con, other = faulty
    started = time.monotonic()
    polls = cycle(con, "run1")
    elapsed = time.monotonic() - started
    got = {url: p.status for url, p in polls.items()}
    for path, (_, status) in FAULTS.items():
        assert got[site.url(path)] == status, (path, polls[site.url(path)].error)
    assert got[other["refused"]] == "refused"
    assert got[other["dns"]] == "dns"
    assert got[other["tls"]] == "tls"
    assert elapsed < 15, elapsed
    # retries: 5xx and timeouts are retried (1 + 2 retries), a 404 and a redirect loop are not
    assert site.hits["/f/500"] == 3 and site.hits["/f/stall"] == 3 and site.hits["/f/404"] == 1
    # the good feed's articles are all stored, the missing page falls back to the feed summary
    rows = dict(con.execute("SELECT url, body_status FROM articles").fetchall())
    assert rows == {site.url("/a/1.html"): "full", site.url("/a/2.html"): "full",
                    site.url("/a/hilang.html"): "summary_only"}
    assert con.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone() == (0,)
    missing = con.execute("SELECT http_status, fetch_error FROM articles WHERE url = ?",
                          [site.url("/a/hilang.html")]).fetchone()
    assert missing == (404, "HTTP 404")
    # every poll is in feed_fetches with its status, elapsed time and new-article count
    recorded = dict(con.execute("SELECT url, status FROM feed_fetches WHERE run_id = 'run1'").fetchall())
    assert recorded == got
    assert con.execute("SELECT new_articles FROM feed_fetches WHERE url = ?", [site.url("/good")]).fetchone() == (3,)
    assert con.execute("SELECT count(*) FROM feed_fetches WHERE elapsed_ms IS NULL").fetchone() == (0,)
    assert con.execute("SELECT attempts FROM feed_fetches WHERE url = ?", [site.url("/f/500")]).fetchone() == (3,)


def test_the_next_run_recovers(faulty):
    site, con, other = faulty
    cycle(con, "run1")
    # every faulty feed is fixed: it now serves a good feed with one new article each
    for i, path in enumerate(FAULTS):
        site.routes[path] = xml(rss(item(f"/b/{i}.html", f"Baru {i}", f"b{i}")))
        site.routes[f"/b/{i}.html"] = page(100 + i, f"Berita baru {i} dari Cimahi")
    polls = cycle(con, "run2")
    for path in FAULTS:
        assert polls[site.url(path)].status == "ok", path
    assert polls[site.url("/good")].status == "not_modified"  # unchanged: one request, no parsing
    stored = con.execute("SELECT count(*), count(DISTINCT canonical_url), count(duplicate_of) FROM articles").fetchone()
    assert stored == (3 + len(FAULTS), 3 + len(FAULTS), 0)
    scores = dict(con.execute("SELECT url, failure_score FROM feeds").fetchall())
    assert all(scores[site.url(p)] == 0 for p in FAULTS)
    assert scores[other["dns"]] == 4  # still failing: 2 per dns failure, two runs


def test_feeds_status_shows_each_fault(faulty, monkeypatch):
    from pantau.cli import app

    site, con, _ = faulty
    cycle(con, "run1")
    path = con.execute("SELECT file FROM pragma_database_list WHERE name = current_database()").fetchone()[0]
    con.close()
    monkeypatch.setenv("COLUMNS", "250")
    out = CliRunner().invoke(app, ["feeds", "status", "--db", path])
    assert out.exit_code == 0, out.output
    for status in {s for _, s in FAULTS.values()} | {"refused", "dns", "tls", "ok"}:
        assert f" {status} " in out.output, status


def test_bozo_feeds_with_entries_are_used_and_the_problem_recorded(local_site, tmp_path):
    site = local_site
    # declared UTF-8, sent as Windows-1252 (é, curly quotes): feedparser falls back and says so
    cp1252 = (rss(item("/a/cafe.html", "Kafe \u201cBaru\u201d di Braga dibuka, caf\u00e9 ramai"))
              .decode("utf-8").encode("cp1252"))
    site.routes["/cp1252"] = xml(cp1252)
    # an undefined entity mid-feed: not well-formed, yet the item is readable
    site.routes["/bozo"] = xml(rss(item("/a/bozo.html", "Judul &nbsp; rusak")))
    with db.connect(tmp_path / "w.duckdb") as con:
        feeds_db.upsert_feeds(con, [FeedConfig(site.url("/cp1252")), FeedConfig(site.url("/bozo"))], "config")
        polls = cycle(con, "run1")
        cafe = polls[site.url("/cp1252")]
        assert cafe.status == "ok" and "windows-1252" in cafe.problem
        assert cafe.entries[0].title == "Kafe \u201cBaru\u201d di Braga dibuka, caf\u00e9 ramai"
        assert polls[site.url("/bozo")].status == "ok" and polls[site.url("/bozo")].problem
        problems = con.execute("SELECT count(*) FROM feed_fetches WHERE status = 'ok' AND problem IS NOT NULL")
        assert problems.fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (2,)


def test_entity_expansion_bomb_is_not_expanded(local_site, tmp_path):
    local_site.routes["/bomb"] = xml(entity_bomb())
    with db.connect(tmp_path / "w.duckdb") as con:
        feeds_db.upsert_feeds(con, [FeedConfig(local_site.url("/bomb"))], "config")
        started = time.monotonic()
        poll = cycle(con, "run1")[local_site.url("/bomb")]
        assert time.monotonic() - started < 5
        assert poll.status in ("ok", "parse_error")
        assert all(len(e.title or "") < 1000 and len(e.summary or "") < 1000 for e in poll.entries)
        assert poll.problem or poll.error  # the refused entities are recorded


def test_duplicate_guids_and_entries_without_links(local_site, tmp_path):
    site = local_site
    items = (item("/a/1.html", "Satu", "sama") + item("/a/1b.html", "Satu lagi", "sama")  # a reused guid
             + item("/a/1.html", "Satu (ulang)", "lain")  # the same link again
             + item("", "Tanpa link, guid URL", "/a/guid.html", link=False)  # guid as a relative URL
             + item("", "Tanpa apa pun", None, link=False) + item("", "guid bukan URL", "tag:kabar,2024:9", link=False))
    site.routes["/dup"] = xml(rss(items))
    with db.connect(tmp_path / "w.duckdb") as con:
        feeds_db.upsert_feeds(con, [FeedConfig(site.url("/dup"))], "config")
        poll = cycle(con, "run1")[site.url("/dup")]
        assert [e.url for e in poll.entries] == [site.url("/a/1.html"), site.url("/a/guid.html")]
        assert poll.skipped_entries == 4
        cycle(con, "run2")  # the same feed again: nothing stored twice
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (2,)


def test_broken_feeds_back_off_and_come_back(local_site, tmp_path):
    site = local_site
    site.routes["/down"] = (503, {}, b"busy")
    now = datetime.now(timezone.utc)
    with db.connect(tmp_path / "w.duckdb") as con:
        feeds_db.upsert_feeds(con, [FeedConfig(site.url("/down"))], "config")
        cycle(con, "r1", now)  # first failure: no backoff, polled again next run
        cycle(con, "r2", now)  # second failure in a row: score 2, sits out 1 run
        row = con.execute("SELECT failure_score, skip_runs, next_poll_at IS NOT NULL FROM feeds").fetchone()
        assert row == (2, 1, True)
        assert cycle(con, "r3", now + timedelta(hours=1)) == {}  # skipped, counting down
        cycle(con, "r4", now + timedelta(hours=1))  # third failure: score 3, sits out 2 runs
        assert con.execute("SELECT failure_score, skip_runs FROM feeds").fetchone() == (3, 2)
        assert cycle(con, "r5", now + timedelta(hours=1)) == {}
        assert cycle(con, "r6", now + timedelta(hours=1)) == {}
        site.routes["/down"] = xml(rss(item("/a/1.html", "Kembali")))
        site.routes["/a/1.html"] = html(PAGE.format(title="Berita kembali", n=7))
        polls = cycle(con, "r7", now + timedelta(hours=1))
        assert polls[site.url("/down")].status == "ok"
        assert con.execute("SELECT failure_score, skip_runs, next_poll_at, last_ok_at IS NOT NULL FROM feeds"
                           ).fetchone() == (0, 0, None, True)
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)


def test_a_killed_run_does_not_lose_entries_behind_a_not_modified(local_site, tmp_path):
    """Validators are saved after the articles: a run that dies in between re-reads the feed in full."""
    site = local_site
    site.routes["/rss"] = xml(rss(item("/a/1.html", "Satu")), ETag='"v1"')
    site.routes["/a/1.html"] = html(PAGE.format(title="Satu", n=1))
    with db.connect(tmp_path / "w.duckdb") as con:
        feeds_db.upsert_feeds(con, [FeedConfig(site.url("/rss"))], "config")
        polls = poll_many(feeds_db.due_feeds(con), SETTINGS)
        feeds_db.record_polls(con, "dies", [(p, 0) for p in polls], validators=False)  # … and the run dies here
        assert con.execute("SELECT etag FROM feeds").fetchone() == (None,)
        cycle(con, "again")
        assert con.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        assert con.execute("SELECT etag FROM feeds").fetchone() == ('"v1"',)


def test_503_then_200_is_retried_within_the_run(local_site, tmp_path):
    site = local_site
    answers = iter([(503, {"Retry-After": "1"}, b"busy")])
    site.routes["/flaky"] = lambda handler: next(answers, xml(rss(item("/a/1.html", "Satu"))))
    site.routes["/a/1.html"] = html(PAGE.format(title="Satu", n=1))
    with db.connect(tmp_path / "w.duckdb") as con:
        feeds_db.upsert_feeds(con, [FeedConfig(site.url("/flaky"))], "config")
        poll = cycle(con, "r1")[site.url("/flaky")]
        assert (poll.status, poll.attempts, site.hits["/flaky"]) == ("ok", 2, 2)
        assert con.execute("SELECT status, attempts, new_articles FROM feed_fetches").fetchone() == ("ok", 2, 1)
        assert con.execute("SELECT failure_score FROM feeds").fetchone() == (0,)


def test_external_entities_are_not_read(local_site, tmp_path):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("RAHASIA-123", encoding="utf-8")
    local_site.routes["/xxe"] = xml(
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]><rss version="2.0"><channel>'
        f"<title>t</title><item><title>A &x; B</title><link>/a/1.html</link></item></channel></rss>".encode())
    with db.connect(tmp_path / "w.duckdb") as con:
        feeds_db.upsert_feeds(con, [FeedConfig(local_site.url("/xxe"))], "config")
        poll = cycle(con, "r1")[local_site.url("/xxe")]
        assert poll.status == "ok" and "RAHASIA" not in (poll.entries[0].title or "")


def slow_feed(site, tmp_path, warehouse, articles: int, seconds: float, first_number: int) -> Path:
    """A feed of `articles` pages on `site`, each answering after `seconds` (one regulation number per page, from
    `first_number`), and a config writing into `warehouse` that fetches them one at a time; returns the config."""

    def slow_page(n: int):
        def route(handler):
            time.sleep(seconds)
            return page(first_number + n, f"Berita lambat nomor {n} tentang pekerja rentan di Bandung")
        return route

    site.routes["/rss"] = xml(rss("".join(item(f"/a/{n}.html", f"Berita {n}", f"g{n}") for n in range(articles))))
    for n in range(articles):
        site.routes[f"/a/{n}.html"] = slow_page(n)
    config = tmp_path / "pantau.toml"
    config.write_text(f"""
[warehouse]
path = "{warehouse}"

[http]
read_timeout = 5
politeness_delay = 0
per_host_concurrency = 1

[extraction]
batch_size = 2

[alerts]
jsonl_path = "{tmp_path / 'alerts.jsonl'}"

[[feeds]]
url = "{site.url('/rss')}"
name = "Lambat"
""", encoding="utf-8")
    return config

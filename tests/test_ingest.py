import socket
from datetime import datetime, timezone

import pytest

from pantau.ingest.articles import fetch_article
from pantau.ingest.dates import parse_date
from pantau.ingest.feeds import poll_feed
from pantau.ingest.http import make_client
from pantau.settings import HttpSettings
from pantau.types import FeedEntry, FeedState
from pantau.urls import canonical_url

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Kabar Uji</title><link>http://x/</link>
<item><title>Satu</title><link>/berita/satu.html</link><guid>g-1</guid>
  <pubDate>Mon, 12 Aug 2024 10:00:00 +0700</pubDate><description>Ringkasan satu</description></item>
<item><title>Dua tanpa link</title><guid isPermaLink="true">http://example.id/berita/dua.html</guid>
  <pubDate>Senin, 12 Agustus 2024 11:00 WIB</pubDate></item>
<item><title>Tiga tanpa apa pun</title><description>tidak ada tautan</description></item>
</channel></rss>"""

FAST = HttpSettings(connect_timeout=1, read_timeout=1, retries=2, max_bytes=100_000, retry_backoff=0.05, politeness_delay=0)


def xml(body: bytes, **headers):
    return (200, {"Content-Type": "application/rss+xml; charset=utf-8", **headers}, body)


def poll(site, path, state=None, settings=FAST):
    state = state or FeedState(feed_id="f", url=site.url(path))
    with make_client(settings) as client:
        return poll_feed(client, state, settings)


def test_ok_feed_resolves_links_and_dates(local_site):
    local_site.routes["/rss"] = xml(RSS)
    result = poll(local_site, "/rss")
    assert result.status == "ok" and result.error is None
    assert [e.url for e in result.entries] == [local_site.url("/berita/satu.html"), "http://example.id/berita/dua.html"]
    assert result.entries[0].published_at == datetime(2024, 8, 12, 3, 0, tzinfo=timezone.utc)
    assert result.entries[1].published_at == datetime(2024, 8, 12, 4, 0, tzinfo=timezone.utc)
    assert result.entries[1].published_raw == "Senin, 12 Agustus 2024 11:00 WIB"


def test_conditional_get_and_body_hash(local_site):
    def etagged(handler):
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {}, b""
        return xml(RSS, ETag='"v1"')

    local_site.routes["/etag"] = etagged
    first = poll(local_site, "/etag")
    assert first.status == "ok" and first.etag == '"v1"'
    second = poll(local_site, "/etag", FeedState("f", local_site.url("/etag"), etag=first.etag))
    assert second.status == "not_modified" and second.entries == []
    # no validators: an identical body is caught by its hash, without parsing
    local_site.routes["/plain"] = xml(RSS)
    first = poll(local_site, "/plain")
    second = poll(local_site, "/plain", FeedState("f", local_site.url("/plain"), body_hash=first.body_hash))
    assert second.status == "not_modified"


@pytest.mark.parametrize(
    ("route", "status"),
    [
        ((404, {}, b"gone"), "http_4xx"),
        ((500, {}, b"boom"), "http_5xx"),
        (xml(b"<?xml version='1.0'?><rss><channel><item><title>pu"), "parse_error"),
        ((200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body><p>Beranda</p></body></html>"), "html_not_feed"),
        (xml(b"<?xml version='1.0'?><rss version='2.0'><channel><title>kosong</title></channel></rss>"), "empty"),
        (xml(b"x" * 200_000), "too_large"),
    ],
)
def test_faults_get_a_status(local_site, route, status):
    local_site.routes["/f"] = route
    assert poll(local_site, "/f").status == status


def test_503_then_200_is_retried(local_site):
    answers = iter([(503, {}, b"busy"), xml(RSS)])
    local_site.routes["/flaky"] = lambda handler: next(answers)
    result = poll(local_site, "/flaky")
    assert result.status == "ok" and local_site.hits["/flaky"] == 2


def test_redirect_loop_and_refused_connection(local_site):
    local_site.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    assert poll(local_site, "/loop").status == "redirect_loop"
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with make_client(FAST) as client:
        result = poll_feed(client, FeedState("f", f"http://127.0.0.1:{port}/rss"), FAST)
    assert result.status == "refused" and "refused" in result.error.lower()


PAGE = """<html><head><title>Berita</title></head><body><nav><a href="/">Beranda</a> | <a href="/x">Daerah</a></nav>
<article><h1>Pemprov Jabar Terbitkan Pergub Baru</h1>
<p>Bandung (ANTARA) - Pemerintah Provinsi Jawa Barat menerbitkan Peraturan Gubernur Jawa Barat Nomor 45 Tahun 2024
tentang Perlindungan Pekerja Rentan, yang mulai berlaku pada bulan Juni tahun ini bagi seluruh pekerja.</p>
<p>Baca Juga: Perwal Cimahi No. 9/2023 Digugat Warga</p>
<p>Gubernur menyebut aturan itu sebagai langkah penting bagi jaminan sosial pekerja di seluruh Jawa Barat.</p>
</article><footer>Copyright 2024 Kabar Uji. All rights reserved.</footer></body></html>"""


def entry(url, summary=None):
    return FeedEntry(url=url, guid=url, title="t", published_at=None, published_raw=None, summary=summary, content=None)


def test_article_page_main_text_without_boilerplate(local_site):
    local_site.routes["/a.html"] = (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode())
    with make_client(FAST) as client:
        article = fetch_article(client, entry(local_site.url("/a.html")), "f", FAST)
    assert article.body_status == "full" and article.http_status == 200
    assert "Peraturan Gubernur Jawa Barat Nomor 45 Tahun 2024" in article.body
    assert "Baca Juga" not in article.body and "Cimahi" not in article.body
    assert "Beranda" not in article.body and "Copyright" not in article.body
    assert article.content_hash and article.published_at == article.fetched_at


def test_404_page_falls_back_to_the_feed_summary(local_site):
    with make_client(FAST) as client:
        article = fetch_article(client, entry(local_site.url("/gone.html"), "<p>Ringkasan: Perda No. 3/2024</p>"), "f", FAST)
        nothing = fetch_article(client, entry(local_site.url("/gone2.html")), "f", FAST)
    assert (article.body_status, article.http_status, article.fetch_error) == ("summary_only", 404, "HTTP 404")
    assert article.body == "Ringkasan: Perda No. 3/2024"
    assert (nothing.body_status, nothing.body, nothing.content_hash) == ("failed", "", None)


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.Example.id/berita/a/?utm_source=x&id=3#top", "https://example.id/berita/a?id=3"),
        ("https://m.example.id/berita/a/amp", "https://example.id/berita/a"),
        ("http://127.0.0.1:8765/berita/a.html", "http://127.0.0.1:8765/berita/a.html"),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("Tue, 05 Mar 2024 09:00:00 +0700", datetime(2024, 3, 5, 2, 0, tzinfo=timezone.utc)),
        ("Senin, 12 Agustus 2024 10:00 WIB", datetime(2024, 8, 12, 3, 0, tzinfo=timezone.utc)),
        ("3 Pebruari 2024 10:00 WITA", datetime(2024, 2, 3, 2, 0, tzinfo=timezone.utc)),
        ("12/08/2024", datetime(2024, 8, 11, 17, 0, tzinfo=timezone.utc)),
        ("Selasa, 13/08/2024 09:15 WIB", datetime(2024, 8, 13, 2, 15, tzinfo=timezone.utc)),
        ("Senin, 12 Agt 2024 10:00 WIB", datetime(2024, 8, 12, 3, 0, tzinfo=timezone.utc)),
        ("12 Ags 2024 10.30 WIB", datetime(2024, 8, 12, 3, 30, tzinfo=timezone.utc)),
        ("13 Agu 2024 08:00 WIT", datetime(2024, 8, 12, 23, 0, tzinfo=timezone.utc)),
        ("Jumat, 9 Nopember 2023 - 14:05 WIB", datetime(2023, 11, 9, 7, 5, tzinfo=timezone.utc)),
        ("Rabu, 14 Agustus 2024 | 10:00 WIB", datetime(2024, 8, 14, 3, 0, tzinfo=timezone.utc)),
        ("2024-08-12T10:00:00+07:00", datetime(2024, 8, 12, 3, 0, tzinfo=timezone.utc)),
        ("Mon, 12 Aug 2024 10:00:00 GMT", datetime(2024, 8, 12, 10, 0, tzinfo=timezone.utc)),
    ],
)
def test_indonesian_dates(raw, utc):
    assert parse_date(raw) == utc


def test_not_a_date():
    assert parse_date("") is None and parse_date("bukan tanggal sama sekali xyz") is None


def test_html_page_names_its_feed(local_site):
    local_site.routes["/berita"] = (200, {"Content-Type": "text/html"},
                                    b'<!DOCTYPE html><html><head><link type="application/rss+xml" rel="alternate" '
                                    b"href='/rss/terkini.xml'></head><body>Beranda</body></html>")
    result = poll(local_site, "/berita")
    assert result.status == "html_not_feed" and result.error.endswith(local_site.url("/rss/terkini.xml"))


def test_feed_content_comes_before_the_summary(local_site):
    content = "<p>Isi lengkap dari feed: Perda No. 3/2024 tentang retribusi.</p><p>Baca Juga: lain</p><p>Paragraf dua.</p>"
    e = FeedEntry(url=local_site.url("/gone.html"), guid="g", title="  Judul \n berita ", published_at=None,
                  published_raw=None, summary="Ringkasan saja", content=content)
    local_site.routes["/teaser.html"] = (200, {"Content-Type": "text/html"}, b"<html><body><p>Langganan dulu.</p></body></html>")
    with make_client(FAST) as client:
        from_feed = fetch_article(client, e, "f", FAST)
        teaser = fetch_article(client, FeedEntry(**{**e.__dict__, "url": local_site.url("/teaser.html")}), "f", FAST)
    assert from_feed.body_status == "feed_content" and from_feed.title == "Judul berita"
    assert from_feed.body == "Isi lengkap dari feed: Perda No. 3/2024 tentang retribusi.\nParagraf dua."
    assert teaser.body_status == "feed_content" and teaser.fetch_error == "no main text found on the page"

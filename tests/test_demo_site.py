"""The bundled demo site (demo/site, demo/server.py) and its manifest (demo/expected.json)."""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest

from pantau.demo.server import PLACEHOLDER, SITE_DIR, feed_urls, serve_demo

DEMO_DIR = Path(__file__).resolve().parents[1] / "demo"
MANIFEST = json.loads((DEMO_DIR / "expected.json").read_text(encoding="utf-8"))
GOOD_FEEDS = [f for f in MANIFEST["feeds"] if not f["broken"]]
ARTICLES = MANIFEST["articles"]
ALL_LINKS = [item["link"] for f in GOOD_FEEDS for item in f["items"]]


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers.get("Content-Type", ""), err.read()


class _ArticleText(HTMLParser):
    """Collects the text of <p> elements inside <article>, one string per paragraph."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.in_p = False
        self.paragraphs: list[str] = []
        self.title = ""
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "article":
            self.depth += 1
        elif tag == "p" and self.depth:
            self.in_p = True
            self.paragraphs.append("")
        elif tag == "h1" and self.depth:
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.depth -= 1
        elif tag == "p":
            self.in_p = False
        elif tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self.in_p:
            self.paragraphs[-1] += data
        elif self._in_h1:
            self.title += data


def article_paragraphs(html: str) -> tuple[str, list[str]]:
    parser = _ArticleText()
    parser.feed(html)
    return parser.title.strip(), [" ".join(p.split()) for p in parser.paragraphs]


@pytest.fixture(scope="module")
def base() -> str:
    with serve_demo() as base_url:
        yield base_url


# --- the manifest is consistent with the files ---------------------------------------------------------------


def test_manifest_matches_site_files() -> None:
    pages = {f"/berita/{p.name}" for p in (SITE_DIR / "berita").glob("*.html")}
    assert pages == set(ARTICLES)
    assert len(pages) == 6
    feeds = {f"/feeds/{p.name}" for p in (SITE_DIR / "feeds").glob("*.xml")}
    assert feeds == {f["path"] for f in MANIFEST["feeds"]}
    assert [f["path"] for f in MANIFEST["feeds"] if f["broken"]] == [MANIFEST["broken_feed"]]
    for missing in MANIFEST["missing_pages"]:
        assert missing in ALL_LINKS
        assert missing not in pages
    assert sorted(set(ALL_LINKS) - set(MANIFEST["missing_pages"])) == sorted(pages)


def test_distinct_regulations_count_each_regulation_once() -> None:
    keyed = {}
    for path, article in ARTICLES.items():
        for reg in article["regulations"]:
            keyed.setdefault((reg["type"], reg["issuer"], reg["number"], reg["year"]), set()).add((path, reg["text"]))
    distinct = MANIFEST["distinct_regulations"]
    assert {(d["type"], d["issuer"], d["number"], d["year"]) for d in distinct} == set(keyed)
    assert len(distinct) == len(keyed) == 9
    total_mentions = sum(len(a["regulations"]) for a in ARTICLES.values())
    assert total_mentions == 11  # 9 regulations, two of them cited in two articles in two different forms
    several = [d for d in distinct if len({m["page"] for m in d["mentions"]}) > 1]
    assert sorted(d["label"] for d in several) == sorted(MANIFEST["regulations_mentioned_in_several_articles"])
    assert len(several) == 2
    for d in several:
        assert len({m["text"] for m in d["mentions"]}) == 2, d  # the same regulation, written two ways
    labels = {d["label"] for d in distinct}
    for article in ARTICLES.values():
        for ref in article["regulation_references_without_number"]:
            assert ref["refers_to"] in labels


# --- the server ----------------------------------------------------------------------------------------------


def test_feed_urls(base: str) -> None:
    feeds = feed_urls(base)
    assert [f["url"] for f in feeds] == [base + f["path"] for f in MANIFEST["feeds"]]
    assert [f["name"] for f in feeds] == [f["name"] for f in MANIFEST["feeds"]]
    assert {f["region"] for f in feeds} == {"Jawa Barat"}
    assert base.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("feed", GOOD_FEEDS, ids=lambda f: f["path"])
def test_good_feed_parses_with_absolute_links(base: str, feed: dict) -> None:
    status, ctype, body = fetch(base + feed["path"])
    assert status == 200
    assert ctype == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == feed["name"]
    assert len(parsed.entries) == feed["expected_entries"]
    for entry, item in zip(parsed.entries, feed["items"], strict=True):
        assert entry.title == item["title"]
        assert entry.link == base + item["link"]
        assert entry.id == base + item["link"]
        assert entry.published_parsed is not None
        assert entry.published.endswith("+0700")
        assert entry.published_parsed.tm_year in (2024, 2025)
        assert entry.get("summary", "").strip()


def test_broken_feed_yields_no_entries(base: str) -> None:
    status, ctype, body = fetch(base + MANIFEST["broken_feed"])
    assert status == 200
    assert ctype == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(body)
    assert parsed.bozo
    assert parsed.entries == []


@pytest.mark.parametrize("path", sorted(ARTICLES))
def test_article_page_served(base: str, path: str) -> None:
    status, ctype, body = fetch(base + path)
    assert status == 200
    assert ctype == "text/html; charset=utf-8"
    html = body.decode("utf-8")
    expected = ARTICLES[path]
    title, paragraphs = article_paragraphs(html)
    assert title == expected["title"]
    text = "\n".join(p for p in paragraphs if p not in expected["boilerplate_lines"])
    assert 250 <= len(" ".join(paragraphs).split()) <= 500
    for line in expected["boilerplate_lines"]:
        assert line in paragraphs  # its own <p> inside the article body
    for reg in expected["regulations"]:
        assert reg["text"] in text
    for ref in expected["regulation_references_without_number"]:
        assert ref["text"] in text
    for official in expected["officials"]:
        assert f"{official['office']} {official['name']}" in text
    for org in expected["organizations"]:
        for surface in org["surfaces"]:
            assert surface in text
    for figure in expected["figures"]:
        assert figure["text"] in text
    for quote in expected["quotes"]:
        assert "“" + quote["starts_with"] in text
    for s in expected["not_regulations"]:
        assert s in text
    for s in expected["must_not_extract_from_boilerplate"]:
        assert s not in text  # only in the boilerplate lines
        assert any(s in line for line in expected["boilerplate_lines"])
    assert f'<time datetime="{expected["published"]}"' in html


def test_missing_page_is_404(base: str) -> None:
    for path in MANIFEST["missing_pages"]:
        status, ctype, _ = fetch(base + path)
        assert status == 404
        assert ctype.startswith("text/html")


@pytest.mark.parametrize(
    "path", ["/berita/tidak-ada.html", "/feeds/tidak-ada.xml", "/../server.py", "/%2e%2e/server.py"]
)
def test_unknown_and_outside_paths_are_404(base: str, path: str) -> None:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        assert resp.status == 404
        assert b"def serve_demo" not in resp.read()
    finally:
        conn.close()


def test_placeholder_is_substituted_everywhere(base: str) -> None:
    paths = ["/", *(f["path"] for f in MANIFEST["feeds"]), *ARTICLES]
    for path in paths:
        status, _, body = fetch(base + path)
        assert status == 200, path
        text = body.decode("utf-8")
        assert PLACEHOLDER not in text, path
        assert "{{" not in text, path
    # the raw files do use it (otherwise the substitution test above is vacuous)
    assert PLACEHOLDER in (SITE_DIR / "feeds" / "jabar-pemerintahan.xml").read_text(encoding="utf-8")


def test_head_request(base: str) -> None:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request("HEAD", "/feeds/kota-bandung.xml")
        resp = conn.getresponse()
        assert resp.status == 200
        assert int(resp.headers["Content-Length"]) > 0
        assert resp.read() == b""
    finally:
        conn.close()


def test_server_is_quiet_and_stops_on_exit(capfd: pytest.CaptureFixture[str]) -> None:
    with serve_demo() as base_url:
        assert fetch(base_url + "/feeds/jabar-pemerintahan.xml")[0] == 200
        assert fetch(base_url + MANIFEST["missing_pages"][0])[0] == 404
    out, err = capfd.readouterr()
    assert out == ""
    assert err == ""
    url = urlsplit(base_url)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((url.hostname, url.port), timeout=2).close()


def test_trafilatura_extracts_article_body(base: str) -> None:
    trafilatura = pytest.importorskip("trafilatura", exc_type=ImportError)
    for path, expected in ARTICLES.items():
        _, _, body = fetch(base + path)
        text = trafilatura.extract(body.decode("utf-8"), url=base + path) or ""
        for reg in expected["regulations"]:
            assert reg["text"] in text, (path, reg["text"])
        for figure in expected["figures"]:
            assert figure["text"] in text, (path, figure["text"])
        for quote in expected["quotes"]:
            assert quote["starts_with"] in text, (path, quote["starts_with"])
        for furniture in expected["page_furniture"]:
            assert furniture not in text, (path, furniture)

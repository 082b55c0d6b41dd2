"""Polling one feed: conditional GET, a body hash for feeds that send no validators, feedparser on the bytes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin

import feedparser
import httpx

from pantau.ingest.dates import from_struct, parse_date
from pantau.ingest.http import fetch, make_client
from pantau.settings import HttpSettings
from pantau.types import FeedEntry, FeedPoll, FeedState


def poll_feed(client: httpx.Client, feed: FeedState, settings: HttpSettings) -> FeedPoll:
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    got = fetch(client, feed.url, settings, headers)
    poll = FeedPoll(feed_id=feed.feed_id, url=feed.url, status=got.status, http_status=got.http_status,
                    error=got.error, elapsed_ms=got.elapsed_ms, attempts=got.attempts,
                    etag=feed.etag, last_modified=feed.last_modified, body_hash=feed.body_hash)
    if got.status == "not_modified":
        return poll
    if got.status != "ok":
        return poll
    # validators are only kept from a good response: a 5xx page's ETag must not suppress the next real poll
    poll.etag = got.headers.get("etag") or None
    poll.last_modified = got.headers.get("last-modified") or None
    poll.body_hash = hashlib.sha256(got.content).hexdigest()
    if poll.body_hash == feed.body_hash:  # unchanged although the server sent no validators: skip parsing
        poll.status = "not_modified"
        return poll
    base = got.final_url or feed.url
    try:
        parsed = feedparser.parse(got.content, response_headers={"content-location": base, **got.headers})
    except Exception as exc:  # feedparser is robust, but a crash in it must not stop the run
        poll.status, poll.error, poll.body_hash = "parse_error", f"feedparser failed: {type(exc).__name__}: {exc}", None
        return poll
    entries = [_entry(raw, base) for raw in parsed.entries]
    poll.entries = _unique(e for e in entries if e)
    poll.skipped_entries = len(entries) - len(poll.entries)
    problem = _problem(parsed)
    if not poll.entries:
        head = got.content[:2048].lower()
        if not parsed.get("version") and (b"<html" in head or b"<!doctype html" in head):
            poll.status, poll.error = "html_not_feed", "the URL returned an HTML page, not a feed"
            alternate = discover_feed(got.content, base)
            if alternate:
                poll.error += f"; the page names a feed at {alternate}"
        elif problem:
            poll.status, poll.error = "parse_error", f"not a readable feed: {problem}"
        else:
            poll.status = "empty"
        poll.body_hash = poll.etag = poll.last_modified = None  # fetch and parse it in full next time
    elif problem:
        poll.problem = problem
    return poll


def poll_many(feeds: Sequence[FeedState], settings: HttpSettings, workers: int = 16) -> list[FeedPoll]:
    """Poll many feeds on a thread pool sharing one client; per-host limits still apply (`ingest.http`)."""
    if not feeds:
        return []
    with make_client(settings) as client, ThreadPoolExecutor(max_workers=max(1, min(workers, len(feeds)))) as pool:
        return list(pool.map(lambda feed: poll_feed(client, feed, settings), feeds))


_LINK_TAG = re.compile(rb"<link\b[^>]*>", re.I)
_ATTR = re.compile(rb"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")


def discover_feed(page: bytes, base: str) -> str | None:
    """The feed an HTML page advertises (`<link rel="alternate" type="application/rss+xml" href=…>`), if any."""
    for tag in _LINK_TAG.findall(page[:200_000]):
        attrs = {m.group(1).decode().lower(): (m.group(2) or m.group(3) or m.group(4) or b"").decode("utf-8", "replace")
                 for m in _ATTR.finditer(tag)}
        if "alternate" in attrs.get("rel", "").lower().split() and attrs.get("href") and \
                attrs.get("type", "").lower() in ("application/rss+xml", "application/atom+xml"):
            return urljoin(base, attrs["href"].strip())
    return None


def _problem(parsed: feedparser.FeedParserDict) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "malformed feed"


def _unique(entries) -> list[FeedEntry]:
    """One entry per guid and per link, first one wins (feeds repeat items, and some reuse one guid)."""
    seen: set[str] = set()
    out = []
    for entry in entries:
        keys = {f"url:{entry.url}"} | ({f"guid:{entry.guid}"} if entry.guid else set())
        if keys & seen:
            continue
        seen |= keys
        out.append(entry)
    return out


def _entry(raw: feedparser.FeedParserDict, base: str) -> FeedEntry | None:
    guid = (raw.get("id") or raw.get("guid") or "").strip() or None
    link = (raw.get("link") or "").strip()
    if not link:  # no <link>: a guid that looks like a URL (absolute or relative) is the article's address
        link = guid if guid and guid.startswith(("http://", "https://", "/")) else ""
    if not link:
        return None
    url = urljoin(base, link)
    if not url.startswith(("http://", "https://")):
        return None
    published_raw = raw.get("published") or raw.get("updated")
    published = parse_date(published_raw) or from_struct(raw.get("published_parsed") or raw.get("updated_parsed"))
    content = raw.get("content")
    return FeedEntry(
        url=url,
        guid=guid,
        title=raw.get("title"),
        published_at=published,
        published_raw=published_raw,
        summary=raw.get("summary"),
        content=content[0].get("value") if content else None,
    )

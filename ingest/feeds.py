"""Polling one feed: conditional GET, a body hash for feeds that send no validators, feedparser on the bytes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import feedparser
import httpx

from ingest.dates import from_struct, parse_date
from ingest.http import fetch
from pantau.config import HttpSettings


@dataclass
class FeedState:
    """What we remember of a feed between polls."""

    feed_id: str
    url: str
    name: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass
class FeedEntry:
    url: str
    guid: str | None
    title: str | None
    published_at: datetime | None
    published_raw: str | None
    summary: str | None
    content: str | None


@dataclass
class FeedPoll:
    feed_id: str
    url: str
    status: str
    http_status: int | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    entries: list[FeedEntry] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


def poll_feed(client: httpx.Client, feed: FeedState, settings: HttpSettings) -> FeedPoll:
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    got = fetch(client, feed.url, settings, headers)
    poll = FeedPoll(feed_id=feed.feed_id, url=feed.url, status=got.status, http_status=got.http_status,
                    error=got.error, elapsed_ms=got.elapsed_ms,
                    etag=got.headers.get("etag", feed.etag), last_modified=got.headers.get("last-modified", feed.last_modified),
                    body_hash=feed.body_hash)
    if got.status != "ok":
        return poll
    poll.body_hash = hashlib.sha256(got.content).hexdigest()
    if poll.body_hash == feed.body_hash:  # unchanged although the server sent no validators: skip parsing
        poll.status = "not_modified"
        return poll
    parsed = feedparser.parse(got.content, response_headers={"content-location": got.final_url or feed.url,
                                                             **{k.lower(): v for k, v in got.headers.items()}})
    poll.entries = [e for e in (_entry(raw, got.final_url or feed.url) for raw in parsed.entries) if e]
    problem = str(parsed.get("bozo_exception", "")) if parsed.get("bozo") else None
    if not poll.entries:
        head = got.content[:2048].lower()
        if not parsed.get("version") and (b"<html" in head or b"<!doctype html" in head):
            poll.status, poll.error = "html_not_feed", "the URL returned an HTML page, not a feed"
        elif problem:
            poll.status, poll.error = "parse_error", f"not a readable feed: {problem}"
        else:
            poll.status = "empty"
        poll.body_hash = None  # try parsing again next time
    elif problem:
        poll.error = f"feed has errors but yielded entries: {problem}"
    return poll


def _entry(raw: feedparser.FeedParserDict, base: str) -> FeedEntry | None:
    guid = raw.get("id") or raw.get("guid")
    link = raw.get("link") or (guid if guid and guid.startswith(("http://", "https://", "/")) else None)
    if not link:
        return None
    published_raw = raw.get("published") or raw.get("updated")
    published = from_struct(raw.get("published_parsed") or raw.get("updated_parsed")) or parse_date(published_raw)
    content = raw.get("content")
    return FeedEntry(
        url=urljoin(base, link),
        guid=guid,
        title=raw.get("title"),
        published_at=published,
        published_raw=published_raw,
        summary=raw.get("summary"),
        content=content[0].get("value") if content else None,
    )

"""Fetching one article page: main text by trafilatura, falling back to the feed's content, then its summary."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import httpx
import trafilatura

from extractors.boilerplate import clean_text
from ingest.feeds import FeedEntry
from ingest.http import fetch
from ingest.urls import canonical_url, stable_id
from pantau.config import HttpSettings

_TAG = re.compile(r"<[^>]+>")


@dataclass
class Article:
    article_id: str
    url: str
    canonical_url: str
    feed_id: str | None
    guid: str | None
    title: str | None
    published_at: datetime  # UTC; the fetch time when the feed gives none
    published_raw: str | None
    fetched_at: datetime
    body: str  # boilerplate-free text
    body_status: str  # full | feed_content | summary_only | failed
    http_status: int | None
    fetch_error: str | None
    content_hash: str | None


def article_key(url: str) -> tuple[str, str]:
    """(article_id, canonical_url) for a link."""
    canonical = canonical_url(url)
    return stable_id(canonical), canonical


def fetch_article(client: httpx.Client, entry: FeedEntry, feed_id: str | None, settings: HttpSettings) -> Article:
    fetched_at = datetime.now(timezone.utc)
    got = fetch(client, entry.url, settings)
    body, body_status = "", "failed"
    if got.status == "ok":
        page = got.content.decode(_charset(got.headers), errors="replace")
        body = trafilatura.extract(page, include_comments=False, include_tables=False, favor_precision=True) or ""
        body_status = "full" if body.strip() else "failed"
    for fallback, status in ((entry.content, "feed_content"), (entry.summary, "summary_only")):
        if body_status == "failed" and fallback and _strip_html(fallback):
            body, body_status = _strip_html(fallback), status
    body = clean_text(body) if body else ""
    article_id, canonical = article_key(entry.url)
    return Article(
        article_id=article_id,
        url=entry.url,
        canonical_url=canonical,
        feed_id=feed_id,
        guid=entry.guid,
        title=entry.title,
        published_at=entry.published_at or fetched_at,
        published_raw=entry.published_raw,
        fetched_at=fetched_at,
        body=body,
        body_status=body_status,
        http_status=got.http_status,
        fetch_error=got.error if got.status != "ok" else (None if body_status == "full" else "no main text found"),
        content_hash=hashlib.sha256(body.encode("utf-8")).hexdigest() if body else None,
    )


def _charset(headers: dict[str, str]) -> str:
    match = re.search(r"charset=([\w-]+)", headers.get("content-type", ""), re.I)
    return match.group(1) if match else "utf-8"


def _strip_html(fragment: str) -> str:
    return html.unescape(_TAG.sub(" ", fragment)).strip()

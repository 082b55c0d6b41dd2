"""Fetching one article page: main text by trafilatura, falling back to the feed's content, then its summary.

`body_status` says which one the body is: `full` (the page's main text), `feed_content` (the feed's
`content:encoded`), `summary_only` (the feed's description), `failed` (nothing usable). Indonesian boilerplate
(`Baca Juga: …`, credits, datelines) is removed by `extractors.boilerplate.clean_text` before hashing, so the content
hash and the simhash see what the extractors see.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import trafilatura

from pantau.dedup import content_hash as hash_body
from pantau.dedup import simhash as simhash_of
from pantau.extractors.boilerplate import clean_text, dateline_place
from pantau.ingest.http import fetch, make_client
from pantau.settings import HttpSettings
from pantau.types import Article, FeedEntry
from pantau.urls import article_key

_TAG = re.compile(r"<[^>]+>")
_BLOCK_END = re.compile(r"</(?:p|div|h[1-6]|li|blockquote)\s*>|<br\s*/?>", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)
MIN_FULL_CHARS = 200  # a page "main text" shorter than this (a cookie notice, a teaser) is not the article


def fetch_article(client: httpx.Client, entry: FeedEntry, feed_id: str | None, settings: HttpSettings) -> Article:
    fetched_at = datetime.now(timezone.utc)
    got = fetch(client, entry.url, settings)
    body, body_status, problem, dateline = "", "failed", got.error, None
    if got.status == "ok":
        try:
            page = _decode(got.content, got.headers)
            text = trafilatura.extract(page, include_comments=False, include_tables=False, favor_precision=True)
        except Exception as exc:  # trafilatura/lxml on hostile markup: a status, not a crash
            text, problem = None, f"main text extraction failed: {type(exc).__name__}: {exc}"
        body = clean_text(text or "")
        dateline = dateline_place(text or "")
        if len(body) >= MIN_FULL_CHARS or (body and not (entry.content or entry.summary)):
            body_status = "full"
        else:
            body = ""
            problem = problem or "no main text found on the page"
    for fallback, status in ((entry.content, "feed_content"), (entry.summary, "summary_only")):
        if body_status == "failed" and fallback:
            raw = _strip_html(fallback)
            text = clean_text(raw)
            if text:
                body, body_status, dateline = text, status, dateline_place(raw)
    article_id, canonical = article_key(entry.url)
    return Article(
        article_id=article_id,
        url=entry.url,
        canonical_url=canonical,
        feed_id=feed_id,
        guid=entry.guid,
        title=" ".join(entry.title.split()) if entry.title else None,
        published_at=entry.published_at or fetched_at,
        published_raw=entry.published_raw,
        fetched_at=fetched_at,
        body=body,
        body_status=body_status,
        http_status=got.http_status,
        fetch_error=None if body_status == "full" else problem,
        content_hash=hash_body(body),
        simhash=simhash_of(body),
        dateline=dateline if body else None,
    )


def fetch_many(entries: Sequence[tuple[str | None, FeedEntry]], settings: HttpSettings,
               workers: int = 8) -> list[Article]:
    """Fetch article pages on a thread pool sharing one client; per-host limits still apply (`ingest.http`)."""
    if not entries:
        return []
    with make_client(settings) as client, ThreadPoolExecutor(max_workers=max(1, min(workers, len(entries)))) as pool:
        return list(pool.map(lambda item: fetch_article(client, item[1], item[0], settings), entries))


def _decode(content: bytes, headers: dict[str, str]) -> str:
    """The page as text: the HTTP charset, else a <meta charset>, else UTF-8, else Windows-1252."""
    match = re.search(r"charset=[\"']?([\w-]+)", headers.get("content-type", ""), re.I)
    declared = match.group(1) if match else None
    if not declared:
        meta = _META_CHARSET.search(content[:4096])
        declared = meta.group(1).decode("ascii", "replace") if meta else None
    for encoding in (declared, "utf-8"):
        if not encoding:
            continue
        try:
            return content.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return content.decode("windows-1252", errors="replace")


def _strip_html(fragment: str) -> str:
    return html.unescape(_TAG.sub(" ", _BLOCK_END.sub("\n", fragment))).strip()

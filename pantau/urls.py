"""Canonical article URLs: the identity of an article across feeds, tracking parameters and mobile/AMP variants."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "fbclid", "gclid", "mc_", "ref", "source")
_AMP_SEGMENTS = {"amp"}


def canonical_url(url: str, base: str | None = None) -> str:
    """Lower-case host without `www.`/`m.`/`amp.`, no fragment, no tracking query, no `/amp` part, no trailing slash."""
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    netloc = host + (f":{parts.port}" if parts.port and parts.port not in (80, 443) else "")
    segments = [s for s in parts.path.split("/") if s and s.lower() not in _AMP_SEGMENTS]
    path = "/" + "/".join(segments)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(_TRACKING_PREFIXES) and k.lower() != "amp"]
    return urlunsplit(((parts.scheme or "http").lower(), netloc, path, urlencode(sorted(query)), ""))


def stable_id(text: str) -> str:
    """A short stable id (article_id, feed_id) from a canonical string."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def article_key(url: str) -> tuple[str, str]:
    """(article_id, canonical_url) for a link."""
    canonical = canonical_url(url)
    return stable_id(canonical), canonical

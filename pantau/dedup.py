"""Duplicate detection for article bodies: an exact content hash and a 64-bit simhash for near-duplicates
(syndicated copies of one agency story with another dateline, headline or a trimmed paragraph).

Both are computed on the boilerplate-free body (`extractors.boilerplate.clean_text`), so site furniture never makes
two copies of one story look different. Pure functions; the look-up of earlier articles is `warehouse.dedup`.
"""

from __future__ import annotations

import hashlib
import re

MIN_WORDS = 40  # below this a body (a feed summary) is too short for a meaningful simhash
MIN_CHARS = 200  # shorter bodies (teasers, one-line summaries) are never called duplicates: too little to go on
CANDIDATE_BITS = 12  # simhashes this close make two bodies candidates (distinct stories measure 20+ bits apart) …
SAME_STORY = 0.6  # … and a Jaccard similarity of their word 3-shingles at least this makes them one story
_WORD = re.compile(r"\w+", re.UNICODE)


def content_hash(body: str) -> str | None:
    """sha256 of the body with whitespace and case normalized, or None for an empty body."""
    norm = " ".join(body.lower().split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest() if norm else None


def _h64(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")


def simhash(body: str, shingle: int = 2) -> int | None:
    """A signed 64-bit simhash (DuckDB BIGINT) over word shingles, or None when the body is too short."""
    words = _WORD.findall(body.lower())
    if len(words) < MIN_WORDS:
        return None
    weights = [0] * 64
    for i in range(len(words) - shingle + 1):
        h = _h64(" ".join(words[i:i + shingle]))
        for bit in range(64):
            weights[bit] += 1 if (h >> bit) & 1 else -1
    value = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def distance(a: int, b: int) -> int:
    """Hamming distance of two (signed) 64-bit simhashes."""
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def shingles(body: str, size: int = 3) -> set[str]:
    words = _WORD.findall(body.lower())
    return {" ".join(words[i:i + size]) for i in range(max(1, len(words) - size + 1))}


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the word 3-shingles of two bodies."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


def same_story(a: str, b: str) -> bool:
    return similarity(a, b) >= SAME_STORY

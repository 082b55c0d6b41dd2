"""Finding the original of a duplicate article: same content hash, or a near simhash confirmed by shingle overlap.

A duplicate keeps its own row in `articles` (its URL, feed and dates are facts too) with `duplicate_of` set to the
first stored article of the story; it gets no facts, so no view counts a syndicated story twice.
"""

from __future__ import annotations

import duckdb

from pantau.dedup import CANDIDATE_BITS, MIN_CHARS, same_story

NEAR_WINDOW_DAYS = 30  # near-duplicates are looked for among the articles fetched this recently


def find_original(con: duckdb.DuckDBPyConnection, article_id: str, content_hash: str | None, simhash: int | None,
                  body: str) -> str | None:
    """The article_id this body duplicates (never `article_id` itself), or None."""
    if len(body or "") < MIN_CHARS:
        return None
    if content_hash:
        row = con.execute(
            """SELECT coalesce(duplicate_of, article_id) FROM articles
               WHERE content_hash = ? AND article_id <> ? AND coalesce(duplicate_of, '') <> ?
               ORDER BY fetched_at, article_id LIMIT 1""",
            [content_hash, article_id, article_id],
        ).fetchone()
        if row:
            return row[0]
    if simhash is not None:
        rows = con.execute(
            """SELECT article_id, body FROM articles
               WHERE simhash IS NOT NULL AND duplicate_of IS NULL AND article_id <> ?
                 AND bit_count(xor(simhash, ?::BIGINT)) <= ?
                 -- syndicated copies follow within days: only the latest weeks of the warehouse are searched
                 AND fetched_at >= (SELECT max(fetched_at) FROM articles) - to_days(?)
               ORDER BY fetched_at, article_id""",
            [article_id, simhash, CANDIDATE_BITS, NEAR_WINDOW_DAYS],
        ).fetchall()
        for candidate, candidate_body in rows:
            if candidate_body and same_story(body, candidate_body):
                return candidate
    return None

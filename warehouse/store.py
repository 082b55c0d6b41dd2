"""Writes about articles and their facts. Stable ids make every write idempotent."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb

from pantau.dedup import CANDIDATE_BITS, distance
from pantau.types import Article, ArticleFacts, FeedEntry, FeedPoll
from pantau.urls import article_key
from pantau.warehouse.dedup import find_original
from pantau.warehouse.transactions import transaction

METHOD = "pantau-pipeline"  # every fact comes from the one spaCy pipeline (rules + trained NER)


def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- articles --------------------------------------------------------------------------------------------------

def entries_to_fetch(
    con: duckdb.DuckDBPyConnection, polls: Sequence[FeedPoll], max_attempts: int
) -> list[tuple[str, FeedEntry]]:
    """New entries (by canonical URL, first feed wins), plus earlier failures still worth another try."""
    known = dict(con.execute(
        "SELECT article_id, body_status = 'full' OR fetch_attempts >= ? FROM articles", [max_attempts]
    ).fetchall())
    chosen: dict[str, tuple[str, FeedEntry]] = {}
    for poll in polls:
        for entry in poll.entries:
            article_id, _ = article_key(entry.url)
            if article_id in chosen or known.get(article_id, False):
                continue
            chosen[article_id] = (poll.feed_id, entry)
    # Earlier failures are retried even when their feed is unchanged (not_modified feeds yield no entries); what
    # was kept from the feed goes back in as the fallback, so a retry that fails again loses nothing.
    retries = con.execute(
        """SELECT article_id, feed_id, url, guid, title, published_at, published_raw, body, body_status FROM articles
           WHERE body_status <> 'full' AND fetch_attempts < ? AND duplicate_of IS NULL ORDER BY fetched_at""",
        [max_attempts],
    ).fetchall()
    for article_id, feed_id, url, guid, title, published_at, published_raw, body, body_status in retries:
        if article_id not in chosen:
            kept = body or None
            chosen[article_id] = (feed_id, FeedEntry(
                url=url, guid=guid, title=title, published_at=published_at, published_raw=published_raw,
                summary=kept if body_status == "summary_only" else None,
                content=kept if body_status == "feed_content" else None))
    return list(chosen.values())


@dataclass
class StoreResult:
    articles_new: int = 0
    articles_failed: int = 0
    new_regulation_ids: list[str] = field(default_factory=list)
    mentions: dict[str, int] = field(default_factory=dict)


def store_batch(
    con: duckdb.DuckDBPyConnection, run_id: str, articles: Sequence[Article], facts: Sequence[ArticleFacts | None]
) -> StoreResult:
    """One transaction per batch: articles upserted, each article's facts replaced, regulations first-seen."""
    result = StoreResult(mentions={"regulation": 0, "person": 0, "organization": 0, "figure": 0, "quote": 0})
    rows: dict[str, list] = {}  # the batch's fact rows, written by `_flush` in one statement per table
    pending: list[tuple[Article, ArticleFacts | None]] = []  # new articles, inserted together by `_insert_new`
    with transaction(con):
        known = _existing_ids(con, [a.article_id for a in articles])
        stored_before = set(known)  # only these can have old facts to delete
        candidates = _dedup_candidates(con, articles)
        for k, (article, article_facts) in enumerate(zip(articles, facts, strict=True)):
            if pending and _related(article, [a for a, _ in pending]):  # find_original must see those rows
                _insert_new(con, run_id, pending)
            existed = article.article_id in known
            if article.article_id in candidates or _related(article, articles[:k]):
                article.duplicate_of = find_original(con, article.article_id, article.content_hash, article.simhash,
                                                     article.body)
            else:  # nothing stored shares its hash or is near its simhash: find_original would find nothing
                article.duplicate_of = None
            if article.duplicate_of:  # a syndicated copy: linked to its original, its facts not stored twice
                article_facts = None
            if existed:
                _upsert_article(con, run_id, article, article_facts)
            else:
                pending.append((article, article_facts))
                known.add(article.article_id)
            result.articles_new += not existed
            result.articles_failed += article.body_status == "failed"
            if article_facts is not None:
                result.new_regulation_ids += _replace_facts(con, article, article_facts, result.mentions, rows)
        _insert_new(con, run_id, pending)
        rows["_delete"] = [i for i in rows.get("_delete", []) if i in stored_before]
        _flush(con, rows, result.mentions)
    return result


def _existing_ids(con: duckdb.DuckDBPyConnection, article_ids: list[str]) -> set[str]:
    return {r[0] for r in con.execute("SELECT article_id FROM articles WHERE article_id IN "
                                      "(SELECT unnest(?::VARCHAR[]))", [article_ids]).fetchall()}


def _dedup_candidates(con: duckdb.DuckDBPyConnection, articles: Sequence[Article]) -> set[str]:
    """The batch's articles for which `find_original` could find a stored original (the same conditions as its two
    queries, for the whole batch in one query); for the others it would return None."""
    if not articles:
        return set()
    rows = con.execute(
        """WITH b AS (SELECT unnest(?::VARCHAR[]) AS id, unnest(?::VARCHAR[]) AS h, unnest(?::BIGINT[]) AS s)
           SELECT DISTINCT b.id FROM b JOIN articles a ON a.article_id <> b.id
             AND ((b.h IS NOT NULL AND a.content_hash = b.h)
                  OR (b.s IS NOT NULL AND a.simhash IS NOT NULL AND a.duplicate_of IS NULL
                      AND bit_count(xor(a.simhash, b.s)) <= ?))""",
        [[a.article_id for a in articles], [a.content_hash for a in articles], [a.simhash for a in articles],
         CANDIDATE_BITS]).fetchall()
    return {r[0] for r in rows}


def _related(article: Article, others: Sequence[Article]) -> bool:
    """Could `article` be (or duplicate) one of `others`? Then those must be in the table before it is looked at."""
    for other in others:
        if other.article_id == article.article_id or (article.content_hash and other.content_hash == article.content_hash):
            return True
        if article.simhash is not None and other.simhash is not None and \
                distance(article.simhash, other.simhash) <= CANDIDATE_BITS:
            return True
    return False


def _insert_new(con: duckdb.DuckDBPyConnection, run_id: str, pending: list[tuple[Article, ArticleFacts | None]]) -> None:
    """Articles not yet in the table, in one INSERT (a DuckDB upsert costs ~4 ms a row, this ~0.2 ms); clears it."""
    if not pending:
        return
    now = _now()
    rows = [(a.article_id, a.url, a.canonical_url, a.feed_id, a.guid, a.title, a.published_at, a.published_raw,
             a.fetched_at, a.body, a.body_status, a.http_status, a.fetch_error, a.content_hash,
             f.extractor_version if f else None, now if f else None, run_id, a.simhash, a.duplicate_of, a.dateline)
            for a, f in pending]
    columns = [list(column) for column in zip(*rows)]
    unnest = ", ".join(f"unnest(${i + 1}::{t})" for i, t in enumerate(_ARTICLE_TYPES))
    con.execute(f"""INSERT INTO articles (article_id, url, canonical_url, feed_id, guid, title, published_at,
                                          published_raw, fetched_at, body, body_status, http_status, fetch_error,
                                          content_hash, extractor_version, extracted_at, first_run_id, simhash,
                                          duplicate_of, dateline)
                    SELECT * FROM (SELECT {unnest})""", columns)
    pending.clear()


_ARTICLE_TYPES = ("VARCHAR[]", "VARCHAR[]", "VARCHAR[]", "VARCHAR[]", "VARCHAR[]", "VARCHAR[]", "TIMESTAMPTZ[]",
                  "VARCHAR[]", "TIMESTAMPTZ[]", "VARCHAR[]", "VARCHAR[]", "INTEGER[]", "VARCHAR[]", "VARCHAR[]",
                  "VARCHAR[]", "TIMESTAMPTZ[]", "VARCHAR[]", "BIGINT[]", "VARCHAR[]", "VARCHAR[]")


def _upsert_article(con: duckdb.DuckDBPyConnection, run_id: str, a: Article, facts: ArticleFacts | None) -> None:
    version = facts.extractor_version if facts else None
    con.execute(
        """INSERT INTO articles (article_id, url, canonical_url, feed_id, guid, title, published_at, published_raw,
                                 fetched_at, body, body_status, http_status, fetch_error, content_hash,
                                 extractor_version, extracted_at, first_run_id, simhash, duplicate_of, dateline)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (article_id) DO UPDATE SET
               fetched_at = excluded.fetched_at, body = excluded.body, body_status = excluded.body_status,
               http_status = excluded.http_status, fetch_error = excluded.fetch_error,
               content_hash = excluded.content_hash, extractor_version = excluded.extractor_version,
               extracted_at = excluded.extracted_at, fetch_attempts = articles.fetch_attempts + 1,
               simhash = excluded.simhash, duplicate_of = excluded.duplicate_of,
               dateline = coalesce(excluded.dateline, articles.dateline)""",
        [a.article_id, a.url, a.canonical_url, a.feed_id, a.guid, a.title, a.published_at, a.published_raw,
         a.fetched_at, a.body, a.body_status, a.http_status, a.fetch_error, a.content_hash, version,
         _now() if facts else None, run_id, a.simhash, a.duplicate_of, a.dateline],
    )


_FACT_TABLES = (("regulation_mentions", "regulation"), ("person_mentions", "person"),
                ("organization_mentions", "organization"), ("figures", "figure"), ("quotes", "quote"))
_EVENT_TABLES = ("regulation_events", "regulation_relations")  # replaced with the mentions, not counted as mentions


def _replace_facts(con: duckdb.DuckDBPyConnection, a: Article, f: ArticleFacts, counts: dict[str, int],
                   buffer: dict[str, list] | None = None) -> list[str]:
    """Delete then insert this article's mentions; returns the regulation ids seen here for the first time.

    With `buffer`, the deletes and inserts are collected there and written by `_flush` (one statement per table
    per batch instead of a dozen per article); without, they are written at once."""
    # Counts are net (inserted minus replaced), so a re-extracted article adds nothing to a run's summary.
    own = buffer is None
    buffer = {} if own else buffer
    buffer.setdefault("_delete", []).append(a.article_id)
    v = f.extractor_version
    new_regulations = []
    ids = scoped_regulation_ids(f, a.article_id)
    for r in f.regulations:
        rid = ids[r.regulation_id]
        inserted = con.execute(
            """INSERT INTO regulations (regulation_id, label, type, issuer, number, year, title, date,
                                        first_seen_article_id, first_seen_at, issuer_source, issuer_unknown)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING regulation_id""",
            [rid, r.label, r.type, r.issuer, r.number, r.year, r.title, r.date, a.article_id,
             a.published_at, r.issuer_source, r.issuer_unknown],
        ).fetchall()
        if inserted:
            new_regulations.append(rid)
        elif r.title or r.date:  # a later mention may know the title the first one lacked
            con.execute("UPDATE regulations SET title = coalesce(title, ?), date = coalesce(date, ?) "
                        "WHERE regulation_id = ?", [r.title, r.date, rid])
    rows = [(a.article_id, r.start, r.end, r.text, "citation", ids[r.regulation_id], r.type, r.issuer, r.number,
             r.year, r.title, r.date, METHOD, v) for r in f.regulations]
    rows += [(a.article_id, r.start, r.end, r.text, "reference", ids.get(r.refers_to_id, r.refers_to_id), r.type,
              r.issuer, None, None, r.title, None, METHOD, v) for r in f.regulation_references_without_number]
    _insert(con, "regulation_mentions", rows, buffer=buffer)
    counts["regulation"] += len(rows)

    people = [(o.person_id, o.name, "text") for o in f.officials]
    _insert(con, "people", people, buffer=buffer)
    rows = [(a.article_id, m.start, m.end, m.text, o.person_id, o.office, o.office_source, METHOD, v)
            for o in f.officials for m in o.mentions]
    _insert(con, "person_mentions", rows, buffer=buffer)
    counts["person"] += len(rows)

    orgs = [(o.org_id, o.name, "text") for o in f.organizations]
    _insert(con, "organizations", orgs, buffer=buffer)
    rows = [(a.article_id, m.start, m.end, m.text, o.org_id, METHOD, v) for o in f.organizations for m in o.mentions]
    _insert(con, "organization_mentions", rows, buffer=buffer)
    counts["organization"] += len(rows)

    rows = [(a.article_id, x.start, x.end, x.text, float(x.value), x.unit, x.as_of, v) for x in f.figures]
    _insert(con, "figures", rows, buffer=buffer)
    counts["figure"] += len(rows)
    rows = [(a.article_id, q.start, q.end, q.text, q.speaker, q.person_id, v) for q in f.quotes]
    _insert(con, "quotes", rows, buffer=buffer)
    counts["quote"] += len(rows)

    drafts = {e.draft_id: (e.draft_id, e.type, e.issuer, e.title, a.article_id, a.published_at)
              for e in f.regulation_events if e.draft_id}
    _insert(con, "drafts", list(drafts.values()), buffer=buffer)
    rows = [(a.article_id, e.start, e.end, e.event, ids.get(e.regulation_id, e.regulation_id) if e.regulation_id
             else None, e.draft_id, e.trigger, e.date, e.actor, e.modality, v) for e in f.regulation_events]
    _insert(con, "regulation_events", rows, buffer=buffer)
    rows = [(a.article_id, r.start, r.end, r.relation, ids.get(r.source_regulation_id, r.source_regulation_id),
             ids.get(r.target_regulation_id, r.target_regulation_id), r.trigger, v) for r in f.regulation_relations]
    _insert(con, "regulation_relations", rows, buffer=buffer)
    if own:
        _flush(con, buffer, counts)
    return new_regulations


def _flush(con: duckdb.DuckDBPyConnection, buffer: dict[str, list], counts: dict[str, int]) -> None:
    """Write a batch's collected facts: the replaced articles' old mentions deleted, then the new rows inserted."""
    doomed = buffer.pop("_delete", [])
    if doomed:
        for table, kind in _FACT_TABLES:
            counts[kind] -= con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                                        [doomed]).fetchone()[0]
        for table in _EVENT_TABLES:
            con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [doomed])
    for table, rows in buffer.items():
        _insert(con, table, rows)
    buffer.clear()


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple], conflict: str = "ON CONFLICT DO NOTHING",
            buffer: dict[str, list] | None = None):
    """Rows keyed by (article_id, start_char): two spans starting at one offset keep the first.

    One INSERT per table and batch, its rows sent as ONE JSON parameter read by `json_transform` with the
    table's column types: DuckDB's `executemany` runs one statement per row (~2 ms each), and DuckDB 1.5 converts
    Python list parameters value by value (~45 µs per value: 340 ms for a batch's organization mentions, against
    ~10 ms as JSON)."""
    if buffer is not None:
        buffer.setdefault(table, []).extend(rows)
        return
    if rows:
        width = len(rows[0])
        types = [r[0] for r in con.execute("SELECT data_type FROM information_schema.columns WHERE table_name = ? "
                                           "ORDER BY ordinal_position", [table]).fetchall()][:width]
        structure = json.dumps({f"c{i}": [t] for i, t in enumerate(types)})
        payload = json.dumps({f"c{i}": list(column) for i, column in enumerate(zip(*rows))}, default=str,
                             ensure_ascii=False)
        unnest = ", ".join(f"unnest(j.c{i})" for i in range(width))
        con.execute(f"INSERT INTO {table} SELECT {unnest} FROM (SELECT json_transform(?, '{structure}') AS j) "
                    f"{conflict}", [payload])


def scoped_regulation_ids(f: ArticleFacts, article_id: str) -> dict[str, str]:
    """The stored id of each regulation of an article: a regional regulation whose issuer is unknown gets an id of
    its own article (`peraturan-daerah-7-2022~<article_id>`), so it never merges with another article's citation
    of another regency's Perda 7/2022, nor with a resolved one."""
    return {r.regulation_id: f"{r.regulation_id}~{article_id}" if r.issuer_unknown else r.regulation_id
            for r in f.regulations}


def drop_unmentioned_regulations(con: duckdb.DuckDBPyConnection) -> int:
    """Regulations no mention points to any more (after a reprocess resolved an issuer, say)."""
    return con.execute("""DELETE FROM regulations WHERE regulation_id NOT IN
                              (SELECT regulation_id FROM regulation_mentions WHERE regulation_id IS NOT NULL)"""
                       ).fetchone()[0]


# --- re-extraction (`pantau reprocess`) ---------------------------------------------------------------------------

_ARTICLE_COLUMNS = ("article_id, url, canonical_url, feed_id, guid, title, published_at, published_raw, fetched_at, "
                    "body, body_status, http_status, fetch_error, content_hash, simhash, duplicate_of, dateline")


def articles_to_reprocess(con: duckdb.DuckDBPyConnection, after_id: str | None, limit: int,
                          skip_version: str | None = None) -> list[Article]:
    """Stored articles with text (originals, not duplicates) in article_id order after `after_id` (keyset paging);
    with `skip_version`, only those not yet extracted by that extractor version."""
    rows = con.execute(
        f"""SELECT {_ARTICLE_COLUMNS} FROM articles
            WHERE body IS NOT NULL AND body <> '' AND duplicate_of IS NULL
              AND (? IS NULL OR article_id > ?) AND (? IS NULL OR extractor_version IS DISTINCT FROM ?)
            ORDER BY article_id LIMIT ?""",
        [after_id, after_id, skip_version, skip_version, limit]).fetchall()
    return [Article(*row) for row in rows]


def replace_facts_batch(con: duckdb.DuckDBPyConnection, articles: Sequence[Article],
                        facts: Sequence[ArticleFacts | None]) -> StoreResult:
    """Re-extracted facts: in one transaction, each article's old mentions are replaced by the new ones and the
    article records the extractor version; fetch data stays. New regulations are those never seen before."""
    result = StoreResult(mentions={"regulation": 0, "person": 0, "organization": 0, "figure": 0, "quote": 0})
    rows: dict[str, list] = {}
    with transaction(con):
        for article, article_facts in zip(articles, facts, strict=True):
            if article_facts is None:
                continue
            result.new_regulation_ids += _replace_facts(con, article, article_facts, result.mentions, rows)
            con.execute("UPDATE articles SET extractor_version = ?, extracted_at = ? WHERE article_id = ?",
                        [article_facts.extractor_version, _now(), article.article_id])
        _flush(con, rows, result.mentions)
    return result

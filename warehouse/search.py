"""Full-text search over articles (title and body): BM25 ranking, Indonesian Snowball stemming.

Two backends build the same kind of index; `rebuild` (called after each run: neither is incremental) picks:

- `fts`: DuckDB's `fts` extension, `PRAGMA create_fts_index(... stemmer = 'indonesian')`, queried with
  `fts_main_articles.match_bm25`. The extension is loaded from DuckDB's local extension directory, or from the
  PyPI wheel `duckdb-extension-fts` when its build matches the running DuckDB (it is built per DuckDB version:
  `pip install -e '.[fts]'` pins a matching pair). It is never downloaded from DuckDB's extension host.
- `fallback`, when the extension cannot be loaded: the same model in plain SQL — an inverted index
  (`search_terms`, `search_docs`) built here with the Snowball `indonesian` stemmer from the `snowballstemmer`
  package (the algorithm the extension uses) and BM25 (k1 = 1.2, b = 0.75, the extension's defaults) in a query.

Duplicate articles (`duplicate_of`) are left out of the results. Stopwords: a short Indonesian list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import duckdb

from warehouse.transactions import transaction

FTS_SCHEMA = "fts_main_articles"
K1, B = 1.2, 0.75
STOPWORDS = sorted(set("""
ada adalah agar akan antara atas atau bagi bahwa banyak baru belum bisa dalam dan dari dengan di dia
hingga ia ini itu jadi jika juga kami karena ke kepada kita lagi lain lebih masih mereka oleh pada para
saat sampai sebagai sebuah secara sedang sejak sementara seperti serta setelah sudah tak tanpa telah
tentang tersebut tidak untuk yaitu yakni yang
""".split()))
_WORD = re.compile(r"\w+", re.UNICODE)


class SearchUnavailable(RuntimeError):
    """No index to search: worded for the user."""


@dataclass
class Hit:
    article_id: str
    score: float
    title: str | None
    published_at: object
    url: str
    snippet: str


# --- the fts extension ------------------------------------------------------------------------------------------

def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    """Load DuckDB's fts extension without the network: the local extension directory, then the PyPI wheel."""
    try:
        con.execute("LOAD fts")
        return True
    except duckdb.Error:
        pass
    try:
        module = import_module("duckdb_extension_fts")
    except ImportError:
        return False
    version = con.execute("PRAGMA version").fetchone()[0]
    path = Path(module.__file__).parent / "extensions" / version / "fts.duckdb_extension"
    if not path.exists():
        return False
    try:
        con.execute(f"LOAD '{path}'")
        return True
    except duckdb.Error:
        return False


def fts_status(con: duckdb.DuckDBPyConnection) -> str:
    """A one-line explanation of which backend this DuckDB gets, for `pantau search --why`."""
    if load_fts(con):
        return "fts extension loaded (BM25, indonesian stemmer)"
    version = con.execute("PRAGMA version").fetchone()[0]
    return (f"fts extension not loadable in DuckDB {version} (not installed locally, and no matching "
            "duckdb-extension-fts wheel): using the SQL fallback index (BM25, Snowball indonesian stemmer)")


# --- building ---------------------------------------------------------------------------------------------------

def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("indonesian")


def terms(text: str, stemmer=None) -> list[str]:
    """Lower-cased words, stopwords out, stemmed: the tokens both index and query go through."""
    stemmer = stemmer or _stemmer()
    words = [w for w in _WORD.findall((text or "").lower()) if w not in STOPWORDS]
    return stemmer.stemWords(words)


def rebuild(con: duckdb.DuckDBPyConnection, prefer: str = "auto") -> str:
    """Rebuild the full-text index over `articles`; returns the backend used ('fts' or 'fallback').

    prefer: 'auto' (fts when loadable), 'fallback' (always the SQL index; tests use it).
    """
    con.execute("CREATE OR REPLACE TABLE search_stopwords (sw VARCHAR)")
    con.executemany("INSERT INTO search_stopwords VALUES (?)", [(w,) for w in STOPWORDS])
    if prefer != "fallback" and load_fts(con):
        con.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', stemmer = 'indonesian', "
                    "stopwords = 'search_stopwords', lower = 1, strip_accents = 1, overwrite = 1)")
        con.execute("DROP TABLE IF EXISTS search_terms")
        con.execute("DROP TABLE IF EXISTS search_docs")
        return "fts"
    if _has_fts_index(con) and load_fts(con):
        con.execute("PRAGMA drop_fts_index('articles')")
    _rebuild_fallback(con)
    return "fallback"


def _rebuild_fallback(con: duckdb.DuckDBPyConnection) -> None:
    """Tokenize in SQL, stem each distinct word once in Python, count in SQL: seconds for 100,000s of articles."""
    with transaction(con):
        con.execute(
            r"""CREATE OR REPLACE TEMP TABLE search_tokens AS
                SELECT article_id, unnest(regexp_extract_all(lower(coalesce(title, '') || ' ' || coalesce(body, '')),
                                                             '[\pL\pN_]+')) AS word
                FROM articles""")
        con.execute("DELETE FROM search_tokens WHERE word IN (SELECT sw FROM search_stopwords)")
        words = [w for (w,) in con.execute("SELECT DISTINCT word FROM search_tokens").fetchall()]
        con.execute("CREATE OR REPLACE TEMP TABLE search_stems (word VARCHAR, term VARCHAR)")
        if words:
            con.execute("INSERT INTO search_stems SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                        [words, _stemmer().stemWords(words)])
        con.execute("""CREATE OR REPLACE TABLE search_docs AS
                       SELECT a.article_id, CAST(count(t.word) AS INTEGER) AS len
                       FROM articles a LEFT JOIN search_tokens t USING (article_id) GROUP BY a.article_id""")
        # Postings sorted by term (a query reads only its terms' blocks), each with its document's BM25 length
        # normalization k1 * (1 - b + b * len / avgdl), so a query needs no join to compute scores.
        con.execute("""CREATE OR REPLACE TABLE search_terms AS
                       WITH avg AS (SELECT greatest(avg(len), 1) AS avgdl FROM search_docs)
                       SELECT s.term, t.article_id, CAST(count(*) AS INTEGER) AS tf,
                              any_value(? * (1 - ? + ? * d.len / avg.avgdl)) AS norm
                       FROM search_tokens t JOIN search_stems s USING (word) JOIN search_docs d USING (article_id), avg
                       GROUP BY s.term, t.article_id ORDER BY s.term""", [K1, B, B])
        con.execute("DROP TABLE search_tokens")
        con.execute("DROP TABLE search_stems")


# --- searching --------------------------------------------------------------------------------------------------

def _has_fts_index(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [FTS_SCHEMA]).fetchone()[0])


def _has_fallback_index(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'search_terms' "
                            "AND schema_name = 'main'").fetchone()[0])


def backend(con: duckdb.DuckDBPyConnection) -> str:
    if _has_fts_index(con) and load_fts(con):
        return "fts"
    if _has_fallback_index(con):
        return "fallback"
    if _has_fts_index(con):
        raise SearchUnavailable("the search index was built with DuckDB's fts extension, which this DuckDB cannot "
                                "load; run `pantau run` (or `pantau search --rebuild`) to rebuild it")
    raise SearchUnavailable("no search index yet: run `pantau run` (it rebuilds the index) or `pantau search --rebuild`")


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> tuple[str, list[Hit]]:
    """BM25-ranked articles for `query` (any of its words, stemmed); returns (backend, hits)."""
    which = backend(con)
    if which == "fts":
        rows = con.execute(
            f"""SELECT article_id, score, title, published_at, url, body FROM (
                    SELECT a.*, {FTS_SCHEMA}.match_bm25(a.article_id, ?) AS score FROM unique_articles a)
                WHERE score IS NOT NULL ORDER BY score DESC, published_at DESC LIMIT ?""",
            [query, limit]).fetchall()
    else:
        query_terms = sorted(set(terms(query)))
        if not query_terms:
            return which, []
        marks = ", ".join("?" * len(query_terms))  # literal IN list: the scan skips other terms' blocks
        rows = con.execute(
            f"""WITH postings AS (SELECT * FROM search_terms WHERE term IN ({marks})),
                    idf AS (SELECT term, ln(1 + ((SELECT count(*) FROM search_docs) - count(*) + 0.5) / (count(*) + 0.5)) AS idf
                            FROM postings GROUP BY term),
                    scored AS (
                        SELECT p.article_id, sum(idf.idf * p.tf * (? + 1) / (p.tf + p.norm)) AS score
                        FROM postings p JOIN idf USING (term) GROUP BY p.article_id),
                    best AS (  -- the top of the ranking first, then the articles' text for those few only
                        SELECT article_id, score FROM scored
                        WHERE article_id NOT IN (SELECT article_id FROM articles WHERE duplicate_of IS NOT NULL)
                        ORDER BY score DESC, article_id LIMIT ?)
               SELECT a.article_id, b.score, a.title, a.published_at, a.url, a.body
               FROM best b JOIN articles a USING (article_id)
               ORDER BY b.score DESC, a.published_at DESC""",
            [*query_terms, K1, limit]).fetchall()
    return which, [Hit(r[0], float(r[1]), r[2], r[3], r[4], snippet(r[5] or "", query)) for r in rows]


def snippet(body: str, query: str, width: int = 90) -> str:
    """The body around the first word sharing a stem with the query (else its beginning), on one line."""
    stemmer = _stemmer()
    wanted = set(terms(query, stemmer))
    at = 0
    for match in _WORD.finditer(body):
        if stemmer.stemWord(match.group().lower()) in wanted:
            at = match.start()
            break
    start = max(0, at - width // 2)
    text = " ".join(body[start:start + width * 2].split())
    return ("…" if start else "") + text + ("…" if start + width * 2 < len(body) else "")

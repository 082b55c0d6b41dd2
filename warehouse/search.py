"""Full-text search over articles (title and body): BM25 ranking, Indonesian Snowball stemming.

Two backends tokenize and stem; `rebuild` (called after each run: neither is incremental) picks:

- `fts`: DuckDB's `fts` extension, `PRAGMA create_fts_index(... stemmer = 'indonesian')`. The extension is
  loaded from DuckDB's local extension directory, or from the PyPI wheel `duckdb-extension-fts` when its build
  matches the running DuckDB (it is built per DuckDB version: `pyproject.toml` pins a matching pair). It is never
  downloaded from DuckDB's extension host.
- `fallback`, only when the extension cannot be loaded (a DuckDB with no matching wheel): words split in SQL and
  stemmed by the `snowballstemmer` package's `indonesian` stemmer (the algorithm the extension uses).

Either way the result is `search_postings` (term, docid, BM25 weight with k1 = 1.2, b = 0.75, the extension's
defaults), sorted by term, and `search_docs` (docid → article_id); a query sums the weights of its terms.
Duplicate articles (`duplicate_of`) are left out of the results. Stopwords: a short Indonesian list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

import duckdb

from pantau.warehouse.transactions import transaction

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
    """A one-line explanation of which backend this DuckDB gets (`pantau search` prints it on fallback)."""
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
    """Rebuild the full-text index over the unique articles; returns the backend used ('fts' or 'fallback').

    prefer: 'auto' (fts when loadable), 'fallback' (always the SQL tokenizer; tests use it).
    Both end in the same table, `search_postings`: one row per (term, document) with its whole BM25 weight,
    sorted by term. `match_bm25` evaluates its macro for every article (~0.5 s over 200,000 articles); summing
    precomputed weights reads only the query terms' postings (tens of ms).
    """
    con.execute("CREATE OR REPLACE TABLE search_stopwords (sw VARCHAR)")
    con.executemany("INSERT INTO search_stopwords VALUES (?)", [(w,) for w in STOPWORDS])
    use_fts = prefer != "fallback" and load_fts(con)
    with transaction(con):
        if use_fts:
            _index_with_fts(con)
        else:
            if _has_fts_index(con) and load_fts(con):
                con.execute("PRAGMA drop_fts_index('articles')")
            _index_in_sql(con)
        con.execute("CREATE OR REPLACE TABLE search_index (backend VARCHAR, built_at TIMESTAMPTZ, documents BIGINT)")
        con.execute("INSERT INTO search_index SELECT ?, now(), count(*) FROM search_docs",
                    ["fts" if use_fts else "fallback"])
        con.execute("DROP TABLE IF EXISTS search_terms")  # the fallback's table before search_postings
    return "fts" if use_fts else "fallback"


_POSTINGS = f"""
    CREATE OR REPLACE TABLE search_postings AS
    WITH stats AS (SELECT count(*) AS n, greatest(avg(len), 1) AS avgdl FROM doc_len),
         df AS (SELECT term, count(*) AS df FROM term_tf GROUP BY term)
    SELECT t.term, t.docid,
           CAST(log10(1 + (stats.n - df.df + 0.5) / (df.df + 0.5))  -- match_bm25's log() is base 10
                * t.tf * ({K1} + 1) / (t.tf + {K1} * (1 - {B} + {B} * d.len / stats.avgdl)) AS FLOAT) AS weight
    FROM term_tf t JOIN df USING (term) JOIN doc_len d USING (docid), stats
    ORDER BY t.term, t.docid"""


def _index_with_fts(con: duckdb.DuckDBPyConnection) -> None:
    """The extension tokenizes and stems (Snowball `indonesian`); its tables give the term frequencies."""
    con.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', stemmer = 'indonesian', "
                "stopwords = 'search_stopwords', lower = 1, strip_accents = 1, overwrite = 1)")
    con.execute(f"""CREATE OR REPLACE TABLE search_docs AS
                    SELECT docs.docid, docs.name AS article_id FROM {FTS_SCHEMA}.docs docs
                    JOIN unique_articles a ON a.article_id = docs.name""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE doc_len AS
                    SELECT docid, len FROM {FTS_SCHEMA}.docs WHERE docid IN (SELECT docid FROM search_docs)""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE term_tf AS
                    SELECT d.term, t.docid, count(*) AS tf FROM {FTS_SCHEMA}.terms t
                    JOIN {FTS_SCHEMA}.dict d USING (termid) WHERE t.docid IN (SELECT docid FROM search_docs)
                    GROUP BY d.term, t.docid""")
    con.execute(_POSTINGS)
    con.execute("DROP TABLE term_tf")
    con.execute("DROP TABLE doc_len")


def _index_in_sql(con: duckdb.DuckDBPyConnection) -> None:
    """Tokenize in SQL, stem each distinct word once in Python, count in SQL: seconds for 100,000s of articles."""
    con.execute("""CREATE OR REPLACE TABLE search_docs AS
                   SELECT CAST(row_number() OVER (ORDER BY article_id) - 1 AS BIGINT) AS docid, article_id
                   FROM unique_articles""")
    con.execute(
        r"""CREATE OR REPLACE TEMP TABLE search_tokens AS
            SELECT d.docid, unnest(regexp_extract_all(lower(coalesce(a.title, '') || ' ' || coalesce(a.body, '')),
                                                      '[\pL\pN_]+')) AS word
            FROM articles a JOIN search_docs d USING (article_id)""")
    con.execute("DELETE FROM search_tokens WHERE word IN (SELECT sw FROM search_stopwords)")
    words = [w for (w,) in con.execute("SELECT DISTINCT word FROM search_tokens").fetchall()]
    con.execute("CREATE OR REPLACE TEMP TABLE search_stems (word VARCHAR, term VARCHAR)")
    if words:
        con.execute("INSERT INTO search_stems SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
                    [words, _stemmer().stemWords(words)])
    con.execute("""CREATE OR REPLACE TEMP TABLE doc_len AS
                   SELECT d.docid, count(t.word) AS len FROM search_docs d LEFT JOIN search_tokens t USING (docid)
                   GROUP BY d.docid""")
    con.execute("""CREATE OR REPLACE TEMP TABLE term_tf AS
                   SELECT s.term, t.docid, count(*) AS tf FROM search_tokens t JOIN search_stems s USING (word)
                   GROUP BY s.term, t.docid""")
    con.execute(_POSTINGS)
    for temp in ("term_tf", "doc_len", "search_tokens", "search_stems"):
        con.execute(f"DROP TABLE {temp}")


# --- searching --------------------------------------------------------------------------------------------------

def _has_fts_index(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [FTS_SCHEMA]).fetchone()[0])


def backend(con: duckdb.DuckDBPyConnection) -> str:
    """Which backend built the index ('fts' or 'fallback')."""
    try:
        return con.execute("SELECT backend FROM search_index").fetchone()[0]
    except duckdb.CatalogException:
        raise SearchUnavailable("no search index yet: run `pantau run` (it rebuilds the index) "
                                "or `pantau search --rebuild`") from None


def query_terms(con: duckdb.DuckDBPyConnection, which: str, query: str) -> list[str]:
    """The query's words through the tokenizer and stemmer its index was built with."""
    if which == "fts" and load_fts(con):
        rows = con.execute(f"SELECT DISTINCT stem(unnest({FTS_SCHEMA}.tokenize(?)), 'indonesian')",
                           [query]).fetchall()
        return sorted({t for (t,) in rows if t} - set(STOPWORDS))
    return sorted(set(terms(query)))  # the same Snowball algorithm, in Python


def search(con: duckdb.DuckDBPyConnection, query: str, limit: int = 10) -> tuple[str, list[Hit]]:
    """BM25-ranked articles for `query` (any of its words, stemmed); returns (backend, hits)."""
    which = backend(con)
    wanted = query_terms(con, which, query)
    if not wanted:
        return which, []
    marks = ", ".join("?" * len(wanted))  # a literal IN list: the scan skips other terms' row groups
    rows = con.execute(
        f"""WITH best AS (  -- the top of the ranking first, then the articles' text for those few only
                SELECT docid, sum(weight) AS score FROM search_postings
                WHERE term IN ({marks}) AND docid NOT IN (  -- marked duplicate since the index was built
                    SELECT d.docid FROM search_docs d JOIN articles a USING (article_id)
                    WHERE a.duplicate_of IS NOT NULL)
                GROUP BY docid ORDER BY score DESC, docid LIMIT ?)
           SELECT a.article_id, b.score, a.title, a.published_at, a.url, a.body
           FROM best b JOIN search_docs d USING (docid) JOIN articles a USING (article_id)
           ORDER BY b.score DESC, a.published_at DESC""",
        [*wanted, limit]).fetchall()
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

"""Full-text search over articles: BM25 with the Indonesian stemmer, via the fts extension or the SQL fallback."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest
from factories import article, facts

from pantau.warehouse import db, search, store

ARTICLES = {
    "https://example.id/parkir": ("Pemkot Naikkan Retribusi Parkir",
                                  "Pemerintah kota menaikkan tarif retribusi parkir di tepi jalan mulai bulan depan. "
                                  "Perparkiran liar akan ditertibkan."),
    "https://example.id/sampah": ("Warga Wajib Memilah Sampah",
                                  "Wali kota mewajibkan warga memilah sampah dari rumah; retribusi sampah tidak naik."),
    "https://example.id/pkl": ("Penataan Pedagang Kaki Lima",
                               "Satpol PP menata pedagang kaki lima di alun-alun tanpa penggusuran."),
}


def build(path) -> duckdb.DuckDBPyConnection:
    con = db.connect(path)
    for i, (url, (title, body)) in enumerate(ARTICLES.items()):
        a = replace(article(url, body=body), title=title, content_hash=f"h{i}")
        store.store_batch(con, "r1", [a], [facts(f"perda/{i}")])
    return con


# "auto" is what users get: DuckDB's fts extension, installed from PyPI with the pinned DuckDB (pyproject.toml).
@pytest.mark.parametrize("prefer", ["fallback", "auto"])
def test_search_ranks_stemmed_matches(tmp_path, prefer):
    with build(tmp_path / "w.duckdb") as con:
        used = search.rebuild(con, prefer=prefer)
        assert used == ("fallback" if prefer == "fallback" else "fts")
    with db.connect(tmp_path / "w.duckdb", read_only=True) as con:  # searching needs no write access
        which, hits = search.search(con, "retribusi parkir")
        assert which == used
        assert [h.url for h in hits][:2] == ["https://example.id/parkir", "https://example.id/sampah"]
        assert hits[0].score > hits[1].score > 0
        assert "retribusi parkir" in hits[0].snippet
        # the stemmer: "menaikkan" / "naikkan" / "naik" share the stem "naik"
        assert [h.url for h in search.search(con, "naik")[1]][:1] in (["https://example.id/parkir"],
                                                                       ["https://example.id/sampah"])
        assert {h.url for h in search.search(con, "pedagang")[1]} == {"https://example.id/pkl"}
        assert search.search(con, "banjir")[1] == []


def test_duplicates_are_not_returned_and_the_index_is_rebuilt(tmp_path):
    with build(tmp_path / "w.duckdb") as con:
        search.rebuild(con, prefer="fallback")
        assert len(search.search(con, "retribusi")[1]) == 2
        con.execute("UPDATE articles SET duplicate_of = 'x' WHERE url = 'https://example.id/sampah'")
        assert [h.url for h in search.search(con, "retribusi")[1]] == ["https://example.id/parkir"]
        a = replace(article("https://example.id/baru", body="Retribusi parkir elektronik diuji coba di Dago."),
                    title="Parkir Elektronik", content_hash="h9")
        store.store_batch(con, "r2", [a], [None])
        assert "https://example.id/baru" not in {h.url for h in search.search(con, "elektronik")[1]}
        search.rebuild(con, prefer="fallback")  # not incremental: rebuilt after each run
        assert [h.url for h in search.search(con, "elektronik")[1]] == ["https://example.id/baru"]


def test_no_index_is_a_clear_error(tmp_path):
    with build(tmp_path / "w.duckdb") as con:
        with pytest.raises(search.SearchUnavailable, match="no search index yet"):
            search.search(con, "parkir")


def test_same_stems_as_the_fts_extension():
    # the fallback uses the Snowball 'indonesian' algorithm, as `stem(w, 'indonesian')` in the fts extension
    assert search.terms("Menaikkan perparkiran dan retribusinya") == ["aik", "parkir", "retribusi"]


def test_both_backends_rank_alike(tmp_path):
    """The fallback is a stand-in for the extension: same stems, same BM25, so the same ranking and scores."""
    results = {}
    for prefer in ("auto", "fallback"):
        with build(tmp_path / f"{prefer}.duckdb") as con:
            assert search.rebuild(con, prefer=prefer) == ("fts" if prefer == "auto" else "fallback")
            results[prefer] = {q: [(h.url, round(h.score, 4)) for h in search.search(con, q)[1]]
                               for q in ("retribusi parkir", "pedagang kaki lima", "sampah", "naik tarif")}
    assert results["auto"] == results["fallback"]
    assert all(results["auto"].values())


def test_match_bm25_agrees_with_the_postings(tmp_path):
    """The precomputed weights give the extension's own `match_bm25` scores."""
    with build(tmp_path / "w.duckdb") as con:
        search.rebuild(con)
        ours = {h.article_id: h.score for h in search.search(con, "retribusi parkir")[1]}
        theirs = dict(con.execute(f"""SELECT article_id, s FROM (SELECT article_id,
                                         {search.FTS_SCHEMA}.match_bm25(article_id, 'retribusi parkir') AS s
                                         FROM articles) WHERE s IS NOT NULL""").fetchall())
    assert ours.keys() == theirs.keys() and len(ours) >= 2
    assert all(abs(ours[k] - theirs[k]) < 1e-4 * max(1, theirs[k]) for k in ours)

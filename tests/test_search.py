"""Full-text search over articles: BM25 with the Indonesian stemmer, via the fts extension or the SQL fallback."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from factories import article, facts
from warehouse import db, search, store

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


def fts_loadable() -> bool:
    return search.load_fts(duckdb.connect())


@pytest.mark.parametrize("prefer", ["fallback", pytest.param("auto", marks=pytest.mark.skipif(
    not fts_loadable(), reason=f"DuckDB {duckdb.__version__} cannot load the fts extension offline "
                               "(pip install -e '.[fts]' pins a DuckDB with a matching duckdb-extension-fts)"))])
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

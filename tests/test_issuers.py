"""A regulation's identity when its citation leaves the issuer out: inferred from the article (a government named
in it, the dateline, the feed's region), and never merged with another article's citation when it cannot be."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from factories import article

from pantau.extractors.boilerplate import clean_text, dateline_place
from pantau.extractors.pipeline import extract, extract_text, load_pipeline
from pantau.types import ArticleContext


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("rules")  # issuer inference does not depend on the NER


def only_regulation(facts):
    (reg,) = facts.regulations
    return reg


@pytest.mark.parametrize("raw, issuer, source", [
    ("GARUT - Satpol PP menertibkan pedagang berdasarkan Perda Nomor 7 Tahun 2022 tentang Ketertiban Umum.",
     "Kabupaten Garut", "dateline"),
    ("Cimahi (ANTARA) - Pemilahan sampah diatur dalam Perwal Nomor 12 Tahun 2024.", "Kota Cimahi", "dateline"),
    ("Liputan6.com, Cimahi - Warga menyambut Peraturan Wali Kota Nomor 12 Tahun 2024.", "Kota Cimahi", "dateline"),
    # A Pergub in a regency's article is the province's.
    ("TASIKMALAYA - Bantuan itu mengacu pada Pergub Nomor 45 Tahun 2024.", "Jawa Barat", "dateline"),
    ("Pemkab Sumedang menyiapkan sosialisasi. Perda Nomor 3 Tahun 2023 itu mengatur retribusi. Bupati Sumedang "
     "meminta warga taat.", "Kabupaten Sumedang", "context"),
    ("Perbup Nomor 9 Tahun 2021 tentang Pasar Rakyat diteken setelah rapat di Kabupaten Bogor.",
     "Kabupaten Bogor", "context"),
    ("DPRD Kota Depok menyetujui perubahan. Perda Nomor 2 Tahun 2020 direvisi.", "Kota Depok", "context"),
    ("Perda Kabupaten Garut Nomor 7 Tahun 2022 berlaku.", "Kabupaten Garut", "text"),
])
def test_issuer_from_the_article(nlp, raw, issuer, source):
    reg = only_regulation(extract_text(nlp, raw, dt.date(2025, 6, 1)))
    assert (reg.issuer, reg.issuer_source, reg.issuer_unknown) == (issuer, source, False)


def test_issuer_from_the_feed_region(nlp):
    text = "Petugas menertibkan pedagang berdasarkan Perda Nomor 7 Tahun 2022 tentang Ketertiban Umum."
    (facts,) = extract(nlp, [text], contexts=[ArticleContext(region="Kabupaten Sumedang")])
    reg = only_regulation(facts)
    assert (reg.issuer, reg.issuer_source) == ("Kabupaten Sumedang", "feed")
    # A province as the feed's region names a Pergub's issuer, not a Perda's level.
    (facts,) = extract(nlp, ["Aturan itu tertuang dalam Pergub Nomor 45 Tahun 2024."],
                       contexts=[ArticleContext(region="Jawa Barat")])
    assert (only_regulation(facts).issuer, only_regulation(facts).issuer_source) == ("Jawa Barat", "feed")


def test_unresolved_issuer_is_marked_and_labelled(nlp):
    reg = only_regulation(extract_text(nlp, "Warga membahas Perda Nomor 7 Tahun 2022 tentang Ketertiban Umum."))
    assert reg.issuer is None and reg.issuer_unknown and reg.issuer_source is None
    assert reg.label == "Peraturan Daerah 7/2022 (penerbit tidak diketahui)"
    # National types need no issuer: never "unknown".
    reg = only_regulation(extract_text(nlp, "Hal itu diatur dalam UU Nomor 23 Tahun 2014."))
    assert reg.issuer is None and not reg.issuer_unknown


def test_same_perda_number_in_two_regencies_and_two_unplaced_articles(nlp, tmp_path):
    """Two regencies' Perda 7/2022 are two regulations with two alerts; two articles that name no region give two
    unresolved regulations, merged neither with each other nor with the resolved ones."""
    from pantau.alerts.deliver import raise_for_run
    from pantau.settings import AlertSettings
    from pantau.warehouse import db, store

    raws = {
        "garut": "GARUT - Pemerintah Kabupaten Garut menegakkan Perda Nomor 7 Tahun 2022 tentang Ketertiban Umum. "
                 "Bupati Garut meminta warga mematuhinya.",
        "cianjur": "CIANJUR (ANTARA) - Satpol PP menertibkan pedagang berdasarkan Perda Nomor 7 Tahun 2022 tentang "
                   "Ketertiban Umum.",
        "lain-1": "Sebuah Perda Nomor 7 Tahun 2022 tentang Ketertiban Umum kembali dibahas warga.",
        "lain-2": "Warga membahas Perda Nomor 7 Tahun 2022 tentang Ketertiban Umum di forum itu.",
    }
    articles = [dataclasses.replace(article(f"https://example.id/berita/{k}", clean_text(raw)),
                                    dateline=dateline_place(raw), content_hash=k) for k, raw in raws.items()]
    contexts = [ArticleContext(a.published_at.date(), a.dateline) for a in articles]
    facts = extract(nlp, [a.body for a in articles], [c.published for c in contexts], contexts=contexts)
    with db.connect(tmp_path / "w.duckdb") as con:
        stored = store.store_batch(con, "run1", articles, facts)
        rows = con.execute("SELECT regulation_id, issuer, issuer_source, issuer_unknown, label FROM regulations "
                           "ORDER BY regulation_id").fetchall()
        assert len(rows) == 4 and len(stored.new_regulation_ids) == 4
        by_issuer = {r[1]: r for r in rows if r[1]}
        assert by_issuer["Kabupaten Garut"][2] == "context" and by_issuer["Kabupaten Cianjur"][2] == "dateline"
        unresolved = [r for r in rows if r[3]]
        assert len(unresolved) == 2 and len({r[0] for r in unresolved}) == 2
        assert all(r[1] is None and r[4].endswith("(penerbit tidak diketahui)") for r in unresolved)
        assert {r[0] for r in unresolved}.isdisjoint(r[0] for r in by_issuer.values())
        # Every mention points at its own article's regulation.
        mentions = con.execute("SELECT count(DISTINCT regulation_id) FROM regulation_mentions").fetchone()[0]
        assert mentions == 4
        assert raise_for_run(con, "run1", AlertSettings(), stored.new_regulation_ids) == 4
        titles = sorted(t for (t,) in con.execute("SELECT title FROM alerts").fetchall())
        assert sum("penerbit tidak diketahui" in t for t in titles) == 2
        assert any("Kabupaten Garut" in t for t in titles) and any("Kabupaten Cianjur" in t for t in titles)
        # Stored again (a re-run): nothing new, no alert again.
        again = store.store_batch(con, "run2", articles, facts)
        assert again.new_regulation_ids == []
        assert raise_for_run(con, "run2", AlertSettings(), again.new_regulation_ids) == 0
        assert con.execute("SELECT count(*) FROM regulations").fetchone()[0] == 4

"""Dedup: canonical URLs, exact content hashes, near-duplicate (syndicated) copies linked to their original."""

from __future__ import annotations

import dataclasses

import pytest

from pantau.dedup import content_hash, distance, simhash, similarity
from pantau.urls import canonical_url
from pantau.warehouse import db, store
from tests.factories import article, facts

STORY = """Pemerintah Provinsi Jawa Barat menerbitkan Peraturan Gubernur Jawa Barat Nomor 45 Tahun 2024 tentang
Perlindungan Pekerja Rentan yang mulai berlaku pada bulan Juni bagi seluruh pekerja sektor informal di provinsi ini.
Gubernur menyebut aturan itu langkah penting bagi jaminan sosial pekerja, dan dinas terkait diminta menyiapkan
pendataan peserta di tiap kabupaten dan kota sebelum akhir tahun anggaran berjalan.
Dinas Tenaga Kerja mencatat sekitar 12.500 pekerja akan menjadi peserta pada tahap pertama, terutama pengemudi ojek,
pedagang kaki lima dan buruh harian lepas, dengan iuran ditanggung anggaran provinsi selama dua belas bulan.
Kepala dinas menambahkan bahwa sosialisasi akan dilakukan bersama BPJS Ketenagakerjaan di seluruh wilayah."""

OTHER = """Pemerintah Kota Bandung menata ulang pedagang kaki lima di kawasan Alun-alun dengan memindahkan sekitar 640
pedagang ke lokasi relokasi di sekitar Jalan Dalem Kaum mulai pekan depan, kata Wali Kota dalam rapat koordinasi.
Penataan itu mengacu pada Peraturan Wali Kota Bandung tentang ketertiban umum dan melibatkan Satpol PP serta dinas
koperasi, yang akan memberi pelatihan usaha dan akses permodalan bagi pedagang yang pindah secara sukarela."""


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.Example.id/berita/a/?utm_source=x&utm_medium=rss&id=3#top", "https://example.id/berita/a?id=3"),
        ("https://m.example.id/berita/a/amp", "https://example.id/berita/a"),
        ("https://amp.example.id/berita/a", "https://example.id/berita/a"),
        ("https://example.id/amp/berita/a/", "https://example.id/berita/a"),
        ("https://example.id/berita/a?amp=1&page=all", "https://example.id/berita/a?page=all"),
        ("https://example.id/berita/a?fbclid=abc&gclid=x", "https://example.id/berita/a"),
        ("https://example.id:443/berita/a//", "https://example.id/berita/a"),
        ("http://127.0.0.1:8765/berita/a.html", "http://127.0.0.1:8765/berita/a.html"),
    ],
)
def test_canonical_url_variants(url, canonical):
    assert canonical_url(url) == canonical


def test_hashes_ignore_whitespace_and_case_and_simhash_separates_stories():
    assert content_hash(STORY) == content_hash("  " + STORY.upper().replace("\n", "  "))
    assert content_hash("") is None and simhash("terlalu pendek") is None
    copy = "Judul versi situs mitra\n" + "\n".join(STORY.splitlines()[:-1]).replace("Jawa Barat", "Jabar", 1)
    assert distance(simhash(STORY), simhash(copy)) <= 12 and similarity(STORY, copy) >= 0.6
    assert distance(simhash(STORY), simhash(OTHER)) > 12 and similarity(STORY, OTHER) < 0.1


def with_body(url: str, body: str):
    a = article(url, body)
    return dataclasses.replace(a, content_hash=content_hash(body), simhash=simhash(body))


def test_duplicates_link_to_the_original_and_add_no_facts(tmp_path):
    original = with_body("https://kabar-a.id/berita/pergub-45", STORY)
    exact = with_body("https://kabar-b.id/berita/pergub-45-pekerja", STORY)
    syndicated = with_body("https://kabar-c.id/daerah/pergub-baru",
                           "Pergub baru untuk pekerja rentan\n" + "\n".join(STORY.splitlines()[:-1]))
    distinct = with_body("https://kabar-a.id/berita/pkl-alun-alun", OTHER)
    with db.connect(tmp_path / "w.duckdb") as con:
        store.store_batch(con, "r1", [original], [facts()])
        store.store_batch(con, "r2", [exact, syndicated, distinct], [facts(), facts(), facts()])
        links = dict(con.execute("SELECT url, duplicate_of FROM articles").fetchall())
        assert links == {original.url: None, exact.url: original.article_id, syndicated.url: original.article_id,
                         distinct.url: None}
        # facts of duplicates are not stored: the regulation is mentioned by two articles, not four
        assert con.execute("SELECT count(DISTINCT article_id) FROM regulation_mentions").fetchone() == (2,)
        # storing the original again does not make it a duplicate of its own copies
        store.store_batch(con, "r3", [original], [facts()])
        assert con.execute("SELECT duplicate_of FROM articles WHERE article_id = ?",
                           [original.article_id]).fetchone() == (None,)

"""Regulation grammar on hand-written sentences (no shared data needed)."""

from __future__ import annotations

import re

import pytest

from pantau.extractors.registry import load_registry
from pantau.extractors.regulations import find_references, find_regulations, regulation_id

REGISTRY = load_registry()


def regs(text: str):
    return [m.fact for m in find_regulations(text, REGISTRY)]


def one(text: str):
    found = regs(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("text, type_, issuer, number, year", [
    ("UU Nomor 11 Tahun 2020", "Undang-Undang", None, "11", 2020),
    ("Undang-Undang Nomor 6 Tahun 2023", "Undang-Undang", None, "6", 2023),
    ("UU 11/2020", "Undang-Undang", None, "11", 2020),
    ("Perppu No. 2 Tahun 2022", "Peraturan Pemerintah Pengganti Undang-Undang", None, "2", 2022),
    ("Peraturan Pemerintah Pengganti Undang-Undang Nomor 1 Tahun 2020", "Peraturan Pemerintah Pengganti Undang-Undang",
     None, "1", 2020),
    ("PP 35 Tahun 2021", "Peraturan Pemerintah", None, "35", 2021),
    ("Peraturan Presiden (Perpres) Nomor 12 Tahun 2025", "Peraturan Presiden", None, "12", 2025),
    ("Keppres No 17/2024", "Keputusan Presiden", None, "17", 2024),
    ("Instruksi Presiden (Inpres) No. 1 Tahun 2025", "Instruksi Presiden", None, "1", 2025),
    ("Inpres No. 2/2021", "Instruksi Presiden", None, "2", 2021),
    ("Permendagri Nomor 77 Tahun 2020", "Peraturan Menteri", "Dalam Negeri", "77", 2020),
    ("Peraturan Menteri Dalam Negeri Nomor 77 Tahun 2020", "Peraturan Menteri", "Dalam Negeri", "77", 2020),
    ("Permenaker No. 6 Tahun 2016", "Peraturan Menteri", "Ketenagakerjaan", "6", 2016),
    ("PMK 81/2024", "Peraturan Menteri", "Keuangan", "81", 2024),
    ("Permen PUPR Nomor 5 Tahun 2023", "Peraturan Menteri", "Pekerjaan Umum dan Perumahan Rakyat", "5", 2023),
    ("Kepmendagri Nomor 100.1.1-6117 Tahun 2022", "Keputusan Menteri", "Dalam Negeri", "100.1.1-6117", 2022),
    ("Keputusan Menteri Kesehatan Nomor HK.01.07/MENKES/1/2024", "Keputusan Menteri", "Kesehatan",
     "HK.01.07/MENKES/1/2024", 2024),
    ("Perda Jabar Nomor 5 Tahun 2023", "Peraturan Daerah", "Jawa Barat", "5", 2023),
    ("Peraturan Daerah Provinsi Jawa Barat Nomor 5 Tahun 2023", "Peraturan Daerah", "Jawa Barat", "5", 2023),
    ("Perda Kota Bandung Nomor 1 Tahun 2024", "Peraturan Daerah", "Kota Bandung", "1", 2024),
    ("Perda Kabupaten Bandung Nomor 1 Tahun 2024", "Peraturan Daerah", "Kabupaten Bandung", "1", 2024),
    ("Perda Kab. Garut No. 3 Tahun 2019", "Peraturan Daerah", "Kabupaten Garut", "3", 2019),
    ("Pergub Jabar No. 158/2021", "Peraturan Gubernur", "Jawa Barat", "158", 2021),
    ("Kepgub Jabar Nomor 561/Kep.874-Kesra/2024", "Keputusan Gubernur", "Jawa Barat", "561/Kep.874-Kesra/2024", 2024),
    ("Keputusan Gubernur Jawa Barat Nomor: 188.44/908/KPTS/2025", "Keputusan Gubernur", "Jawa Barat",
     "188.44/908/KPTS/2025", 2025),
    ("Instruksi Gubernur Jawa Barat Nomor 1 Tahun 2025", "Instruksi Gubernur", "Jawa Barat", "1", 2025),
    # Forms seen on other outlets (issue 13).
    ("Qanun Aceh Nomor 6 Tahun 2014", "Peraturan Daerah", "Aceh", "6", 2014),
    ("Undang-Undang Darurat Nomor 12 Tahun 1951", "Undang-Undang Darurat", None, "12", 1951),
    ("TAP MPR Nomor XI/MPR/1998", "Ketetapan MPR", None, "XI/MPR/1998", 1998),
    ("Instruksi Bupati Garut Nomor 5 Tahun 2024", "Instruksi Bupati", "Kabupaten Garut", "5", 2024),
    ("Instruksi Wali Kota Bandung Nomor 2 Tahun 2023", "Instruksi Wali Kota", "Kota Bandung", "2", 2023),
    ("Instruksi Menteri Dalam Negeri Nomor 1 Tahun 2025", "Instruksi Menteri", "Dalam Negeri", "1", 2025),
    ("Keputusan Bupati Garut Nomor: 800/Kep.311–BKPSDM/2024", "Keputusan Bupati", "Kabupaten Garut",
     "800/Kep.311–BKPSDM/2024", 2024),
    ("peraturan daerah Kota Depok Nomor 2 Tahun 2020", "Peraturan Daerah", "Kota Depok", "2", 2020),
    ("Perbup Bandung Nomor 12 Tahun 2022", "Peraturan Bupati", "Kabupaten Bandung", "12", 2022),
    ("Keputusan Bupati Subang Nomor 100.3.3.1/712/013/2025", "Keputusan Bupati", "Kabupaten Subang",
     "100.3.3.1/712/013/2025", 2025),
    ("Perwal Bandung No 5 Tahun 2022", "Peraturan Wali Kota", "Kota Bandung", "5", 2022),
    ("Perwali Bogor Nomor 10 Tahun 2021", "Peraturan Wali Kota", "Kota Bogor", "10", 2021),
    ("Peraturan Walikota Depok Nomor 3 Tahun 2020", "Peraturan Wali Kota", "Kota Depok", "3", 2020),
    ("Keputusan Wali Kota Cimahi Nomor Kpts.1164/XII/2025", "Keputusan Wali Kota", "Kota Cimahi",
     "Kpts.1164/XII/2025", 2025),
    ("SE Gubernur Jawa Barat Nomor 43/PK.03.04/Kesra", "Surat Edaran", "Gubernur Jawa Barat", "43/PK.03.04/Kesra",
     None),
    ("Surat Edaran Menteri Dalam Negeri Nomor 900/833/SJ Tahun 2024", "Surat Edaran", "Menteri Dalam Negeri",
     "900/833/SJ", 2024),
    ("POJK Nomor 22 Tahun 2023", "Peraturan OJK", None, "22", 2023),
    ("PBI No. 24/2022", "Peraturan Bank Indonesia", None, "24", 2022),
    ("Peraturan BPJS Ketenagakerjaan Nomor 1 Tahun 2024", "Peraturan BPJS", "Ketenagakerjaan", "1", 2024),
    ("Perma Nomor 1 Tahun 2016", "Peraturan Mahkamah Agung", None, "1", 2016),
    ("Putusan MK Nomor 90/PUU-XXI/2023", "Putusan Mahkamah Konstitusi", None, "90/PUU-XXI/2023", 2023),
    ("Putusan Mahkamah Konstitusi Nomor 135/PUU-XXII/2024", "Putusan Mahkamah Konstitusi", None,
     "135/PUU-XXII/2024", 2024),
    ("Putusan Nomor 135/PUU-XXII/2024", "Putusan Mahkamah Konstitusi", None, "135/PUU-XXII/2024", 2024),
    ("putusan MK nomor 105/PUU-XXII/2024", "Putusan Mahkamah Konstitusi", None, "105/PUU-XXII/2024", 2024),
    ("Peraturan Menteri Keuangan nomor 131 tahun 2024", "Peraturan Menteri", "Keuangan", "131", 2024),
    ("UU no. 32 tahun 2009", "Undang-Undang", None, "32", 2009),
    ("Keputusan Menteri Perhubungan (Kepmenhub) Nomor KM 50 Tahun 2025", "Keputusan Menteri", "Perhubungan",
     "KM 50", 2025),
    ("Peraturan Menteri Pendidikan dan Kebudayaan (Permendikbud) RI Nomor 64 Tahun 2015", "Peraturan Menteri",
     "Pendidikan dan Kebudayaan", "64", 2015),
    ("Permendikdasmen No 3 Tahun 2025", "Peraturan Menteri", "Pendidikan Dasar dan Menengah", "3", 2025),
    ("Peraturan Menteri Koordinator (Permenko) Bidang Perekonomian Nomor 16 Tahun 2025",
     "Peraturan Menteri Koordinator", "Perekonomian", "16", 2025),
    ("Keputusan KPU RI Nomor 731 Tahun 2025", "Keputusan KPU", None, "731", 2025),
    ("PKPU Nomor 8 Tahun 2024", "Peraturan KPU", None, "8", 2024),
    ("Peraturan Jaksa Agung Nomor 15 Tahun 2020", "Peraturan Jaksa Agung", None, "15", 2020),
])
def test_types_and_forms(text, type_, issuer, number, year):
    r = one(f"Menurut {text}, semua berubah.")
    assert (r.type, r.issuer, r.number, r.year) == (type_, issuer, number, year)
    assert r.text == text


def test_elided_type_word_and_glued_number_word():
    found = regs("Hal itu diatur dalam Pergub Jabar Nomor 45 Tahun 2024. Peraturan Nomor 21 Tahun 2019 juga berlaku.")
    assert [(r.type, r.issuer, r.number) for r in found] == [("Peraturan Gubernur", "Jawa Barat", "45"),
                                                            ("Peraturan Gubernur", "Jawa Barat", "21")]
    assert regs("Peraturan Nomor 3 Tahun 2020 itu berlaku.") == []  # no regulation named before: no type to take
    (r,) = regs("Sesuai PerdaNomor 8 Tahun 2016 tentang Pajak Daerah.")
    assert (r.type, r.number, r.year, r.title) == ("Peraturan Daerah", "8", 2016, "Pajak Daerah")
    (r,) = regs("Surat Edaran Nomor S-14/MK/PK/ 2024 terbit.")
    assert (r.number, r.year) == ("S-14/MK/PK/2024", 2024)


def test_a_list_of_numbers_is_one_citation_each():
    assert [r.number for r in regs("Putusan MK Nomor 34, 35, 45, dan 95 menguatkan hak itu.")] == ["34", "35", "45", "95"]
    assert [r.number for r in regs("Menurut UU No. 23 Tahun 2014, 10 daerah wajib.")] == ["23"]
    assert [(r.type, r.number) for r in regs("Atas Undang -undang RI No. 23 Tahun 2002 Tentang Perlindungan Anak.")] == [
        ("Undang-Undang", "23")]


def test_non_breaking_spaces_and_glued_type_words():
    r = one("Menurut Perda\u00a0Nomor\u00a08 Tahun\u00a02016 Kota Cimahi, semua berubah.")
    assert (r.type, r.number, r.year, r.issuer) == ("Peraturan Daerah", "8", 2016, "Kota Cimahi")


def test_one_letter_typo_in_type_word():
    r = one("melalui Keptutusan Gubernur Nomor 560.05/Kep.69-Kesra/2022 tanggal 17 Februari 2022, Provinsi Jawa "
            "Barat membentuk tim.")
    assert (r.type, r.issuer, r.date) == ("Keputusan Gubernur", "Jawa Barat", "2022-02-17")
    assert regs("Perbaikan Gubernur Nomor 5 Tahun 2020") == []  # not one letter away from a type word


def test_title_to_its_natural_end():
    r = one("Pemprov menerbitkan Peraturan Gubernur Jawa Barat Nomor 158 Tahun 2021 tentang Pelaksanaan Program "
            "Jaminan Sosial ketenagakerjaan di Daerah Provinsi Jawa Barat. Kalimat berikutnya.")
    assert r.title == "Pelaksanaan Program Jaminan Sosial ketenagakerjaan di Daerah Provinsi Jawa Barat"
    r = one("Inpres No. 2/2021 tentang Optimalisasi Pelaksanaan Program Jaminan Sosial Ketenagakerjaan yang "
            "diterbitkan presiden")
    assert r.title == "Optimalisasi Pelaksanaan Program Jaminan Sosial Ketenagakerjaan"
    r = one("sesuai Perda Nomor 3 Tahun 2020 tentang Ketertiban Umum, kata dia")
    assert r.title == "Ketertiban Umum"


def test_date_before_or_after_title():
    r = one("Kepgub Nomor 1/Kep.2-Hukham/2024 tanggal 2 Januari 2024 tentang Tim Percepatan.")
    assert (r.date, r.title, r.year) == ("2024-01-02", "Tim Percepatan", 2024)
    r = one("Pergub Nomor 7 Tahun 2024 tentang Tata Kelola, tertanggal 5 Maret 2024.")
    assert r.date is None or r.date == "2024-03-05"


def test_same_regulation_same_id():
    a = one("Pergub Jabar No. 158/2021")
    b = one("Peraturan Gubernur Jawa Barat Nomor 158 Tahun 2021")
    assert a.regulation_id == b.regulation_id == regulation_id("Peraturan Gubernur", "Jawa Barat", "158", 2021)
    assert a.label == b.label == "Peraturan Gubernur Jawa Barat 158/2021"
    assert one("Perda Kota Bandung Nomor 1 Tahun 2024").regulation_id != \
        one("Perda Kabupaten Bandung Nomor 1 Tahun 2024").regulation_id


@pytest.mark.parametrize("text", [
    "Pasangan nomor urut 2 unggul di TPS.",
    "Hubungi 0812-3456-7890 atau (022) 4231234.",
    "Kantornya di Jl. Asia Afrika No. 10, Bandung.",
    "Acara digelar pada 17 Agustus 2025 pukul 10.00 WIB.",
    "Perkara Nomor 123/Pid.B/2024/PN Bdg disidangkan hari ini.",
    "Nomor induk 19800101 200501 1 001 milik pegawai.",
    "Tahun 2021 menjadi tahun sulit.",
    "PP Muhammadiyah menggelar rapat.",
    "Putusan Nomor 123/Pid.B/2024/PN Bdg dibacakan.",
    "putusan kasasi Mahkamah Agung (MA) Nomor 5834 K/Pidsus/2023 tanggal 22 Mei 2023",
])
def test_not_regulations(text):
    assert regs(text) == []


def test_two_citations_in_one_sentence():
    found = regs("Aturan itu merujuk UU Nomor 23 Tahun 2014 dan Permendagri Nomor 77 Tahun 2020 tentang Pedoman "
                 "Teknis.")
    assert [(r.type, r.number) for r in found] == [("Undang-Undang", "23"), ("Peraturan Menteri", "77")]
    assert found[0].title is None and found[1].title == "Pedoman Teknis"


@pytest.mark.parametrize("tail, title", [
    ("tentang Pemberantasan TPPU Jo. Pasal 55 Ayat (1) KUHP", "Pemberantasan TPPU"),
    ("tentang ITE bertentangan dengan UUD Tahun 1945", "ITE"),
    ("tentang Kesehatan juga dengan tegas menyebutkan larangan", "Kesehatan"),
    ("tentang Informasi dan Transaksi Elektronik dan/atau Pasal 2 ayat 1", "Informasi dan Transaksi Elektronik"),
    ("tentang perlindungan negara terhadap jaksa yang dikeluarkan", "perlindungan negara terhadap jaksa"),
    ("tentang Penanganan Sampah Perkotaan Melalui Pengelolaan Sampah, kata dia",
     "Penanganan Sampah Perkotaan Melalui Pengelolaan Sampah"),
])
def test_title_ends(tail, title):
    assert one(f"UU Nomor 8 Tahun 2010 {tail}").title == title


def test_references_linked_when_unambiguous():
    text = ("Peraturan Daerah (Perda) mengenai Jaminan Sosial Ketenagakerjaan disahkan. Yaitu Peraturan Daerah "
            "Provinsi Jawa Barat Nomor 5 Tahun 2023 tentang Optimalisasi Jaminan Sosial Ketenagakerjaan. "
            "Dengan adanya Perda ini pekerja terlindungi. UU Cipta Kerja juga disebut.")
    found = find_regulations(text, REGISTRY)
    refs = find_references(text, found, REGISTRY)
    by_text = {r.text: r for r in refs}
    assert set(by_text) == {"Peraturan Daerah (Perda) mengenai Jaminan Sosial Ketenagakerjaan", "Perda ini",
                            "UU Cipta Kerja"}
    assert by_text["Perda ini"].refers_to == "Peraturan Daerah Jawa Barat 5/2023"
    assert by_text["Perda ini"].refers_to_id == "peraturan-daerah-jawa-barat-5-2023"
    assert by_text["UU Cipta Kerja"].refers_to is None and by_text["UU Cipta Kerja"].title == "Cipta Kerja"


def test_reference_ambiguous_stays_unlinked():
    text = "Perda Nomor 1 Tahun 2020 dan Perda Nomor 2 Tahun 2021 berlaku. Perda ini penting."
    refs = find_references(text, find_regulations(text, REGISTRY), REGISTRY)
    assert [(r.text, r.refers_to) for r in refs] == [("Perda ini", None)]


def test_issuer_from_sentence_context():
    r = one("Gubernur menetapkan Pergub Nomor 12 Tahun 2024 untuk Jawa Barat.")
    assert r.issuer == "Jawa Barat"
    r = one("Bupati menandatangani Perbup Nomor 3 Tahun 2024 bagi warga Kabupaten Garut.")
    assert r.issuer == "Kabupaten Garut"


def test_word_prefilter_covers_every_type():
    from pantau.extractors.regulations import ABBREVIATIONS, FIRST_LETTERS, FIRST_WORDS, TYPES

    for t in TYPES:
        assert t.name.split()[0].lower() in FIRST_WORDS, t.name
    for written in ABBREVIATIONS:
        lead = re.match(r"[A-Za-z][\w-]*", written).group(0).lower()
        assert lead in FIRST_WORDS and lead[0] in FIRST_LETTERS
        assert [r.type for r in regs(f"sesuai {written} Nomor 7 Tahun 2024.")] == [ABBREVIATIONS[written][0]]
    # Each canonical type written out in full is found by itself.
    for t in TYPES:
        if t.name in ("Peraturan BPJS", "Peraturan"):  # "Peraturan": an elided type word, never by itself
            continue
        assert [r.type for r in regs(f"sesuai {t.name} Nomor 7 Tahun 2024.")] == [t.name], t.name

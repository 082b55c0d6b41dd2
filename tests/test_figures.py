"""Figures and quotes on hand-written sentences."""

from __future__ import annotations

import pytest

from pantau.extractors.figures import find_figures
from pantau.extractors.quotes import find_quotes
from pantau.types import Mention, Official


def figs(text):
    return [(f.text, f.value, f.unit) for f in find_figures(text)]


@pytest.mark.parametrize("text, expected", [
    ("terdapat 36,7 juta tenaga kerja terlindungi", ("36,7 juta tenaga kerja", 36700000, "tenaga kerja")),
    ("memberikan 2,16 juta klaim manfaat program", ("2,16 juta klaim", 2160000, "klaim")),
    ("sebesar Rp25,1 triliun, serta", ("Rp25,1 triliun", 25100000000000, "IDR")),
    ("sebesar Rp168 Miliar.", ("Rp168 Miliar", 168000000000, "IDR")),
    ("kepada 37.000 anak dengan total", ("37.000 anak", 37000, "anak")),
    ("terdapat 339.700 pemberian manfaat dengan nominal", ("339.700 pemberian manfaat", 339700, "pemberian manfaat")),
    ("kepada 5.455 anak pekerja di", ("5.455 anak", 5455, "anak")),
    ("inflasi di angka sekitar 2 persen.", ("2 persen", 2, "persen")),
    ("naik 4,5% dibanding", ("4,5%", 4.5, "persen")),
    ("anggaran Rp 1,2 miliar untuk", ("Rp 1,2 miliar", 1200000000, "IDR")),
    ("sebanyak 1.250 warga terdampak", ("1.250 warga", 1250, "warga")),
    ("senilai Rp500 ribu per bulan", ("Rp500 ribu", 500000, "IDR")),
])
def test_values_and_units(text, expected):
    assert figs(text) == [expected]


@pytest.mark.parametrize("text", [
    "Rabu (21/10/2025) pukul 10.00 WIB",
    "sejak 2022, ketika angka naik",
    "pada 17 Februari 2022 lalu",
    "nomor urut 2 menang",
    "Pasal 28 ayat 1",
])
def test_not_figures(text):
    assert figs(text) == []


def test_as_of_from_the_sentence():
    text = ("Anggoro mengungkapkan, hingga Juni 2023, terdapat 36,7 juta tenaga kerja terlindungi. Di tahun ini, "
            "sudah ada 2,16 juta klaim.")
    first, second = find_figures(text)
    assert first.as_of == "2023-06"
    assert second.as_of is None
    (f,) = find_figures("Sepanjang 2024, penerimaan mencapai Rp10 triliun.")
    assert f.as_of == "2024"
    import datetime as dt

    (f,) = find_figures("Di tahun ini, sudah ada 2,16 juta klaim.", published=dt.date(2023, 7, 1))
    assert f.as_of == "2023"


def test_blocked_extents_are_skipped():
    text = "Perda Nomor 5 Tahun 2023 mengatur 12 pasal."
    assert [f.text for f in find_figures(text, blocked=[(0, 24)])] == ["12 pasal"]


def _person(name, *starts):
    return Official(name=name, person_id=name.lower().replace(" ", "-"),
                    mentions=[Mention(name.split()[0], s, s + 3) for s in starts])


def test_quotes_with_named_and_pronoun_speakers():
    text = ("“Dengan adanya Perda ini pekerja terlindungi,” kata Ridwan Kamil. Anggoro hadir. "
            "“Negara hadir bagi pekerja,” ujar Anggoro. Ia menambahkan data. \"Target kami naik tahun ini,\" "
            "ucapnya. Warga menyebut “Tim Koordinasi” bekerja baik.")
    ridwan = _person("Ridwan Kamil", text.index("Ridwan"))
    anggoro = _person("Anggoro Eko Cahyo", text.index("Anggoro hadir"), text.index("Anggoro."))
    quotes = find_quotes(text, [ridwan, anggoro])
    assert [(q.text[:12], q.speaker) for q in quotes] == [
        ("Dengan adany", "Ridwan Kamil"), ("Negara hadir", "Anggoro Eko Cahyo"), ("Target kami ", "Anggoro Eko Cahyo")]
    assert text[quotes[0].start:quotes[0].end] == quotes[0].text


def test_quote_introduced_before():
    text = "Anggoro hadir. Anggoro mengatakan, “Kami akan menambah kantor cabang baru.”"
    anggoro = _person("Anggoro Eko Cahyo", 0, text.index("Anggoro mengatakan"))
    (q,) = find_quotes(text, [anggoro])
    assert q.speaker == "Anggoro Eko Cahyo" and q.text == "Kami akan menambah kantor cabang baru."

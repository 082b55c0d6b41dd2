"""Officials through the full pipeline on hand-written sentences (rule NER stand-in: no model needed)."""

from __future__ import annotations

import datetime as dt

import pytest

from pantau.extractors.pipeline import extract, load_pipeline
from pantau.extractors.registry import load_registry, slug


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("rules")


def people(nlp, text, published=None):
    facts = extract(nlp, [text], [published])[0]
    return {o.name: o for o in facts.officials}


@pytest.mark.parametrize("text, name, office", [
    ("Gubernur Jawa Barat Ridwan Kamil meresmikan gedung itu.", "Ridwan Kamil", "Gubernur Jawa Barat"),
    ("Direktur Utama BPJS Ketenagakerjaan Anggoro Eko Cahyo menyebutkan hal itu.", "Anggoro Eko Cahyo",
     "Direktur Utama BPJS Ketenagakerjaan"),
    ("Kepala Dinas Kesehatan Provinsi Jawa Barat Vini Adiani Dewi mengimbau warga.", "Vini Adiani Dewi",
     "Kepala Dinas Kesehatan Provinsi Jawa Barat"),
    ("Wali Kota Bandung Muhammad Farhan meninjau lokasi.", "Muhammad Farhan", "Wali Kota Bandung"),
    ("Menteri Keuangan Sri Mulyani Indrawati menjelaskan.", "Sri Mulyani Indrawati", "Menteri Keuangan"),
    ("Kapolda Jabar Irjen Pol Rudi Setiawan memimpin apel.", "Rudi Setiawan", "Kepala Kepolisian Daerah Jawa Barat"),
    ("Presiden Prabowo Subianto menegaskan pentingnya inflasi.", "Prabowo Subianto", "Presiden"),
    ("Bupati Garut Abdusy Syakur Amin hadir.", "Abdusy Syakur Amin", "Bupati Garut"),
    ("Panglima TNI Jenderal Agus Subiyanto memimpin upacara.", "Agus Subiyanto", "Panglima Tentara Nasional Indonesia"),
    ("Presiden RI Prabowo Subianto berpidato.", "Prabowo Subianto", "Presiden Indonesia"),
    ("Pj Gubernur Jabar Bey Machmudin meninjau banjir.", "Bey Machmudin", "Penjabat Gubernur Jawa Barat"),
    ("Wakil Bupati Bandung Ali Syakieb menghadiri rapat.", "Ali Syakieb", "Wakil Bupati Bandung"),
])
def test_office_and_name(nlp, text, name, office):
    found = people(nlp, text)
    assert name in found, found
    assert found[name].office == office
    assert found[name].office_source == "text"


def test_honorifics_stripped_but_kept(nlp):
    found = people(nlp, "Kepala Bappeda Jabar Dr. Ir. H. Iendra Sofyan, S.H., M.Si. membuka acara.")
    person = found["Iendra Sofyan"]
    assert person.honorifics[:3] == ["Dr.", "Ir.", "H."]
    assert "S.H." in person.honorifics and "M.Si." in person.honorifics


def test_short_forms_and_pronoun_quotes_resolve(nlp):
    text = ("Direktur Utama BPJS Ketenagakerjaan Anggoro Eko Cahyo hadir. “Kami siap melayani pekerja,” ujar "
            "Anggoro. Anggoro mengungkapkan capaian itu. “Target tercapai tahun ini,” ucapnya.")
    facts = extract(nlp, [text])[0]
    (anggoro,) = [o for o in facts.officials if o.person_id == "anggoro-eko-cahyo"]
    assert [m.text for m in anggoro.mentions] == ["Anggoro Eko Cahyo", "Anggoro", "Anggoro"]
    assert [q.speaker for q in facts.quotes] == ["Anggoro Eko Cahyo", "Anggoro Eko Cahyo"]
    assert all(q.person_id == "anggoro-eko-cahyo" for q in facts.quotes)


def test_registry_office_valid_on_article_date(nlp):
    text = "“Kita bergerak bersama,” kata Ridwan Kamil di Gedung Sate."
    assert people(nlp, text, dt.date(2020, 5, 1))["Ridwan Kamil"].office == "Gubernur Jawa Barat"
    assert people(nlp, text, dt.date(2015, 5, 1))["Ridwan Kamil"].office == "Wali Kota Bandung"
    assert people(nlp, text, dt.date(2024, 5, 1))["Ridwan Kamil"].office is None
    official = people(nlp, text, dt.date(2020, 5, 1))["Ridwan Kamil"]
    assert official.office_source == "registry" and official.person_id == "ridwan-kamil"


def test_registry_alias_maps_to_canonical_person(nlp):
    found = people(nlp, "Kang Emil meninjau banjir di Bandung.", dt.date(2021, 1, 5))
    assert found["Ridwan Kamil"].office == "Gubernur Jawa Barat"
    assert found["Ridwan Kamil"].mentions[0].text == "Kang Emil"


def test_registry_ids_are_slugs():
    registry = load_registry()
    ids = [p.person_id for p in registry.people]
    assert "ridwan-kamil" in ids and len(ids) == len(set(ids))
    assert slug("Pemerintah Provinsi Jawa Barat") == "pemerintah-provinsi-jawa-barat"
    assert registry.person("RK").name == "Ridwan Kamil"
    dedi = registry.person("Dedi Mulyadi")
    assert dedi.office_on(dt.date(2025, 3, 1)).title == "Gubernur Jawa Barat"
    assert registry.person("Bey Machmudin").office_on(dt.date(2024, 1, 1)).title == "Penjabat Gubernur Jawa Barat"


def test_registry_regions_and_organizations():
    registry = load_registry()
    regencies = [r for r in registry.regions if r.province == "Jawa Barat"]
    assert len(regencies) == 27
    assert registry.region("Jabar").full_name == "Jawa Barat"
    assert registry.region("Kab. Bandung").full_name == "Kabupaten Bandung"
    assert registry.region("Bandung") is None  # a regency and a city
    assert registry.region("Bandung", "kota").full_name == "Kota Bandung"
    assert registry.organization("BPJamsostek").name == "BPJS Ketenagakerjaan"
    for alias in ("Pemprov Jabar", "Pemprov Jawa Barat", "Provinsi Jawa Barat"):
        assert registry.organization(alias).name == "Pemerintah Provinsi Jawa Barat"
    assert registry.organization("Pemkot Bandung").name == "Pemerintah Kota Bandung"


@pytest.mark.parametrize("text", [
    "Hal itu disampaikan Ketua Forum HRD Serang Barat, Abdul Muhid, kepada wartawan.",
    "Abdul Muhid, Ketua Forum HRD Serang Barat, hadir.",
    "Abdul Muhid selaku Ketua Forum HRD Serang Barat hadir.",
])
def test_office_in_apposition(nlp, text):
    found = people(nlp, text)
    assert found["Abdul Muhid"].office == "Ketua Forum HRD Serang Barat"


def test_office_without_name_makes_no_person(nlp):
    assert people(nlp, "Kepala Dinas Pendidikan Jawa Barat hadir di lokasi.") == {}


def test_rank_kept_as_honorific(nlp):
    found = people(nlp, "Kapolda Jabar Irjen Pol Rudi Setiawan memimpin apel.")
    assert found["Rudi Setiawan"].honorifics == ["Irjen Pol"]
    # The office in full, as ANNOTATION.md writes it, and as the text wrote it.
    assert found["Rudi Setiawan"].office == "Kepala Kepolisian Daerah Jawa Barat"
    assert found["Rudi Setiawan"].office_written == "Kapolda Jabar"


def test_no_person_from_connectives(nlp):
    found = people(nlp, "Yakni, dengan menerbitkan aturan. Sementara itu, Ketua DPRD Jabar Buky Wibawa hadir.")
    assert set(found) == {"Buky Wibawa"}

"""The pipeline contract the ingest flow relies on."""

from __future__ import annotations

import datetime as dt

import pytest

from pantau.extractors.pipeline import ModelNotFound, extract, extract_text, load_pipeline


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("rules")


def test_cached_per_model():
    assert load_pipeline("rules") is load_pipeline("rules")


def test_rule_stand_in_only_when_asked(nlp, tmp_path):
    assert nlp.pipe_names == ["pantau_registry", "pantau_rule_ner", "pantau_regulations", "pantau_organizations",
                              "pantau_officials", "pantau_figures", "pantau_regulation_events", "pantau_quotes"]
    assert nlp.meta["pantau_extractor_version"].startswith("pantau-extract-")
    assert nlp.meta["pantau_extractor_version"].endswith("+rule-ner")
    # A folder without a pipeline is an error naming it and how to get one, never a silent fall-back.
    with pytest.raises(ModelNotFound, match=rf"no spaCy pipeline at {tmp_path}.*pantau model train.*--model rules"):
        load_pipeline(tmp_path)


def test_batch_with_dates(nlp):
    texts = ["“Kita siap,” kata Ridwan Kamil.", "Tidak ada fakta di sini.", "“Kita siap,” kata Ridwan Kamil."]
    dates = [dt.date(2020, 1, 1), None, dt.datetime(2026, 1, 1, 10, 0)]
    out = extract(nlp, texts, dates, batch_size=2)
    assert len(out) == 3
    assert out[0].officials[0].office == "Gubernur Jawa Barat"
    assert out[1].officials == [] and out[1].regulations == []
    assert out[2].officials[0].office is None
    assert all(f.extractor_version == nlp.meta["pantau_extractor_version"] for f in out)
    with pytest.raises(ValueError):
        extract(nlp, texts, dates[:1])


def test_doc_extensions_and_ent_priority(nlp):
    text = "Pemprov Jabar menerbitkan Pergub Jabar No. 158/2021 tentang Jaminan Sosial di Provinsi Jawa Barat."
    doc = nlp(text)
    (span,) = doc._.pantau_regulations
    assert span._.pantau_regulation.label == "Peraturan Gubernur Jawa Barat 158/2021"
    # No entity from inside the citation or its title: the rule component wins.
    inside = [e for e in doc.ents if e.start_char >= span.start_char and e.end_char <= len(text) - 1
              and e.start_char < text.index(" di Provinsi")]
    assert [e.text for e in inside if e.start_char >= span.start_char] == []
    assert [o.name for o in doc._.pantau_organizations] == ["Pemerintah Provinsi Jawa Barat"]


def test_acronym_definition_adds_alias(nlp):
    facts = extract(nlp, ["Data Badan Riset dan Inovasi Daerah (BRIDA) Jabar menunjukkan hal itu. BRIDA "
                          "juga merilis laporan."])[0]
    (org,) = [o for o in facts.organizations if o.name == "Badan Riset dan Inovasi Daerah"]
    assert org.surfaces == ["Badan Riset dan Inovasi Daerah", "BRIDA"] and len(org.mentions) == 3
    facts = extract(nlp, ["Menurut Badan Pusat Statistik (BPS), inflasi turun."])[0]
    assert [(o.name, o.org_id) for o in facts.organizations] == [("Badan Pusat Statistik", "badan-pusat-statistik")]


def test_extract_text_cleans_first(nlp):
    raw = "Bandung (ANTARA) - Pergub Jabar No. 1/2024 terbit.\nBaca Juga: Perda Jabar No. 9/2020 dibahas\n"
    facts = extract_text(nlp, raw)
    assert [r.text for r in facts.regulations] == ["Pergub Jabar No. 1/2024"]
    assert facts.regulations[0].start == 0


def test_ministry_acronym_and_offices_are_not_organizations(nlp):
    facts = extract(nlp, ["Menteri Energi dan Sumber Daya Mineral (ESDM) Bahlil Lahadalia hadir. ESDM menyiapkan "
                          "aturan. Menteri Ketenagakerjaan (Menaker) juga hadir."])[0]
    names = {o.name: o.surfaces for o in facts.organizations}
    assert names.get("Kementerian Energi dan Sumber Daya Mineral") == ["Energi dan Sumber Daya Mineral", "ESDM"]
    assert "Menteri Ketenagakerjaan" not in names


def test_locations_use_region_names(nlp):
    facts = extract(nlp, ["Banjir melanda Kab. Bandung dan Jawa Barat bagian selatan."])[0]
    assert {loc.name for loc in facts.locations} >= {"Kabupaten Bandung", "Jawa Barat"}


def test_initials_of_a_person_are_not_an_organization(nlp):
    text = "“Kami siap,” kata Ridwan Kamil (RK) di Bandung. Data Badan Pusat Statistik (BPS) naik."
    facts = extract(nlp, [text])[0]
    assert [o.name for o in facts.organizations] == ["Badan Pusat Statistik"]
    assert [o.name for o in facts.officials] == ["Ridwan Kamil"]


def test_acronym_with_region_names_one_organization(nlp):
    text = ("Dewan Perwakilan Rakyat Daerah (DPRD) Provinsi Jawa Barat menyetujui anggaran. Rapat di gedung DPRD "
            "berlangsung lama.")
    (org,) = extract(nlp, [text])[0].organizations
    assert org.name == "DPRD Provinsi Jawa Barat"
    assert org.surfaces == ["Dewan Perwakilan Rakyat Daerah (DPRD) Provinsi Jawa Barat", "DPRD"]


def _registry_with(tmp_path, extra_official: str):
    """A copy of the shipped registries with one more official."""
    import shutil

    from pantau.extractors.registry import default_registry_dir

    folder = tmp_path / "registry"
    shutil.copytree(default_registry_dir(), folder)
    with open(folder / "officials.toml", "a", encoding="utf-8") as fh:
        fh.write(extra_official)
    return folder


def test_saved_pipeline_carries_its_registry(tmp_path):
    """`nlp.to_disk` then `spacy.load` is the whole extractor: the registry travels inside the pipeline folder."""
    import spacy

    from pantau.extractors.pipeline import rules_pipeline

    registry = _registry_with(tmp_path, '\n[[person]]\nname = "Sutisna Wiradinata"\n'
                                        '[[person.office]]\ntitle = "Bupati Garut"\nstart = 2024-01-01\n')
    nlp = rules_pipeline(registry_dir=registry)
    text = "“Perbup ini berlaku mulai pekan depan,” kata Sutisna Wiradinata di Garut."
    before = extract(nlp, [text], [dt.date(2025, 3, 1)])[0]
    assert [(o.name, o.office, o.office_source) for o in before.officials] == [
        ("Sutisna Wiradinata", "Bupati Garut", "registry")]
    nlp.to_disk(tmp_path / "saved")
    (registry / "officials.toml").unlink()  # the saved pipeline no longer needs the files
    loaded = spacy.load(tmp_path / "saved")
    assert loaded.pipe_names == nlp.pipe_names
    after = extract(loaded, [text], [dt.date(2025, 3, 1)])[0]
    assert after.to_json() == before.to_json()


def test_missing_registry_file_is_a_clear_error(tmp_path):
    from pantau.extractors.pipeline import rules_pipeline
    from pantau.extractors.registry import RegistryError

    registry = _registry_with(tmp_path, "")
    (registry / "regions.toml").unlink()
    with pytest.raises(RegistryError, match=rf"registry file {registry / 'regions.toml'} is missing"):
        rules_pipeline(registry_dir=registry)


def test_shipped_pipeline_holds_the_shipped_registries():
    """The registry serialized in models/ner-id is the one in models/registry (`pantau model update-registry`)."""
    import spacy

    from pantau.extractors.pipeline import shipped_model_dir
    from pantau.extractors.registry import read_registry_data

    shipped = spacy.load(shipped_model_dir(), exclude=["pantau_regulations"])  # no NER weights are compared here
    assert shipped.get_pipe("pantau_registry").data == read_registry_data()


@pytest.mark.shared
def test_saved_default_pipeline_gives_the_same_facts(tmp_path, reference_article):
    import spacy

    from pantau.extractors.boilerplate import clean_text

    nlp = load_pipeline()
    text = clean_text(reference_article.read_text(encoding="utf-8"))
    before = extract(nlp, [text], [dt.date(2023, 7, 1)])[0]
    nlp.to_disk(tmp_path / "saved")
    after = extract(spacy.load(tmp_path / "saved"), [text], [dt.date(2023, 7, 1)])[0]
    assert after.to_json() == before.to_json() and before.officials and before.organizations

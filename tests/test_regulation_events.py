"""Lifecycle events and relations (issue 16): every event type, relation and trap on sentences written for them,
and the warehouse and alert path end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pantau.extractors.pipeline import extract_text, load_pipeline


@pytest.fixture(scope="module")
def nlp():
    return load_pipeline("rules")


def events(nlp, text: str) -> list[tuple]:
    facts = extract_text(nlp, text)
    return [(e.event, e.modality, e.regulation_id or e.draft_id) for e in facts.regulation_events]


EVENT_SENTENCES = [
    ("Raperda tentang Penyelenggaraan Parkir sedang dibahas Pansus III DPRD Kota Cimahi.",
     ("drafted", "done", "rancangan-peraturan-daerah/kota-cimahi/penyelenggaraan-parkir")),
    ("DPRD Kota Bandung mengesahkan Raperda tentang Penataan Pasar menjadi Perda dalam rapat paripurna.",
     ("passed", "done", "rancangan-peraturan-daerah/kota-bandung/penataan-pasar")),
    ("Wali Kota Bandung menandatangani Peraturan Wali Kota Bandung Nomor 22 Tahun 2025 tentang Zonasi PKL.",
     ("signed", "done", "peraturan-wali-kota-kota-bandung-22-2025")),
    ("Peraturan Wali Kota Bandung Nomor 22 Tahun 2025 mulai berlaku 1 Januari 2026.",
     ("in_force", "done", "peraturan-wali-kota-kota-bandung-22-2025")),
    ("Kewajiban itu tertuang dalam Peraturan Wali Kota Bandung Nomor 18 Tahun 2025 tentang Pemilahan Sampah yang "
     "mulai berlaku 1 Juli 2025.", ("in_force", "done", "peraturan-wali-kota-kota-bandung-18-2025")),
    ("Pemerintah Kota Bogor telah merevisi Perda Kota Bogor Nomor 8 Tahun 2016 tentang Ketertiban Umum.",
     ("amended", "done", "peraturan-daerah-kota-bogor-8-2016")),
    ("Pemerintah Kota Bandung resmi mencabut Peraturan Daerah Kota Bandung Nomor 5 Tahun 2010 tentang Retribusi Pasar.",
     ("revoked", "done", "peraturan-daerah-kota-bandung-5-2010")),
    ("Mahkamah Agung membatalkan Peraturan Gubernur Jawa Barat Nomor 45 Tahun 2024 tentang Jaminan Sosial.",
     ("annulled", "done", "peraturan-gubernur-jawa-barat-45-2024")),
    ("Undang-Undang Nomor 6 Tahun 2023 digugat ke Mahkamah Konstitusi oleh serikat buruh.",
     ("challenged", "done", "undang-undang-6-2023")),
]


@pytest.mark.parametrize("text,expected", EVENT_SENTENCES, ids=[e[1][0] for e in EVENT_SENTENCES])
def test_each_event_type(nlp, text, expected):
    assert expected in events(nlp, text)


def test_event_fields_actor_date_trigger_and_draft_title(nlp):
    facts = extract_text(nlp, "Peraturan Wali Kota Bandung Nomor 22 Tahun 2025 mulai berlaku 1 Januari 2026.")
    (event,) = facts.regulation_events
    assert (event.trigger, event.date, event.actor) == ("mulai berlaku", "2026-01-01", None)  # not the citation's
    assert event.regulation_id == facts.regulations[0].regulation_id
    facts = extract_text(nlp, "Mahkamah Agung membatalkan Peraturan Gubernur Jawa Barat Nomor 45 Tahun 2024.")
    assert facts.regulation_events[0].actor == "Mahkamah Agung"
    facts = extract_text(nlp, "DPRD Kota Bandung mengesahkan Raperda tentang Penataan Pasar menjadi Perda.")
    (event,) = facts.regulation_events
    assert (event.title, event.issuer, event.type, event.actor) == (
        "Penataan Pasar", "Kota Bandung", "Rancangan Peraturan Daerah", "DPRD Kota Bandung")


def test_plans_and_negations_are_kept_apart(nlp):
    assert events(nlp, "Pemkot akan merevisi Perda Kota Bogor Nomor 8 Tahun 2016 tentang Ketertiban Umum.") == [
        ("amended", "planned", "peraturan-daerah-kota-bogor-8-2016")]
    assert events(nlp, "Perda Kota Depok Nomor 1 Tahun 2014 belum dicabut hingga kini.") == [
        ("revoked", "negated", "peraturan-daerah-kota-depok-1-2014")]
    assert events(nlp, "DPR akan membahas RUU Perampasan Aset tahun depan.") == [
        ("drafted", "planned", "rancangan-undang-undang/unknown/perampasan-aset")]


TRAPS = [
    "Izin tambang yang dicabut itu diterbitkan berdasarkan Peraturan Bupati Garut Nomor 3 Tahun 2020.",
    "Penertiban dilakukan berdasarkan Perda Kota Bandung Nomor 4 Tahun 2011 tentang Pedagang Kaki Lima.",
    "Sesuai dengan Peraturan Gubernur Jawa Barat Nomor 45 Tahun 2024, bantuan itu dicabut bagi penerima ganda.",
    "Perda Kota Bandung Nomor 9 Tahun 2019 berlaku untuk seluruh warga kota.",
    "Status tersangka itu dibatalkan hakim, kata kuasa hukum yang mengutip UU Nomor 8 Tahun 1981.",
]


@pytest.mark.parametrize("text", TRAPS)
def test_no_event_where_the_verb_governs_something_else_or_the_regulation_is_a_basis(nlp, text):
    assert events(nlp, text) == []


def test_relations(nlp):
    def relations(text):
        return [(r.relation, r.source_regulation_id, r.target_regulation_id)
                for r in extract_text(nlp, text).regulation_relations]

    assert relations("Peraturan Daerah Kota Bandung Nomor 3 Tahun 2024 tentang Perubahan atas Peraturan Daerah Kota "
                     "Bandung Nomor 5 Tahun 2010 tentang Retribusi Pasar telah diundangkan.") == [
        ("amends", "peraturan-daerah-kota-bandung-3-2024", "peraturan-daerah-kota-bandung-5-2010")]
    assert relations("Peraturan Presiden Nomor 49 Tahun 2025 mencabut Peraturan Presiden Nomor 87 Tahun 2016.") == [
        ("revokes", "peraturan-presiden-49-2025", "peraturan-presiden-87-2016")]
    assert relations("Peraturan Wali Kota Bandung Nomor 10 Tahun 2025 merupakan aturan turunan dari Peraturan Daerah "
                     "Kota Bandung Nomor 4 Tahun 2011 tentang PKL.") == [
        ("implements", "peraturan-wali-kota-kota-bandung-10-2025", "peraturan-daerah-kota-bandung-4-2011")]
    # the signing is the amending Perda's, not the one it amends
    found = events(nlp, "Peraturan Daerah Kota Bandung Nomor 3 Tahun 2024 tentang Perubahan atas Peraturan Daerah "
                        "Kota Bandung Nomor 5 Tahun 2010 tentang Retribusi Pasar telah diundangkan.")
    assert ("signed", "done", "peraturan-daerah-kota-bandung-3-2024") in found
    assert ("amended", "done", "peraturan-daerah-kota-bandung-5-2010") in found


def test_extract_cli_prints_events_and_relations(tmp_path):
    import subprocess
    import sys

    text = tmp_path / "a.txt"
    text.write_text("BANDUNG - Mahkamah Agung membatalkan Peraturan Daerah Kota Bandung Nomor 5 Tahun 2010 tentang "
                    "Retribusi Pasar.", encoding="utf-8")
    done = subprocess.run([str(Path(sys.executable).with_name("pantau")), "extract", "--model", "rules", str(text)],
                          capture_output=True, text=True, timeout=120)
    out = json.loads(done.stdout)
    (event,) = out["regulation_events"]
    assert event["event"] == "annulled" and event["regulation_id"] == out["regulations"][0]["regulation_id"]
    assert {"event", "regulation_id", "title", "issuer", "trigger", "start", "end", "date", "actor",
            "modality"} <= set(event)
    assert out["regulation_relations"] == []


@pytest.mark.slow
def test_a_stored_regulation_later_annulled_alerts_once(tmp_path, prefect_harness):
    from factories import article

    from pantau.flows.backfill import ingest_articles_flow, write_articles
    from pantau.settings import AlertRule, Settings
    from pantau.warehouse import db

    settings = Settings()
    settings.warehouse.path = str(tmp_path / "w.duckdb")
    settings.alerts.jsonl_path = str(tmp_path / "alerts.jsonl")
    settings.extraction.model = "rules"
    settings.alerts.rules = [
        AlertRule(name="regulasi-baru", channels=["jsonl"]),
        AlertRule(name="perda-bandung-batal", kind="regulation_event", events=["annulled", "revoked"],
                  regulation_type="Peraturan Daerah", issuer="Kota Bandung", channels=["jsonl"]),
    ]
    reg = "peraturan-daerah-kota-bandung-5-2010"
    days = [
        ("https://kabar.test/1", "BANDUNG - Pedagang pasar menolak Peraturan Daerah Kota Bandung Nomor 5 Tahun 2010 "
                                 "tentang Retribusi Pasar yang dinilai memberatkan."),
        ("https://kabar.test/2", "BANDUNG - Mahkamah Agung membatalkan Peraturan Daerah Kota Bandung Nomor 5 Tahun "
                                 "2010 tentang Retribusi Pasar dalam putusan uji materi yang diajukan pedagang."),
        ("https://kabar.test/3", "BANDUNG - Setelah Mahkamah Agung membatalkan Peraturan Daerah Kota Bandung Nomor 5 "
                                 "Tahun 2010, pedagang berharap retribusi dihapus. Pemkot akan mencabut Perda Kota "
                                 "Bandung Nomor 7 Tahun 2012."),
    ]
    raised = []
    for n, (url, body) in enumerate(days):
        path = tmp_path / f"day{n}.jsonl"
        write_articles([article(url=url, body=body)], path)
        raised.append(ingest_articles_flow(settings, str(path)).counts["alerts_raised"])
    with db.connect(settings.warehouse.path, read_only=True) as con:
        alerts = con.execute("SELECT rule, subject_id FROM alerts ORDER BY created_at").fetchall()
        timeline = con.execute("SELECT event, articles FROM regulation_timeline WHERE regulation_id = ?",
                               [reg]).fetchall()
    assert ("perda-bandung-batal", f"{reg}#annulled") in alerts
    assert [a for a in alerts if a[0] == "perda-bandung-batal"] == [("perda-bandung-batal", f"{reg}#annulled")]
    assert raised == [1, 1, 1]  # day 1: the Perda is new; day 2: annulled; day 3: only the other Perda is new
    assert timeline == [("annulled", 2)]  # the planned revocation of 7/2012 is no event of 5/2010, nor an alert
    lines = [json.loads(line) for line in Path(settings.alerts.jsonl_path).read_text().splitlines()]
    annulled = [x for x in lines if x["rule"] == "perda-bandung-batal"]
    assert len(annulled) == 1 and annulled[0]["event"] == "annulled" and annulled[0]["actor"] == "Mahkamah Agung"

"""The shipped NER pipeline models/ner-id, and the train/evaluate commands (training/)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest
import spacy

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared"
MODEL = REPO / "models" / "ner-id"
ARTICLE = SHARED / "examples" / "jabar-bpjs-ketenagakerjaan.txt"
MAX_MB = 50


@lru_cache(maxsize=1)
def nlp():
    from pantau.extractors.pipeline import load_ner

    return load_ner(MODEL)  # the NER part of the shipped pipeline


def test_shipped_model_loads_and_is_small():
    pipe = nlp()
    assert pipe.lang == "id"
    assert pipe.pipe_names[-1] == "ner_vote"
    members = [n for n in pipe.pipe_names if n.startswith("ner_") and n != "ner_vote"]
    recipes = json.loads((MODEL / "meta.json").read_text())["pantau_training"]["members"]
    assert len(members) == len(recipes) >= 3 and pipe.get_pipe("ner_vote").min_votes == len(members) // 2 + 1
    for name in members:
        assert set(pipe.get_pipe(name).labels) == {"PER", "ORG", "LOC"}
    assert set(pipe.get_pipe("ner_vote").labels) == {"PER", "ORG", "LOC"}
    size = sum(f.stat().st_size for f in MODEL.rglob("*") if f.is_file())
    assert size < MAX_MB * 1_000_000, f"models/ner-id is {size / 1e6:.1f} MB"


def test_shipped_model_loads_in_a_fresh_process_without_pantau_imports(tmp_path):
    """`spacy.load("models/ner-id")` as a user types it: the vote components come from the package's
    spacy_factories entry points, not from an import of pantau."""
    import subprocess
    import sys

    code = ("import spacy, sys; nlp = spacy.load('models/ner-id'); doc = nlp('Gubernur Jabar Ridwan Kamil datang ke Bandung.'); "
            "print([(e.text, e.label_) for e in doc.ents]); print([(o.name, o.office) for o in doc._.pantau_officials])")
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "('Ridwan Kamil', 'PER')" in res.stdout
    # The whole extractor, registries included: the office from the rule components, "Jabar" from the regions.
    assert "('Ridwan Kamil', 'Gubernur Jawa Barat')" in res.stdout


def test_vote_is_the_majority_of_the_members():
    """The entities are exactly the member spans (start, end, label) found by a majority of the members."""
    from pantau.extractors.ner_vote import vote

    pipe = nlp()
    text = ("Wakil Gubernur Jawa Barat Uu Ruzhanul Ulum bertemu Kepala BPJS Ketenagakerjaan Cabang Bandung di "
            "Gedung Sate, sementara Persib Bandung berlatih di Stadion Si Jalak Harupat, Kabupaten Bandung.")
    vote_pipe = pipe.get_pipe("ner_vote")
    vote_pipe.keep_member_spans = True
    try:
        doc = pipe(text)
    finally:
        vote_pipe.keep_member_spans = False
    member_spans = [[(s.start, s.end, s.label_) for s in doc.spans[key]] for key in vote_pipe.keys]
    assert len(member_spans) >= 3 and any(member_spans)
    assert [(e.start, e.end, e.label_) for e in doc.ents] == vote(member_spans, len(member_spans) // 2 + 1)
    # The members disagree somewhere on this text, or the vote would be trivial.
    assert len({tuple(spans) for spans in member_spans}) > 1


@pytest.mark.parametrize("name", ["NERGrit", "idner-news-2k"])
def test_shipped_model_meets_test_target(name):
    """metrics.json as written by `pantau model evaluate`: the must-have F1 >= 0.72 on each test split."""
    metrics = json.loads((MODEL / "metrics.json").read_text())
    assert metrics["split"] == "test"
    assert metrics["scores"][name]["overall"]["f"] >= 0.72


@pytest.mark.shared
def test_metrics_file_matches_a_fresh_evaluation():
    """The model card's numbers are what the shipped model scores now on the test splits (no stale metrics)."""
    from pantau.training.evaluate import evaluate_model

    data = SHARED / "data" / "ner"
    if not data.is_dir():
        pytest.skip(f"NER corpora not found: {data} (needs ../shared next to the repo)")
    recorded = json.loads((MODEL / "metrics.json").read_text())["scores"]
    fresh = evaluate_model(nlp(), data, "test")
    for name in ("NERGrit", "idner-news-2k"):
        assert fresh[name]["overall"]["f"] == pytest.approx(recorded[name]["overall"]["f"], abs=0.005), name


def test_finds_entities_in_a_made_up_sentence():
    doc = nlp()("Gubernur Jawa Tengah Ganjar Pranowo meresmikan kantor baru Bank Indonesia di Semarang.")
    found = {(e.text, e.label_) for e in doc.ents}
    assert ("Ganjar Pranowo", "PER") in found
    assert ("Semarang", "LOC") in found


def test_whitespace_tokens_are_not_entities():
    doc = nlp()("Wali Kota Bandung\n\nYana Mulyana datang ke Jakarta.\n")
    for ent in doc.ents:
        assert ent.text.strip() == ent.text, ent.text


@pytest.mark.shared
@pytest.mark.parametrize("entity", [
    ("Ridwan Kamil", "PER"),
    ("BPJS Ketenagakerjaan", "ORG"),  # learnt since NERP's untagged agencies are relabelled ORG (--nerp orgs)
])
def test_reference_article_entity(entity):
    if not ARTICLE.exists():
        pytest.skip(f"reference article not found: {ARTICLE} (needs ../shared next to the repo)")
    doc = nlp()(ARTICLE.read_text(encoding="utf-8"))
    found = {(e.text, e.label_) for e in doc.ents}
    assert entity in found


@pytest.mark.slow
def test_train_and_evaluate_commands_smoke(tmp_path):
    """A tiny end-to-end run of `pantau model train` / `evaluate` on hand-made data (no vectors)."""
    from typer.testing import CliRunner

    from pantau.cli.model import app

    data = tmp_path / "ner"
    grit = "Ridwan\tB-PERSON\nKamil\tI-PERSON\nke\tO\nBandung\tB-PLACE\n\nBank\tB-ORGANISATION\nJabar\tI-ORGANISATION\n"
    idner = "Jokowi PROPN B-PER\r\nke ADP O\r\nSurabaya PROPN B-LOC\r\n\r\nKPK PROPN B-ORG\r\nmenahan VERB O\r\n"
    nerp = "bupati\tO\nanas\tB-PPL\ndi\tO\nbanyuwangi\tB-PLC\n"
    for folder, files, text in (("nergrit", ("train.tsv", "valid.tsv", "test.tsv"), grit),
                                ("idner-news-2k", ("train.txt", "dev.txt", "test.txt"), idner),
                                ("nerp", ("train.tsv", "valid.tsv", "test.tsv"), nerp)):
        (data / folder).mkdir(parents=True)
        for name in files:
            (data / folder / name).write_text((text + "\n") * 5, encoding="utf-8")
    cfg = tmp_path / "tiny.cfg"
    text = (REPO / "models" / "ner-id.cfg").read_text()
    text = text.replace("max_epochs = 30", "max_epochs = 2").replace("width = 128", "width = 32")
    cfg.write_text(text)
    out = tmp_path / "model"
    runner = CliRunner()
    # The ensemble path with three of the shipped recipes: two pretrained (one shared pretraining), one
    # CharacterEmbed, trained in two processes.
    res = runner.invoke(app, ["train", "--data", str(data), "--out", str(out), "--config", str(cfg),
                              "--member", "orgs+pretrain", "--member", "lower+pretrain", "--member", "lower+charembed",
                              "--pretrain-epochs", "1", "--jobs", "2", "--news", str(tmp_path / "none.csv"),
                              "--work-dir", str(tmp_path / "work")])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert "pretraining done" in res.output and "vote of 2" in res.output
    from pantau.extractors.pipeline import EXTRACTION_COMPONENTS, load_ner

    assert spacy.load(out).pipe_names[-len(EXTRACTION_COMPONENTS):] == list(EXTRACTION_COMPONENTS)  # the whole extractor
    ensemble = load_ner(out)
    assert ensemble.pipe_names == ["ner_orgs_pretrain", "stash_orgs_pretrain", "ner_lower_pretrain",
                                   "stash_lower_pretrain", "ner_lower_charembed", "stash_lower_charembed", "ner_vote"]
    meta = json.loads((out / "meta.json").read_text())
    assert set(meta["pantau_training"]["members"]) == {"orgs+pretrain", "lower+pretrain", "lower+charembed"}
    assert meta["pantau_training"]["members"]["orgs+pretrain"]["settings"]["nerp"] == "orgs"
    # spaCy loads init_tok2vec only with a [pretraining] block naming the layer: the pretrained members have it.
    from spacy.util import load_config

    trained = load_config(tmp_path / "work" / "orgs+pretrain-model" / "config.cfg", interpolate=False)
    assert trained["pretraining"]["component"] == "tok2vec"
    weights = Path(trained["paths"]["init_tok2vec"])
    assert weights.name == "model-last.bin" and weights.is_relative_to(tmp_path / "work" / "pretrain")
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["scores"]) == {"NERGrit", "idner-news-2k"}
    res = runner.invoke(app, ["evaluate", "--model", str(out), "--data", str(data), "--split", "dev"])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert "NERGrit" in res.output and "PER" in res.output
    # One model, as the experiments train them.
    single = tmp_path / "single"
    res = runner.invoke(app, ["train", "--single", "--data", str(data), "--out", str(single), "--config", str(cfg),
                              "--no-vectors", "--nerp", "lower", "--pretrain-epochs", "0",
                              "--news", str(tmp_path / "none.csv"), "--work-dir", str(tmp_path / "work1")])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert load_ner(single).pipe_names == ["tok2vec", "ner"]
    res = runner.invoke(app, ["train", "--data", str(data), "--out", str(tmp_path / "x"), "--member", "nope"])
    assert res.exit_code != 0 and "unknown member" in res.output


@pytest.mark.slow
def test_pretrained_weights_are_really_loaded(tmp_path, capsys):
    """A missing init_tok2vec file must fail the training: proof that spaCy reads it (with an empty [pretraining]
    block it silently ignores the weights, which once made a rebuild train its pretrained members from scratch)."""
    from pantau.training.train import TrainSettings, train

    data = tmp_path / "ner"
    for folder, files, text in (("nergrit", ("train.tsv", "valid.tsv", "test.tsv"), "Ridwan\tB-PERSON\nke\tO\n"),
                                ("idner-news-2k", ("train.txt", "dev.txt", "test.txt"), "KPK PROPN B-ORG\r\n"),
                                ("nerp", ("train.tsv", "valid.tsv", "test.tsv"), "anas\tB-PPL\n")):
        (data / folder).mkdir(parents=True)
        for name in files:
            (data / folder / name).write_text((text + "\n") * 3, encoding="utf-8")
    with pytest.raises(SystemExit):  # spaCy's train prints the config error and exits
        train(data, tmp_path / "model", work_dir=tmp_path / "work", settings=TrainSettings(nerp="lower"),
              evaluate=False, init_tok2vec=tmp_path / "missing.bin")
    assert "can't find pretrained tok2vec" in capsys.readouterr().out


def test_spacy_range_in_pyproject_agrees_with_the_model():
    import tomllib

    from packaging.requirements import Requirement

    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    (spacy_req,) = [Requirement(d) for d in deps if Requirement(d).name == "spacy"]
    meta = json.loads((MODEL / "meta.json").read_text())
    from packaging.specifiers import SpecifierSet

    assert spacy_req.specifier == SpecifierSet(meta["spacy_version"])

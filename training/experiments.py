"""Validation experiments behind the choices in ``models/ner-id.cfg`` (results in ``models/README.md``).

Usage: ``python -m training.experiments NAME [NAME ...]`` — each run trains into ``training-runs/exp/NAME``
and appends its *validation* scores (NERGrit valid, idner-news-2k dev) to ``training-runs/experiments.jsonl``.
Test splits are never looked at here.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from pantau.training.train import WORK_DIR, PretrainSettings, TrainSettings, VectorSettings, train

DATA = Path("../shared/data/ner")  # run from the checkout, with ../shared beside it
NEWS = Path("../shared/corpus/detik-2025.csv")

WIDE = {"components.tok2vec.model.encode.width": 256}
BIGROWS = {"components.tok2vec.model.embed.rows": [10000, 2500, 5000, 1500]}  # x256 wide: ~20 MB

EXPERIMENTS: dict[str, TrainSettings] = {
    "nerp-exclude": TrainSettings(nerp="exclude", vectors=None),
    "nerp-exclude+ws": TrainSettings(nerp="exclude", vectors=None,
                                     overrides={"corpora.train.augmenter.whitespace_level": 0.05}),
    "nerp-lower": TrainSettings(nerp="lower", vectors=None),
    "nerp-truecase": TrainSettings(nerp="truecase", vectors=None),
    "nerp-lower+lcaug": TrainSettings(nerp="lower", vectors=None,
                                      overrides={"corpora.train.augmenter.lower_level": 0.1}),
    "lower+floret": TrainSettings(nerp="lower", vectors=VectorSettings()),
    "lower+floret+ng2": TrainSettings(nerp="lower", nergrit_repeat=2, vectors=VectorSettings()),
    "lower+floret+ng2+wide": TrainSettings(nerp="lower", nergrit_repeat=2, vectors=VectorSettings(),
                                           overrides=dict(WIDE)),
    "lower+floret+ng2+pretrain": TrainSettings(nerp="lower", nergrit_repeat=2, vectors=VectorSettings(),
                                               pretrain=PretrainSettings(epochs=4)),
    "lower+lcaug+ws": TrainSettings(nerp="lower", vectors=None,
                                    overrides={"corpora.train.augmenter.lower_level": 0.1,
                                               "corpora.train.augmenter.whitespace_level": 0.05}),
    "lower+pretrain": TrainSettings(nerp="lower", vectors=None, pretrain=PretrainSettings(epochs=8)),
    "lower+charembed": TrainSettings(nerp="lower", vectors=None),
    "nerp-orgs": TrainSettings(nerp="orgs", vectors=None),
    "orgs+charembed": TrainSettings(nerp="orgs", vectors=None),
    # Self-training: 5,000 detik news lines labelled by the vote of orgs+pretrain, lower+charembed, nerp-lower.
    "orgs+pretrain+silver5k": TrainSettings(nerp="orgs", vectors=None, pretrain=PretrainSettings(epochs=8),
                                            silver=str(WORK_DIR / "silver" / "detik-ACD.spacy"),
                                            silver_lines=5000),
    "orgs+pretrain+drop2": TrainSettings(nerp="orgs", vectors=None, pretrain=PretrainSettings(epochs=8),
                                         overrides={"training.dropout": 0.2}),
    "orgs+pretrain+drop3": TrainSettings(nerp="orgs", vectors=None, pretrain=PretrainSettings(epochs=8),
                                         overrides={"training.dropout": 0.3}),
    "orgs+pretrain+hidden128": TrainSettings(nerp="orgs", vectors=None, pretrain=PretrainSettings(epochs=8),
                                             overrides={"components.ner.model.hidden_width": 128}),
    "orgs+pretrain": TrainSettings(nerp="orgs", vectors=None, pretrain=PretrainSettings(epochs=8)),  # shipped
    "nerp-partial+ws": TrainSettings(nerp="partial", vectors=None,
                                     overrides={"corpora.train.augmenter.whitespace_level": 0.05}),
    "nerp-reconciled+ws": TrainSettings(nerp="reconciled", vectors=None,
                                        overrides={"corpora.train.augmenter.whitespace_level": 0.05}),
    "lower+wide+bigrows+ws": TrainSettings(nerp="lower", vectors=None,
                                           overrides={**WIDE, **BIGROWS, "corpora.train.augmenter.whitespace_level": 0.05}),
}

# Experiments that replace a whole config section (an architecture), not a value.
CHAR_EMBED = {"@architectures": "spacy.CharacterEmbed.v2", "width": "${components.tok2vec.model.encode.width}",
              "rows": 7000, "nM": 64, "nC": 8, "include_static_vectors": False, "feature": "NORM"}
SECTIONS: dict[str, dict[tuple[str, ...], dict]] = {
    "lower+charembed": {("components", "tok2vec", "model", "embed"): CHAR_EMBED},
    "orgs+charembed": {("components", "tok2vec", "model", "embed"): CHAR_EMBED},
}


def config_for(name: str, work: Path, base: Path | None = None) -> Path:
    """The base config (default `models/ner-id.cfg`), or a copy with this experiment's sections replaced."""
    from spacy.util import load_config

    from pantau.training.train import DEFAULT_CONFIG

    base = Path(base or DEFAULT_CONFIG)
    if name not in SECTIONS:
        return base
    cfg = load_config(base, interpolate=False)
    for keys, section in SECTIONS[name].items():
        node = cfg
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = dict(section)
    path = work.with_name(name + ".cfg")
    path.parent.mkdir(parents=True, exist_ok=True)
    cfg.to_disk(path)
    return path


def run(name: str, settings: TrainSettings | None = None) -> dict:
    import spacy

    from pantau.training.evaluate import evaluate_model

    settings = settings or EXPERIMENTS[name]
    work = WORK_DIR / "exp" / name
    out = work.with_name(name + "-model")
    t0 = time.perf_counter()
    # Pretraining reads no labels: runs of one config may share its weights (PANTAU_INIT_TOK2VEC=model-last.bin).
    init = os.environ.get("PANTAU_INIT_TOK2VEC") if settings.pretrain is not None else None
    summary = train(DATA, out, config=config_for(name, work), work_dir=work, news_csv=NEWS, settings=settings,
                    evaluate=False, init_tok2vec=init)
    seconds = time.perf_counter() - t0
    nlp = spacy.load(out)
    dev = evaluate_model(nlp, DATA, "dev")
    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    record = {
        "name": name,
        "settings": asdict(settings),
        "dev_micro_f": summary["dev_ents_f"],
        "nergrit_valid": {"f": dev["NERGrit"]["overall"]["f"],
                          **{k: v["f"] for k, v in dev["NERGrit"]["per_label"].items()}},
        "idner_dev": {"f": dev["idner-news-2k"]["overall"]["f"],
                      **{k: v["f"] for k, v in dev["idner-news-2k"]["per_label"].items()}},
        "seconds_total": round(seconds),
        "seconds_train": summary["seconds_train"],
        "size_mb": round(size / 1e6, 1),
    }
    with open(WORK_DIR / "experiments.jsonl", "a") as fh:
        fh.write(json.dumps(record) + "\n")
    print(json.dumps(record))
    return record


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        run(arg)

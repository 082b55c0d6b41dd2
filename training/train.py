"""One reproducible command that rebuilds the Indonesian NER pipeline ``models/ner-id``.

Steps (all seeded, single-threaded where it matters):

1. convert the corpora (``training/corpora.py``) to DocBins in a work directory: train = train splits of
   NERGrit + idner-news-2k (+ NERP, truecased, by default), dev = NERGrit valid + idner-news-2k dev;
2. optionally train floret subword vectors on raw Indonesian text (train-split sentences + the
   ``isi_berita`` column of ``detik-2025.csv``, read in place, never copied) and convert them with
   ``spacy init vectors --mode floret`` (the pipeline stores them; floret is not needed to load it);
3. ``spacy.cli.train.train`` with ``models/ner-id.cfg``; the best checkpoint on dev is kept;
4. the best checkpoint is written to ``--out`` (``nlp.to_disk``) and evaluated on the test splits
   (``metrics.json``).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from pantau.training.corpora import build_corpora, raw_text_lines

DEFAULT_CONFIG = Path(str(files("pantau.models") / "ner-id.cfg"))  # the shipped training config (package data)
WORK_DIR = Path("training-runs")  # checkpoints and logs, under the working directory


@dataclass
class VectorSettings:
    """floret settings (see https://github.com/explosion/floret)."""

    dim: int = 100
    bucket: int = 20000
    minn: int = 3
    maxn: int = 6
    hash_count: int = 2
    epoch: int = 10
    min_count: int = 2
    model: str = "cbow"
    lowercase: bool = True
    seed: int = 0


@dataclass
class PretrainSettings:
    """``spacy pretrain`` of the tok2vec layer (characters objective) on the same raw text as the vectors."""

    epochs: int = 8
    n_characters: int = 4
    hidden_size: int = 300
    batch_words: int = 3000
    dropout: float = 0.2


@dataclass
class TrainSettings:
    nerp: str = "orgs"
    nergrit_repeat: int = 1
    vectors: VectorSettings | None = None  # floret: measured no gain on valid
    pretrain: PretrainSettings | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    silver: str | None = None  # DocBin of teacher-labelled raw text added to train (self-training)
    silver_lines: int = 0  # how many of its docs (evenly spread); 0: all


def build_vectors(data_dir: Path, news_csv: Path | None, work: Path, s: VectorSettings) -> Path:
    """Train floret vectors on raw text and convert them to a spaCy vectors pipeline; returns its path."""
    try:
        import floret
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise SystemExit("floret vectors need the floret package: pip install 'floret==0.10.5'") from exc
    import spacy
    from spacy.cli.init_pipeline import init_vectors_cli  # noqa: F401  (ensures spacy cli available)
    from spacy.training.initialize import convert_vectors

    work.mkdir(parents=True, exist_ok=True)
    text = work / "raw.txt"
    with open(text, "w", encoding="utf-8") as fh:
        for line in raw_text_lines(data_dir, news_csv):
            fh.write((line.lower() if s.lowercase else line) + "\n")
    model = floret.train_unsupervised(
        str(text), model=s.model, mode="floret", hashCount=s.hash_count, bucket=s.bucket,
        minn=s.minn, maxn=s.maxn, dim=s.dim, epoch=s.epoch, minCount=s.min_count,
        thread=1, verbose=0,  # one thread: deterministic (floret seeds its RNG with 0)
    )
    vec_file = work / "vectors.floret"
    model.save_floret_vectors(str(vec_file))
    text.unlink()
    nlp = spacy.blank("id")
    convert_vectors(nlp, vec_file, truncate=0, prune=-1, mode="floret", attr="LOWER" if s.lowercase else "ORTH",
                    name="pantau_id_floret")
    out = work / "vectors-model"
    nlp.to_disk(out)
    vec_file.unlink()
    return out


def silver_docs(settings: TrainSettings) -> list:
    """The teacher-labelled docs of `settings.silver`, `silver_lines` of them spread evenly (all if 0)."""
    if not settings.silver:
        return []
    from spacy.tokens import DocBin

    from pantau.training.corpora import blank_vocab

    docs = list(DocBin().from_disk(settings.silver).get_docs(blank_vocab()))
    if settings.silver_lines and settings.silver_lines < len(docs):
        step = len(docs) / settings.silver_lines
        docs = [docs[int(i * step)] for i in range(settings.silver_lines)]
    return docs


def write_pipeline(nlp, out: str | Path) -> None:
    """The trained NER plus pantau's components and registries (`extractors.pipeline.assemble`: the whole
    extractor), written with `nlp.to_disk` through a temporary folder, so a failed write never leaves half a model
    in `out`."""
    from pantau.extractors.pipeline import assemble

    nlp = assemble(nlp)
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    nlp.to_disk(tmp)
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)


def write_raw_jsonl(data_dir: Path, news_csv: Path | None, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for line in raw_text_lines(data_dir, news_csv):
            fh.write(json.dumps({"text": line}, ensure_ascii=False) + "\n")
    return path


def with_pretraining(config_path: Path, overrides: dict[str, Any], raw_jsonl: Path, s: PretrainSettings):
    """The training config plus a [pretraining] block (spaCy's defaults, our settings); not interpolated."""
    import spacy
    from spacy.util import load_config

    defaults = load_config(Path(spacy.__file__).parent / "default_config_pretraining.cfg", interpolate=False)
    cfg = load_config(config_path, overrides=overrides, interpolate=False)
    cfg["pretraining"] = defaults["pretraining"]
    cfg["corpora"]["pretrain"] = defaults["corpora"]["pretrain"]
    cfg["paths"]["raw_text"] = str(raw_jsonl)
    cfg["pretraining"]["max_epochs"] = s.epochs
    cfg["pretraining"]["dropout"] = s.dropout
    cfg["pretraining"]["batcher"]["size"] = s.batch_words
    cfg["pretraining"]["objective"]["n_characters"] = s.n_characters
    cfg["pretraining"]["objective"]["hidden_size"] = s.hidden_size
    return cfg


def pretrain_tok2vec(cfg, work: Path) -> Path:
    """Run ``spacy pretrain``; returns the weights of the last epoch."""
    from spacy.training.pretrain import pretrain

    out = work / "pretrain"
    out.mkdir(parents=True, exist_ok=True)
    pretrain(cfg.interpolate(), out, use_gpu=-1, silent=False, skip_last=False)
    last = out / "model-last.bin"
    if not last.exists():
        last = sorted(out.glob("model*.bin"), key=lambda p: p.stat().st_mtime)[-1]
    return last


def pretrain(data_dir: str | Path, news_csv: str | Path | None, config: str | Path, work: Path,
             settings: PretrainSettings, overrides: dict[str, Any] | None = None) -> Path:
    """`spacy pretrain` of the tok2vec of `config` on the raw text; returns the weights file."""
    raw = write_raw_jsonl(Path(data_dir), Path(news_csv) if news_csv else None, work / "raw.jsonl")
    cfg = with_pretraining(Path(config), overrides or {}, raw, settings)
    cfg.to_disk(work / "config-pretrain.cfg")
    return pretrain_tok2vec(cfg, work)


def train(
    data_dir: str | Path,
    out: str | Path,
    config: str | Path = DEFAULT_CONFIG,
    work_dir: str | Path | None = None,
    news_csv: str | Path | None = None,
    settings: TrainSettings | None = None,
    evaluate: bool = True,
    init_tok2vec: str | Path | None = None,
) -> dict:
    """Train one NER pipeline; returns a summary (settings, dev score, timing).

    `init_tok2vec`: weights already made by `spacy pretrain` for this config (an ensemble pretrains once for
    all its members); otherwise `settings.pretrain` runs the pretraining here."""
    import spacy
    from spacy.cli.train import train as spacy_train

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    settings = settings or TrainSettings()
    data_dir, out = Path(data_dir), Path(out)
    work = Path(work_dir) if work_dir else WORK_DIR / "build"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    t0 = time.perf_counter()
    paths = build_corpora(data_dir, work / "corpus", nerp=settings.nerp, news_csv=news_csv,
                          nergrit_repeat=settings.nergrit_repeat, extra_train=silver_docs(settings))
    overrides: dict[str, Any] = {
        "paths.train": str(paths["train"]),
        "paths.dev": str(paths["dev"]),
        "system.seed": settings.seed,
    }
    if settings.vectors is not None:
        overrides["paths.vectors"] = str(build_vectors(data_dir, Path(news_csv) if news_csv else None,
                                                       work / "vectors", settings.vectors))
        overrides["components.tok2vec.model.embed.include_static_vectors"] = True
    overrides.update(settings.overrides)
    if init_tok2vec is None and settings.pretrain is not None:
        init_tok2vec = pretrain(data_dir, news_csv, config, work, settings.pretrain, overrides)
    if init_tok2vec is not None:
        # spaCy only loads [initialize] init_tok2vec when the config has a [pretraining] block (it names the
        # layer the weights belong to); with the empty block of models/ner-id.cfg they would be silently ignored.
        cfg = with_pretraining(Path(config), {}, work / "raw.jsonl", settings.pretrain or PretrainSettings())
        config = work / "config-train.cfg"
        cfg.to_disk(config)
        overrides["paths.init_tok2vec"] = str(init_tok2vec)
    t1 = time.perf_counter()
    spacy_train(Path(config), work / "model", overrides=overrides, use_gpu=-1)
    t2 = time.perf_counter()
    best = work / "model" / "model-best"
    nlp = spacy.load(best)
    nlp.meta["name"] = "ner_id"
    nlp.meta["version"] = "0.2.0"
    nlp.meta["description"] = "pantau Indonesian NER (PER, ORG, LOC); see models/README.md"
    nlp.meta["license"] = "Apache-2.0"
    summary = {
        "settings": asdict(settings),
        "config": str(config),
        "dev_ents_f": (nlp.meta.get("performance") or {}).get("ents_f"),
        "seconds_prepare": round(t1 - t0, 1),
        "seconds_train": round(t2 - t1, 1),
    }
    nlp.meta["pantau_training"] = summary
    write_pipeline(nlp, out)
    if evaluate:
        from pantau.training.evaluate import run_evaluate

        run_evaluate(out, data_dir, "test")
    (work / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary

"""Entity-level evaluation of the NER pipeline on the NERGrit and idner-news-2k test (or dev) splits."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Iterable

from spacy.language import Language
from spacy.scorer import Scorer
from spacy.tokens import Doc
from spacy.training import Example

from pantau.extractors.pipeline import load_ner, model_dir
from pantau.training.corpora import LABELS, load_docs

#: (corpus key in training.corpora.CORPORA, display name)
EVAL_SETS = (("nergrit", "NERGrit"), ("idner", "idner-news-2k"))


def score_docs(nlp: Language, gold_docs: Iterable[Doc], batch_size: int = 256) -> dict:
    """Entity-level P/R/F1 (exact span and label match), overall and per label, on gold tokenisation."""
    gold_docs = list(gold_docs)
    inputs = [Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]) for d in gold_docs]
    preds = list(nlp.pipe(inputs, batch_size=batch_size))
    examples = [Example(p, g) for p, g in zip(preds, gold_docs)]
    scores = Scorer.score_spans(examples, "ents")
    per_type = scores.get("ents_per_type") or {}
    gold_counts = {label: 0 for label in LABELS}
    for d in gold_docs:
        for e in d.ents:
            gold_counts[e.label_] = gold_counts.get(e.label_, 0) + 1
    out = {
        "overall": {"p": scores["ents_p"] or 0.0, "r": scores["ents_r"] or 0.0, "f": scores["ents_f"] or 0.0,
                    "support": sum(gold_counts.values())},
        "per_label": {},
        "sentences": len(gold_docs),
    }
    for label in LABELS:
        s = per_type.get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
        out["per_label"][label] = {"p": s["p"], "r": s["r"], "f": s["f"], "support": gold_counts.get(label, 0)}
    return out


def evaluate_model(nlp: Language, data_dir: str | Path, split: str = "test") -> dict[str, dict]:
    results = {}
    for key, name in EVAL_SETS:
        docs = load_docs(data_dir, key, split, nlp.vocab)
        results[name] = score_docs(nlp, docs)
    return results


def measure_speed(nlp: Language, news_csv: str | Path, batch_size: int = 64) -> dict:
    """Words per second of the whole pipeline (tokenizer included) over the ``isi_berita`` column."""
    csv.field_size_limit(1 << 30)
    with open(news_csv, encoding="utf-8", newline="") as fh:
        texts = [row["isi_berita"] or "" for row in csv.DictReader(fh)]
    start = time.perf_counter()
    n_words = 0
    for doc in nlp.pipe(texts, batch_size=batch_size):
        n_words += len(doc)
    seconds = time.perf_counter() - start
    return {"texts": len(texts), "words": n_words, "seconds": round(seconds, 2),
            "words_per_second": round(n_words / seconds) if seconds else None}


def render(results: dict[str, dict], title: str = "NER test scores"):
    from rich.table import Table

    table = Table(title=title)
    for col in ("split", "label", "P", "R", "F1", "gold"):
        table.add_column(col, justify="left" if col in ("split", "label") else "right")
    for name, res in results.items():
        rows = [("ALL", res["overall"])] + list(res["per_label"].items())
        for i, (label, s) in enumerate(rows):
            table.add_row(name if i == 0 else "", label, f"{s['p']:.3f}", f"{s['r']:.3f}", f"{s['f']:.3f}",
                          str(s["support"]), end_section=(i == len(rows) - 1))
    return table


def run_evaluate(
    model: str | Path = "default",
    data_dir: str | Path = "../shared/data/ner",
    split: str = "test",
    metrics_path: str | Path | None = None,
    speed_csv: str | Path | None = None,
    console=None,
) -> dict:
    from rich.console import Console

    console = console or Console()
    model = model_dir(model)  # `default`: the shipped pipeline
    nlp = load_ner(model)
    results = evaluate_model(nlp, data_dir, split)
    console.print(render(results, title=f"{Path(model)} — entity-level scores on {split} splits"))
    metrics: dict = {"model": str(model), "split": split, "scores": results}
    if speed_csv:
        speed = measure_speed(nlp, speed_csv)
        metrics["speed"] = speed
        console.print(f"speed: {speed['words_per_second']:,} words/s ({speed['words']:,} words in "
                      f"{speed['seconds']} s, {speed['texts']} texts, 1 process)")
    if metrics_path is None:
        metrics_path = Path(model) / "metrics.json"
    if metrics_path:
        old = {}
        if Path(metrics_path).exists():
            try:
                old = json.loads(Path(metrics_path).read_text())
            except ValueError:
                old = {}
        if "speed" not in metrics and "speed" in old:
            metrics["speed"] = old["speed"]
        Path(metrics_path).write_text(json.dumps(metrics, indent=2) + "\n")
        console.print(f"wrote {metrics_path}")
    return metrics

"""How much the pantau extraction components add to NER-only `nlp.pipe` time (target: ≤ 15%).

    .venv/bin/python bench/extract_overhead.py [--corpus ../shared/corpus/detik-2025.csv] [--limit N] [--model DIR]

Runs the same cleaned texts through the pipeline with the extraction components disabled (NER only), then
with everything, alternating the two for `--rounds` rounds and keeping each one's best time. Times are process
CPU time, so a busy machine (the NER training job) does not skew the ratio.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

from pantau.extractors.boilerplate import clean_text
from pantau.extractors.pipeline import EXTRACTION_COMPONENTS, load_pipeline

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "detik-2025.csv"


def read_texts(path: Path, limit: int | None) -> list[str]:
    csv.field_size_limit(sys.maxsize)
    with open(path, newline="", encoding="utf-8") as fh:
        texts = [clean_text(row["isi_berita"]) for row in csv.DictReader(fh)]
    return texts[:limit] if limit else texts


def timed(nlp, texts: list[str], disable: tuple[str, ...]) -> float:
    start = time.process_time()
    with nlp.select_pipes(disable=list(disable)):
        for _doc in nlp.pipe(texts, batch_size=32):
            pass
    return time.process_time() - start


def component_times(nlp, texts: list[str]) -> tuple[float, dict[str, float]]:
    """NER-only pipe time, then each extraction component's own time over those Docs (less noisy on a busy
    machine than comparing two whole runs)."""
    start = time.process_time()
    with nlp.select_pipes(disable=list(EXTRACTION_COMPONENTS)):
        docs = list(nlp.pipe(texts, batch_size=32))
    ner = time.process_time() - start
    own = {}
    for name in EXTRACTION_COMPONENTS:
        proc = nlp.get_pipe(name)
        start = time.process_time()
        for doc in docs:
            proc(doc)
        own[name] = time.process_time() - start
    return ner, own


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--model", default="default", help="default (the shipped pipeline) or a pipeline folder")
    args = ap.parse_args()
    if not args.corpus.exists():
        sys.exit(f"corpus not found: {args.corpus}")
    texts = read_texts(args.corpus, args.limit)
    nlp = load_pipeline(args.model)
    timed(nlp, texts[:20], ())  # warm-up: registry matcher, regex compilation
    ner_only, full = float("inf"), float("inf")
    for _ in range(args.rounds):
        ner_only = min(ner_only, timed(nlp, texts, EXTRACTION_COMPONENTS))
        full = min(full, timed(nlp, texts, ()))
    chars = sum(map(len, texts))
    print(f"pipeline: {nlp.pipe_names}  ({nlp.meta.get('pantau_extractor_version')})")
    print(f"texts: {len(texts)}  characters: {chars}")
    print(f"NER only: {ner_only:.2f}s   full pipeline: {full:.2f}s")
    print(f"ratio full/NER-only: {full / ner_only:.3f}  (extraction adds {100 * (full / ner_only - 1):.1f}%, "
          f"target <= 15%)")
    ner, own = component_times(nlp, texts)
    print("per component: " + ", ".join(f"{k} {v:.2f}s" for k, v in own.items()))
    print(f"components' own time / NER-only time: {sum(own.values()) / ner:.3f}")


if __name__ == "__main__":
    main()

"""Run extraction over the corpus: counts of each fact kind and a random sample of regulation mentions (with
context) for a precision hand check.

    .venv/bin/python bench/extract_corpus.py [--corpus ../shared/corpus/detik-2025.csv] [--sample 50] [--seed 4]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter
from pathlib import Path

from bench.extract_overhead import DEFAULT_CORPUS, read_texts
from pantau.extractors.pipeline import extract, load_pipeline

KINDS = ("regulations", "regulation_references_without_number", "officials", "organizations", "figures", "quotes",
         "locations")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--sample", type=int, default=50)
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--model", default="default", help="default, rules or a pipeline folder")
    args = ap.parse_args()
    texts = read_texts(args.corpus, args.limit)
    nlp = load_pipeline(args.model)
    facts = extract(nlp, texts)
    counts = Counter({k: sum(len(getattr(f, k)) for f in facts) for k in KINDS})
    print(f"{len(texts)} articles, {nlp.meta.get('pantau_extractor_version')}")
    for kind in KINDS:
        print(f"  {kind:40s} {counts[kind]:6d}")
    with_office = sum(1 for f in facts for o in f.officials if o.office)
    with_speaker = sum(1 for f in facts for q in f.quotes if q.speaker)
    print(f"  officials with office {with_office}, quotes with speaker {with_speaker}")
    mentions = [(i, r) for i, f in enumerate(facts) for r in f.regulations]
    random.Random(args.seed).shuffle(mentions)
    print(f"\n{min(args.sample, len(mentions))} random regulation mentions (article, fields, context):")
    for n, (i, r) in enumerate(mentions[: args.sample], 1):
        ctx = texts[i][max(0, r.start - 40): r.end + 60].replace("\n", " ")
        print(f"{n:2d}. [{i}] {r.label} | title={r.title!r} | date={r.date}\n      …{ctx}…")


if __name__ == "__main__":
    main()

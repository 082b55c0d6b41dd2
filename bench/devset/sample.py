"""Draw the identity development set (issue 13): articles at random, among those that name officials or regulations.

    .venv/bin/python bench/devset/sample.py   # prints bench/devset/sample.json (seeded: the same draw every time)

Reads the corpora in place (`../shared/corpus`, never copied). A third of each corpus's draw is held aside
(`split: "test"`), scored only at the end; the rest is the development part (`split: "dev"`).
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[3] / "shared" / "corpus"
SEED = 20261202
# A regulation type word or an office title: the articles the facts are about.
CUE = re.compile(r"\b(?:Perda|Pergub|Perbup|Perwal|Peraturan|Undang-Undang|UU|Inpres|Perpres|Permen\w*|Keputusan|"
                 r"Surat Edaran|Qanun|Gubernur|Bupati|Wali ?[Kk]ota|Kapolres|Kapolda|Kepala Dinas|Menteri|Sekda)\b")
CORPORA = {"news": ("news-2025-06.csv", "text", 66), "detik": ("detik-2025.csv", "isi_berita", 24)}
# detik articles studied while the rules were written (the earlier sessions' development texts) are not drawn.
STUDIED_DETIK = 300


def draw() -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    rng = random.Random(SEED)
    out = []
    for corpus, (name, column, n) in CORPORA.items():
        with open(SHARED / name, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if corpus == "detik":
            rows = rows[STUDIED_DETIK:]
        pool = [r["id"] for r in rows if len(CUE.findall(r[column] or "")) >= 2]
        chosen = rng.sample(pool, n)
        for i, article_id in enumerate(chosen):
            out.append({"id": article_id, "corpus": corpus, "split": "test" if i % 3 == 2 else "dev"})
    return out


if __name__ == "__main__":
    print(json.dumps(draw(), indent=1))

"""Draw the lifecycle-event development set (issue 16): articles where a regulation or a draft appears in the same
sentence as an event word (and, as traps, some where a regulation is only cited as a basis).

    .venv/bin/python bench/events/sample.py > bench/events/sample.json   # seeded: the same draw every time

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
SEED = 20261216
SUBJECT = re.compile(r"\b(?:Perda|Pergub|Perbup|Perwal|Peraturan|Undang-Undang|UU|Inpres|Perpres|Permen\w*|PP|"
                     r"Keputusan|Qanun|Raperda|Ranperda|Rancangan|RUU|Raperbup|Raperwal|Rapergub)\b")
EVENT = re.compile(r"(?i)\b(?:dibahas|membahas|pembahasan|diajukan|pansus|disahkan|mengesahkan|pengesahan|disetujui|"
                   r"menyetujui|ditandatangani|menandatangani|diundangkan|diterbitkan|menerbitkan|diteken|"
                   r"mulai berlaku|berlaku efektif|diberlakukan|diubah|mengubah|direvisi|merevisi|revisi|perubahan atas|"
                   r"dicabut|mencabut|pencabutan|tidak berlaku lagi|dibatalkan|membatalkan|pembatalan|digugat|"
                   r"menggugat|gugatan|uji materi\w*|judicial review|permohonan pengujian|aturan turunan|"
                   r"peraturan pelaksana\w*)\b")
BASIS = re.compile(r"(?i)\b(?:berdasarkan|mengacu pada|sesuai dengan|merujuk pada)\s+(?:Perda|Pergub|Perbup|Perwal|"
                   r"Peraturan|Undang-Undang|UU)\b")
SENTENCE = re.compile(r"[^.!?\n]+[.!?\n]?")
CORPORA = {"news": ("news-2025-06.csv", "text", 45), "detik": ("detik-2025.csv", "isi_berita", 35)}
TRAPS = {"news": 6, "detik": 4}
EXTRA = {"detik": 24}  # a second draw (to pass 150 annotated instances), from the candidates the first left


def cues(text: str) -> int:
    """Sentences with a subject word and an event word."""
    return sum(1 for s in SENTENCE.findall(text) if SUBJECT.search(s) and EVENT.search(s))


def draw() -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    rng = random.Random(SEED)
    out = []
    for corpus, (name, column, n) in CORPORA.items():
        with open(SHARED / name, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        events = [r["id"] for r in rows if cues(r[column] or "") >= 1]
        traps = [r["id"] for r in rows if r["id"] not in events and BASIS.search(r[column] or "")]
        chosen = rng.sample(events, min(n, len(events))) + rng.sample(traps, TRAPS[corpus])
        for i, article_id in enumerate(chosen):
            out.append({"id": article_id, "corpus": corpus, "split": "test" if i % 3 == 2 else "dev"})
        if corpus in EXTRA:
            rest = [a for a in events if a not in chosen]
            for i, article_id in enumerate(random.Random(SEED + 1).sample(rest, EXTRA[corpus])):
                out.append({"id": article_id, "corpus": corpus, "split": "test" if i % 3 == 2 else "dev"})
    return out


if __name__ == "__main__":
    print(json.dumps(draw(), indent=1))

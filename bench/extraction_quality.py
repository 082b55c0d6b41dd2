"""Extraction quality on the hand-annotated development set (issue 13): P/R/F1 and field accuracy per fact kind,
per corpus and per split.

    .venv/bin/python bench/extraction_quality.py [--split dev|test|all] [--model default] [--json OUT] [--errors]

The articles are read in place from `../shared/corpus` (never copied); the annotations are
`bench/devset/annotations/<corpus>/<id>.json` (ids, surfaces and fields only, following `../shared/ANNOTATION.md`),
the draw and its split in `bench/devset/sample.json` (`bench/devset/sample.py`). The held-aside part is
`split: "test"`: score it only at the end.

How it scores (ANNOTATION.md):
- regulations: per article, numbered citations de-duplicated on (number, year); a match is the same (number, year)
  (annotated numberless references are left out). Field
  accuracy over the matches: `type`, `issuer` (null must be null), `title`.
- officials: people with a stated office; a match is the same name (or a predicted name among the annotated
  surfaces); `office` accuracy over the matches.
- organizations: a match is the same canonical name or a shared surface form, one to one.
Names compare case-, space- and punctuation-insensitively; titles also ignore where spaces fall (scraped pages glue
words: "PenyelenggaraanIbadah Hajidan Umrah").
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEVSET = HERE / "devset"
SHARED = HERE.parents[1] / "shared" / "corpus"
CORPORA = {"news": ("news-2025-06.csv", "text", "published_raw"), "detik": ("detik-2025.csv", "isi_berita", "tanggal")}


def norm(text: str | None) -> str:
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w/'-]+", " ", folded).split())


def number_key(number: str | None, year) -> tuple[str, str]:
    return (re.sub(r"\s+", "", (number or "")).upper(), str(year or ""))


def read_articles(ids_by_corpus: dict[str, set[str]]) -> dict[tuple[str, str], dict]:
    csv.field_size_limit(sys.maxsize)
    out = {}
    for corpus, ids in ids_by_corpus.items():
        name, text_col, date_col = CORPORA[corpus]
        with open(SHARED / name, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["id"] in ids:
                    out[(corpus, row["id"])] = {"text": row[text_col], "date": row[date_col]}
    return out


def published(raw: str):
    import datetime as dt

    from pantau.ingest.dates import parse_date

    found = re.search(r"\d{1,2}/\d{1,2}/\d{4}", raw or "")
    if found:  # detik's `10/21/2025 20:43` is month first; others write the day first
        a, b, year = (int(x) for x in found.group(0).split("/"))
        try:
            return dt.date(year, a, b)
        except ValueError:
            return dt.date(year, b, a)
    cleaned = re.sub(r"^.*?(?=\d{1,2}\s+[A-Za-z]{3})", "", raw or "").replace("|", " ")
    when = parse_date(cleaned)
    return when.date() if when else None


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.fields: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # field -> [right, matched]

    def add(self, other: Tally) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn
        for k, (r, n) in other.fields.items():
            self.fields[k][0] += r
            self.fields[k][1] += n

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    def check(self, field: str, right: bool, errors: list[str], message: str) -> None:
        """One matched fact's field: counted, and its mismatch described."""
        self.fields[field][0] += right
        self.fields[field][1] += 1
        if not right:
            errors.append(message)

    def field(self, name: str) -> float | None:
        right, n = self.fields.get(name, (0, 0))
        return right / n if n else None


def _regulation_index(items: list[dict]) -> dict[tuple[str, str], dict]:
    """(number, year) → merged fields: the first non-null value of each field across the mentions."""
    out: dict[tuple[str, str], dict] = {}
    for r in items:
        if not r.get("number"):
            continue  # a numberless reference ("UU Cipta Kerja") is not a citation
        key = number_key(r.get("number"), r.get("year"))
        have = out.setdefault(key, {})
        for field in ("type", "issuer", "title"):
            if have.get(field) is None and r.get(field) is not None:
                have[field] = r[field]
    return out


def score_regulations(gold: list[dict], got: list[dict], errors: list[str]) -> Tally:
    t = Tally()
    g, p = _regulation_index(gold), _regulation_index(got)
    for key in g.keys() & p.keys():
        t.tp += 1
        for field in ("type", "issuer", "title"):
            right = norm(g[key].get(field)) == norm(p[key].get(field))
            if field == "title":  # words glued by scraping ("Hajidan Umrah") are the page's, not the extractor's
                right = norm(g[key].get(field)).replace(" ", "") == norm(p[key].get(field)).replace(" ", "")
            t.check(field, right, errors, f"regulation {'/'.join(key)} {field}: got {p[key].get(field)!r}, "
                                          f"want {g[key].get(field)!r}")
    t.fp, t.fn = len(p.keys() - g.keys()), len(g.keys() - p.keys())
    errors += [f"regulation extra: {'/'.join(k)}" for k in p.keys() - g.keys()]
    errors += [f"regulation missed: {'/'.join(k)}" for k in g.keys() - p.keys()]
    return t


def score_officials(gold: list[dict], got: list[dict], errors: list[str]) -> Tally:
    t = Tally()
    got = [o for o in got if o.get("office")]
    unmatched = list(got)
    for g in gold:
        names = {norm(g["name"])} | {norm(s) for s in g.get("surfaces", [])}
        hit = next((o for o in unmatched if norm(o["name"]) in names), None)
        if hit is None:
            t.fn += 1
            errors.append(f"official missed: {g['name']} ({g.get('office')})")
            continue
        unmatched.remove(hit)
        t.tp += 1
        t.check("office", norm(hit["office"]) == norm(g.get("office")), errors,
                f"official {g['name']} office: got {hit['office']!r}, want {g.get('office')!r}")
    t.fp = len(unmatched)
    errors += [f"official extra: {o['name']} ({o['office']})" for o in unmatched]
    return t


def score_organizations(gold: list[dict], got: list[dict], errors: list[str]) -> Tally:
    t = Tally()
    unmatched = list(got)
    for g in gold:
        names = {norm(g["name"])} | {norm(s) for s in g.get("surfaces", [])}
        hit = next((o for o in unmatched if norm(o["name"]) == norm(g["name"])), None) or next(
            (o for o in unmatched if norm(o["name"]) in names or names & {norm(s) for s in o.get("surfaces", [])}),
            None)
        if hit is None:
            t.fn += 1
            errors.append(f"organization missed: {g['name']}")
            continue
        unmatched.remove(hit)
        t.tp += 1
        t.check("name", norm(hit["name"]) == norm(g["name"]), errors,
                f"organization name: got {hit['name']!r}, want {g['name']!r}")
    t.fp = len(unmatched)
    errors += [f"organization extra: {o['name']}" for o in unmatched]
    return t


KINDS = {"regulations": score_regulations, "officials": score_officials, "organizations": score_organizations}


def evaluate(split: str = "dev", model: str = "default", show_errors: bool = False) -> dict:
    from pantau.extractors.pipeline import extract_text, load_pipeline

    sample = json.loads((DEVSET / "sample.json").read_text())
    chosen = [s for s in sample if split == "all" or s["split"] == split]
    annotated = [s for s in chosen if (DEVSET / "annotations" / s["corpus"] / f"{s['id']}.json").exists()]
    articles = read_articles({c: {s["id"] for s in annotated if s["corpus"] == c} for c in CORPORA})
    nlp = load_pipeline(model)
    tallies: dict[tuple[str, str, str], Tally] = defaultdict(Tally)  # (corpus, split, kind)
    for s in annotated:
        gold = json.loads((DEVSET / "annotations" / s["corpus"] / f"{s['id']}.json").read_text())
        article = articles[(s["corpus"], s["id"])]
        got = extract_text(nlp, article["text"], published(article["date"])).to_json()
        errors: list[str] = []
        for kind, scorer in KINDS.items():
            tallies[(s["corpus"], s["split"], kind)].add(scorer(gold.get(kind, []), got.get(kind, []), errors))
        if show_errors and errors:
            print(f"--- {s['corpus']} {s['id']}")
            print("\n".join(f"  {e}" for e in errors))
    report = {"split": split, "model": nlp.meta.get("pantau_extractor_version"), "articles": len(annotated),
              "missing_annotations": [s["id"] for s in chosen if s not in annotated], "scores": {}}
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for corpus, part, _ in tallies:
        groups[corpus].append((corpus, part))
    for corpus in sorted(groups):
        for kind in KINDS:
            total = Tally()
            for c, part in set(groups[corpus]):
                total.add(tallies[(c, part, kind)])
            p, r, f = total.prf()
            fields = {name: total.field(name) for name in total.fields}
            report["scores"].setdefault(corpus, {})[kind] = {
                "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "tp": total.tp,
                "fp": total.fp, "fn": total.fn, **{f"{k}_accuracy": round(v, 3) for k, v in fields.items() if v is not None}}
    return report


def render(report: dict) -> str:
    lines = [f"split {report['split']} · {report['articles']} annotated articles · {report['model']}"]
    if report["missing_annotations"]:
        lines.append(f"(not annotated yet: {len(report['missing_annotations'])})")
    lines.append(f"{'corpus':8} {'kind':14} {'P':>6} {'R':>6} {'F1':>6}  {'tp/fp/fn':>12}  fields")
    for corpus, kinds in report["scores"].items():
        for kind, s in kinds.items():
            fields = "  ".join(f"{k.removesuffix('_accuracy')} {v:.2f}" for k, v in s.items() if k.endswith("_accuracy"))
            lines.append(f"{corpus:8} {kind:14} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}  "
                         f"{s['tp']:>4}/{s['fp']}/{s['fn']:<4}  {fields}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    ap.add_argument("--model", default="default")
    ap.add_argument("--json", type=Path, help="also write the report as JSON")
    ap.add_argument("--errors", action="store_true", help="print every mismatch per article")
    args = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"corpora not found at {SHARED} (the shared data folder beside the repository)")
    report = evaluate(args.split, args.model, args.errors)
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()

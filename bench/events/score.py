"""Lifecycle events and relations against the hand annotations (issue 16): P/R/F1 per event type, overall and for
relations, per split.

    .venv/bin/python bench/events/score.py [--split dev|test|all] [--model default] [--errors] [--examples N]

Articles are read in place from `../shared/corpus`; annotations are `bench/events/annotations/<corpus>/<id>.json`
(see GUIDE.md), the draw and its split `bench/events/sample.json`. Matching, per article, one to one:
- an event matches when the event type and the modality agree and the subject does: the same regulation number
  (and year, when both give one), or for a draft a title sharing at least half its words (or both untitled drafts
  of one type); a named law without a number ("UU Cipta Kerja") is scored as annotated, which the extractor cannot
  match (it needs a number to make a regulation) — it counts as a miss;
- a relation matches on (relation, source number, target number).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from extraction_quality import number_key, published, read_articles  # noqa: E402

from pantau.settings import REGULATION_EVENTS as EVENT_TYPES  # noqa: E402


def words(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", (text or "").lower())) - {"tentang", "dan", "atas", "di", "ke", "dari"}


DRAFT_WORD = re.compile(r"^(?:RUU|Raperda|Ranperda|Raper\w+|Rancangan|R[A-Z]{2,})", re.I)


def gold_subject(e: dict) -> tuple:
    if e.get("number"):
        return ("number", *number_key(e["number"], e.get("year")))
    if e.get("draft_title") or "rancangan" in (e.get("type") or "").lower() or DRAFT_WORD.match(e.get("subject") or ""):
        return ("draft", e.get("draft_title") or "", e.get("type") or "", e.get("subject") or "")
    return ("named", e.get("subject") or "")


def predicted_subject(e: dict, regulations: dict[str, dict]) -> tuple:
    if e.get("regulation_id") and e["regulation_id"] in regulations:
        r = regulations[e["regulation_id"]]
        return ("number", *number_key(r.get("number"), r.get("year")), r.get("title") or "")
    return ("draft", e.get("title") or "", e.get("type") or "", "")


def overlap(g: set[str], p: set[str]) -> bool:
    return bool(g and p) and len(g & p) >= 0.5 * min(len(g), len(p))


def same_subject(gold: tuple, got: tuple) -> bool:
    if gold[0] == "named":  # a law named without its number ("UU Cipta Kerja"): its title words
        return got[0] == "number" and overlap(words(gold[1]) - {"undang", "uu", "peraturan"}, words(got[3]))
    if gold[0] != got[0]:
        return False
    if gold[0] == "number":
        return gold[1] == got[1] and (not gold[2] or not got[2] or gold[2] == got[2])
    g, p = words(gold[1]) or words(gold[3]) - {"ruu", "rancangan", "raperda", "ranperda"}, words(got[1])
    return (not p or not g) or overlap(g, p)  # an untitled draft on either side: the event and modality decide


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score_article(gold: dict, got: dict, tallies: dict[str, Tally], errors: list[str], found: list[tuple]) -> None:
    regulations = {r["regulation_id"]: r for r in got["regulations"]}
    predicted = [(e, predicted_subject(e, regulations)) for e in got["regulation_events"]]
    unmatched = list(range(len(predicted)))
    for g in gold.get("events", []):
        subject = gold_subject(g)
        hit = next((i for i in unmatched if predicted[i][0]["event"] == g["event"]
                    and predicted[i][0]["modality"] == g.get("modality", "done")
                    and same_subject(subject, predicted[i][1])), None)
        for key in (g["event"], "all events"):
            if hit is None:
                tallies[key].fn += 1
            else:
                tallies[key].tp += 1
        if hit is None:
            errors.append(f"missed {g['event']}/{g.get('modality')} on {g.get('subject')!r} ({g.get('trigger')!r})")
        else:
            unmatched.remove(hit)
            found.append((g["event"], gold["corpus"], gold["id"], g.get("subject"), predicted[hit][0]["trigger"]))
    for i in unmatched:
        e, subject = predicted[i]
        tallies[e["event"]].fp += 1
        tallies["all events"].fp += 1
        errors.append(f"extra {e['event']}/{e['modality']} on {subject} ({e['trigger']!r})")

    def rel_key(source, target) -> tuple:
        return (number_key(source.get("number"), source.get("year")),
                number_key(target.get("number"), target.get("year")))

    gold_rel = {(r["relation"], *rel_key(r["source"], r["target"])) for r in gold.get("relations", [])}
    got_rel = {(r["relation"], *rel_key(regulations.get(r["source_regulation_id"], {}),
                                        regulations.get(r["target_regulation_id"], {})))
               for r in got["regulation_relations"]}

    def loose(a: tuple, b: tuple) -> bool:  # years may be absent on one side
        return a[0] == b[0] and all(x[0] == y[0] and (not x[1] or not y[1] or x[1] == y[1])
                                    for x, y in zip(a[1:], b[1:]))

    left = set(got_rel)
    for g in gold_rel:
        hit = next((p for p in left if loose(g, p)), None)
        if hit is None:
            tallies["relations"].fn += 1
            errors.append(f"missed relation {g}")
        else:
            tallies["relations"].tp += 1
            left.discard(hit)
    tallies["relations"].fp += len(left)
    errors += [f"extra relation {p}" for p in left]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--model", default="default")
    parser.add_argument("--errors", action="store_true")
    parser.add_argument("--examples", type=int, default=0, help="print up to N found examples per event type")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    sample = json.loads((HERE / "sample.json").read_text(encoding="utf-8"))
    chosen = [s for s in sample if args.split == "all" or s["split"] == args.split]
    annotated = {}
    for s in chosen:
        path = HERE / "annotations" / s["corpus"] / f"{s['id']}.json"
        if path.exists():
            annotated[(s["corpus"], s["id"])] = json.loads(path.read_text(encoding="utf-8"))
    ids: dict[str, set[str]] = defaultdict(set)
    for corpus, article_id in annotated:
        ids[corpus].add(article_id)
    articles = read_articles(ids)
    from pantau.extractors.pipeline import extract_text, load_pipeline

    nlp = load_pipeline(args.model)
    tallies: dict[str, Tally] = defaultdict(Tally)
    found: list[tuple] = []
    for key, gold in sorted(annotated.items()):
        article = articles[key]
        got = extract_text(nlp, article["text"], published(article["date"])).to_json()
        errors: list[str] = []
        score_article(gold, got, tallies, errors, found)
        if args.errors and errors:
            print(f"{key[0]}/{key[1]}:")
            for e in errors:
                print("   ", e)
    print(f"\n{len(annotated)} articles ({args.split}), {sum(len(g.get('events', [])) for g in annotated.values())} "
          f"events and {sum(len(g.get('relations', [])) for g in annotated.values())} relations annotated")
    print(f"{'':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'fp':>4} {'fn':>4}")
    report = {}
    for name in (*EVENT_TYPES, "all events", "relations"):
        t = tallies[name]
        p, r, f = t.prf()
        report[name] = {"p": p, "r": r, "f1": f, "tp": t.tp, "fp": t.fp, "fn": t.fn}
        print(f"{name:<12} {p:>6.2f} {r:>6.2f} {f:>6.2f} {t.tp:>4} {t.fp:>4} {t.fn:>4}")
    if args.examples:
        for event in EVENT_TYPES:
            shown = [f for f in found if f[0] == event][: args.examples]
            for _, corpus, article_id, subject, trigger in shown:
                print(f"  {event:<10} {corpus}/{article_id}: {trigger!r} → {subject}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

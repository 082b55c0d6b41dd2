"""Compare `ArticleFacts` with an `*.expected.json` file (the format of ../shared/examples): list every mismatch.

Used by the reference-article test and handy by hand: `python -m pantau.extractors.expected ARTICLE.txt EXPECTED.json`.
Keys starting with `_` are notes; list order does not matter; only keys the expectation gives are compared.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pantau.types import ArticleFacts


def _strip_notes(d: dict) -> dict:
    return {k: v for k, v in d.items() if not k.startswith("_")}


def _optional(want: dict) -> bool:
    """`"optional": true` (or a note saying so): may or may not be extracted."""
    return bool(want.get("optional")) or "optional" in want.get("_note", "")


def _without(want: dict, *keys: str) -> dict:
    return {k: v for k, v in want.items() if k not in keys}


def _find(items: list[dict], key: str, value: Any) -> dict | None:
    return next((i for i in items if i.get(key) == value), None)


def compare(facts: ArticleFacts | dict, expected: dict) -> list[str]:
    """Every mismatch between `facts` (or their JSON, as `pantau extract` prints it) and `expected`."""
    got = facts if isinstance(facts, dict) else facts.to_json()
    problems: list[str] = []

    def check_fields(kind: str, want: dict, have: dict | None, key: str) -> None:
        if have is None:
            problems.append(f"{kind}: missing {want[key]!r}")
            return
        for field, value in _strip_notes(want).items():
            if have.get(field) != value:
                problems.append(f"{kind} {want[key]!r}: {field} is {have.get(field)!r}, expected {value!r}")

    for want in expected.get("regulations", []):
        check_fields("regulation", want, _find(got["regulations"], "text", want["text"]), "text")
    if len(got["regulations"]) != len(expected.get("regulations", [])):
        problems.append(f"regulations: {len(got['regulations'])} found, expected "
                        f"{len(expected.get('regulations', []))}: {[r['text'] for r in got['regulations']]}")
    for want in expected.get("regulation_references_without_number", []):
        have = _find(got["regulation_references_without_number"], "text", want["text"])
        if have is not None or not _optional(want):
            check_fields("reference", _without(want, "optional"), have, "text")
    for want in expected.get("officials", []):
        have = _find(got["officials"], "name", want["name"])
        check_fields("official", _without(want, "surfaces", "optional"), have, "name")
        if have is not None:
            missing = set(want.get("surfaces", [])) - {m["text"] for m in have["mentions"]}
            if missing:
                problems.append(f"official {want['name']!r}: mentions {sorted(missing)} missing")
    for want in expected.get("organizations", []):
        have = _find(got["organizations"], "name", want["name"])
        if have is None:
            if not _optional(want):
                problems.append(f"organization: missing {want['name']!r}")
            continue
        missing = set(want.get("surfaces", [])) - set(have["surfaces"])
        if missing:
            problems.append(f"organization {want['name']!r}: surfaces {sorted(missing)} missing")
    for want in expected.get("figures", []):
        have = _find(got["figures"], "text", want["text"])
        if have is not None or not _optional(want):
            check_fields("figure", _without(want, "optional"), have, "text")
    for want in expected.get("quotes", []):
        have = next((q for q in got["quotes"] if q["text"].startswith(want["starts_with"])), None)
        if have is None:
            problems.append(f"quote: missing {want['starts_with']!r}")
        elif have["speaker"] != want["speaker"]:
            problems.append(f"quote {want['starts_with']!r}: speaker {have['speaker']!r}, expected {want['speaker']!r}")
    blob = json.dumps({k: v for k, v in got.items() if k != "extractor_version"}, ensure_ascii=False)
    for bad in expected.get("must_not_extract_from_boilerplate", []):
        if bad in blob:
            problems.append(f"boilerplate leaked: {bad!r}")
    return problems


def main(argv: list[str]) -> int:
    from pantau.extractors.pipeline import extract_text, load_pipeline

    article, expected = Path(argv[0]), Path(argv[1])
    problems = compare(extract_text(load_pipeline(), article.read_text()), json.loads(expected.read_text()))
    print("\n".join(problems) or "all expected facts found")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

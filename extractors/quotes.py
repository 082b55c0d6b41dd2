"""Direct quotes in “…” or "…" with their speaker (`kata Ridwan Kamil`, `ujar Anggoro`, `ucapnya`)."""

from __future__ import annotations

import re

from pantau.extractors.lexicon import REPORTING_VERBS, SPEECH_VERBS
from pantau.types import Official, Quote

QUOTED = re.compile(r"“(?P<a>[^“”]{8,}?)”|\"(?P<b>[^\"\n]{8,}?)\"")
# After the closing mark: `, kata Ridwan Kamil` / `ujar Anggoro` / `ucapnya` / `kata dia`.
AFTER = re.compile(
    rf"""\s*,?\s*(?:
        (?P<pron>{SPEECH_VERBS}nya|{SPEECH_VERBS}\s+(?:dia|ia|beliau))\b
      | {SPEECH_VERBS}\s+(?P<who>[A-Z])
    )""",
    re.VERBOSE,
)
# Before the opening mark: `Anggoro mengatakan, “…` / `Menurut Ridwan, “…`.
BEFORE = re.compile(rf"{REPORTING_VERBS}\s*[,:]?\s*$")


def _speaker_at(officials: list[Official], pos: int, end: int) -> Official | None:
    """The person whose mention starts first in [pos, end)."""
    hits = [(m.start, i) for i, o in enumerate(officials) for m in o.mentions if pos <= m.start < end]
    return officials[min(hits)[1]] if hits else None


def _last_named_before(officials: list[Official], pos: int, quoted: list[tuple[int, int]]) -> Official | None:
    best, best_start = None, -1
    for o in officials:
        for m in o.mentions:
            inside = any(s <= m.start < e for s, e in quoted)
            if m.start < pos and not inside and m.start > best_start:
                best, best_start = o, m.start
    return best


def find_quotes(text: str, officials: list[Official]) -> list[Quote]:
    quotes = [(m, m.start("a") if m["a"] is not None else m.start("b")) for m in QUOTED.finditer(text)]
    spans = [(m.start(), m.end()) for m, _ in quotes]
    out = []
    for m, inner_start in quotes:
        inner = m["a"] if m["a"] is not None else m["b"]
        body = inner.rstrip(" ,")
        speaker = None
        after = AFTER.match(text, m.end())
        before = BEFORE.search(text, max(0, m.start() - 40), m.start())
        if after and after["who"]:
            speaker = _speaker_at(officials, after.start("who"), after.start("who") + 80)
        elif after or before:
            speaker = _last_named_before(officials, m.start(), spans)
        if not (after or before):
            continue  # a quoted phrase (a name, a slogan), not a quote
        out.append(Quote(text=body, start=inner_start, end=inner_start + len(body),
                         speaker=speaker.name if speaker else None,
                         person_id=speaker.person_id if speaker else None))
    return out

"""Small text helpers shared by the extractors: Indonesian months and dates, sentence bounds, typos."""

from __future__ import annotations

import datetime as dt
import re

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "maret": 3, "mar": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agu": 8, "agt": 8, "agus": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "nopember": 11, "desember": 12, "des": 12,
}
MONTH_RE = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
YEAR_RE = r"(?:19|20)\d{2}"
# "17 Februari 2022"
DATE_RE = rf"(?P<day>\d{{1,2}})\s+(?P<month>{MONTH_RE})\s+(?P<year>{YEAR_RE})"
_DATE = re.compile(DATE_RE, re.IGNORECASE)
_MONTH_YEAR = re.compile(rf"\b(?P<month>{MONTH_RE})\s+(?P<year>{YEAR_RE})\b", re.IGNORECASE)

WEEKDAYS = {"Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Jum'at", "Sabtu", "Minggu", "Ahad"}
# Full month names only: short forms ("Agus", "Mei") are also given names.
MONTH_NAMES = {m.capitalize() for m in MONTHS if len(m) > 4 or m in ("juni", "juli")}


def month_number(word: str) -> int | None:
    return MONTHS.get(word.lower().rstrip("."))


def parse_date(text: str) -> dt.date | None:
    """`17 Februari 2022` → date(2022, 2, 17); None when it is not a valid date."""
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m["year"]), month_number(m["month"]), int(m["day"]))
    except (TypeError, ValueError):
        return None


def latest_mentioned_date(text: str) -> dt.date | None:
    """The latest full date or month-year written in the text: a lower bound of its publication date."""
    found = [d for m in _DATE.finditer(text) if (d := parse_date(m.group(0)))]
    for m in _MONTH_YEAR.finditer(text):
        month = month_number(m["month"])
        if month:
            nxt = dt.date(int(m["year"]) + month // 12, month % 12 + 1, 1)
            found.append(nxt - dt.timedelta(days=1))  # the month's last day
    return max(found) if found else None


# Sentence ends: . ! ? (optionally followed by a closing quote) then a space and an upper-case letter, digit or
# an opening quote, or a line break. A dot after an abbreviation ("No.", "Kab.") or an initial ("H.") does not
# end one; that is checked in Python so the regex stays a fast character-class scan.
_SENT_END = re.compile(r"""[.!?][”"’']?(?=\s+[A-Z“"0-9])|\n+""")
_NO_END_BEFORE_DOT = re.compile(r"(?:\b(?:No|Kab|Jl|dr|Dr|Ir|Prof|Drs|Hj|St|Tbk)|(?<![A-Za-z])[A-Z])$")


def _ends(text: str, start: int, end: int):
    for m in _SENT_END.finditer(text, start, end):
        if m.group(0)[0] == "." and _NO_END_BEFORE_DOT.search(text, max(0, m.start() - 5), m.start()):
            continue
        yield m


class Sentences:
    """Sentence bounds around character offsets of one text (found locally, within `window` characters)."""

    def __init__(self, text: str, window: int = 400):
        self.text, self.window = text, window

    def bounds(self, pos: int) -> tuple[int, int]:
        lo = max(0, pos - self.window)
        start = lo
        for m in _ends(self.text, lo, pos):
            start = m.end()
        if start == lo and lo > 0:  # no boundary in the window: cut at a space
            start = self.text.find(" ", lo, pos) + 1 or lo
        after = next(_ends(self.text, pos, min(len(self.text), pos + self.window)), None)
        return start, (after.start() + 1 if after else min(len(self.text), pos + self.window))

    def sentence(self, pos: int) -> str:
        start, end = self.bounds(pos)
        return self.text[start:end]


def one_edit_apart(a: str, b: str) -> bool:
    """True when a and b differ by exactly one inserted, deleted or substituted letter."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1:] == b[i + 1:]
    return a[i:] == b[i + 1:]

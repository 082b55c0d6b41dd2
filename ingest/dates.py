"""Publication dates: RFC 822 from feeds, ISO 8601, and Indonesian forms (`Senin, 12 Agustus 2024 10:00 WIB`,
`12/08/2024`, `3 Pebruari 2024`, `12 Agt 2024`, WIB/WITA/WIT) via dateparser after a little normalization.

A date without a zone is local Indonesian (WIB, UTC+7) time; the result is always UTC.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import dateparser

JAKARTA_TZ = "Asia/Jakarta"  # a date written without a zone is local Indonesian (WIB) time
WIB = timezone(timedelta(hours=7))
_SETTINGS = {"DATE_ORDER": "DMY", "TIMEZONE": JAKARTA_TZ, "RETURN_AS_TIMEZONE_AWARE": True,
             "PREFER_DAY_OF_MONTH": "first", "PREFER_DATES_FROM": "past"}

# Indonesian zones → numeric offsets (dateparser knows none of them reliably)
_ZONES = {"WIB": "+0700", "WITA": "+0800", "WIT": "+0900"}
_ZONE_RE = re.compile(r"\b(WIB|WITA|WIT)\b")
# old spellings and newsroom abbreviations dateparser does not know
_MONTHS = {
    "pebruari": "Februari", "peb": "Feb", "nopember": "November", "nop": "Nov", "agt": "Agustus", "ags": "Agustus",
    "agu": "Agustus", "agst": "Agustus", "sept": "September", "okt": "Oktober", "des": "Desember", "djanuari": "Januari",
}
_MONTH_RE = re.compile(r"\b(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?", re.IGNORECASE)
_DAY_NAMES = re.compile(r"^\s*(senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)\s*,?\s*", re.IGNORECASE)
_NUMERIC = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ ,T]+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?\s*([+-]\d{4})?$")
_TIME_DOT = re.compile(r"\b(\d{1,2})\.(\d{2})\b(?=\s*(?:[+-]\d{4}|$))")


def from_struct(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's `*_parsed` fields are UTC struct_times."""
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)
    except (OverflowError, ValueError):
        return None


def parse_date(raw: str | None) -> datetime | None:
    """A UTC datetime from an English or Indonesian date string, or None when it is not a date."""
    if not raw or not raw.strip():
        return None
    text = " ".join(raw.split())
    for parse in (_rfc822, _iso, _numeric, _indonesian):
        try:
            parsed = parse(text)
        except (ValueError, TypeError, OverflowError, IndexError):
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=WIB)
            return parsed.astimezone(timezone.utc)
    return None


def _rfc822(text: str) -> datetime | None:
    if not re.match(r"^(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{2,4} \d", text):
        return None
    return parsedate_to_datetime(text)


def _iso(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _normalize(text: str) -> str:
    text = _DAY_NAMES.sub("", text)
    text = text.replace("|", " ").replace(" pukul ", " ").replace(" Pukul ", " ")
    text = _ZONE_RE.sub(lambda m: _ZONES[m.group(1)], text)
    text = _MONTH_RE.sub(lambda m: _MONTHS[m.group(1).lower()], text)
    text = _TIME_DOT.sub(r"\1:\2", text)
    return " ".join(text.replace(" ,", ",").split()).strip(" ,")


def _numeric(text: str) -> datetime | None:
    """`12/08/2024`, `12-08-2024 10:00 WIB`: always day first (Indonesian usage)."""
    match = _NUMERIC.match(_normalize(text))
    if not match:
        return None
    day, month, year, hour, minute, second, offset = match.groups()
    tz = WIB
    if offset:
        sign = 1 if offset[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
    return datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=tz)


def _indonesian(text: str) -> datetime | None:
    return dateparser.parse(_normalize(text), languages=["id", "en"], settings=_SETTINGS)

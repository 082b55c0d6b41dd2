"""Publication dates: RFC 822 from feeds, Indonesian forms (`Senin, 12 Agustus 2024 10:00 WIB`) via dateparser."""

from __future__ import annotations

import calendar
import time
from datetime import datetime, timezone

import dateparser

JAKARTA_TZ = "Asia/Jakarta"  # a date written without a zone is local Indonesian (WIB) time
_SETTINGS = {"DATE_ORDER": "DMY", "TIMEZONE": JAKARTA_TZ, "RETURN_AS_TIMEZONE_AWARE": True,
             "PREFER_DAY_OF_MONTH": "first"}


def from_struct(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's `*_parsed` fields are UTC struct_times."""
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=timezone.utc)


def parse_date(raw: str | None) -> datetime | None:
    """A UTC datetime from an English or Indonesian date string, or None when it is not a date."""
    if not raw or not raw.strip():
        return None
    parsed = dateparser.parse(raw.strip(), languages=["id", "en"], settings=_SETTINGS)
    return parsed.astimezone(timezone.utc) if parsed else None

"""What the templates need beyond the rows: Indonesian dates, highlighted article text, the mentions chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pantau.warehouse.pages import Span

JAKARTA = ZoneInfo("Asia/Jakarta")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def tanggal(value: date | datetime | None, with_time: bool = True) -> str:
    """'2 Desember 2026 20.05 WIB' (a datetime, shown in Jakarta time), '2 Desember 2026' (a date)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        local = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(JAKARTA)
        text = f"{local.day} {MONTHS[local.month - 1]} {local.year}"
        return f"{text} {local:%H.%M} WIB" if with_time else text
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def bulan(value: date) -> str:
    """'Juni 2025'."""
    return f"{MONTHS[value.month - 1]} {value.year}"


def angka(value: float | int | None) -> str:
    """Indonesian digit grouping: 1.234.567 (and 2,5)."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        whole, frac = f"{value:,.2f}".split(".")
        return whole.replace(",", ".") + "," + frac.rstrip("0")
    return f"{int(value):,}".replace(",", ".")


@dataclass
class Segment:
    text: str
    span: Span | None = None


def highlight(body: str, spans: list[Span]) -> list[Segment]:
    """The body cut into plain and fact segments (outermost span wins where spans overlap); the template escapes
    every segment's text, so nothing in the article is ever markup."""
    segments, at = [], 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < at or span.end > len(body) or span.end <= span.start:
            continue  # inside one already shown, or stale offsets
        if span.start > at:
            segments.append(Segment(body[at:span.start]))
        segments.append(Segment(body[span.start:span.end], span))
        at = span.end
    if at < len(body):
        segments.append(Segment(body[at:]))
    return segments


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


def month_bars(months: list[dict], width: int = 640, height: int = 160) -> dict:
    """An inline SVG bar chart of mentions per month (every month between the first and the last, zeros too)."""
    if not months:
        return {"bars": [], "width": width, "height": height, "max": 0}
    counts = {m["month"]: m["mentions"] for m in months}
    first, last = min(counts), max(counts)
    series, month = [], first.replace(day=1)
    while month <= last:
        series.append((month, counts.get(month, 0)))
        month = (month + timedelta(days=32)).replace(day=1)
    top = max(v for _, v in series) or 1
    slot = min(width / len(series), 48)  # a few months are narrow bars, not one wide block
    plot = height - 30
    bars = [Bar(x=i * slot + slot * 0.1, y=plot - plot * v / top + 10, width=slot * 0.8, height=plot * v / top,
                label=bulan(m), value=v) for i, (m, v) in enumerate(series)]
    return {"bars": bars, "width": width, "height": height, "max": top,
            "first": bulan(series[0][0]), "last": bulan(series[-1][0])}

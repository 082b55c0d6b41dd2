"""Figures: Indonesian numerals with scale, currency, percent or counted noun, and the period they hold for."""

from __future__ import annotations

import datetime as dt
import re

from pantau.extractors.spans import overlaps_any
from pantau.extractors.textutil import MONTH_RE, YEAR_RE, Sentences, month_number
from pantau.types import Figure

SCALES = {"ribu": 10**3, "rb": 10**3, "juta": 10**6, "jt": 10**6, "miliar": 10**9, "milyar": 10**9,
          "triliun": 10**12, "trilyun": 10**12}
CURRENCIES = {"rp": "IDR", "us$": "USD", "usd": "USD", "$": "USD"}

FIGURE = re.compile(
    r"""
    (?<![\w.,/:-])
    (?P<cur>Rp\.?\s?|US\$\s?|USD\s?|\$\s?)?
    (?P<num>\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?)      # 36,7 / 37.000 / 5.455 / 2
    (?![.,]?\d|/|:)
    (?:\s*(?P<scale>(?i:ribu|juta|miliar|milyar|triliun|trilyun)\b|rb\b|jt\b|(?<=\d)\s?[MT]\b))?
    (?:\s*(?P<pct>persen\b|%))?
    """,
    re.VERBOSE,
)
_NEXT_WORD = re.compile(r"\s+([a-z]+)\b")
# Words after a number that are not what it counts.
NOT_UNIT = {
    "dengan", "yang", "di", "ke", "dari", "dan", "atau", "untuk", "pada", "sebesar", "hingga", "sampai", "lebih",
    "kurang", "lalu", "ini", "itu", "tersebut", "juga", "sudah", "telah", "akan", "masih", "dalam", "per", "oleh",
    "sebanyak", "sekitar", "hanya", "saja", "pun", "kali", "tahun", "serta", "bagi", "se", "secara",
    "adalah", "merupakan", "menjadi", "tentang", "wib", "wita", "wit",
}
# A number right after these words is an identifier, not an amount (`nomor urut 2`, `Pasal 28`, `RT 02`).
IDENTIFIER_BEFORE = re.compile(r"(?:\b(?:nomor|nomer|no|urut|pasal|ayat|rt|rw|kelas|angkatan|jilid|halaman|hal|"
                               r"bab|lantai|gang|blok|kode|tahun|pukul|jam|km|kilometer)\.?\s*-?|-)$",
                               re.IGNORECASE)
# Counted nouns written as two words.
MULTIWORD_UNITS = {"tenaga kerja", "kepala keluarga", "penerima manfaat", "rumah tangga", "pekerja migran",
                   "unit rumah", "peserta didik", "sambungan rumah", "tenaga kesehatan", "anak usia", "ruang kelas",
                   "pedagang kaki lima", "kaki lima", "rumah sakit", "kartu keluarga", "pelaku usaha"}
# Classifiers count what follows them: `86 ruas jalan`, `3 unit mobil`, `200 ekor sapi`.
CLASSIFIERS = {"ruas", "unit", "buah", "ekor", "batang", "lembar", "bidang", "petak", "paket", "butir", "helai",
               "kotak", "titik", "jenis"}
_UNIT_WORD = re.compile(r"\s+([a-z]+|[A-Z]{2,5}(?![\w-]))\b")  # `anak`, or an acronym such as `RW`, `PKL`
# A target or quota is not a measurement of the period the sentence names (`dari target 12.500 pekerja`).
_TARGET_BEFORE = re.compile(r"\b(?:target|sasaran|kuota|rencana)\s+(?:sebanyak\s+|sebesar\s+)?$", re.IGNORECASE)
# `hingga Juni 2023`, `per akhir Desember 2024`, `sepanjang 2024`
PERIOD_MONTH = re.compile(rf"\b(?:hingga|sampai(?:\s+dengan)?|per|pada|sepanjang|selama|s\.d\.?|akhir|sejak)\s+"
                          rf"(?:akhir\s+|bulan\s+)?(?P<month>{MONTH_RE})\s+(?P<year>{YEAR_RE})\b", re.IGNORECASE)
PERIOD_YEAR = re.compile(rf"\b(?:hingga|sampai|sepanjang|selama|pada\s+tahun|tahun|per)\s+(?P<year>{YEAR_RE})\b",
                         re.IGNORECASE)


def parse_number(num: str) -> float:
    """Indonesian digits: `.` groups thousands, `,` is the decimal mark."""
    return float(num.replace(".", "").replace(",", "."))


def _value(num: str, scale: str | None) -> float | int:
    value = parse_number(num)
    if scale:
        key = scale.strip().lower()
        value *= SCALES.get(key, {"m": 10**9, "t": 10**12}.get(key, 1))
    value = round(value, 6)
    return int(value) if value == int(value) else value


def _counted_noun(text: str, pos: int) -> tuple[str | None, int]:
    """The noun a bare number counts (`37.000 anak`, `36,7 juta tenaga kerja`, `86 ruas jalan`) → (unit, end)."""
    m = _UNIT_WORD.match(text, pos)
    if not m or m.group(1) in NOT_UNIT or month_number(m.group(1)) or len(m.group(1)) < 2:
        return None, pos
    unit, end = m.group(1), m.end()
    if unit.isupper():
        return unit, end
    words = [unit]
    for _ in range(2):  # up to three words, each step only when the compound is known or the head takes it
        nxt = _NEXT_WORD.match(text, end)
        if not nxt or nxt.group(1) in NOT_UNIT:
            break
        longer = " ".join(words + [nxt.group(1)])
        # `pemberian manfaat`, `usulan program`: an -an noun takes its object; a classifier takes its noun.
        takes = len(words) == 1 and (re.fullmatch(r"\w{3,}an", unit) or unit in CLASSIFIERS)
        if not (longer in MULTIWORD_UNITS or any(u.startswith(longer + " ") for u in MULTIWORD_UNITS) or takes):
            break
        words.append(nxt.group(1))
        end = nxt.end()
    while len(words) > 1 and " ".join(words) not in MULTIWORD_UNITS and not (
            len(words) == 2 and (re.fullmatch(r"\w{3,}an", words[0]) or words[0] in CLASSIFIERS)):
        words.pop()  # a prefix of a known compound that did not complete
        end = text.rindex(words[-1], pos, end) + len(words[-1])
    return " ".join(words), end


PERIOD_THIS_YEAR = re.compile(r"\b(?:tahun|sepanjang\ tahun|akhir\ tahun)\ ini\b", re.IGNORECASE | re.VERBOSE)


def as_of(sentence: str, published: dt.date | None = None) -> str | None:
    """The period a figure holds for: `hingga Juni 2023` → "2023-06", `sepanjang 2024` → "2024", `tahun ini`
    → the publication year (when known)."""
    m = PERIOD_MONTH.search(sentence)
    if m:
        return f"{m['year']}-{month_number(m['month']):02d}"
    m = PERIOD_YEAR.search(sentence)
    if m:
        return m["year"]
    return str(published.year) if published and PERIOD_THIS_YEAR.search(sentence) else None


def find_figures(text: str, blocked: list[tuple[int, int]] = (), published: dt.date | None = None) -> list[Figure]:
    out: list[Figure] = []
    sentences = None
    for m in FIGURE.finditer(text):
        start, end = m.start(), m.end()
        if overlaps_any((start, end), blocked) or IDENTIFIER_BEFORE.search(text, max(0, start - 12), start):
            continue
        cur, scale, pct = m["cur"], m["scale"], m["pct"]
        if cur:
            unit = CURRENCIES[cur.strip().rstrip(".").lower()]
        elif pct:
            unit = "persen"
        else:
            if re.fullmatch(YEAR_RE, m["num"]) and not scale:
                continue  # a bare year
            unit, end = _counted_noun(text, end)
            if unit is None:
                continue
        sentences = sentences or Sentences(text)
        target = _TARGET_BEFORE.search(text, max(0, start - 30), start)
        out.append(Figure(text=text[start:end], start=start, end=end, value=_value(m["num"], scale),
                          unit=unit, as_of=None if target else as_of(sentences.sentence(start), published)))
    return out

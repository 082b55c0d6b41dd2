"""Remove site furniture from article text before it is hashed or given to `nlp`.

Furniture is whole lines (`Baca Juga: ...`, `SCROLL TO CONTINUE WITH CONTENT`, credits) plus the news-agency
dateline at the start of the body (`Bandung (ANTARA) -`). Pure functions, no I/O.
"""

from __future__ import annotations

import re

# A line matching any of these is dropped entirely. Anchored at the line start; case-insensitive.
_FURNITURE_LINE = re.compile(
    r"""
    ^(?:
        baca\s+juga\b                      # links to other articles
      | (?:baca|lihat)\s+(?:selengkapnya|artikel)\b
      | scroll\s+to\s+continue\b
      | (?:simak|tonton|lihat)\s+(?:juga\s+)?video\b
      | \[\s*gambas:
      | halaman\s+selanjutnya\b
      | saksikan\s+(?:juga\s+)?(?:video|live)\b
      | (?:pewarta|editor|penulis|reporter|penyunting|sumber\s+foto|foto)\s*:
      | (?:copyright|hak\s+cipta)\b|©
      | advertisement\s*$
      | \(?foto\s*:.*\)?\s*$               # photo captions
      | (?:\(\s*)?[a-z]{2,5}(?:/[a-z]{2,5})+\s*\)?\s*$   # author initials "(ant/rs)"
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)

# Dateline at the very start of the body: `Bandung (ANTARA) -`, `BANDUNG, KOMPAS.com -`,
# `Jakarta, CNN Indonesia --`, `BANDUNG - `. Only place names (capitalized words) and an agency.
_DATELINE = re.compile(
    r"""
    ^\s*
    (?:[A-Z][A-Za-z.'-]*\s+){0,3}[A-Z][A-Za-z.'-]*          # place: "Bandung", "KAB. BANDUNG"
    (?:
        \s*\(\s*[A-Za-z][\w.]*(?:\s+[A-Za-z][\w.]*){0,2}\s*\)  # (ANTARA), (Antara News)
      | \s*,\s*[A-Za-z][\w.]*(?:\s+[A-Z][\w.]*){0,2}           # , KOMPAS.com / , CNN Indonesia
    )?
    \s*(?:-{1,2}|–|—)\s+
    """,
    re.VERBOSE,
)

# Bare all-caps place without agency ("BANDUNG - ") is accepted; a normal sentence start is not,
# because the dash must follow at most four words.
_INLINE_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n{3,}")


# The place of a dateline, for the article's context (a Perda cited without its issuer in a `GARUT -` article):
# `GARUT -`, `Cimahi (ANTARA) -`, `JAKARTA, KOMPAS.com -`, `Liputan6.com, Cimahi -` (the place may be glued to the
# first word of the body when scraped: `Liputan6.com, JakartaPT Semen …`).
_OUTLET_FIRST = re.compile(r"^\s*[A-Za-z][\w-]*\.(?:com|co\.id|id|net|news)\s*,\s*"
                           r"(?P<place>[A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){0,2}?)(?=\s*[-–—]|[A-Z]|\s*$|\s)")
_PLACE_FIRST = re.compile(r"^\s*(?P<place>[A-Z][A-Za-z.'-]*(?:[ \t]+[A-Z][A-Za-z.'-]*){0,3})[ \t]*"
                          r"(?:\([^)\n]{1,30}\)|,[ \t]*[\w.]+(?:[ \t]+[A-Z][\w.]*){0,2})?[ \t]*(?:-{1,2}|–|—)")


def is_furniture(line: str) -> bool:
    return bool(_FURNITURE_LINE.match(line.strip()))


def strip_dateline(text: str) -> str:
    outlet = _OUTLET_FIRST.match(text)  # `Liputan6.com, Cimahi -` (also glued: `Liputan6.com, JakartaPT Semen`)
    if outlet:
        return re.sub(r"^\s*(?:-{1,2}|–|—)?\s*", "", text[outlet.end("place"):])
    m = _DATELINE.match(text)
    if not m:
        return text
    head = text[: m.end()]
    # A dateline carries an agency or is an all-caps place; "Menurut Dia - ..." is not a dateline.
    if "(" in head or "," in head or head.split()[0].isupper():
        return text[m.end():]
    return text


def _strip_leading_datelines(text: str, lines: int = 2) -> str:
    """The dateline opens the body, which may come after a headline line (trafilatura starts with the <h1>)."""
    parts = text.split("\n", lines)
    for i in range(min(lines, len(parts))):
        stripped = strip_dateline(parts[i])
        if stripped != parts[i]:
            parts[i] = stripped
            break
    return "\n".join(parts)


def dateline_place(text: str, lines: int = 2) -> str | None:
    """The place a raw article's dateline names (`GARUT`, `Cimahi`), or None; looked for in its first lines."""
    for line in text.replace("\r", "\n").split("\n", lines)[:lines]:
        line = _INLINE_SPACE.sub(" ", line)
        m = _OUTLET_FIRST.match(line) or _PLACE_FIRST.match(line)
        if m and not re.search(r"\.\w", m["place"]):  # `KOMPAS.com -` names an outlet, not a place
            return m["place"].strip(" .")
    return None


def clean_text(text: str) -> str:
    """Drop furniture lines and the leading dateline; collapse inline whitespace; keep paragraph breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for raw in text.split("\n"):
        line = _INLINE_SPACE.sub(" ", raw).strip()
        if line and is_furniture(line):
            continue
        lines.append(line)
    out = "\n".join(lines).strip()
    out = _BLANK_LINES.sub("\n\n", out)
    return _strip_leading_datelines(out).strip()

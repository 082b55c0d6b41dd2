"""People and their offices: `<office> <name>` patterns, quote attributions, NER/registry names, and
in-article coreference of short forms (`Anggoro` → Anggoro Eko Cahyo)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable

from .facts import Mention, Official
from .registry import Registry, slug
from .textutil import MONTH_NAMES, WEEKDAYS

TITLE_RE = r"""
    (?:(?:Pj\.?|Plt\.?|Plh\.?|Penjabat|Pelaksana\ Tugas|Pejabat\ Sementara)\s+)?
    (?:Wakil\s+)?
    (?:Presiden|Gubernur|Bupati|Wali\s?[Kk]ota|Walkot|Menteri(?:\s+Koordinator)?|Menko|Wamen
      |Direktur(?:\s+Utama|\s+Jenderal|\s+Eksekutif)?|Dirut|Dirjen|Kepala|Ketua(?:\s+Umum)?|Kadis|Kabid|Kaban
      |Sekretaris(?:\s+Daerah|\s+Jenderal|\s+Kabinet)?|Sekda|Sekjen|Deputi|Asisten|Anggota|Komisaris(?:\s+Utama)?
      |Kapolda|Kapolres(?:ta)?|Kapolsek|Kapolri|Wakapolda|Panglima|Pangdam|Danrem|Dandim|Kajati|Kajari|Jaksa\ Agung
      |Camat|Lurah|Rektor|Dekan|Juru\ Bicara|Jubir|Kasatpol\ PP|Kabag\w*|Kasubag\w*|Kasat\w*)
"""
_TITLE = re.compile(rf"(?<![\w-])(?P<title>{TITLE_RE})(?![\w-])", re.VERBOSE)
# Titles that stand without an institution ("Presiden Prabowo Subianto").
STANDALONE = {"Presiden", "Wakil Presiden", "Kapolri", "Jaksa Agung", "Panglima"}

HONORIFIC_RE = r"(?:H|Hj|Dr|dr|Ir|Prof|Drs|Dra|KH|K\.H|Tb|Drg|drg|Ust|Ustaz|Habib|Hc|R|Rd|Raden)\."
RANKS = ("Irjen Pol", "Irjen", "Brigjen Pol", "Brigjen TNI", "Brigjen", "Kombes Pol", "Kombes", "AKBP", "AKP",
         "Kompol", "Iptu", "Ipda", "Aiptu", "Bripka", "Jenderal TNI", "Jenderal Pol", "Jenderal", "Letjen TNI",
         "Letjen", "Mayjen TNI", "Mayjen", "Laksda TNI", "Marsda TNI", "Kolonel", "Letkol", "Mayor", "Kapten")
_RANK = re.compile(r"(?:" + "|".join(re.escape(r) for r in sorted(RANKS, key=len, reverse=True))
                   + r")(?:\s+(?:Inf|Czi|Arh|Kav|Cba|Laut|Pnb|\(\w+\)))?\.?\s+")
_HONORIFIC = re.compile(HONORIFIC_RE + r"\s*")
# Degrees after a name: `, S.H., M.Si.`
_DEGREES = re.compile(r"(?:\s*,\s*(?:[A-Z][A-Za-z]{0,3}\.\s?)+(?:[A-Z][a-z]{0,4}\.?)?)+")
# A capitalized run (the institution and/or name after a title), dotted initials and honorifics allowed.
_RUN = re.compile(r"(?:\s+(?:[A-Z][\w'’-]*\.?|dan|&|[A-Z]\.))+")
NAME_TOKEN = re.compile(r"[A-Z][a-z'’-]+|[A-Z]\.|[A-Z]{2,4}")
# Words that are not (parts of) personal names.
NOT_NAME = {
    "Provinsi", "Kabupaten", "Kota", "Kab", "Pemerintah", "Pemprov", "Pemkab", "Pemkot", "Dinas", "Badan",
    "Kementerian", "Negara", "Republik", "Indonesia", "Daerah", "Program", "Pusat", "Umum", "Utama", "Bidang",
    "Sekretariat", "Dewan", "Komisi", "Negeri", "Nasional", "Tim", "Perda", "Pergub", "Peraturan", "Keputusan",
    "Jaminan", "Sosial", "Kesehatan", "Ketenagakerjaan", "Polda", "Polres", "DPRD", "DPR", "BPJS", "Hari", "Sabtu",
    "Dalam", "Di", "Ke", "Dari", "Yang", "Ini", "Itu", "Para", "Sementara", "Selain", "Kami", "Kita", "Saya",
    "Menurut", "Namun", "Sebagai", "Untuk", "Pada", "Dengan", "Dan", "Bapak", "Ibu", "Pak", "Bu",
} | WEEKDAYS | MONTH_NAMES | {"Gubernur", "Bupati", "Presiden", "Menteri", "Wali", "Kepala", "Ketua", "Direktur"}
# Frequent given names that alone do not identify a person in an article.
COMMON_NAME_PARTS = {"Muhammad", "Mohammad", "Mochamad", "Muhamad", "Moh", "Ahmad", "Achmad", "Abdul", "Siti",
                     "Nur", "Sri", "Dewi", "Putra", "Putri", "Agus", "Budi", "Eko", "Dwi", "Tri"}

SPEECH_VERBS = r"(?:kata|ujar|ucap|ungkap|jelas|tegas|tutur|imbuh|sebut|terang|papar|tambah|lanjut|pungkas|tandas)"
# `kata Ridwan Kamil`, `ujar Gubernur Jabar Ridwan Kamil`: the run after the verb names the speaker.
ATTRIBUTION = re.compile(rf"\b{SPEECH_VERBS}(?=\s+[A-Z])")


@dataclass
class PersonMention:
    start: int
    end: int
    name: str
    office: str | None = None
    honorifics: list[str] = field(default_factory=list)


@dataclass
class _Person:
    name: str
    person_id: str
    office: str | None = None
    office_source: str | None = None
    honorifics: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    registry_person: object = None


Known = Callable[[str], str | None]  # written institution/region → canonical (or None when unknown)


def _tokens(text: str, start: int) -> list[tuple[int, int, str]]:
    """(start, end, word) of the capitalized run at `start` (which begins with whitespace)."""
    m = _RUN.match(text, start)
    if not m:
        return []
    return [(start + t.start(), start + t.end(), t.group(0)) for t in re.finditer(r"\S+", text[start:m.end()])]


def _strip_name(text: str, start: int, end: int) -> tuple[int, int, list[str]]:
    """Cut ranks and honorifics from the front of a name; degrees are after `end` and read by the caller."""
    honorifics = []
    while True:
        m = _RANK.match(text, start) or _HONORIFIC.match(text, start)
        if not m or m.end() >= end:
            break
        honorifics.append(m.group(0).strip())
        start = m.end()
    return start, end, honorifics


def _name_from(text: str, toks: list[tuple[int, int, str]], pos: int, person_starts: set[int]
               ) -> PersonMention | None:
    """A person's name from the run tokens `toks[pos:]`: stop at the first non-name word."""
    toks = toks[pos:]
    if not toks:
        return None
    start = toks[0][0]
    s, _, honorifics = _strip_name(text, start, toks[-1][1])
    words = [t for t in toks if t[0] >= s]
    name_toks = []
    for t in words:
        word = t[2].rstrip(".,")
        if word in NOT_NAME or not NAME_TOKEN.fullmatch(t[2].rstrip(",")):
            break
        name_toks.append(t)
        if t[2].endswith(",") or len(name_toks) == 5:
            break
    while name_toks and name_toks[-1][2].endswith(".") and len(name_toks[-1][2]) > 2:
        name_toks.pop()  # sentence-final dot belongs to the sentence, not an initial
    if not name_toks:
        return None
    n_start, n_end = name_toks[0][0], name_toks[-1][0] + len(name_toks[-1][2].rstrip(".,"))
    if name_toks[-1][2].rstrip(",").endswith(".") and len(name_toks[-1][2].rstrip(",")) == 2:
        n_end += 1  # keep a final initial's dot
    name = " ".join(text[n_start:n_end].split())
    degrees = _DEGREES.match(text, n_end)
    if degrees:
        honorifics += [d.strip() for d in degrees.group(0).split(",") if d.strip()]
    return PersonMention(n_start, n_end, name, honorifics=honorifics)


def _split_institution(text: str, toks: list[tuple[int, int, str]], known: Known, person_starts: set[int]
                       ) -> int:
    """Index of the first name token: after the last word run that `known` recognizes as an institution or
    region; else where an NER/registry person starts; else after leading non-name words."""
    last = None
    for i in range(len(toks)):
        for j in range(min(len(toks), i + 6), i, -1):
            if known(text[toks[i][0]:toks[j - 1][1]].rstrip(".,")):
                last = j if last is None or j > last else last
                break
    if last is not None:
        return last
    for i, t in enumerate(toks):
        if t[0] in person_starts:
            return i
    i = 0
    while i < len(toks) and toks[i][2].rstrip(".,") in NOT_NAME:
        i += 1
    return i


def office_mentions(text: str, known: Known, person_starts: set[int]) -> list[PersonMention]:
    """`Direktur Utama BPJS Ketenagakerjaan Anggoro Eko Cahyo` → name with office."""
    out = []
    for m in _TITLE.finditer(text):
        title = " ".join(m["title"].split())
        toks = _tokens(text, m.end())
        if not toks:
            continue
        split = 0 if title in STANDALONE else _split_institution(text, toks, known, person_starts)
        if split == 0 and title not in STANDALONE and not any(t[0] in person_starts for t in toks[:1]):
            # No institution recognized: with 3+ words, the last two are the name (Indonesian names are short).
            split = max(0, len(toks) - 2) if len(toks) >= 3 else 0
        person = _name_from(text, toks, split, person_starts)
        if not person:
            continue
        institution = " ".join(text[m.end():toks[split][0]].split()) if split else ""
        institution = " ".join(known(w) or w for w in [institution]) if institution else ""
        person.office = " ".join(p for p in (title, institution) if p)
        out.append(person)
    return out


def attribution_mentions(text: str, person_starts: set[int]) -> list[PersonMention]:
    """`kata Ridwan Kamil` → the speaker's name (a title after the verb is left to `office_mentions`)."""
    out = []
    for m in ATTRIBUTION.finditer(text):
        if _TITLE.match(text, m.end() + 1):
            continue
        person = _name_from(text, _tokens(text, m.end()), 0, person_starts)
        if person:
            out.append(person)
    return out


def _overlaps(a: tuple[int, int], spans) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def resolve_people(text: str, mentions: list[PersonMention], registry: Registry | None, day: dt.date | None,
                   blocked: list[tuple[int, int]] = ()) -> list[Official]:
    """Cluster mentions into people, add short-form mentions, fill offices from the registry."""
    people: list[_Person] = []
    by_key: dict[str, _Person] = {}
    # Longest names first, so short forms join the full name.
    for pm in sorted(mentions, key=lambda p: (-len(p.name.split()), p.start)):
        if _overlaps((pm.start, pm.end), blocked):
            continue
        person = _match_person(pm.name, by_key, people, registry)
        if person is None:
            reg = registry.person(pm.name) if registry else None
            person = _Person(reg.name if reg else pm.name, reg.person_id if reg else slug(pm.name),
                             registry_person=reg)
            people.append(person)
        by_key.setdefault(pm.name.lower(), person)
        if pm.office and not person.office:
            person.office, person.office_source = pm.office, "text"
        for h in pm.honorifics:
            if h not in person.honorifics:
                person.honorifics.append(h)
        if not any(m.start == pm.start for m in person.mentions):
            person.mentions.append(Mention(text[pm.start:pm.end], pm.start, pm.end))
    _add_short_forms(text, people, blocked)
    out = []
    for p in people:
        if not p.office and p.registry_person is not None:
            office = p.registry_person.office_on(day)
            if office:
                p.office, p.office_source = office.title, "registry"
        p.mentions.sort(key=lambda m: m.start)
        out.append(Official(p.name, p.person_id, p.office, p.office_source, p.honorifics, p.mentions))
    return sorted(out, key=lambda o: o.mentions[0].start if o.mentions else 0)


def _match_person(name: str, by_key: dict[str, _Person], people: list[_Person], registry: Registry | None
                  ) -> _Person | None:
    if name.lower() in by_key:
        return by_key[name.lower()]
    reg = registry.person(name) if registry else None
    if reg:
        return next((p for p in people if p.person_id == reg.person_id), None)
    words = set(name.split())
    # A shorter name whose words all belong to exactly one longer name in this article.
    cands = [p for p in people if words <= set(p.name.split()) and not words <= COMMON_NAME_PARTS]
    return cands[0] if len(cands) == 1 else None


def _add_short_forms(text: str, people: list[_Person], blocked) -> None:
    """Every later bare use of one distinctive word of a person's name (`Anggoro`) is a mention of them."""
    owners: dict[str, list[_Person]] = {}
    for p in people:
        for w in set(p.name.split()):
            if len(w) >= 3 and w not in COMMON_NAME_PARTS and w not in NOT_NAME:
                owners.setdefault(w, []).append(p)
    words = {w: ps[0] for w, ps in owners.items() if len(ps) == 1}
    if not words:
        return
    taken = [(m.start, m.end) for p in people for m in p.mentions] + list(blocked)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])")
    for m in pattern.finditer(text):
        if not _overlaps((m.start(), m.end()), taken):
            p = words[m.group(0)]
            p.mentions.append(Mention(m.group(0), m.start(), m.end()))


def reference_day(published: dt.date | None, text: str) -> dt.date | None:
    """The day offices are looked up for: the publication date, else the latest date the text mentions."""
    if published:
        return published
    from .textutil import latest_mentioned_date

    return latest_mentioned_date(text)

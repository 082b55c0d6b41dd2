"""People and their offices: `<office> <name>` patterns, quote attributions, NER/registry names, and
in-article coreference of short forms (`Anggoro` → Anggoro Eko Cahyo)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable

from pantau.extractors.lexicon import (
    MINISTER_ABBREVIATIONS,
    OFFICE_EXPANSIONS,
    SPEECH_VERBS,
    TITLE_PREFIX,
    TITLE_WORDS,
)
from pantau.extractors.registry import Registry, slug
from pantau.extractors.spans import overlaps_any
from pantau.extractors.textutil import MONTH_NAMES, WEEKDAYS, latest_mentioned_date
from pantau.types import Mention, Official

TITLE_RE = rf"{TITLE_PREFIX}(?:{TITLE_WORDS})"
_TITLE = re.compile(rf"(?<![\w-])(?P<title>{TITLE_RE})(?![\w-])", re.VERBOSE)
_TITLE_WORD = re.compile(rf"(?:{TITLE_WORDS}|Wakil|Pj|Plt|Plh|Penjabat)$", re.VERBOSE)
# Titles that stand without an institution ("Presiden Prabowo Subianto").
STANDALONE = {"Presiden", "Wakil Presiden", "Kapolri", "Wakapolri", "Jaksa Agung", "Kabareskrim",
              *MINISTER_ABBREVIATIONS}  # `Mentan Amran`: the abbreviation names the ministry

# Honorifics before a name; the dot is optional for the unambiguous ones ("Prof Maria").
_HONORIFIC = re.compile(r"(?:(?:H|Hj|dr|drg|Tb|R|Rd|Hc)\.|(?:Dr|Ir|Prof|Drs|Dra|KH|K\.H|Ust|Ustaz|Habib|Raden)\.?)"
                        r"\s*(?=[A-Z])")
RANKS = ("Irjen Pol", "Irjen", "Brigjen Pol", "Brigjen TNI", "Brigjen", "Kombes Pol", "Kombes", "AKBP", "AKP",
         "Kompol", "Iptu", "Ipda", "Aiptu", "Bripka", "Jenderal TNI", "Jenderal Pol", "Jenderal", "Letjen TNI",
         "Letjen", "Mayjen TNI", "Mayjen", "Laksda TNI", "Laksamana TNI", "Marsda TNI", "Marsekal TNI", "Kolonel",
         "Letkol", "Mayor", "Kapten")
_RANK = re.compile(r"(?:" + "|".join(re.escape(r) for r in sorted(RANKS, key=len, reverse=True))
                   + r")(?:\s+(?:Inf|Czi|Arh|Kav|Cba|Laut|Pnb|\(\w+\)))?\.?\s+(?=[A-Z])")
# Degrees after a name: `, S.H., M.Si.`
_DEGREES = re.compile(r"(?:\s*,\s*(?:[A-Z][A-Za-z]{0,3}\.\s?)+(?:[A-Z][a-z]{0,4}\.?)?)+")
# A capitalized run (the institution and/or name after a title), dotted initials and honorifics allowed.
# `Menteri Energi dan Sumber Daya Mineral (ESDM) Bahlil Lahadalia`: an acronym in parentheses may stand in it.
_RUN = re.compile(r"(?:[ \t\u00a0]+(?:[A-Z][\w'’-]*\.?|dan|&|[A-Z]\.|\([A-Z][\w&/. -]{0,20}\)))+")  # no line break
# A name's words; a lone capital is an initial or a Balinese/Javanese name part (`I Wayan Koster`, `M Ihdan`).
NAME_TOKEN = re.compile(r"[A-Z][a-z'’-]+|[A-Z]\.?")
_PARENTHESIZED = re.compile(r"\(.*\)$")
# Words that are not (parts of) personal names: institutions, function words, sentence-initial connectives
# and pronouns an NER model may take for a name.
NOT_NAME = {
    "Barat", "Timur", "Utara", "Selatan", "Tengah", "Tenggara", "Daya",  # the rest of a region's name
    "Provinsi", "Kabupaten", "Kota", "Kab", "Pemerintah", "Pemprov", "Pemkab", "Pemkot", "Dinas", "Badan",
    "Kementerian", "Negara", "Republik", "Indonesia", "RI", "Daerah", "Program", "Pusat", "Umum", "Utama", "Bidang",
    "Sekretariat", "Dewan", "Komisi", "Negeri", "Nasional", "Tim", "Perda", "Pergub", "Peraturan", "Keputusan",
    "Jaminan", "Sosial", "Kesehatan", "Ketenagakerjaan", "Polda", "Polres", "DPRD", "DPR", "BPJS", "Hari",
    "Fraksi", "Partai", "Cabang", "Wilayah", "Sekolah", "Kepolisian", "Universitas", "PT", "CV", "Tbk", "Persero",
    "Dalam", "Di", "Ke", "Dari", "Yang", "Ini", "Itu", "Para", "Sementara", "Selain", "Kami", "Kita", "Saya",
    "Menurut", "Namun", "Sebagai", "Untuk", "Pada", "Dengan", "Dan", "Bapak", "Ibu", "Pak", "Bu",
    "Yakni", "Yaitu", "Adapun", "Kemudian", "Sedangkan", "Bahkan", "Oleh", "Maka", "Lalu", "Selanjutnya",
    "Dia", "Ia", "Beliau", "Mereka", "Kamu", "Anda", "Tapi", "Tetapi", "Karena", "Jika", "Kalau", "Saat",
    "Ketika", "Setelah", "Sebelum", "Sejak", "Hingga", "Baca", "Simak", "Berikut", "Terkait", "Usai", "Tonton",
    "Dikutip", "Sebagaimana", "Apa", "Yuk", "Alhamdulillah", "Terima", "Agenda", "Aksi",
} | WEEKDAYS | MONTH_NAMES
# Frequent given names that alone do not identify a person in an article.
COMMON_NAME_PARTS = {"Muhammad", "Mohammad", "Mochamad", "Muhamad", "Moh", "Ahmad", "Achmad", "Abdul", "Siti",
                     "Nur", "Sri", "Dewi", "Putra", "Putri", "Agus", "Budi", "Eko", "Dwi", "Tri"}

# `kata Ridwan Kamil`, `ujar Gubernur Jabar Ridwan Kamil`: the run after the verb names the speaker.
ATTRIBUTION = re.compile(rf"\b{SPEECH_VERBS}(?=\s+[A-Z])")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s*|\n)[\s“\"'(]*$")


def not_a_name(word: str) -> bool:
    return word in NOT_NAME or bool(_TITLE_WORD.match(word))


@dataclass
class PersonMention:
    start: int
    end: int
    name: str
    office: str | None = None
    honorifics: list[str] = field(default_factory=list)
    weak: bool = False
    office_written: str | None = None  # a lone capitalized word at a sentence start: kept only if it joins a known person


@dataclass
class _Person:
    name: str
    person_id: str
    office: str | None = None
    office_source: str | None = None
    honorifics: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    registry_person: object = None
    office_written: str | None = None


Known = Callable[[str], str | None]  # written institution/region → canonical (or None when unknown)


@dataclass
class NameEvidence:
    """What tells a name apart from the words around it: NER PER spans and, when `strict` (a trained NER is
    loaded), the rule that a name after an office must overlap one of them."""

    per_spans: list[tuple[int, int]] = field(default_factory=list)
    strict: bool = False
    other_spans: list[tuple[int, int]] = field(default_factory=list)  # NER ORG/LOC: not name words
    is_registry_name: Callable[[str], bool] = lambda name: False

    def starts(self) -> set[int]:
        return {s for s, _ in self.per_spans}

    def overlapping(self, start: int, end: int) -> tuple[int, int] | None:
        return next(((s, e) for s, e in self.per_spans if s < end and start < e), None)


def _tokens(text: str, start: int) -> list[tuple[int, int, str]]:
    """(start, end, word) of the capitalized run at `start` (which begins with whitespace)."""
    m = _RUN.match(text, start)
    if not m:
        return []
    return [(start + t.start(), start + t.end(), t.group(0)) for t in re.finditer(r"\S+", text[start:m.end()])]


def _strip_prefixes(text: str, start: int, end: int) -> tuple[int, list[str]]:
    """Skip ranks and honorifics at the front of a name; return the new start and what was skipped."""
    honorifics = []
    while m := (_RANK.match(text, start, end) or _HONORIFIC.match(text, start, end)):
        honorifics.append(m.group(0).strip())
        start = m.end()
    return start, honorifics


def _name_from(text: str, toks: list[tuple[int, int, str]], pos: int) -> PersonMention | None:
    """A person's name from the run tokens `toks[pos:]`: stop at the first non-name word."""
    toks = toks[pos:]
    while toks and _PARENTHESIZED.match(toks[0][2].rstrip(",")):  # `(ESDM) Bahlil Lahadalia`
        toks = toks[1:]
    if not toks:
        return None
    s, honorifics = _strip_prefixes(text, toks[0][0], toks[-1][1])
    name_toks = []
    for t in (t for t in toks if t[0] >= s):
        word = t[2].rstrip(",")
        if not_a_name(word.rstrip(".")) or not NAME_TOKEN.fullmatch(word):
            break
        name_toks.append(t)
        if t[2].endswith(",") or len(name_toks) == 5:
            break
    while name_toks and name_toks[-1][2].endswith(".") and len(name_toks[-1][2]) > 2:
        name_toks.pop()  # a sentence-final dot belongs to the sentence, not to an initial
    if not name_toks:
        return None
    last = name_toks[-1][2].rstrip(",")
    n_start = name_toks[0][0]
    n_end = name_toks[-1][0] + len(last if len(last) == 2 else last.rstrip("."))  # keep a final initial's dot
    degrees = _DEGREES.match(text, n_end)
    if degrees:
        honorifics += [d.strip() for d in degrees.group(0).split(",") if d.strip()]
    return PersonMention(n_start, n_end, " ".join(text[n_start:n_end].split()), honorifics=honorifics)


def _split_institution(text: str, toks: list[tuple[int, int, str]], known: Known, evidence: NameEvidence
                       ) -> tuple[int | None, str]:
    """Index of the first name token in the run after a title (None: no name can be told apart) and how it was
    found: "known" (after the last word run `known` recognizes as an institution/region), "rank" (`Irjen
    Pol`), "ner" (where an NER person starts), else "guess" without a trained NER (the last two words of a
    3+ word run, or the whole run)."""
    last = None
    for i in range(len(toks)):
        for j in range(min(len(toks), i + 6), i, -1):
            if known(text[toks[i][0]:toks[j - 1][1]].rstrip(".,")):
                last = j if last is None or j > last else last
                break
    if last is not None:
        return last, "known"
    for i, t in enumerate(toks):
        if _RANK.match(text, t[0]):
            return i, "rank"
    starts = evidence.starts()
    for i, t in enumerate(toks):
        if t[0] in starts:
            return i, "ner"
    if evidence.strict:
        return None, "guess"
    lead = 0
    while lead < len(toks) and not_a_name(toks[lead][2].rstrip(".,")):
        lead += 1
    rest = len(toks) - lead
    return (len(toks) - 2 if rest >= 3 else lead), "guess"


# `Abdul Muhid, Ketua Forum HRD` / `Abdul Muhid selaku Ketua ...`: a name right before the office.
_NAME_BEFORE = re.compile(r"(?P<name>[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+){0,3})(?:\s*,\s*|\s+selaku\s+)$")


def _appositive(text: str, m: re.Match, toks: list[tuple[int, int, str]], evidence: NameEvidence
                ) -> PersonMention | None:
    """The name an office is in apposition with: `<office>, <name>` or `<name>, <office>`."""
    candidates = []
    after = re.match(r",\s*(?=[A-Z])", text[toks[-1][1]:toks[-1][1] + 3]) if toks else None
    if after:
        candidates.append(_name_from(text, _tokens(text, toks[-1][1] + 1), 0))
    before = _NAME_BEFORE.search(text, max(0, m.start() - 60), m.start())
    if before:
        start = before.start("name")
        words = [(start + w.start(), start + w.end(), w.group(0)) for w in re.finditer(r"\S+", before["name"])]
        candidates.append(_name_from(text, words, 0))
    for person in candidates:
        if person and (evidence.overlapping(person.start, person.end) or person.honorifics
                       or evidence.is_registry_name(person.name)
                       or (not evidence.strict and len(person.name.split()) >= 2)):
            return person
    return None


def office_mentions(text: str, known: Known, evidence: NameEvidence) -> list[PersonMention]:
    """`Direktur Utama BPJS Ketenagakerjaan Anggoro Eko Cahyo` (or in apposition: `<office>, <name>`,
    `<name>, <office>`) → name with office."""
    out = []
    lowercase: set[str] | None = None  # the text's lower-case words, computed when first needed
    for m in _TITLE.finditer(text):
        title = " ".join(m["title"].split())
        toks = _tokens(text, m.end())
        if title in STANDALONE:  # only "RI"/"Republik Indonesia" may stand between title and name
            split, how = 0, "standalone"
            while split < len(toks) and toks[split][2].rstrip(".,") in ("RI", "Republik", "Indonesia"):
                split += 1
        else:
            split, how = _split_institution(text, toks, known, evidence) if toks else (None, "guess")
        person = _name_from(text, toks, split) if split is not None else None
        # With a trained NER, a name it does not see is only trusted after a recognized institution (or a rank
        # or honorific): that is where guesses went wrong ("Kepala Balai Karantina Hewan").
        trusted = how == "known" and person is not None and len(person.name.split()) >= 2
        if person and evidence.strict and how == "known" and not trusted:
            # `Menteri Luar Negeri Sugiono 79 persen`: one name word after a recognized institution, never written
            # in lower case in the article (a common noun would be), is a name.
            lowercase = lower_words(text) if lowercase is None else lowercase
            trusted = person.name.lower() not in lowercase and len(person.name) >= 4
        if person and evidence.strict and not person.honorifics and not trusted:
            per = evidence.overlapping(person.start, person.end)
            if per is None and not evidence.is_registry_name(person.name):
                person = None
            elif per is not None and per[0] > person.start and any(  # `Menteri Dalam Negeri Australia Tony Burke`
                s < per[0] and person.start < e for s, e in evidence.other_spans
            ):
                person.start = per[0]
                person.name = " ".join(text[person.start:person.end].split())
        if person is None or how == "guess":
            apposed = _appositive(text, m, toks, evidence)
            if apposed:
                person, institution = apposed, " ".join(text[m.end():toks[-1][1]].split()) if toks else ""
                person.office = " ".join(p for p in (title, (known(institution) or institution)) if p)
                person.office_written = " ".join(p for p in (title, institution) if p)
                out.append(person)
                continue
        if person is None:
            continue
        institution = " ".join(re.sub(r"\([^)]*\)", " ", text[m.end():person.start]).split()).rstrip(",")
        for h in reversed(person.honorifics):  # ranks/honorifics sit between the institution and the name
            institution = institution.removesuffix(h).strip()
        person.office = " ".join(p for p in (title, (known(institution) or institution) if institution else "")
                                 if p)
        person.office_written = " ".join(p for p in (title, institution) if p)
        out.append(person)
    return out


def attribution_mentions(text: str) -> list[PersonMention]:
    """`kata Ridwan Kamil` → the speaker's name (a title after the verb is left to `office_mentions`)."""
    out = []
    for m in ATTRIBUTION.finditer(text):
        if _TITLE.match(text, m.end() + 1):
            continue
        person = _name_from(text, _tokens(text, m.end()), 0)
        if person:
            out.append(person)
    return out


def mention_from_span(text: str, start: int, end: int, lowercase: set[str] = frozenset()) -> PersonMention | None:
    """An NER PER span → a mention without ranks/honorifics in front (kept as honorifics). `lowercase`: the
    text's `lower_words`, to drop capitalized common nouns."""
    s, honorifics = _strip_prefixes(text, start, end)
    name = " ".join(text[s:end].split()).strip(" ,.")
    words = name.split()
    if not name or any(not_a_name(w) for w in words) or not any(re.search(r"[a-z]{2}", w) for w in words):
        return None  # function words, titles, or no real word at all ("S.H")
    if len(words) == 1 and name.lower() in lowercase:
        return None  # also written in lower case: a common noun ("Makanan"), not a name
    weak = len(words) == 1 and bool(_SENTENCE_START.search(text, max(0, s - 6), s))
    return PersonMention(s, s + len(text[s:end].rstrip(" ,.")), name, honorifics=honorifics, weak=weak)


def lower_words(text: str) -> set[str]:
    """Words written in lower case somewhere in `text`."""
    return set(re.findall(r"(?<![\w-])[a-z][a-z'-]*", text))


def resolve_people(text: str, mentions: list[PersonMention], registry: Registry | None,
                   day: dt.date | None | Callable[[], dt.date | None], blocked: list[tuple[int, int]] = ()
                   ) -> list[Official]:
    """Cluster mentions into people, add short-form mentions, fill offices from the registry valid on `day`
    (a date, or a function giving it: only called when an office comes from the registry)."""
    people: list[_Person] = []
    by_key: dict[str, _Person] = {}
    # Longest names first, so short forms join the full name; weak mentions only ever join.
    for pm in sorted(mentions, key=lambda p: (p.weak, -len(p.name.split()), p.start)):
        if overlaps_any((pm.start, pm.end), blocked):
            continue
        person = _match_person(pm.name, by_key, people, registry)
        if person is None:
            if pm.weak:
                continue
            reg = registry.person(pm.name) if registry else None
            person = _Person(reg.name if reg else pm.name, reg.person_id if reg else slug(pm.name),
                             registry_person=reg)
            people.append(person)
        by_key.setdefault(pm.name.lower(), person)
        if pm.office and not person.office:
            person.office, person.office_source = full_office(pm.office, registry), "text"
            person.office_written = pm.office_written or pm.office
        for h in pm.honorifics:
            if h not in person.honorifics:
                person.honorifics.append(h)
        if not overlaps_any((pm.start, pm.end), ((m.start, m.end) for m in person.mentions)):
            person.mentions.append(Mention(text[pm.start:pm.end], pm.start, pm.end))
    _add_short_forms(text, people, blocked)
    out = []
    for p in people:
        if not p.office and p.registry_person is not None:
            if callable(day):
                day = day()
            office = p.registry_person.office_on(day)
            if office:
                p.office, p.office_source = office.title, "registry"
        p.mentions.sort(key=lambda m: m.start)
        out.append(Official(p.name, p.person_id, p.office, p.office_source, p.office_written, p.honorifics,
                            p.mentions))
    return sorted(out, key=lambda o: o.mentions[0].start if o.mentions else 0)


_EXPANSION = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(k) for k in sorted(OFFICE_EXPANSIONS, key=len,
                                                                                 reverse=True)) + r")(?![\w-])")
# Police, military and judicial units are named by the bare place: `Kepolisian Resor Garut`, `Kejaksaan Negeri Depok`.
_BARE_REGION_UNITS = re.compile(r"\b(?:Kepolisian|Kejaksaan|Komando|Pengadilan|Markas|Pangkalan)\b")
_REGIONAL_UNIT = re.compile(r"\b(?:Sekretaris Daerah|Sekretariat Daerah|Dinas|Badan|Biro|Inspektorat|DPRD|Bappeda"
                            r"|Satuan Polisi Pamong Praja)\b")
_HEAD_OF_REGION = re.compile(r"^(?:Wakil\s+)?(?:Bupati|Wali Kota|Gubernur)\b")
_REGION_TAIL = re.compile(r"(?<![\w-])(?P<kind>Provinsi|Kabupaten|Kota)?\s*(?P<name>[A-Z][\w-]*(?:\s+[A-Z][\w-]*){0,3})$")


def full_office(office: str, registry: Registry | None = None) -> str:
    """An office as ANNOTATION.md writes it: no parentheses, abbreviations expanded (`Kapolres Garut` → `Kepala
    Kepolisian Resor Garut`, `Kadis Dinkes` → `Kepala Dinas Dinas Kesehatan` is avoided), and a regency's or city's
    name given its kind (`Kepala Dinas Kesehatan Gunungkidul` → `… Kabupaten Gunungkidul`), a province's in full
    (`Jateng` → `Jawa Tengah`); a head of region's title keeps the bare name (`Bupati Garut`)."""
    office = " ".join(re.sub(r"\s*\([^)]*\)", "", office).split())
    office = _EXPANSION.sub(lambda m: OFFICE_EXPANSIONS[m.group(0)], office)
    office = re.sub(r"\b(Kepala|Sekretaris) Dinas Dinas\b", r"\1 Dinas", office)
    if registry is None or _HEAD_OF_REGION.match(office) or _BARE_REGION_UNITS.search(office):
        return office
    m = _REGION_TAIL.search(office)
    if m and not m["kind"]:
        words = m["name"].split()
        for k in range(min(3, len(words)), 0, -1):  # the longest trailing region name
            tail = " ".join(words[-k:])
            region = registry.region(tail)
            if region and region.kind in ("kabupaten", "kota") and len(words) > k:
                return f"{office[:len(office) - len(tail)]}{region.full_name}"
            if region and region.kind == "provinsi" and len(words) > k:
                # A unit of the provincial government takes the kind (`Sekretaris Daerah Provinsi Jawa Barat`);
                # anything else names the province alone (`Kantor Wilayah BPJS Ketenagakerjaan Jawa Barat`).
                kind = "Provinsi " if _REGIONAL_UNIT.search(office) else ""
                return f"{office[:len(office) - len(tail)]}{kind}{region.name}"
            if region:
                break
    return office


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
    """Every other bare use of one distinctive word of a person's name (`Anggoro`) is a mention of them."""
    owners: dict[str, list[_Person]] = {}
    for p in people:
        for w in set(p.name.split()):
            if len(w) >= 3 and w not in COMMON_NAME_PARTS and not not_a_name(w):
                owners.setdefault(w, []).append(p)
    words = {w: ps[0] for w, ps in owners.items() if len(ps) == 1}
    if not words:
        return
    taken = [(m.start, m.end) for p in people for m in p.mentions] + list(blocked)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, words)) + r")(?![\w-])")
    for m in pattern.finditer(text):
        if not overlaps_any((m.start(), m.end()), taken):
            p = words[m.group(0)]
            p.mentions.append(Mention(m.group(0), m.start(), m.end()))


def reference_day(published: dt.date | None, text: str) -> dt.date | None:
    """The day offices are looked up for: the publication date, else the latest date the text mentions."""
    return published or latest_mentioned_date(text)

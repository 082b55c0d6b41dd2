"""Regulation citations: a regex grammar over the text plus normalization to `Regulation` facts.

A citation is  TYPE [(ABBR)] [ISSUER] [(ABBR)] NUMBER [Tahun YEAR]  followed optionally by `tanggal <date>`
and `tentang <title>`. TYPE comes from the table below (full names case-insensitive, abbreviations as
written); ISSUER is the region or ministry written after the type and is normalized with the registry.
Mentions without a number (`Perda ini`, `UU Cipta Kerja`) become `RegulationReference`s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from pantau.extractors.registry import Registry, slug
from pantau.extractors.spans import overlaps_any
from pantau.extractors.textutil import (
    DATE_RE,
    YEAR_RE,
    Sentences,
    one_edit_apart,
    parse_date,
)
from pantau.types import ArticleContext, Regulation, RegulationReference


@dataclass(frozen=True)
class RegType:
    name: str  # canonical type
    scope: str  # how to read the issuer: national | ministry | province | regency | city | region | office | agency
    full: tuple[str, ...] = ()  # regex fragments, matched case-insensitively
    abbr: tuple[str, ...] = ()  # regex fragments, matched as written


TYPES = [
    # `Peraturan Nomor 21 Tahun 2019` right after a `Pergub …` was named: the type word of the one before.
    RegType("Peraturan", "elided", (r"peraturan(?=\s+(?:Nomor|nomor|No\.?)\s*\d)",)),
    RegType("Undang-Undang Darurat", "national", (r"undang[- ]undang\ darurat",), (r"UU\ Darurat", "UUDrt")),
    RegType("Undang-Undang", "national", (r"undang\ ?[- ]\ ?undang",), ("UU",)),  # also `Undang -undang`
    RegType("Ketetapan MPR", "national", (r"ketetapan\ (?:mpr|majelis\ permusyawaratan\ rakyat)(?:\ ri)?",),
            (r"TAP\ MPR", r"Tap\ MPR", r"TAP\ MPRS")),
    RegType("Peraturan Pemerintah Pengganti Undang-Undang", "national",
            (r"peraturan\ pemerintah\ pengganti\ undang[- ]undang",), ("Perppu", "Perpu", "PERPPU")),
    RegType("Peraturan Pemerintah", "national", (r"peraturan\ pemerintah",), ("PP",)),
    RegType("Peraturan Presiden", "national", (r"peraturan\ presiden",), ("Perpres", "PERPRES")),
    RegType("Keputusan Presiden", "national", (r"keputusan\ presiden",), ("Keppres", "Kepres")),
    RegType("Instruksi Presiden", "national", (r"instruksi\ presiden",), ("Inpres", "INPRES")),
    RegType("Peraturan Menteri Koordinator", "ministry", (r"peraturan\ menteri\ koordinator",), ("Permenko",)),
    RegType("Peraturan Menteri", "ministry", (r"peraturan\ menteri",), ("Permen",)),
    RegType("Keputusan Menteri", "ministry", (r"keputusan\ menteri",), ("Kepmen",)),
    RegType("Instruksi Menteri", "ministry", (r"instruksi\ menteri",), ("Inmen",)),
    # Aceh's regional regulations are Qanun (ANNOTATION.md: the type is Peraturan Daerah).
    RegType("Peraturan Daerah", "region", (r"peraturan\ daerah", r"qanun"), ("Perda", "perda", "PERDA")),
    RegType("Peraturan Gubernur", "province", (r"peraturan\ gubernur",), ("Pergub", "pergub")),
    RegType("Keputusan Gubernur", "province", (r"(?:surat\ )?keputusan\ gubernur",), ("Kepgub", r"SK\ Gubernur")),
    RegType("Instruksi Gubernur", "province", (r"instruksi\ gubernur",), ("Ingub",)),
    RegType("Peraturan Bupati", "regency", (r"peraturan\ bupati",), ("Perbup", "perbup")),
    RegType("Keputusan Bupati", "regency", (r"(?:surat\ )?keputusan\ bupati",), ("Kepbup", r"SK\ Bupati")),
    RegType("Instruksi Bupati", "regency", (r"(?:surat\ )?instruksi\ bupati",), ("Inbup",)),
    RegType("Peraturan Wali Kota", "city", (r"peraturan\ wali\ ?kota",), ("Perwal", "Perwali", "Perwalkot")),
    RegType("Keputusan Wali Kota", "city", (r"(?:surat\ )?keputusan\ wali\ ?kota",),
            ("Kepwal", r"SK\ Wali\ ?[Kk]ota")),
    RegType("Instruksi Wali Kota", "city", (r"(?:surat\ )?instruksi\ wali\ ?kota",), ("Inwal",)),
    RegType("Surat Edaran Mahkamah Agung", "agency", (r"surat\ edaran\ mahkamah\ agung",), ("SEMA",)),
    RegType("Surat Edaran OJK", "agency", (r"surat\ edaran\ (?:ojk|otoritas\ jasa\ keuangan)",),
            ("SEOJK",)),
    RegType("Surat Edaran", "office", (r"surat\ edaran",), ("SE",)),
    RegType("Peraturan OJK", "agency", (r"peraturan\ (?:ojk|otoritas\ jasa\ keuangan)",), ("POJK",)),
    RegType("Peraturan Bank Indonesia", "agency", (r"peraturan\ bank\ indonesia",), ("PBI",)),
    RegType("Peraturan BPJS", "office", (r"peraturan\ (?:bpjs|badan\ penyelenggara\ jaminan\ sosial)",)),
    RegType("Peraturan Mahkamah Agung", "agency", (r"peraturan\ mahkamah\ agung",), ("Perma", "PERMA")),
    # `Putusan Nomor 135/PUU-XXII/2024`: a judicial-review number (PUU) makes a bare "Putusan" the MK's.
    RegType("Putusan Mahkamah Konstitusi", "agency", (r"putusan\ mahkamah\ konstitusi",),
            (r"[Pp]utusan\ MK", r"[Pp]utusan(?=\s+(?:Nomor|nomor|No\.?)\s*\d+/PUU-)")),
    # Election bodies and law-enforcement agencies also issue numbered regulations and decrees.
    RegType("Peraturan KPU", "agency", (r"peraturan\ (?:kpu|komisi\ pemilihan\ umum)",),
            ("PKPU",)),
    RegType("Keputusan KPU", "agency", (r"keputusan\ (?:kpu|komisi\ pemilihan\ umum)",)),
    RegType("Peraturan Bawaslu", "agency",
            (r"peraturan\ (?:bawaslu|badan\ pengawas\ pemilihan\ umum)",), ("Perbawaslu",)),
    RegType("Peraturan DKPP", "agency",
            (r"peraturan\ (?:dkpp|dewan\ kehormatan\ penyelenggara\ pemilu)",)),
    RegType("Peraturan Jaksa Agung", "agency", (r"peraturan\ jaksa\ agung",), ("Perja",)),
    RegType("Peraturan Kepolisian", "agency", (r"peraturan\ kepolisian(?:\ negara\ republik\ indonesia)?",),
            ("Perpol",)),
    RegType("Peraturan Kepala Kepolisian", "agency",
            (r"peraturan\ (?:kapolri|kepala\ kepolisian(?:\ negara\ republik\ indonesia)?)",), ("Perkap",)),
]
TYPE_BY_NAME = {t.name: t for t in TYPES}

# Ministry-specific abbreviations: Permen<x> / Kepmen<x> (and a spaced form for acronyms: Permen PUPR).
MINISTRY_CODES = {
    "dagri": "Dalam Negeri", "keu": "Keuangan", "kes": "Kesehatan", "sos": "Sosial", "hub": "Perhubungan",
    "tan": "Pertanian",
    "dag": "Perdagangan", "perin": "Perindustrian", "ag": "Agama", "pora": "Pemuda dan Olahraga",
    "dikbud": "Pendidikan dan Kebudayaan", "dikbudristek": "Pendidikan, Kebudayaan, Riset, dan Teknologi",
    "kominfo": "Komunikasi dan Informatika", "kumham": "Hukum dan Hak Asasi Manusia", "des": "Desa",
    "parekraf": "Pariwisata dan Ekonomi Kreatif", "par": "Pariwisata", "pan": "Pendayagunaan Aparatur Negara",
    "dikdasmen": "Pendidikan Dasar dan Menengah", "diktisaintek": "Pendidikan Tinggi, Sains, dan Teknologi",
    "lu": "Luar Negeri", "komdigi": "Komunikasi dan Digital", "kum": "Hukum", "ham": "Hak Asasi Manusia",
    "pkp": "Perumahan dan Kawasan Permukiman", "lh": "Lingkungan Hidup", "ekraf": "Ekonomi Kreatif",
}
MINISTRY_ACRONYMS = {
    "PUPR": "Pekerjaan Umum dan Perumahan Rakyat", "ESDM": "Energi dan Sumber Daya Mineral",
    "LHK": "Lingkungan Hidup dan Kehutanan", "ATR/BPN": "Agraria dan Tata Ruang/Badan Pertanahan Nasional",
    "PANRB": "Pendayagunaan Aparatur Negara dan Reformasi Birokrasi",
    "PAN-RB": "Pendayagunaan Aparatur Negara dan Reformasi Birokrasi", "BUMN": "Badan Usaha Milik Negara",
    "KP": "Kelautan dan Perikanan", "PPN": "Perencanaan Pembangunan Nasional",
}
# Other fixed abbreviations with their implied issuer.
FIXED_ABBR = {"PMK": ("Peraturan Menteri", "Keuangan"), "KMK": ("Keputusan Menteri", "Keuangan"),
              "Permenaker": ("Peraturan Menteri", "Ketenagakerjaan"),
              "Kepmenaker": ("Keputusan Menteri", "Ketenagakerjaan"),
              "Permenakertrans": ("Peraturan Menteri", "Tenaga Kerja dan Transmigrasi"),
              "Kepmenakertrans": ("Keputusan Menteri", "Tenaga Kerja dan Transmigrasi")}


def _abbreviation_table(codes: dict[str, str], acronyms: dict[str, str]) -> dict[str, tuple[str, str | None]]:
    """Written abbreviation (spaces collapsed) → (canonical type, implied issuer)."""
    table: dict[str, tuple[str, str | None]] = dict(FIXED_ABBR)
    for head, type_name in (("Permen", "Peraturan Menteri"), ("Kepmen", "Keputusan Menteri")):
        for code, ministry in codes.items():
            glued = head + (code[1:] if code.startswith("n") else code)  # Permen + naker → Permenaker
            for form in {glued, head + code, head + code.capitalize(), f"{head}{code.upper()}"}:
                table.setdefault(form, (type_name, ministry))
        for code, ministry in acronyms.items():
            table.setdefault(f"{head} {code}", (type_name, ministry))
            table.setdefault(f"{head}{code}", (type_name, ministry))
    return table
HEAD_WORDS = ("peraturan", "keputusan", "instruksi")
FUZZY_OFFICES = r"(?:Presiden|Gubernur|Bupati|Wali\ ?[Kk]ota|Walikota|Menteri|Daerah|Pemerintah)"


def _type_alternatives(abbreviations: dict[str, tuple[str, str | None]]) -> str:
    alts = [f"(?i:{f})" for t in TYPES for f in t.full]
    alts += [a for t in TYPES for a in t.abbr]
    alts += [re.escape(a).replace(r"\ ", r"\ ?") for a in abbreviations]
    alts.sort(key=len, reverse=True)  # the regex takes the first alternative that fits: longest first
    # Last: one misspelled head word before an office ("Keptutusan Gubernur"), checked in code.
    alts.append(rf"(?P<fuzzy>[A-Za-z]{{8,11}})\ {FUZZY_OFFICES}")
    return "|".join(alts)


ABBR_RE = r"(?:\s*\((?P<{name}>[A-Za-z][\w .-]{{0,25}})\))?"
_NUMBER_WORDS = r"(?:Nomor|Nomer|NOMOR|No|NO|Nr|nomor|no)"
# Issuer: up to six capitalized words (or `dan`) that are not the number keyword.
ISSUER_RE = rf"(?P<issuer>(?:\s+(?!{_NUMBER_WORDS}\b|[Tt]ahun\b|[Tt]entang\b)(?:[A-Z][\w'’.-]*|dan|RI)){{1,6}}?)?"
NUMBER_RE = rf"""
    (?:
        \s*,?\s*{_NUMBER_WORDS}\b\.?\s*:?\s*
        (?P<num>(?:(?:KM|PM|KEP|SK|HK)\s+(?=\d))?                    # `Nomor KM 50 Tahun 2025`
                (?=[A-Za-z0-9./–-]*\d)[A-Za-z0-9](?:(?:[A-Za-z0-9./–-]|/\ (?=(?:19|20)\d\d\b))*[A-Za-z0-9])?)
      | \s+(?P<bare>\d{{1,4}}[A-Za-z]?(?=/{YEAR_RE}\b|\s+[Tt]ahun\s+{YEAR_RE})(?:/{YEAR_RE})?
                   | (?=[A-Za-z0-9./-]*\d)[A-Za-z0-9][A-Za-z0-9./-]*/{YEAR_RE})   # free-form: Kpts.1164/XII/2025
    )
    (?:\s*,?\s+(?:[Tt]ahun|TAHUN)\s+(?P<year>{YEAR_RE}))?
    (?![\w/])
"""

# After a citation: `, tanggal 17 Februari 2022` and/or `tentang <title>`.
DATE_AFTER = re.compile(rf"\s*,?\s*(?:tanggal|tgl\.?|tertanggal)\s+{DATE_RE}", re.IGNORECASE)
TITLE_START = re.compile(r"\s*,?\s*(?:tentang|mengenai)\s+", re.IGNORECASE)
# A title ends at a sentence end, a clause break, a closing quote, or a word that starts a new clause.
TITLE_END = re.compile(
    r"""
      (?<!\bNo)(?<!\bNO)[.;:!?](?=\s|$|[”"’])   # sentence punctuation (not the dot of `No. 23`)
    | ,                             # a comma ends the title in running news text
    | \n | [“”"]
    | \s+(?=(?:yang(?!\s+[A-Z])|sebagaimana|sejak|tanggal|tertanggal|pada|oleh|telah|sudah|akan|ini|itu|tersebut|bahwa
              |agar|sehingga|karena|namun|maka|hingga|sampai|serta(?!\s+[A-Z])|kata|ujar|juga|secara|bisa|dapat|tidak
              |harus|wajib|masih|kini|saat|sebagai(?!\s+[A-Z])|dengan\ ancaman|dan/atau|juncto|[Jj][Oo]\b
              |berlaku|menjadi|mulai|resmi|merupakan
              |di(?![a-z]*isasi\b)[a-z]{3,}(?:kan|i)                 # passive verbs: diterbitkan, direvisi
              |(?!melalui|mengenai|terhadap|tertentu|terpadu|terbarukan|bersama|berbasis|berkelanjutan
                 |berkeadilan|berusaha|berjangka|berkala)
               (?:me|ber|ter)[a-z]{3,}(?:kan|an|i)                    # active verbs: menegaskan, bertentangan
              )\b)
    | \s+(?=(?:dan|atau|serta)\s+(?:Peraturan|Keputusan|Instruksi|Undang|UU|Perda|Pergub|Perbup|Perwal|PP|Perpres
                                    |Pasal|Surat|SE|Kepmen|Permen|Qanun)\b)
    """,
    re.VERBOSE,
)
MAX_TITLE = 250

def _first_words(abbreviations: dict[str, tuple[str, str | None]]) -> frozenset[str]:
    """Lower-cased first words (as `_WORD` reads them) of every type form: only there can a citation start."""

    def lead(literal: str) -> str:
        return re.match(r"[A-Za-z][\w-]*", literal).group(0).lower()

    words = {lead(a) for a in abbreviations}
    for form in (f for t in TYPES for f in (*t.full, *t.abbr)):
        literal = re.sub(r"\(\?:[^)]*\)\?", "", form).replace("\\ ", " ").lstrip()  # drop `(?:surat\ )?`
        words.add(lead(re.sub(r"\[(\w)\w\]", r"\1", literal)))  # `[Pp]utusan` → `Putusan`
    return frozenset(words | {"undang-undang", "walikota"})


# A mention without a number: TYPE [(ABBR)] [ISSUER] then `ini`/`tersebut`/`itu`, or `tentang/mengenai`,
# or (for Undang-Undang) a short name such as `UU Cipta Kerja`.
REFERENCE_TAIL = r"""
    (?:
        \s+(?P<det>ini|tersebut|itu)\b
      | (?P<about>\s+(?:tentang|mengenai)\s+)
      | (?P<name>(?:\s+(?!Nomor\b|No\b|Tahun\b)[A-Z][\w-]*){1,4})
    )
    """


class Grammar:
    """The compiled citation grammar for one set of ministry codes and acronyms (the built-in ones, extended by a
    registry's `ministries.toml`). Built once per registry by the `pantau_registry` component."""

    def __init__(self, codes: dict[str, str] | None = None, acronyms: dict[str, str] | None = None):
        self.abbreviations = _abbreviation_table({**MINISTRY_CODES, **(codes or {})},
                                                 {**MINISTRY_ACRONYMS, **(acronyms or {})})
        # `PerdaNomor 8`: scraping glues the type word to the number word.
        type_re = (rf"(?<![\w-])(?P<type>{_type_alternatives(self.abbreviations)})"
                   r"(?:(?![\w-])|(?=(?:Nomor|NOMOR|No\.)\s*\d))")
        self.citation = re.compile(
            type_re + ABBR_RE.format(name="abbr1") + ISSUER_RE + ABBR_RE.format(name="abbr2")
            + r"(?:\s+(?:RI|Republik\s+Indonesia)\b)?" + NUMBER_RE,
            re.VERBOSE,
        )
        self.reference = re.compile(type_re + ABBR_RE.format(name="abbr1") + REFERENCE_TAIL, re.VERBOSE)
        self.first_words = _first_words(self.abbreviations)
        # Every type word starts with one of these letters (checked by a test), so only such words are looked at.
        self.first_letters = "".join(sorted({w[0] for w in self.first_words} | {w[0] for w in HEAD_WORDS}))
        self.word = re.compile(rf"(?<![\w-])(?i:[{self.first_letters}])[\w-]*")




DEFAULT_GRAMMAR = Grammar()
ABBREVIATIONS = DEFAULT_GRAMMAR.abbreviations  # the built-in tables (a registry may add ministries)
FIRST_WORDS, FIRST_LETTERS = DEFAULT_GRAMMAR.first_words, DEFAULT_GRAMMAR.first_letters

_FUZZY_NEXT = re.compile(rf"\ {FUZZY_OFFICES}", re.VERBOSE)


def _matches(pattern: re.Pattern, text: str, grammar: Grammar):
    """`pattern.finditer(text)`, tried only where a type's first word (or a one-letter typo of a head word
    before an office) starts: one cheap word scan instead of a large alternation at every character."""
    end = 0
    for w in grammar.word.finditer(text):
        if w.start() < end:
            continue
        word = w.group(0).lower()
        if word.endswith("nomor") and word[:-5] in grammar.first_words:
            word = word[:-5]
        if word not in grammar.first_words and not (
            8 <= len(word) <= 10 and word[0] in "kpi" and _FUZZY_NEXT.match(text, w.end())
            and any(one_edit_apart(word, h) for h in HEAD_WORDS)
        ):
            continue
        m = pattern.match(text, w.start())
        if m:
            end = m.end()
            yield m


class RegulationMatch(NamedTuple):
    fact: Regulation
    extent: tuple[int, int]  # citation plus its date and title: no other fact may come from inside


def _resolve_type(m: re.Match, abbreviations: dict[str, tuple[str, str | None]]) -> tuple[RegType, str | None] | None:
    """The matched type words → (type, issuer implied by the abbreviation)."""
    written = " ".join(m["type"].split())
    if written.lower() == "peraturan":  # only matched right before `Nomor`: an elided type word
        return TYPE_BY_NAME["Peraturan"], None
    if written.lower() == "putusan":  # only matched before a PUU number
        return TYPE_BY_NAME["Putusan Mahkamah Konstitusi"], None
    if m["fuzzy"]:
        head, _, office = written.partition(" ")
        fixed = next((h for h in HEAD_WORDS if one_edit_apart(head.lower(), h)), None)
        if not fixed:
            return None
        written = f"{fixed} {office}"
    if written in abbreviations or written.replace(" ", "") in abbreviations:
        name, issuer = abbreviations.get(written) or abbreviations[written.replace(" ", "")]
        return TYPE_BY_NAME[name], issuer
    key = written.lower().replace("walikota", "wali kota").replace("undang undang", "undang-undang")
    for t in TYPES:
        if any(re.fullmatch(f, key, re.IGNORECASE) for f in t.full) or written in t.abbr or any(
            re.fullmatch(a, written) for a in t.abbr
        ):
            return t, None
    return None


_REGION_KIND = {"province": "provinsi", "regency": "kabupaten", "city": "kota"}
_NATIONAL_NOISE = re.compile(r"\b(?:Republik\ Indonesia|RI|Negara)\b", re.VERBOSE)


def normalize_issuer(rtype: RegType, written: str | None, registry: Registry | None) -> str | None:
    """Written issuer → region's full name (Jabar → Jawa Barat, Bupati Bandung → Kabupaten Bandung), ministry."""
    if not written:
        return None
    written = " ".join(_NATIONAL_NOISE.sub(" ", written).split()).strip(" ,")
    if not written:
        return None
    if rtype.scope in ("province", "regency", "city", "region"):
        kind = _REGION_KIND.get(rtype.scope)
        region = registry.region(written, kind) if registry else None
        if region:
            return region.full_name
        first, _, rest = written.partition(" ")
        lowered = first.lower().rstrip(".")
        if lowered in ("provinsi", "prov", "propinsi") and rest:
            return rest
        if lowered in ("kabupaten", "kab") and rest:
            return f"Kabupaten {rest}"
        if kind in ("kabupaten", "kota") and lowered not in ("kota",):
            return f"{kind.capitalize()} {written}"
        return written
    if rtype.scope == "ministry":
        portfolio = _ministry_portfolio(written, registry)
        if rtype.name.endswith("Koordinator"):  # the type says it: "Peraturan Menteri Koordinator Perekonomian"
            portfolio = re.sub(r"^Koordinator\s+(?:Bidang\s+)?", "", portfolio or "") or None
        return portfolio
    if rtype.scope == "office":
        return written
    return None  # national and agency types: the type names the issuer


def _ministry_portfolio(written: str, registry: Registry | None) -> str | None:
    """A written ministry ("ESDM", "Kesehatan", "Kementerian Pertanian") → its portfolio."""
    written = re.sub(r"^(?:Republik Indonesia|Bidang)\s*", "", written)
    written = re.sub(r"/\s*Kepala\b.*$", "", written).strip()  # "Agraria dan Tata Ruang/Kepala BPN"
    if registry:
        acronym = registry.ministry_acronyms.get(written) or MINISTRY_ACRONYMS.get(written)
        if acronym:
            return acronym
        ministry = registry.ministry(written) or registry.organization(written)
        if ministry and ministry.portfolio:
            return ministry.portfolio
    return MINISTRY_ACRONYMS.get(written, written) or None


def regulation_label(type_: str, issuer: str | None, number: str | None, year: int | None) -> str:
    # "Peraturan Bupati Kabupaten Garut" reads "Peraturan Bupati Garut": the office already says the kind.
    if issuer and ((type_.endswith("Bupati") and issuer.startswith("Kabupaten "))
                   or (type_.endswith("Wali Kota") and issuer.startswith("Kota "))):
        issuer = issuer.split(" ", 1)[1]
    head = " ".join(p for p in (type_, issuer) if p)
    if number and year and not number.endswith(f"/{year}"):
        return f"{head} {number}/{year}"
    return " ".join(p for p in (head, number or (str(year) if year else None)) if p)


def regulation_id(type_: str, issuer: str | None, number: str | None, year: int | None) -> str:
    return slug(" ".join(str(p) for p in (type_, issuer, number, year) if p))


_NUMBER_LIST = re.compile(r"(?:\s*,\s*(?:dan\s+)?|\s+dan\s+)(?P<n>\d{1,4}[A-Za-z]?)(?![\w/.-])")


def _number_and_year(m: re.Match) -> tuple[str, int | None]:
    raw = re.sub(r"/\s+", "/", m["num"] or m["bare"])  # `S-14/MK/PK/ 2024`
    year = int(m["year"]) if m["year"] else None
    simple = re.fullmatch(rf"(\d+[A-Za-z]?)/({YEAR_RE})", raw)
    if simple:  # `2/2021`: number 2, year 2021
        return simple[1], year or int(simple[2])
    if year is None:  # free-form decree number: the year is its last `/YYYY` part
        last = re.search(rf"/({YEAR_RE})$", raw)
        year = int(last[1]) if last else None
    return raw, year


# `Jenis, Harga Eceran Tertinggi, dan Alokasi …`: a Title Case list goes on past its commas.
_TITLE_LIST = re.compile(r",\s+(?:[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*,\s+)*(?:[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*,?\s+)?"
                         r"(?:dan|serta)\s+[A-Z]")
# Words a Title Case title may hold in lower case; any other lower-case word after it starts the sentence again
# (`… Jaminan Produk Halal mengancam produsen`).
_TITLE_SMALL = {"dan", "atau", "serta", "di", "ke", "dari", "untuk", "bagi", "pada", "yang", "dalam", "tentang",
                "atas", "oleh", "sebagai", "terhadap", "antara", "dengan", "melalui", "dan/atau", "tahun", "nomor",
                "no", "se", "tata", "cara", "kerja"}


def read_title(text: str, pos: int) -> tuple[str | None, int]:
    """`tentang <title>` starting at pos → (title, end offset); (None, pos) when there is none."""
    m = TITLE_START.match(text, pos)
    if not m:
        return None, pos
    start = limit = m.end()
    stop_at = min(len(text), start + MAX_TITLE)
    while True:
        stop = TITLE_END.search(text, limit, stop_at)
        if stop and stop.group(0) == "," and text[start:start + 1].isupper() and _TITLE_LIST.match(text, stop.start()):
            limit = stop.end()
            continue
        break
    end = stop.start() if stop else stop_at
    title = text[start:end]
    if title[:1].isupper():  # Title Case: a run of lower-case words to the end, that no title holds, ends it
        words = [(w.start(), w.group(0).strip(",.()")) for w in re.finditer(r"\S+", title)]
        for i, (at, word) in enumerate(words[1:], start=1):
            if word and word[0].islower() and word.lower() not in _TITLE_SMALL and \
                    not any(later[:1].isupper() for _, later in words[i + 1:]):
                title = title[:at]
                break
    title = re.sub(r"\s*\([A-Z][\w/-]{1,12}\)$", "", title.rstrip(" ,;:")).rstrip(" ,;:")  # `… (DTSEN)`
    return (title or None), start + len(title)


def _read_date(text: str, pos: int) -> tuple[str | None, int]:
    m = DATE_AFTER.match(text, pos)
    if not m:
        return None, pos
    day = parse_date(m.group(0))
    return (day.isoformat() if day else None), m.end()


# A government or head of region named in the article: `Pemkab Garut`, `Bupati Garut`, `DPRD Kota Cimahi`,
# `Pemerintah Provinsi Jawa Barat`, `Sekda Jabar`. The head word tells the level when the name does not.
GOVERNMENT = re.compile(
    r"""(?<![\w-])(?P<head>Pemkab|Pemkot|Pemprov|Pemerintah\ (?:Kabupaten|Kota|Provinsi)|Bupati|Wali\ ?[Kk]ota
        |Walkot|Gubernur|DPRD|Sekretariat\ Daerah|Sekda|Pemda)
        (?:\ (?:Provinsi|Kabupaten|Kab\.|Kota))?
        \ (?P<name>[A-Z][\w.-]*(?:\ [A-Z][\w-]*){0,2})""",
    re.VERBOSE,
)
_HEAD_KIND = {"pemkab": "kabupaten", "pemerintah kabupaten": "kabupaten", "bupati": "kabupaten",
              "pemkot": "kota", "pemerintah kota": "kota", "walikota": "kota", "wali kota": "kota", "walkot": "kota",
              "pemprov": "provinsi", "pemerintah provinsi": "provinsi", "gubernur": "provinsi"}
_LEVEL = {"province": "provinsi", "regency": "kabupaten", "city": "kota"}


def _region_at_level(region, kind: str | None, registry: Registry):
    """`region` as the issuer of a type of level `kind`: itself, or (for a province's type) its province."""
    if kind is None or region.kind == kind:
        return region if region.kind in ("provinsi", "kabupaten", "kota") else None
    if kind == "provinsi" and region.province:
        return registry.region(region.province, "provinsi")
    return None


def _governments(text: str, registry: Registry) -> list:
    """The regions whose government or head the article names, most named first (ties: first named first)."""
    counts: dict[str, list] = {}
    for m in GOVERNMENT.finditer(text):
        head = " ".join(m["head"].lower().split())
        written = m.group(0)[len(m["head"]):].strip()  # the kind word, if any, and the name
        for words in (written, m["name"]):
            region = registry.region(words, _HEAD_KIND.get(head))
            if region is None:  # `Bupati Garut Budi`: the name may run on into a person's name
                parts = words.split()
                region = next((r for k in range(len(parts) - 1, 0, -1)
                               if (r := registry.region(" ".join(parts[:k]), _HEAD_KIND.get(head)))), None)
            if region is not None and region.kind in ("provinsi", "kabupaten", "kota"):
                counts.setdefault(region.region_id, [region, 0, m.start()])[1] += 1
                break
    return [r for r, _, _ in sorted(counts.values(), key=lambda v: (-v[1], v[2]))]


def article_region(text: str, registry: Registry | None, context: ArticleContext | None = None):
    """The region an article is about, for what its text leaves implicit (`Dinas Kesehatan` in a Depok story): the
    regency, city or province whose government it names most, else its dateline's, else its feed's; or None."""
    if registry is None:
        return None
    named = _governments(text, registry)
    if named:
        return named[0]
    for written in (context and context.dateline, context and context.region):
        region = registry.region(written) if written else None
        if region and region.kind in ("provinsi", "kabupaten", "kota"):
            return region
    return None


def infer_issuer(rtype: RegType, start: int, text: str, sentences: Sentences, registry: Registry | None,
                 known: list[Regulation], context: ArticleContext | None) -> tuple[str | None, str | None]:
    """The issuer of a regional citation that does not write it, and how it was found (`context`, `dateline`,
    `feed`): a region of the type's level in the same sentence; the regional government or head the article names
    most; the one issuer of that level among the article's other citations; the dateline; the feed's region."""
    if registry is None or rtype.scope not in ("province", "regency", "city", "region"):
        return None, None
    kind = _LEVEL.get(rtype.scope)  # None for a Perda: any level
    sentence = sentences.sentence(start)
    for m in re.finditer(r"(?:(?:Provinsi|Kabupaten|Kab\.|Kota)\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?", sentence):
        if kind is None and not re.match(r"(?:Provinsi|Kabupaten|Kab\.|Kota)\s", m.group(0)):
            continue  # a Perda's level needs the kind word ("Perda Kota Cimahi" is written out, not implied)
        region = registry.region(m.group(0), kind)
        if region and (kind is None or region.kind == kind):
            return region.full_name, "context"
    for region in _governments(text, registry):
        found = _region_at_level(region, kind, registry)
        if found:
            return found.full_name, "context"
    same_kind = {r.issuer for r in known if r.issuer and TYPE_BY_NAME[r.type].scope == rtype.scope}
    if len(same_kind) == 1:
        return same_kind.pop(), "context"
    for source, written in (("dateline", context and context.dateline), ("feed", context and context.region)):
        if written:
            # `TASIKMALAYA` is a regency and a city: either way a Pergub is Jawa Barat's.
            candidates = [registry.region(written, kind)] if registry.region(written, kind) else \
                registry.regions_named(written)
            levels = {f.region_id: f for r in candidates if (f := _region_at_level(r, kind, registry))}
            if len(levels) == 1:
                return next(iter(levels.values())).full_name, source
    return None, None


def find_regulations(text: str, registry: Registry | None = None, context: ArticleContext | None = None,
                     grammar: Grammar = DEFAULT_GRAMMAR) -> list[RegulationMatch]:
    out: list[RegulationMatch] = []
    missing_issuer: list[tuple[RegulationMatch, RegType]] = []
    for m in _matches(grammar.citation, text, grammar):
        resolved = _resolve_type(m, grammar.abbreviations)
        if not resolved:
            continue
        rtype, implied = resolved
        written = m["issuer"].strip() if m["issuer"] else None
        issuer = implied or normalize_issuer(rtype, written, registry)
        if rtype.scope == "elided":  # the type and issuer of the last regulation named before it
            before = next((r.fact for r in reversed(out) if r.fact.type.startswith("Peraturan")), None)
            if before is None:
                continue
            rtype, issuer = TYPE_BY_NAME[before.type], before.issuer
        number, year = _number_and_year(m)
        # Dates and titles may come in either order after the number.
        date, pos = _read_date(text, m.end())
        title, pos = read_title(text, pos)
        if date is None:
            date, pos = _read_date(text, pos)
        if title is None and rtype.scope == "national" and written:
            title = _NATIONAL_NOISE.sub("", written).strip() or None  # `UU Cipta Kerja Nomor 6 ...`
        fact = Regulation(text=text[m.start():m.end()], start=m.start(), end=m.end(), type=rtype.name,
                          issuer=issuer, number=number, year=year, title=title, date=date,
                          issuer_source="text" if issuer else None)
        match = RegulationMatch(fact, (m.start(), max(pos, m.end())))
        out.append(match)
        if issuer is None and rtype.scope in ("province", "regency", "city", "region"):
            missing_issuer.append((match, rtype))
        if m["num"] and year is None and title is None and date is None:  # `Putusan MK Nomor 34, 35, 45, dan 95`
            for more in _NUMBER_LIST.finditer(text, m.end()):
                if more.start() != (out[-1].fact.end if out[-1].fact.type == rtype.name else -1):
                    break
                n = more["n"]
                out.append(RegulationMatch(Regulation(
                    text=n, start=more.start("n"), end=more.end("n"), type=rtype.name, issuer=issuer, number=n,
                    year=year, issuer_source="text" if issuer else None), (more.start("n"), more.end("n"))))
    if missing_issuer:
        sentences = Sentences(text)
        facts = [r.fact for r in out]
        for match, rtype in missing_issuer:
            f = match.fact
            f.issuer, f.issuer_source = infer_issuer(rtype, f.start, text, sentences, registry, facts, context)
            f.issuer_unknown = f.issuer is None
    for r in out:
        f = r.fact
        f.regulation_id = regulation_id(f.type, f.issuer, f.number, f.year)
        f.label = regulation_label(f.type, f.issuer, f.number, f.year)
        if f.issuer_unknown:
            f.label += " (penerbit tidak diketahui)"
    return out


def _content_words(title: str | None) -> set[str]:
    return {w for w in re.findall(r"\w{4,}", (title or "").lower())} - {"tentang", "mengenai", "tahun"}


def find_references(text: str, numbered: list[RegulationMatch], registry: Registry | None = None,
                    grammar: Grammar = DEFAULT_GRAMMAR) -> list[RegulationReference]:
    """Mentions without a number, linked to the article's one numbered regulation they can mean."""
    taken = [r.extent for r in numbered]
    out: list[RegulationReference] = []
    for m in _matches(grammar.reference, text, grammar):
        if overlaps_any((m.start(), m.end()), taken):
            continue
        resolved = _resolve_type(m, grammar.abbreviations)
        if not resolved:
            continue
        rtype, issuer = resolved
        end, title = m.end(), None
        if m["det"]:
            pass
        elif m["about"]:
            title, end = read_title(text, m.start("about"))
            if not title:
                continue
        elif rtype.name == "Undang-Undang":  # `UU Cipta Kerja`: the words name the law
            title = m["name"].strip()
        else:
            # `Perda Jawa Barat` without a number: only a mention when the words are its issuer.
            kind = _REGION_KIND.get(rtype.scope)
            region = registry.region(m["name"].strip(), kind) if registry and rtype.scope != "national" else None
            if not region:
                continue
            issuer = region.full_name
        ref = RegulationReference(text=text[m.start():end], start=m.start(), end=end, type=rtype.name,
                                  issuer=issuer, title=title)
        target = _link(ref, [r.fact for r in numbered])
        if target:
            ref.refers_to, ref.refers_to_id = target.label, target.regulation_id
        out.append(ref)
        taken.append((m.start(), end))
    return out


def _link(ref: RegulationReference, regs: list[Regulation]) -> Regulation | None:
    cands = [r for r in regs if r.type == ref.type and (not ref.issuer or r.issuer == ref.issuer)]
    if ref.title:
        words = _content_words(ref.title)
        titled = [r for r in cands if r.title and words & _content_words(r.title)]
        cands = titled or [r for r in cands if not r.title]
    distinct = {r.regulation_id: r for r in cands}
    return next(iter(distinct.values())) if len(distinct) == 1 else None

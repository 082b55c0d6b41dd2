"""Organizations: registry aliases, acronym definitions in the text, and NER ORG spans → canonical names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pantau.extractors.lexicon import TITLE_PREFIX, TITLE_WORDS
from pantau.extractors.registry import Registry, slug
from pantau.extractors.spans import overlaps_any
from pantau.types import Mention, Organization

# `Badan Pusat Statistik (BPS)`: capitalized words (with small connectives) then an acronym in parentheses.
ACRONYM_DEF = re.compile(
    r"""
    (?P<full>[A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|dan|untuk|dari|di|&)){0,9})
    \s*\(\s*(?P<acr>[A-Z][A-Za-z&]{1,11})\s*\)
    """,
    re.VERBOSE,
)
_SMALL = {"dan", "untuk", "dari", "di", "&"}
# NER ORG texts that are not organizations (ranks, country abbreviations, app names used as verbs' objects).
NOT_ORG = {"RI", "NKRI", "AKBP", "AKP", "Kombes", "Kompol", "Irjen", "Brigjen", "Iptu", "Ipda", "SECARA", "WIB"}
# The outlet and its furniture, platforms, documents and programs are not organizations (ANNOTATION.md).
OUTLETS = {"Tempo", "Liputan6", "Okezone", "Kompas", "Detik", "Antara", "Republika", "Tribun", "Kumparan",
           "Google News", "CNN Indonesia", "CNBC Indonesia", "Suara", "Sindonews", "Inews", "iNews"}
PLATFORMS = {"YouTube", "Youtube", "Instagram", "TikTok", "Tiktok", "Facebook", "WhatsApp", "Twitter", "Netflix",
             "Threads", "Telegram", "Spotify", "LinkedIn", "Google"}
# … nor are buildings and venues, or national programs named like institutions.
_NOT_ORG_START = re.compile(r"""(?:Program|Surat|Undang|Peraturan|Gerakan\ Nasional|Operasi|Balai\ Kota|Gedung|Istana
    |Kantor\ (?:Gubernur|Bupati|Wali\ ?[Kk]ota|Presiden)|Pekan\ Raya|Makan(?:an)?\ Bergizi|Koperasi\ Desa
    |Sekolah\ Rakyat|Jaminan|Kredit|Moda\ Raya|Sistem)\b|.*\b(?:Center|Centre|Convention|Expo|Kemayoran)$""",
                            re.VERBOSE)
# A name made of these words only names no institution in particular ("Pemerintah Provinsi", "Sekolah Rakyat").
GENERIC_WORDS = {"Pemerintah", "Provinsi", "Kabupaten", "Kota", "Daerah", "Pusat", "Negeri", "Desa", "Kelurahan",
                 "Kecamatan", "DPRD", "Pengadilan", "Koperasi", "Sekolah", "Dinas", "Badan", "Kantor", "Balai",
                 "Rakyat", "Umum", "Tinggi", "Swasta", "Gratis", "Wilayah", "Kerja", "Tim", "Satuan", "Unit", "Usaha",
                 "Mikro", "Kecil", "Menengah", "Dan", "dan", "Negara", "Warga", "Pekerja", "Petani", "Organisasi"}
_RANK_WORDS = {"AKP", "AKBP", "Aiptu", "Aipda", "Bripka", "Brigadir", "Ipda", "Iptu", "Kompol", "Kombes", "Irjen",
               "Brigjen", "Kapten", "Mayor", "Kolonel", "Letkol", "Serka", "Sertu", "Pelda", "Jenderal"}
# A regional government's unit that the article's region completes (`Dinas Kesehatan` → `… Kota Depok`).
REGIONAL_UNITS = re.compile(r"(?:Dinas|Badan\ \w+\ Daerah|Bappeda|Inspektorat|Satuan\ Polisi\ Pamong\ Praja|Satpol\ PP"
                            r"|Sekretariat\ Daerah|DPRD)\b(?!.*\b(?:[A-Z]{2,}|Angkatan)\b)", re.VERBOSE)


def plausible(surface: str, registry: Registry | None) -> bool:
    """Could this text (an NER ORG span or a headed run) name an organization? Precision first."""
    words = surface.split()
    if not words or surface in OUTLETS or surface in PLATFORMS or words[0] in PLATFORMS:
        return False
    if re.search(r"\.(?:com|co\.id|id|net|tv|org)\b", surface, re.I) or surface.lower().startswith(("detik", "dari")):
        return False  # the outlet, its domain, its channels ("detikNews")
    if re.search(r"[a-z][A-Z]", surface) and not (registry and registry.organization(surface)):
        return False  # words glued by scraping run into names ("WartawanTempoYosea")
    if len(words) == 1 and surface.isupper() and len(surface) > 6:
        return False  # a byline or a heading in capitals
    if _NOT_ORG_START.match(surface) or all(w in GENERIC_WORDS for w in words):
        return False
    if registry and (registry.regions_named(surface) and not registry.organization(surface)):
        return False  # a place
    return True


def trim_name(text: str, start: int, end: int) -> int:
    """The end of an organization name: before a rank (`Polres Bogor AKP …`) or a second organization joined by
    `dan` (`Pemkab Karawang dan Kemensos`)."""
    span = text[start:end]
    for m in re.finditer(r"\s+(\S+)", span):
        word = m.group(1)
        if word in _RANK_WORDS:
            return start + m.start()
        if word == "dan" and ORG_HEAD.match(span, m.end()) or (word == "dan" and span[m.end():].lstrip()[:5] == "Kemen"):
            return start + m.start()
    return end


# An office is not an organization: `Menteri Ketenagakerjaan (Menaker)` defines no organization.
_OFFICE_START = re.compile(rf"{TITLE_PREFIX}(?:{TITLE_WORDS})(?![\w-])", re.VERBOSE)


# Words that open the name of an organization or one of its units.
ORG_HEADS = (r"Pemerintah|Pemprov|Pemkab|Pemkot|Dinas|Badan|Kementerian|Kemenko|Direktorat|Dewan|Komisi|Majelis"
             r"|Mahkamah|Kejaksaan|Pengadilan|Kepolisian|Polda|Polres|Polresta|Polsek|Kodam|Korem|Kodim|Kantor"
             r"|Biro|Balai|Universitas|Institut|Sekolah|Rumah\ Sakit|RSUD|Bank|PT|CV|Yayasan|Partai|Lembaga|Komite"
             r"|Satuan|Satgas|Tim|Perum|Perusahaan|Koperasi|Asosiasi|Ikatan|Persatuan|Forum|Sekretariat|Inspektorat")
ORG_HEAD = re.compile(rf"(?:{ORG_HEADS})\b", re.VERBOSE)


# `Dinas Perhubungan Kota Bandung`: a head word and the capitalized words after it on the same line.
_HEADED = re.compile(rf"(?<![\w-])(?:{ORG_HEADS})(?:[ \t]+(?:[A-Z][\w'’-]*|dan|&)){{1,10}}", re.VERBOSE)


def headed_spans(text: str, regions: list[tuple[int, int]], person_starts: set[int]) -> list[tuple[int, int]]:
    """Organization names opened by a head word, cut where a person's name starts and, when the run names
    regions, right after the last of them (`Kepala Dinas X Kota Bandung Ratna ...` → `Dinas X Kota Bandung`)."""
    out = []
    for m in _HEADED.finditer(text):
        start, end = m.start(), m.end()
        end = min([p for p in person_starts if start < p < end], default=end)
        inner = [e for s, e in regions if start < s and e <= end]
        if inner:
            end = max(inner)
        name = re.sub(r"(?:\s+(?:dan|&))+$", "", text[start:end].rstrip())
        if len(name.split()) >= 2:
            out.append((start, start + len(name)))
    return out


def _trim_lowercase_tail(name: str) -> str:
    return re.sub(r"(?:\s+(?:[a-z][\w-]*|[^\w\s]+))+$", "", name.rstrip())


@dataclass
class Hit:
    """One organization mention: offsets into the text and the canonical organization."""

    start: int
    end: int
    name: str
    org_id: str


def acronym_definitions(text: str, skip: set[str] = frozenset()) -> list[tuple[str, str, int, int]]:
    """[(full name, acronym, full start, acronym end)] for definitions whose initials fit the acronym."""
    out = []
    for m in ACRONYM_DEF.finditer(text):
        acr = m["acr"]
        if acr in skip:
            continue
        words = list(re.finditer(r"\S+", m["full"]))
        i = _fitting_start([w.group(0) for w in words], acr)
        if i is not None and not _OFFICE_START.match(words[i].group(0)):
            start = m.start("full") + words[i].start()
            out.append((text[start:m.end("full")], acr, start, m.end()))
    return out


def _fitting_start(words: list[str], acr: str) -> int | None:
    """Start of the shortest trailing word run the acronym abbreviates: the acronym's letters appear in order
    in the run starting at its first word (Schwartz & Hearst), and every content word's initial is used."""
    for i in range(len(words) - 1, -1, -1):
        if words[i] in _SMALL or words[i][0] != acr[0]:
            continue
        content = [w for w in words[i:] if w not in _SMALL]
        if len(content) >= 2 and _letters_in_order(acr.lower(), " ".join(words[i:]).lower()) and all(
            w[0].lower() in acr.lower() for w in content
        ):
            return i
    return None


def _letters_in_order(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


_REGION_AFTER = re.compile(r"[ \t]+((?:Provinsi|Kabupaten|Kab\.|Kota)[ \t]+[A-Z][\w-]*(?:[ \t]+[A-Z][\w-]*)?)")


_BARE_REGION_AFTER = re.compile(r"[ \t]+([A-Z][\w-]*(?:[ \t]+[A-Z][\w-]*){0,2})")


def _region_after(text: str, pos: int, registry: Registry | None, bare: bool = False) -> tuple[str, int] | None:
    """A region named right after `pos` (`Provinsi Jawa Barat`; with `bare`, also `NTB`) → (its words, end)."""
    m = (_BARE_REGION_AFTER if bare else _REGION_AFTER).match(text, pos)
    if not m or registry is None:
        return None
    parts = m.group(1).split()
    for n in range(len(parts), 0 if bare else 1, -1):
        words = " ".join(parts[:n])
        if registry.region(words):
            return words, m.start(1) + len(words)
    return None


def collect(hits: list[Hit], surfaces_of: dict[str, str]) -> list[Organization]:
    """Group hits by org_id into `Organization` facts (first mention order)."""
    orgs: dict[str, Organization] = {}
    for h in sorted(hits, key=lambda h: h.start):
        org = orgs.setdefault(h.org_id, Organization(name=h.name, org_id=h.org_id))
        surface = surfaces_of[f"{h.start}:{h.end}"]
        if surface not in org.surfaces:
            org.surfaces.append(surface)
        org.mentions.append(Mention(surface, h.start, h.end))
    return list(orgs.values())


def resolve_name(name: str, registry: Registry | None, local: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """Written name → (canonical name, org_id): registry, then this article's acronyms, else itself."""
    org = (registry.organization(name) or registry.ministry(name)) if registry else None
    if org:
        return org.name, org.org_id
    if name in local:
        return local[name]
    return name, slug(name)


def find_organizations(text: str, registry_hits: list[tuple[int, int, object]], ner_spans: list[tuple[int, int]],
                       registry: Registry | None, blocked: list[tuple[int, int]],
                       skip_acronyms: set[str] = frozenset(), person_spans: list[tuple[int, int]] = ()
                       ) -> tuple[list[Organization], dict[str, str]]:
    """All organization mentions outside `blocked` extents.

    `registry_hits` are (start, end, registry Organization); `ner_spans` are NER ORG offsets; `person_spans`
    mark names, whose initials (`Ridwan Kamil (RK)`) are not organizations. Returns the facts and the article's
    acronym aliases (acronym → canonical name).
    """
    local: dict[str, tuple[str, str]] = {}
    hits: list[Hit] = []
    taken = list(blocked)

    def add(start: int, end: int, name: str, org_id: str) -> None:
        if not overlaps_any((start, end), taken):
            hits.append(Hit(start, end, name, org_id))
            taken.append((start, end))

    def add_found(start: int, end: int) -> None:  # a span of the NER or the head-word rule, not of the registry
        end = trim_name(text, start, end)
        surface = text[start:end]
        if end > start and plausible(surface, registry):
            add(start, end, *resolve_name(surface, registry, local))

    for full, acr, start, end in acronym_definitions(text, skip_acronyms):
        if overlaps_any((start, end), [*blocked, *person_spans]) or (registry and registry.person(full)):
            continue
        generic = all(w in GENERIC_WORDS for w in full.split())
        region = _region_after(text, end, registry) or (_region_after(text, end, registry, bare=True)
                                                        if generic else None)
        if not region and not plausible(full, registry):
            continue  # `Amerika Serikat (AS)`, `Sumatera Utara (Sumut)`: places, not organizations
        if region:  # `Dewan Perwakilan Rakyat Daerah (DPRD) Provinsi Jawa Barat`: the region belongs to it
            words, end = region
            known = [n for n in (f"{acr} {words}", f"{full} {words}") if registry.organization(n)]
            name, org_id = resolve_name(known[0] if known else f"{full} {words}", registry, {})
            local[acr] = (name, org_id)
            add(start, end, name, org_id)
            continue
        name, org_id = resolve_name(full, registry, local)
        local[acr] = local[full] = (name, org_id)
        acr_start = text.rindex(acr, start, end)
        add(start, start + len(full), name, org_id)
        add(acr_start, acr_start + len(acr), name, org_id)
    ner = [(s, s + len(_trim_lowercase_tail(text[s:e]))) for s, e in ner_spans]
    # A named unit (`Dinas Tenaga Kerja ... Provinsi Jawa Barat`) beats the registry alias inside it.
    for start, end in (span for span in ner if ORG_HEAD.match(text, span[0])):
        add_found(start, end)
    for start, end, org in sorted(registry_hits, key=lambda h: (h[0], -h[1])):
        add(start, end, org.name, org.org_id)
    if local:  # later uses of an acronym defined in this article
        pattern = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in local) + r")(?![\w-])")
        for m in pattern.finditer(text):
            add(m.start(), m.end(), *local[m.group(0)])
    for start, end in ner:
        if end > start:
            add_found(start, end)
    surfaces = {f"{h.start}:{h.end}": text[h.start:h.end] for h in hits}
    return collect(hits, surfaces), {k: v[0] for k, v in local.items()}

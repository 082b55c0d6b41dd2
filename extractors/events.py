"""What happened to a regulation: lifecycle events (drafted, passed, signed, in force, amended, revoked, annulled,
challenged) and relations between regulations (amends, revokes, implements), from the words around the
regulations `regulations.py` found. Pure functions over text and spans; no I/O.

A trigger binds to one subject only, by its grammar: a passive or intransitive trigger ("dicabut", "mulai
berlaku") to the regulation or draft just before it in its sentence, an active or noun trigger ("mencabut",
"pencabutan") to the one just after it; a regulation cited as a basis ("berdasarkan", "mengacu pada", "sesuai
dengan") is never an event's subject, and a gap that names another thing ("izin tambang yang dicabut itu …") or
crosses a clause keeps the trigger from binding. Modality comes from the words just before the trigger: plans
(akan, rencana, perlu …) are `planned`, negations (belum, tidak …) `negated`; alerts fire on `done` only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pantau.types import RegulationEvent, RegulationRelation

# (event, voice, pattern): "before" binds the subject before the trigger, "after" the one after it
_TRIGGERS: list[tuple[str, str, str]] = [
    ("revoked", "before", r"tidak\s+berlaku\s+lagi|dinyatakan\s+tidak\s+berlaku"),
    ("in_force", "before", r"(?:mulai|resmi|sudah|telah)\s+(?:di)?berlaku(?:kan)?|berlaku\s+(?:efektif|sejak|mulai|per)\b|"
                           r"diberlakukan|efektif\s+berlaku"),
    ("in_force", "after", r"memberlakukan|pemberlakuan|berlakunya"),
    ("drafted", "before", r"dibahas|diajukan|disusun|diusulkan|diharmonisasi|dirancang|digodok"),
    ("drafted", "after", r"membahas|mengajukan|menyusun|mengusulkan|pembahasan|pengajuan|penyusunan|harmonisasi|"
                         r"menggodok"),
    ("passed", "before", r"disahkan|disetujui|diparipurnakan"),
    ("passed", "after", r"mengesahkan|menyetujui|pengesahan|persetujuan(?:\s+bersama)?"),
    ("established", "before", r"ditetapkan"),  # passed when the DPRD does it, else signed
    ("established", "after", r"menetapkan|penetapan"),
    ("signed", "before", r"ditandatangani|diteken|diundangkan|diterbitkan|terbit|dikeluarkan|diluncurkan"),
    ("signed", "after", r"menandatangani|meneken|mengundangkan|menerbitkan|mengeluarkan|penandatanganan|"
                        r"pengundangan|penerbitan|terbitnya"),
    ("amended", "before", r"diubah|direvisi|diamandemen"),
    ("amended", "after", r"mengubah|merevisi|perubahan(?:\s+(?:kedua|ketiga|keempat))?\s+atas|revisi|"
                         r"perubahan|amandemen"),
    ("revoked", "before", r"dicabut|dihapus"),
    ("revoked", "after", r"mencabut|pencabutan|dicabutnya"),
    ("annulled", "before", r"dibatalkan|dianulir"),
    ("annulled", "after", r"membatalkan|pembatalan|dibatalkannya"),
    ("challenged", "before", r"digugat|diuji(?:\s+materi(?:il|l)?)?|dipersoalkan\s+ke\s+MK"),
    ("challenged", "after", r"menggugat|gugatan(?:\s+(?:atas|terhadap))?|uji\s+materi(?:il|l)?|judicial\s+review|"
                            r"permohonan\s+pengujian|pengujian|mengujikan|menguji"),
]
TRIGGER = re.compile("|".join(f"(?P<t{i}>\\b(?:{pattern})\\b)" for i, (_, _, pattern) in enumerate(_TRIGGERS)),
                     re.I)

RELATION = re.compile(r"\b(?P<implements>(?:merupakan\s+|sebagai\s+|menjadi\s+)?(?:aturan|peraturan|regulasi)\s+"
                      r"(?:turunan|pelaksana(?:an|nya)?)|turunan|pelaksanaan|amanat|mengamanatkan)\b"
                      r"|\b(?P<amends>mengubah|perubahan(?:\s+(?:kedua|ketiga))?\s+atas)\b"
                      r"|\b(?P<revokes>mencabut|pencabutan)\b", re.I)

BASIS = re.compile(r"(?:berdasarkan|berdasar|mengacu(?:\s+(?:pada|kepada|ke))?|merujuk(?:\s+(?:pada|kepada|ke))?|"
                   r"sesuai(?:\s+(?:dengan|amanat))?|berlandaskan|atas\s+dasar|dasar\s+hukum(?:nya)?|"
                   r"(?:sebagaimana\s+)?(?:diatur|tertuang|tercantum|termuat|dimaksud)\s+(?:dalam|di)|"
                   r"menurut|amanat|mengamanatkan|melanggar|pelanggaran(?:\s+terhadap)?|menerapkan|penerapan|"
                   r"dijerat|menjerat|didakwa|dikenakan|disangkakan|diancam|juncto|jo\.?|"
                   r"menjalankan|melaksanakan|pelaksanaan|implementasi|menegakkan|penegakan|payung\s+hukum)"
                   r"(?:\s+\w+){0,2}\s*$", re.I)
NEGATED = re.compile(r"\b(?:belum|tidak|tak|bukan|batal|menolak|enggan)\b(?:\s+\w+){0,2}\s*$", re.I)
PLANNED = re.compile(r"\b(?:akan|bakal|segera|rencana(?:nya)?|berencana|direncanakan|merencanakan|hendak|ingin|"
                     r"mau|usul(?:an|kan)?|mengusulkan|diusulkan|wacana|mewacanakan|perlu|harus|wajib|diminta|"
                     r"meminta|mendesak|didesak|mendorong|didorong|menargetkan|ditargetkan|target(?:nya)?|"
                     r"diharapkan|berharap|menunggu|agar|supaya|opsi|kemungkinan|bisa|dapat|siap|"
                     r"mempertimbangkan|mengkaji|dikaji)\b(?:\s+\w+){0,3}\s*$", re.I)
ACTOR = re.compile(
    r"\b(?:DPRD(?:\s+(?:Provinsi|Kabupaten|Kota|Kab\.))?(?:\s+[A-Z][\w-]+){0,2}|DPR(?:\s+RI)?|Mahkamah\s+Agung|"
    r"Mahkamah\s+Konstitusi|MK|MA|Kemendagri|Kementerian\s+Dalam\s+Negeri|Mendagri|Presiden(?:\s+[A-Z][\w-]+){0,2}|"
    r"Pansus(?:\s+[A-Z][\w-]+){0,3}|(?:Gubernur|Bupati|Wali\s?[Kk]ota|Walikota|Menteri)(?:\s+[A-Z][\w-]+){1,3}|"
    r"Pemerintah\s+(?:Provinsi|Kabupaten|Kota)(?:\s+[A-Z][\w-]+){1,2}|Pem(?:prov|kab|kot)\s+[A-Z][\w-]+)")
COURT = re.compile(r"\b(?:Mahkamah\s+Agung|Mahkamah\s+Konstitusi|MK|MA|PTUN|Pengadilan|hakim|putusan|Kemendagri|"
                   r"Kementerian\s+Dalam\s+Negeri|Mendagri)\b")
REVISION_NOUN = re.compile(r"(?:revisi|perubahan|amandemen)$", re.I)  # talk of a revision: planned unless done
MONTHS = {m: i for i, m in enumerate(("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
                                      "september", "oktober", "november", "desember"), 1)}
DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.I)
DRAFT = re.compile(
    r"\b(?P<kind>Raperda|Ranperda|Raperbup|Raperwal|Rapergub|Raperkada|RUU|Rancangan\s+(?:Peraturan\s+"
    r"(?:Daerah|Gubernur|Bupati|Wali\s?[Kk]ota|Walikota|Pemerintah|Presiden|Menteri)|Undang-Undang|Perda|Qanun)|"
    r"Raqan)\b(?P<region>\s+(?:Provinsi|Kabupaten|Kota|Kab\.)\s+[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)?"
    r"(?P<rest>\s+(?:tentang\s+)?(?P<title>[\w()/-]+(?:\s+[\w()/-]+){0,11}))?")
TITLE_STOP = re.compile(r"(?:yang|akan|telah|sudah|masih|belum|sedang|tengah|segera|resmi|kembali|tersebut|itu|ini|"
                        r"oleh|dengan|dalam|pada|menjadi|mulai|ke|di|bersama|secara|kepada|hingga|sampai|agar)$", re.I)
CONNECTORS = {"dan", "atas", "serta", "di", "ke", "dari", "untuk", "bagi", "pada", "tentang", "&", "(", ")"}
DRAFT_REGION = re.compile(r"\bDPRD\s+((?:Provinsi|Kabupaten|Kota)\s+[A-Z][\w-]+(?:\s+[A-Z][a-z][\w-]+)?)")


def _draft_title(words: list[str]) -> str | None:
    """A draft's title: capitalized words (and connectors) when it starts capitalized, else words up to a verb or
    a function word."""
    out = []
    capitalized = words and words[0][:1].isupper()
    for word in words:
        if TITLE_STOP.match(word) or TRIGGER.fullmatch(word) or re.match(r"(?:di|me|ber)\w{3,}$", word) and not out:
            break
        if capitalized and not (word[:1].isupper() or word.lower() in CONNECTORS or word[:1].isdigit()):
            break
        if not capitalized and (TITLE_STOP.match(word) or re.match(r"(?:di|me[mn]?)[a-z]{3,}$", word)):
            break
        out.append(word)
    while out and out[-1].lower() in CONNECTORS:
        out.pop()
    title = " ".join(out).strip(" -/")
    return title if len(title) >= 4 else None


DRAFT_TYPES = {"raperda": "Rancangan Peraturan Daerah", "ranperda": "Rancangan Peraturan Daerah",
               "rancangan perda": "Rancangan Peraturan Daerah", "raperbup": "Rancangan Peraturan Bupati",
               "raperwal": "Rancangan Peraturan Wali Kota", "rapergub": "Rancangan Peraturan Gubernur",
               "ruu": "Rancangan Undang-Undang", "rancangan undang-undang": "Rancangan Undang-Undang",
               "raqan": "Rancangan Qanun", "rancangan qanun": "Rancangan Qanun",
               "raperkada": "Rancangan Peraturan Kepala Daerah"}
CLAUSE_BREAK = re.compile(r"[;:!?]|\.\s|\b(?:yang\s+(?!telah|sudah|baru|resmi|akhirnya|kemudian|lalu|pernah)\w+|"
                          r"sedangkan|namun|tetapi|karena|sehingga|setelah|sebelum|ketika|saat)\b", re.I)
THING = re.compile(r"\b(?:izin|perizinan|status|SK\b|sertifikat|HGU|IUP|kontrak|anggaran|kebijakan\s+(?!itu|ini)|"
                   r"keputusan\s+(?:itu|tersebut)|bantuan|tunjangan|jabatan|kuota|larangan|sanksi|tarif)", re.I)
MAX_BEFORE = 90  # characters between a subject (after its title) and a trigger that follows it
MAX_AFTER = 45  # … between a trigger and a subject that follows it


@dataclass
class Subject:
    start: int
    end: int  # after the title, when the text gives one right after the citation
    regulation_id: str | None
    draft_id: str | None
    title: str | None
    issuer: str | None
    type: str
    basis: bool  # cited as the basis of something ("berdasarkan …"): never an event's subject
    cite_end: int = 0  # the end of the citation itself (before its title)

    def __post_init__(self) -> None:
        self.cite_end = self.cite_end or self.end


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: a full stop, ! or ? before a capital, a quote or a line end; or a line break."""
    out, start = [], 0
    for match in re.finditer(r"(?<=[.!?])[\"”’']?\s+(?=[A-Z\"“‘(])|\n+", text):
        # "No. 5", "Kab. Bandung", "H. Ridwan": abbreviations before a full stop do not end a sentence
        if re.search(r"\b(?:No|Nomor|Kab|Kec|Kel|Prov|Jl|H|Hj|Dr|dr|Ir|Drs|Prof|St|Tbk|dkk|a\.n|u\.p)\.$",
                     text[max(0, match.start() - 6):match.start()]):
            continue
        out.append((start, match.start()))
        start = match.end()
    out.append((start, len(text)))
    return [(s, e) for s, e in out if e > s]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def norm_title(title: str | None) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", (title or "").lower()).split())


def find_drafts(text: str, default_issuer: str | None = None) -> list[Subject]:
    drafts = []
    for match in DRAFT.finditer(text):
        kind = " ".join(match.group("kind").split()).lower()
        kind = "rancangan perda" if kind.startswith("rancangan perda") else kind
        dtype = DRAFT_TYPES.get(kind) or ("Rancangan " + " ".join(w.capitalize() for w in kind.split()[1:]))
        region = " ".join(match.group("region").split()).replace("Kab.", "Kabupaten") if match.group("region") else None
        title_words = [w for w in (match.group("title") or "").split()]
        while title_words and title_words[0].startswith("("):  # "RUU (Rancangan …)": the acronym's expansion
            title_words = title_words[1:]
        has_tentang = bool(match.group("rest") and re.match(r"\s+tentang\b", match.group("rest"), re.I))
        if title_words and not has_tentang and not title_words[0][:1].isupper():
            title_words = []
        title = _draft_title(title_words) if title_words else None
        end = match.end("region") if match.group("region") else match.end("kind")
        if title:
            end = text.find(title, end) + len(title)
        near = DRAFT_REGION.search(text, max(0, match.start() - 200), min(len(text), match.end() + 200))
        issuer = region or (near.group(1) if near else None) or default_issuer
        if dtype == "Rancangan Undang-Undang":
            issuer = None  # a bill is national
        draft_id = f"{slug(dtype)}/{slug(issuer or 'unknown')}/{slug(title or 'untitled')}"
        drafts.append(Subject(match.start(), end, None, draft_id, title, issuer, dtype,
                              basis=bool(BASIS.search(text[max(0, match.start() - 40):match.start()])),
                              cite_end=match.end("region") if match.group("region") else match.end("kind")))
    return drafts


def regulation_subjects(text: str, regulations: Iterable, references: Iterable = ()) -> list[Subject]:
    """Numbered citations (the end moved past "tentang <title>" when it follows) and numberless references that
    resolve to one ("Perda tersebut")."""
    out = []
    for reg in regulations:
        end = reg.end
        if reg.title:
            at = text.find(reg.title, reg.end, reg.end + 40 + len(reg.title))
            if at >= 0:
                end = at + len(reg.title)
        out.append(Subject(reg.start, end, reg.regulation_id, None, reg.title, reg.issuer, reg.type,
                           basis=bool(BASIS.search(text[max(0, reg.start - 40):reg.start])), cite_end=reg.end))
    for ref in references:
        if ref.refers_to_id:
            out.append(Subject(ref.start, ref.end, ref.refers_to_id, None, ref.title, ref.issuer, ref.type or "",
                               basis=bool(BASIS.search(text[max(0, ref.start - 40):ref.start]))))
    return out


def _modality(text: str, sentence_start: int, trigger_start: int, trigger: str) -> str:
    before = text[max(sentence_start, trigger_start - 40):trigger_start]
    if re.match(r"tidak\s+berlaku\s+lagi|dinyatakan", trigger, re.I):
        return "planned" if PLANNED.search(before) else "done"
    if NEGATED.search(before):
        return "negated"
    if PLANNED.search(before):
        return "planned"
    return "done"


def _actor(text: str, start: int, end: int, trigger_start: int, subjects: list[Subject]) -> str | None:
    found = [(abs(m.start() - trigger_start), m.group().strip()) for m in ACTOR.finditer(text, start, end)
             if not any(s.start <= m.start() < s.end for s in subjects)]
    return min(found)[1] if found else None


def _date(text: str, start: int, end: int, trigger_end: int) -> str | None:
    for match in DATE.finditer(text, start, end):
        if match.start() >= trigger_end - 60:
            day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
            if 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def _binds_before(text: str, subject: Subject, trigger_start: int) -> bool:
    # "Perwal … yang mulai berlaku 1 Juli": a relative clause right after the regulation is about it
    gap = re.sub(r"^\s*,?\s*yang\b", " ", text[subject.end:trigger_start], flags=re.I)
    return len(gap) <= MAX_BEFORE and not CLAUSE_BREAK.search(gap) and not THING.search(gap)


def _binds_after(text: str, trigger_end: int, subject: Subject) -> bool:
    gap = text[trigger_end:subject.start]
    return (0 <= len(gap) <= MAX_AFTER and not CLAUSE_BREAK.search(gap) and not THING.search(gap)
            and not re.search(r"[,.]", gap))


def find_events(text: str, subjects: list[Subject]) -> list[RegulationEvent]:
    """One event per (event, subject, modality), at its first trigger."""
    events: dict[tuple, RegulationEvent] = {}
    ordered = sorted(subjects, key=lambda s: s.start)
    for s_start, s_end in sentences(text):
        inside = [s for s in ordered if s_start <= s.start < s_end]
        if not inside:
            continue
        for match in TRIGGER.finditer(text, s_start, s_end):
            index = int(match.lastgroup[1:])
            event, voice, _ = _TRIGGERS[index]
            if any(s.start <= match.start() < s.cite_end for s in inside):
                continue  # the word is inside a citation
            subject = None
            if voice == "before":
                before = [s for s in inside if s.end <= match.start() and _binds_before(text, s, match.start())]
                subject = before[-1] if before else None
                if subject is not None:  # a citation inside another's title: the trigger is about the outer one
                    outer = [t for t in before if t.start < subject.start and t.end >= subject.end]
                    subject = outer[0] if outer else subject
                if subject is None:  # "telah diterbitkan Perwal Nomor 5 …"
                    after = [s for s in inside if s.start >= match.end() and _binds_after(text, match.end(), s)]
                    subject = after[0] if after and match.end() + 25 >= after[0].start else None
            else:
                after = [s for s in inside if s.start >= match.end() and _binds_after(text, match.end(), s)]
                subject = after[0] if after else None
            relative = voice == "before" and subject is not None and subject.end <= match.start() and bool(
                re.match(r"\s*,?\s*yang\b", text[subject.end:match.start()], re.I))
            if subject is None or subject.basis and not relative:
                continue  # a basis is no subject, unless a "yang …" clause right after it is about it
            sentence = text[s_start:s_end]
            if event == "annulled" and not COURT.search(sentence):
                event = "revoked"  # withdrawn by its own maker (a KPU decision): revoked, not annulled
            if event == "established":
                event = "passed" if re.search(r"\bDPRD\b|paripurna|Raperda|Ranperda|RUU", sentence) else "signed"
            if event == "drafted" and subject.draft_id is None:
                continue  # a numbered regulation is no longer a draft: "membahas Perda 5/2010" is talk about it
            modality = _modality(text, s_start, match.start(), match.group())
            if any(d.draft_id and d.start < match.start() < d.end for d in inside):
                modality = "planned"  # "RUU Perubahan atas UU 8/2019": amended once the bill passes, not yet
            if modality == "done" and REVISION_NOUN.match(match.group()) and not re.search(
                    r"\b(?:telah|sudah|resmi|hasil)\b(?:\s+\w+){0,2}\s*$", text[max(s_start, match.start() - 30):match.start()], re.I):
                modality = "planned"
            key = (event, subject.regulation_id or subject.draft_id, modality)
            if key in events:
                continue
            events[key] = RegulationEvent(
                event=event, regulation_id=subject.regulation_id, draft_id=subject.draft_id, title=subject.title,
                issuer=subject.issuer, type=subject.type, trigger=match.group(), start=match.start(),
                end=match.end(), date=_date(text, s_start, s_end, match.end()),
                actor=_actor(text, s_start, s_end, match.start(), inside), modality=modality)
    return sorted(events.values(), key=lambda e: e.start)


def find_relations(text: str, subjects: list[Subject]) -> list[RegulationRelation]:
    """A amends / revokes / implements B, both numbered regulations in one sentence (B may sit in A's title:
    "Perda 3/2024 tentang Perubahan atas Perda 5/2010")."""
    numbered = sorted((s for s in subjects if s.regulation_id), key=lambda s: s.start)
    found: dict[tuple, RegulationRelation] = {}
    for s_start, s_end in sentences(text):
        inside = [s for s in numbered if s_start <= s.start < s_end]
        if len(inside) < 2:
            continue
        for match in RELATION.finditer(text, s_start, s_end):
            relation = match.lastgroup
            sources = [s for s in inside if s.start < match.start()]
            targets = [s for s in inside if s.start >= match.end() and s.start - match.end() <= 60]
            if not sources or not targets:
                continue
            source, target = sources[-1], targets[0]
            if source.regulation_id == target.regulation_id:
                continue
            if match.start() - source.start > 160:
                continue
            key = (relation, source.regulation_id, target.regulation_id)
            found.setdefault(key, RegulationRelation(relation, source.regulation_id, target.regulation_id,
                                                     match.group(), match.start(), match.end()))
    return sorted(found.values(), key=lambda r: r.start)

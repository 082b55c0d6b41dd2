"""spaCy components: small class components that run the pure extractors over `doc.text` and put results on the Doc.

Order in a pantau pipeline: NER (trained `ner`, or `pantau_rule_ner` after the registry), `pantau_registry`,
`pantau_regulations`, `pantau_organizations`, `pantau_officials`, `pantau_figures`, `pantau_quotes`.

`pantau_registry` owns the data: the registries of people, organizations and regions, filled in `initialize` from
a registry directory (default: the shipped `models/registry`) and serialized with the pipeline, like spaCy's
`SpanRuler` patterns, so `nlp.to_disk(path)` then `spacy.load(path)` is the whole extractor.

Results (extensions prefixed `pantau_`; `None` until the component has run):
  doc._.pantau_published              date the article was published (set by the caller before the pipeline runs)
  doc._.pantau_context                `ArticleContext`: dateline and feed region (set by the caller; may be None)
  doc._.pantau_regulations            [Span] citations, each with span._.pantau_regulation (a `Regulation`)
  doc._.pantau_regulation_references  [Span] mentions without number, span._.pantau_regulation_reference
  doc._.pantau_organizations          [Organization]    doc._.pantau_locations [Location]
  doc._.pantau_acronyms               {acronym: canonical name} defined in this article
  doc._.pantau_officials              [Official]
  doc._.pantau_figures                [Span] with span._.pantau_figure   doc._.pantau_quotes [Span] with span._.pantau_quote
The components also set `doc.ents` (rule spans win over overlapping NER entities).
Internal per-Doc state shared by the components (the registry in use, its matches, the extents of regulation
citations that no other fact may come from, caches of `doc.text`/`doc.ents`) lives in `doc.user_data["pantau"]`
and is removed by `pantau_quotes`, the last component.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import ensure_path, filter_spans

from pantau.extractors import events, figures, officials, organizations, quotes, regulations
from pantau.extractors.officials import PersonMention
from pantau.extractors.registry import (
    Registry,
    explicit_kind,
    read_registry_data,
    registry_from_data,
    slug,
)
from pantau.extractors.spans import overlaps_any
from pantau.types import Location, Mention

DOC_EXTENSIONS = ("published", "context", "regulations", "regulation_references", "organizations", "locations", "acronyms",
                  "officials", "figures", "quotes", "regulation_events", "regulation_relations")
SPAN_EXTENSIONS = ("regulation", "regulation_reference", "figure", "quote")
for _name in DOC_EXTENSIONS:
    if not Doc.has_extension(f"pantau_{_name}"):
        Doc.set_extension(f"pantau_{_name}", default=None)
for _name in SPAN_EXTENSIONS:
    if not Span.has_extension(f"pantau_{_name}"):
        Span.set_extension(f"pantau_{_name}", default=None)

STATE = "pantau"  # key of the internal per-Doc state in doc.user_data
REGISTRY_FILE = "registry.json"

# Regulation abbreviations are not organization acronyms (`Peraturan Daerah (Perda)`).
REGULATION_ABBREVIATIONS = {a for t in regulations.TYPES for a in t.abbr} | set(regulations.ABBREVIATIONS)


# ---------------------------------------------------------------------------------------------------------------
# Per-Doc state and entity helpers


def state(doc: Doc) -> dict[str, Any]:
    """The internal state of this Doc (created by `pantau_registry`)."""
    found = doc.user_data.get(STATE)
    if found is None:
        raise ValueError("pantau components need `pantau_registry` earlier in the pipeline "
                         "(build the pipeline with pantau.extractors.pipeline.assemble)")
    return found


def doc_registry(doc: Doc) -> Registry:
    return state(doc)["registry"]


def doc_text(doc: Doc) -> str:
    """`doc.text`, cached: the getter joins every token again on each call."""
    st = state(doc)
    if st.get("text") is None:
        st["text"] = doc.text
    return st["text"]


def current_ents(doc: Doc) -> tuple[Span, ...]:
    """`doc.ents`, cached: the getter rebuilds every span from the tokens, which costs more than our rules.
    Components change entities only through `set_ents`/`set_priority_ents`, which keep the cache in step."""
    st = state(doc)
    if st.get("ents") is None:
        st["ents"] = tuple(doc.ents)
    return st["ents"]


def set_ents(doc: Doc, ents: list[Span]) -> None:
    doc.ents = ents
    state(doc)["ents"] = tuple(ents)


def set_priority_ents(doc: Doc, spans: list[Span], drop: list[tuple[int, int]] = ()) -> None:
    """Rule spans replace overlapping NER entities; entities inside `drop` (character extents) are removed.
    Overlaps are found on a token mask: linear, and no Token objects are built."""
    mask = bytearray(len(doc))
    for s in spans:
        mask[s.start:s.end] = b"\x01" * (s.end - s.start)
    for a, b in drop:
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is not None:
            mask[span.start:span.end] = b"\x01" * (span.end - span.start)
    old = current_ents(doc)
    keep = [e for e in old if not any(mask[e.start:e.end])]
    if not spans and len(keep) == len(old):
        return
    set_ents(doc, filter_spans(list(spans) + keep))


def ent_offsets(doc: Doc, label: str | None = None, exclude: str | None = None) -> list[tuple[int, int]]:
    """Character offsets of the current entities (optionally of one label / all but one label)."""
    return [(e.start_char, e.end_char) for e in current_ents(doc)
            if (label is None or e.label_ == label) and (exclude is None or e.label_ != exclude)]


def blocked(doc: Doc) -> list[tuple[int, int]]:
    """Character extents of regulation citations and references, which no other fact may come from."""
    return state(doc).get("blocked", [])


def registry_hits(doc: Doc) -> list[tuple[Span, str, object]]:
    return state(doc)["hits"]


def _char_span(doc: Doc, start: int, end: int, label: str = "") -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


# ---------------------------------------------------------------------------------------------------------------
# pantau_registry: the data of the pipeline


class RegistryComponent:
    """Holds the registries (people with offices, organizations with aliases, regions) and matches every alias
    (one PhraseMatcher pass per Doc). Later pantau components read the registry and the matches from the Doc's
    internal state, so the data lives in one place: this component, serialized with the pipeline."""

    def __init__(self, nlp: Language, name: str = "pantau_registry"):
        self.nlp = nlp
        self.name = name
        self.data: dict[str, Any] = {}
        self.registry = Registry()
        self.grammar = regulations.DEFAULT_GRAMMAR
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.objects: dict[int, tuple[str, object]] = {}

    def initialize(self, get_examples=None, *, nlp: Language | None = None, registry_dir: str | None = None) -> None:
        """Fill the registry from `registry_dir` (the three TOML files; default: the shipped registries)."""
        self.set_data(read_registry_data(registry_dir))

    def set_data(self, data: dict[str, Any]) -> None:
        self.data = data
        self.registry = registry_from_data(data)
        self.grammar = regulations.Grammar(self.registry.ministry_codes, self.registry.ministry_acronyms)
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.objects = {}
        for label, entries in self.registry.surfaces().items():
            for i, (surface, obj) in enumerate(entries):
                key = f"{label}:{i}"
                self.objects[self.nlp.vocab.strings.add(key)] = (label, obj)
                self.matcher.add(key, [self.nlp.make_doc(surface)])

    def __call__(self, doc: Doc) -> Doc:
        found = {}
        for key, start, end in self.matcher(doc):
            label, obj = self.objects[key]
            found[(start, end)] = (Span(doc, start, end, label=label), label, obj)
        # Longest non-overlapping matches: a named unit wins over an alias inside it.
        kept = filter_spans([v[0] for v in found.values()])
        doc.user_data[STATE] = {"registry": self.registry, "grammar": self.grammar,
                                "hits": [found[(s.start, s.end)] for s in kept]}
        return doc

    def to_bytes(self, *, exclude=()) -> bytes:
        return srsly.msgpack_dumps({"data": self.data})

    def from_bytes(self, data: bytes, *, exclude=()) -> RegistryComponent:
        self.set_data(srsly.msgpack_loads(data)["data"])
        return self

    def to_disk(self, path: str | Path, *, exclude=()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / REGISTRY_FILE, self.data)

    def from_disk(self, path: str | Path, *, exclude=()) -> RegistryComponent:
        self.set_data(srsly.read_json(ensure_path(path) / REGISTRY_FILE))
        return self


@Language.factory("pantau_registry", assigns=[], requires=[])
def make_registry(nlp: Language, name: str) -> RegistryComponent:
    return RegistryComponent(nlp, name)


# ---------------------------------------------------------------------------------------------------------------
# Extraction components


class RegulationsComponent:
    """Numbered citations and numberless references; their extents are removed from `doc.ents`."""

    def __call__(self, doc: Doc) -> Doc:
        registry, text = doc_registry(doc), doc_text(doc)
        grammar = state(doc)["grammar"]
        found = regulations.find_regulations(text, registry, doc._.pantau_context, grammar)
        refs = regulations.find_references(text, found, registry, grammar)
        doc._.pantau_regulations, doc._.pantau_regulation_references = [], []
        for r in found:
            span = _char_span(doc, r.fact.start, r.fact.end, "REG")
            span._.pantau_regulation = r.fact
            doc._.pantau_regulations.append(span)
        for ref in refs:
            span = _char_span(doc, ref.start, ref.end, "REG")
            span._.pantau_regulation_reference = ref
            doc._.pantau_regulation_references.append(span)
        extents = [r.extent for r in found] + [(r.start, r.end) for r in refs]
        state(doc)["blocked"] = extents
        if extents:
            set_priority_ents(doc, [], drop=extents)
        return doc


@Language.factory("pantau_regulations", requires=["doc.ents"],
                  assigns=["doc._.pantau_regulations", "doc._.pantau_regulation_references",
                           "span._.pantau_regulation", "span._.pantau_regulation_reference"])
def make_regulations(nlp: Language, name: str) -> RegulationsComponent:
    return RegulationsComponent()


class OrganizationsComponent:
    """Organizations from registry aliases, NER ORG spans and head words (`Dinas …`), with acronyms defined in
    the article; places from the registry become LOC entities."""

    def __call__(self, doc: Doc) -> Doc:
        registry, text, hits, cited = doc_registry(doc), doc_text(doc), registry_hits(doc), blocked(doc)
        org_hits = [(s.start_char, s.end_char, obj) for s, label, obj in hits if label == "ORG"]
        # NER ORG spans, except those inside what the registry already names (an organization or a place).
        known_spans = [(s.start_char, s.end_char) for s, _, _ in hits]
        ner = [(a, b) for a, b in ent_offsets(doc, "ORG")
               if not any(s <= a and b <= e for s, e in known_spans) and text[a:b] not in organizations.NOT_ORG
               and not text[a:b].islower()]  # a name has capitals ("kesenjangan (gap)")
        regions = [(s.start_char, s.end_char) for s, label, _ in hits if label == "LOC"]
        headed = organizations.headed_spans(text, regions, {a for a, _ in ent_offsets(doc, "PER")})
        for h in headed:
            inside = [n for n in ner if h[0] <= n[0] and n[1] <= h[1]]
            if inside and all(overlaps_any((n[1], h[1]), regions) for n in inside if n[1] < h[1]):
                # `Dinas Lingkungan Hidup` (NER) + `Kota Bandung`: the head-word run names the unit with its region
                ner = [n for n in ner if n not in inside] + [h]
            elif not overlaps_any(h, ner):
                ner.append(h)  # what NER missed
        people = ent_offsets(doc, "PER") + [(s.start_char, s.end_char) for s, label, _ in hits if label == "PER"]
        orgs, acronyms = organizations.find_organizations(text, org_hits, ner, registry, cited,
                                                          REGULATION_ABBREVIATIONS, people)
        region = regulations.article_region(text, registry, doc._.pantau_context)
        if region is not None:
            for org in orgs:
                full = with_region(org.name, region, registry)
                if full != org.name:
                    org.name, org.org_id = full, slug(full)
        state(doc)["region"] = region
        doc._.pantau_organizations, doc._.pantau_acronyms = orgs, acronyms
        org_spans = [_char_span(doc, m.start, m.end, "ORG") for o in orgs for m in o.mentions]
        loc_spans = [s for s, label, _ in hits
                     if label == "LOC" and not overlaps_any((s.start_char, s.end_char), cited)]
        set_priority_ents(doc, filter_spans([s for s in org_spans if s is not None] + loc_spans))
        doc._.pantau_locations = _locations(doc, registry)
        return doc


def with_region(name: str, region, registry: Registry) -> str:
    """A regional government's unit named without its region (`Dinas Kesehatan`) completed with the article's
    (`Dinas Kesehatan Kota Depok`); any other name unchanged."""
    if not organizations.REGIONAL_UNITS.match(name) or _names_a_region(name, registry):
        return name
    return f"{name} {f'Provinsi {region.name}' if region.kind == 'provinsi' else region.full_name}"


def _names_a_region(words: str, registry: Registry) -> bool:
    parts = words.split()
    return any(registry.regions_named(" ".join(parts[i:j])) for i in range(len(parts))
               for j in range(i + 1, min(len(parts), i + 4) + 1))


def _locations(doc: Doc, registry: Registry) -> list[Location]:
    """LOC entities grouped by their region's full name (registry) or their text."""
    out: dict[str, Location] = {}
    for e in current_ents(doc):
        if e.label_ not in ("LOC", "GPE"):
            continue
        region = registry.region(e.text)
        name = region.full_name if region else e.text
        out.setdefault(name, Location(name)).mentions.append(Mention(e.text, e.start_char, e.end_char))
    return list(out.values())


@Language.factory("pantau_organizations", requires=["doc.ents"],
                  assigns=["doc.ents", "doc._.pantau_organizations", "doc._.pantau_acronyms",
                           "doc._.pantau_locations"])
def make_organizations(nlp: Language, name: str) -> OrganizationsComponent:
    return OrganizationsComponent()


class OfficialsComponent:
    """People with the office they hold: from office titles, attributions, NER persons and the registry.

    `strict_names`: with a trained NER, a name after an office must overlap an NER person."""

    def __init__(self, strict_names: bool):
        self.strict_names = strict_names

    def __call__(self, doc: Doc) -> Doc:
        registry, text, cited = doc_registry(doc), doc_text(doc), blocked(doc)
        acronyms = doc._.pantau_acronyms or {}

        def known(words: str) -> str | None:
            region = registry.region(words)
            if region:  # aliases resolved, the kind word kept as written: "Jabar" → "Jawa Barat",
                kind = explicit_kind(words)  # "Provinsi Jabar" → "Provinsi Jawa Barat", "Garut" → "Garut"
                return f"{kind.capitalize()} {region.name}" if kind else region.name
            if registry.regions_named(words):
                return words  # "Bandung": a region, kind decided by the office (Bupati / Wali Kota)
            ministry = registry.ministry(words)
            if ministry:
                return ministry.portfolio
            org = registry.organization(words)
            return org.name if org else acronyms.get(words)

        per_ents = ent_offsets(doc, "PER")
        evidence = officials.NameEvidence(per_ents, self.strict_names, ent_offsets(doc, exclude="PER"),
                                          lambda n: registry.person(n) is not None)
        mentions = officials.office_mentions(text, known, evidence) + officials.attribution_mentions(text)
        taken = [(m.start, m.end) for m in mentions]
        lowercase = officials.lower_words(text) if per_ents else set()
        for start, end in per_ents:
            if not overlaps_any((start, end), taken):
                pm = officials.mention_from_span(text, start, end, lowercase)
                if pm:
                    mentions.append(pm)
        for span, label, obj in registry_hits(doc):
            if label == "PER":
                mentions.append(PersonMention(span.start_char, span.end_char, obj.name))
        published = doc._.pantau_published
        doc._.pantau_officials = officials.resolve_people(
            text, mentions, registry, lambda: officials.reference_day(published, text), cited)
        region = state(doc).get("region")
        for o in doc._.pantau_officials:  # `Kepala Dinas Kesehatan` in a Depok story: `… Kota Depok`, inferred
            if region is not None and o.office and o.office_source == "text":
                unit = organizations.REGIONAL_UNITS.search(o.office)
                if unit and not _names_a_region(o.office, registry):
                    o.office = o.office[:unit.start()] + with_region(o.office[unit.start():], region, registry)
                    o.office_source = "inferred"
        spans = [_char_span(doc, m.start, m.end, "PER") for o in doc._.pantau_officials for m in o.mentions]
        set_priority_ents(doc, filter_spans([s for s in spans if s is not None]))
        return doc


@Language.factory("pantau_officials", default_config={"strict_names": True},
                  requires=["doc.ents", "doc._.pantau_acronyms"], assigns=["doc.ents", "doc._.pantau_officials"])
def make_officials(nlp: Language, name: str, strict_names: bool) -> OfficialsComponent:
    return OfficialsComponent(strict_names)


class FiguresComponent:
    """Numbers claimed (rupiah, percentages, counted nouns), outside regulation citations."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.pantau_figures = []
        for f in figures.find_figures(doc_text(doc), blocked(doc), doc._.pantau_published):
            span = _char_span(doc, f.start, f.end, "FIGURE")
            span._.pantau_figure = f
            doc._.pantau_figures.append(span)
        return doc


@Language.factory("pantau_figures", assigns=["doc._.pantau_figures", "span._.pantau_figure"])
def make_figures(nlp: Language, name: str) -> FiguresComponent:
    return FiguresComponent()


class RegulationEventsComponent:
    """Lifecycle events of the regulations (and drafts) found, and relations between regulations
    (`extractors/events.py`)."""

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found = [s._.pantau_regulation for s in doc._.pantau_regulations or []]
        refs = [s._.pantau_regulation_reference for s in doc._.pantau_regulation_references or []]
        regional = [r.issuer for r in found if r.issuer and r.type.startswith("Peraturan")
                    and r.type not in ("Peraturan Pemerintah", "Peraturan Presiden")]
        subjects = events.regulation_subjects(text, found, refs)
        drafts = events.find_drafts(text, regional[0] if regional else None)
        titled = {events.norm_title(r.title): r.regulation_id for r in found if r.title}
        for draft in drafts:  # a draft whose numbered regulation the article also names is that regulation
            draft.regulation_id = titled.get(events.norm_title(draft.title)) if draft.title else None
        doc._.pantau_regulation_events = events.find_events(text, subjects + drafts)
        doc._.pantau_regulation_relations = events.find_relations(text, subjects)
        return doc


@Language.factory("pantau_regulation_events", requires=["doc._.pantau_regulations"],
                  assigns=["doc._.pantau_regulation_events", "doc._.pantau_regulation_relations"])
def make_regulation_events(nlp: Language, name: str) -> RegulationEventsComponent:
    return RegulationEventsComponent()


class QuotesComponent:
    """Quotations with their speaker; the last pantau component, so it also drops the internal Doc state."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.pantau_quotes = []
        for q in quotes.find_quotes(doc_text(doc), doc._.pantau_officials or []):
            span = _char_span(doc, q.start, q.end, "QUOTE")
            span._.pantau_quote = q
            doc._.pantau_quotes.append(span)
        doc.user_data.pop(STATE, None)
        return doc


@Language.factory("pantau_quotes", requires=["doc._.pantau_officials"],
                  assigns=["doc._.pantau_quotes", "span._.pantau_quote"])
def make_quotes(nlp: Language, name: str) -> QuotesComponent:
    return QuotesComponent()

"""spaCy components: thin wrappers that run the pure extractors over `doc.text` and put results on the Doc.

Extensions (all set by the components; `None` until then):
  doc._.published               date the article was published (set before the pipeline runs)
  doc._.regulations             [Span] citations, each with span._.regulation (a `Regulation`)
  doc._.regulation_references   [Span] mentions without number, span._.regulation_reference
  doc._.organizations           [Organization]    doc._.locations [Location]
  doc._.acronyms                {acronym: canonical name} defined in this article
  doc._.officials               [Official]
  doc._.figures                 [Span] with span._.figure     doc._.quotes [Span] with span._.quote
Internal, per-Doc caches shared by the components: blocked (extents of regulation citations, which no other
fact may come from), registry_hits, ents_cache, text_cache.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import figures, officials, organizations, quotes, regulations
from .facts import Location, Mention
from .officials import PersonMention
from .registry import Registry, explicit_kind, load_registry

DOC_EXTENSIONS = ("published", "regulations", "regulation_references", "organizations", "locations", "acronyms",
                  "officials", "figures", "quotes", "blocked", "registry_hits", "ents_cache", "text_cache")
SPAN_EXTENSIONS = ("regulation", "regulation_reference", "figure", "quote")
for _name in DOC_EXTENSIONS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
for _name in SPAN_EXTENSIONS:
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)

# Regulation abbreviations are not organization acronyms (`Peraturan Daerah (Perda)`).
REGULATION_ABBREVIATIONS = {a for t in regulations.TYPES for a in t.abbr} | set(regulations.ABBREVIATIONS)


class RegistryMatcher:
    """Token-level matcher over every registry alias (fast: one PhraseMatcher pass per doc)."""

    def __init__(self, nlp: Language, registry: Registry):
        self.registry = registry
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.objects: dict[int, object] = {}
        for label, entries in registry.surfaces().items():
            for i, (surface, obj) in enumerate(entries):
                key = f"{label}:{i}"
                self.objects[nlp.vocab.strings.add(key)] = (label, obj)
                self.matcher.add(key, [nlp.make_doc(surface)])

    def __call__(self, doc: Doc) -> list[tuple[Span, str, object]]:
        """Longest non-overlapping matches as (span, label, registry object); cached on the doc."""
        if doc._.registry_hits is None:
            found = {}
            for key, start, end in self.matcher(doc):
                label, obj = self.objects[key]
                span = Span(doc, start, end, label=label)
                found[(start, end)] = (span, label, obj)
            kept = filter_spans([v[0] for v in found.values()])
            doc._.registry_hits = [found[(s.start, s.end)] for s in kept]
        return doc._.registry_hits


_MATCHERS: dict[tuple[int, str], RegistryMatcher] = {}


def registry_matcher(nlp: Language, registry_path: str | None) -> RegistryMatcher:
    key = (id(nlp.vocab), str(Path(registry_path).resolve()) if registry_path else "")
    if key not in _MATCHERS:
        _MATCHERS[key] = RegistryMatcher(nlp, load_registry(registry_path))
    return _MATCHERS[key]


def _blocked(doc: Doc) -> list[tuple[int, int]]:
    return doc._.blocked or []


def doc_text(doc: Doc) -> str:
    """`doc.text`, cached: the getter joins every token again on each call."""
    if doc._.text_cache is None:
        doc._.text_cache = doc.text
    return doc._.text_cache


def current_ents(doc: Doc, fresh: bool = False) -> tuple[Span, ...]:
    """`doc.ents`, cached: the getter rebuilds every span from the tokens, which costs more than our rules.

    The first pantau component reads it fresh (after NER); later ones change entities only through
    `set_priority_ents`, which keeps the cache in step.
    """
    if fresh or doc._.ents_cache is None:
        doc._.ents_cache = tuple(doc.ents)
    return doc._.ents_cache


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
    ents = filter_spans(list(spans) + keep)
    doc.ents = ents
    doc._.ents_cache = tuple(ents)


def ent_offsets(doc: Doc, label: str | None = None, exclude: str | None = None) -> list[tuple[int, int]]:
    """Character offsets of the current entities (optionally of one label / all but one label)."""
    return [(e.start_char, e.end_char) for e in current_ents(doc)
            if (label is None or e.label_ == label) and (exclude is None or e.label_ != exclude)]


def _char_span(doc: Doc, start: int, end: int, label: str = "") -> Span | None:
    return doc.char_span(start, end, label=label, alignment_mode="expand")


@Language.factory("pantau_regulations", default_config={"registry_path": None})
def make_regulations(nlp: Language, name: str, registry_path: str | None):
    registry = load_registry(registry_path)

    def pantau_regulations(doc: Doc) -> Doc:
        current_ents(doc, fresh=True)
        found = regulations.find_regulations(doc_text(doc), registry)
        refs = regulations.find_references(doc_text(doc), found, registry)
        doc._.regulations, doc._.regulation_references = [], []
        for r in found:
            span = _char_span(doc, r.fact.start, r.fact.end, "REG")
            span._.regulation = r.fact
            doc._.regulations.append(span)
        for ref in refs:
            span = _char_span(doc, ref.start, ref.end, "REG")
            span._.regulation_reference = ref
            doc._.regulation_references.append(span)
        doc._.blocked = [r.extent for r in found] + [(r.start, r.end) for r in refs]
        if doc._.blocked:
            set_priority_ents(doc, [], drop=doc._.blocked)
        return doc

    return pantau_regulations


@Language.factory("pantau_organizations", default_config={"registry_path": None})
def make_organizations(nlp: Language, name: str, registry_path: str | None):
    matcher = registry_matcher(nlp, registry_path)

    def pantau_organizations(doc: Doc) -> Doc:
        hits = matcher(doc)
        blocked = _blocked(doc)
        org_hits = [(s.start_char, s.end_char, obj) for s, label, obj in hits if label == "ORG"]
        # NER ORG spans, except those inside what the registry already names (an organization or a place).
        known_spans = [(s.start_char, s.end_char) for s, _, _ in hits]
        text = doc_text(doc)
        ner = [(a, b) for a, b in ent_offsets(doc, "ORG")
               if not any(s <= a and b <= e for s, e in known_spans) and text[a:b] not in organizations.NOT_ORG
               and not text[a:b].islower()]  # a name has capitals ("kesenjangan (gap)")
        regions = [(s.start_char, s.end_char) for s, label, _ in hits if label == "LOC"]
        headed = organizations.headed_spans(text, regions, {a for a, _ in ent_offsets(doc, "PER")})
        ner += [h for h in headed if not any(h[0] < b and a < h[1] for a, b in ner)]  # what NER missed
        people = ent_offsets(doc, "PER") + [(s.start_char, s.end_char) for s, label, _ in hits if label == "PER"]
        orgs, acronyms = organizations.find_organizations(text, org_hits, ner, matcher.registry, blocked,
                                                          REGULATION_ABBREVIATIONS, people)
        doc._.organizations, doc._.acronyms = orgs, acronyms
        org_spans = [_char_span(doc, m.start, m.end, "ORG") for o in orgs for m in o.mentions]
        loc_spans = [s for s, label, _ in hits if label == "LOC"
                     and not any(s.start_char < b and a < s.end_char for a, b in blocked)]
        set_priority_ents(doc, filter_spans([s for s in org_spans if s is not None] + loc_spans))
        doc._.locations = _locations(doc, matcher.registry)
        return doc

    return pantau_organizations


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


@Language.factory("pantau_officials", default_config={"registry_path": None, "strict_names": False})
def make_officials(nlp: Language, name: str, registry_path: str | None, strict_names: bool):
    """`strict_names`: with a trained NER, a name after an office must overlap an NER person."""
    matcher = registry_matcher(nlp, registry_path)
    registry = matcher.registry

    def pantau_officials(doc: Doc) -> Doc:
        text, blocked = doc_text(doc), _blocked(doc)
        acronyms = doc._.acronyms or {}

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
        evidence = officials.NameEvidence(per_ents, strict_names, ent_offsets(doc, exclude="PER"),
                                          lambda n: registry.person(n) is not None)
        mentions = officials.office_mentions(text, known, evidence) + officials.attribution_mentions(text, evidence)
        taken = [(m.start, m.end) for m in mentions]
        lowercase = officials.lower_words(text) if per_ents else set()
        for start, end in per_ents:
            if not any(start < b and a < end for a, b in taken):
                pm = officials.mention_from_span(text, start, end, lowercase)
                if pm:
                    mentions.append(pm)
        for span, label, obj in matcher(doc):
            if label == "PER":
                mentions.append(PersonMention(span.start_char, span.end_char, obj.name))
        published = doc._.published
        doc._.officials = officials.resolve_people(
            text, mentions, registry, lambda: officials.reference_day(published, text), blocked)
        spans = [_char_span(doc, m.start, m.end, "PER") for o in doc._.officials for m in o.mentions]
        set_priority_ents(doc, filter_spans([s for s in spans if s is not None]))
        return doc

    return pantau_officials


@Language.component("pantau_figures")
def pantau_figures(doc: Doc) -> Doc:
    doc._.figures = []
    for f in figures.find_figures(doc_text(doc), _blocked(doc), doc._.published):
        span = _char_span(doc, f.start, f.end, "FIGURE")
        span._.figure = f
        doc._.figures.append(span)
    return doc


@Language.component("pantau_quotes")
def pantau_quotes(doc: Doc) -> Doc:
    doc._.quotes = []
    for q in quotes.find_quotes(doc_text(doc), doc._.officials or []):
        span = _char_span(doc, q.start, q.end, "QUOTE")
        span._.quote = q
        doc._.quotes.append(span)
    return doc

"""The extraction contract: plain, JSON-ready facts about one article.

`pantau extract` prints `ArticleFacts.to_json()`; `warehouse/store.py` writes exactly these objects. The JSON keys
follow `../shared/examples/jabar-bpjs-ketenagakerjaan.expected.json`. Character offsets (`start`, `end`) index the
text that was given to `nlp` (after boilerplate removal).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class Mention:
    text: str
    start: int
    end: int


@dataclass
class Regulation:
    """A numbered regulation citation (`Peraturan Gubernur Jawa Barat Nomor 158 Tahun 2021`)."""

    text: str
    start: int
    end: int
    type: str  # full canonical type: "Peraturan Gubernur"
    issuer: str | None  # region's full name or ministry: "Jawa Barat"
    number: str | None
    year: int | None
    title: str | None = None
    date: str | None = None  # ISO date of enactment when the text gives `tanggal ...`
    regulation_id: str = ""  # stable id from (type, issuer, number, year)
    label: str = ""  # human-readable canonical citation: "Peraturan Gubernur Jawa Barat 158/2021"
    # How the issuer was found: "text" (in the citation), "context" (a government or head of region named in the
    # article, or its other citations), "dateline", "feed" (the feed's configured region); None when not needed.
    issuer_source: str | None = None
    # A regional regulation whose issuer could not be found: its id is scoped to its article when stored, so two
    # articles' "Perda 7/2022" never merge.
    issuer_unknown: bool = False


@dataclass
class RegulationReference:
    """A mention without a number (`Perda ini`, `UU Cipta Kerja`), linked when unambiguous."""

    text: str
    start: int
    end: int
    type: str
    issuer: str | None = None
    title: str | None = None
    refers_to: str | None = None  # label of the numbered regulation it refers to
    refers_to_id: str | None = None  # its regulation_id


@dataclass
class Official:
    """A person (with the office held, when known) and every mention of them in the article."""

    name: str
    person_id: str
    office: str | None = None
    office_source: str | None = None  # "text" | "registry" | "inferred" (the article's region added)
    office_written: str | None = None  # the office as the text writes it ("Kapolres Garut"), when from the text
    honorifics: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Organization:
    name: str  # canonical name: "Pemerintah Provinsi Jawa Barat"
    org_id: str
    surfaces: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Figure:
    text: str
    start: int
    end: int
    value: float | int
    unit: str  # "IDR", "persen" or the counted noun ("tenaga kerja")
    as_of: str | None = None  # "2023-06" when the sentence gives a period


@dataclass
class Quote:
    text: str
    start: int
    end: int
    speaker: str | None
    person_id: str | None = None


@dataclass
class Location:
    name: str
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class RegulationEvent:
    """Something that happened to a regulation or a draft: `drafted`, `passed`, `signed`, `in_force`, `amended`,
    `revoked`, `annulled`, `challenged`; `modality` is `done`, `planned` or `negated`."""

    event: str
    regulation_id: str | None  # a numbered regulation of the same article's `regulations`; None for a draft
    draft_id: str | None  # a draft (Raperda, RUU …) with no number yet
    title: str | None
    issuer: str | None
    type: str
    trigger: str  # the words that say it
    start: int  # the trigger's span
    end: int
    date: str | None = None  # ISO date when the sentence gives one
    actor: str | None = None  # DPRD X, Mahkamah Agung, Gubernur X … when named
    modality: str = "done"


@dataclass
class RegulationRelation:
    """`amends`, `revokes` or `implements`: the source regulation does it to the target."""

    relation: str
    source_regulation_id: str
    target_regulation_id: str
    trigger: str
    start: int
    end: int


@dataclass
class ArticleFacts:
    regulations: list[Regulation] = field(default_factory=list)
    regulation_references_without_number: list[RegulationReference] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    regulation_events: list[RegulationEvent] = field(default_factory=list)
    regulation_relations: list[RegulationRelation] = field(default_factory=list)
    extractor_version: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# Feeds and articles (ingest → warehouse)

@dataclass
class FeedState:
    """What we remember of a feed between polls."""

    feed_id: str
    url: str
    name: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None


@dataclass
class FeedEntry:
    url: str
    guid: str | None
    title: str | None
    published_at: datetime | None
    published_raw: str | None
    summary: str | None
    content: str | None


@dataclass
class FeedPoll:
    feed_id: str
    url: str
    status: str
    http_status: int | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    entries: list[FeedEntry] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    attempts: int = 1
    problem: str | None = None  # feedparser's complaint about a feed that still yielded entries (`bozo`)
    skipped_entries: int = 0  # entries with neither a link nor a URL-like guid, or repeating a guid/link


GOOD_STATUSES = ("ok", "not_modified", "empty")


@dataclass
class Article:
    article_id: str
    url: str
    canonical_url: str
    feed_id: str | None
    guid: str | None
    title: str | None
    published_at: datetime  # UTC; the fetch time when the feed gives none
    published_raw: str | None
    fetched_at: datetime
    body: str  # boilerplate-free text
    body_status: str  # full | feed_content | summary_only | failed
    http_status: int | None
    fetch_error: str | None
    content_hash: str | None
    simhash: int | None = None  # 64-bit, signed; None for bodies too short to compare
    duplicate_of: str | None = None  # set by the warehouse when the body repeats an earlier article
    dateline: str | None = None  # the place of the dateline the body opened with ("GARUT", "Cimahi"), before cleaning


@dataclass
class ArticleContext:
    """What the extractors know about an article besides its text: its date, its dateline, its feed's region."""

    published: date | None = None
    dateline: str | None = None
    region: str | None = None  # the feed's configured region ("Kabupaten Garut", "Jawa Barat")

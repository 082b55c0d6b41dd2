"""The extraction contract: plain, JSON-ready facts about one article.

`pantau extract` prints `ArticleFacts.to_json()`; `warehouse/store.py` writes exactly these objects. The JSON keys
follow `../shared/examples/jabar-bpjs-ketenagakerjaan.expected.json`. Character offsets (`start`, `end`) index the
text that was given to `nlp` (after boilerplate removal).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
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
    office_source: str | None = None  # "text" | "registry"
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
class ArticleFacts:
    regulations: list[Regulation] = field(default_factory=list)
    regulation_references_without_number: list[RegulationReference] = field(default_factory=list)
    officials: list[Official] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    locations: list[Location] = field(default_factory=list)
    extractor_version: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

"""User-editable registry of people (with offices and terms), organizations and regions.

Data lives in `models/registry/*.toml` (package data of `pantau.models`, or a directory of the user's with the same
three files). `read_registry_data` parses the files into plain JSON-ready data, which the `pantau_registry` component
serializes with the pipeline; `registry_from_data` builds the look-up object from it. Ids are `slug(canonical name)`,
and the same `slug` names people/organizations that are not in the registry.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

REGISTRY_FILES = ("regions.toml", "officials.toml", "organizations.toml")
OPTIONAL_FILES = ("ministries.toml",)  # ministries and agencies with their codes (Permenaker, Permen PUPR)

REGION_KINDS = ("negara", "provinsi", "kabupaten", "kota")


def slug(text: str) -> str:
    """Stable id: ASCII-folded, lower case, runs of other characters to one '-'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def alias_key(text: str) -> str:
    """Case- and spacing-insensitive key for alias look-ups."""
    return " ".join(text.replace("’", "'").lower().split())


@dataclass
class Office:
    title: str
    start: dt.date | None = None
    end: dt.date | None = None  # None: still in office

    def valid_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


@dataclass
class Person:
    person_id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    offices: list[Office] = field(default_factory=list)

    def office_on(self, day: dt.date | None) -> Office | None:
        """The office held on `day`; without a day, the only office if there is exactly one."""
        if day is None:
            return self.offices[0] if len(self.offices) == 1 else None
        held = [o for o in self.offices if o.valid_on(day)]
        # Several at once (e.g. a hand-over day): prefer the one that started last.
        return max(held, key=lambda o: o.start or dt.date.min) if held else None


@dataclass
class Organization:
    org_id: str
    name: str
    aliases: list[str] = field(default_factory=list)
    portfolio: str | None = None  # a ministry's field: "Keuangan" for "Menteri Keuangan"


@dataclass
class Region:
    region_id: str
    name: str  # bare name: "Bandung", "Jawa Barat"
    kind: str  # one of REGION_KINDS
    aliases: list[str] = field(default_factory=list)
    province: str | None = None

    @property
    def full_name(self) -> str:
        """Provinces and countries by bare name; regencies and cities keep their kind apart."""
        if self.kind in ("kabupaten", "kota"):
            return f"{self.kind.capitalize()} {self.name}"
        return self.name

    def surfaces(self) -> list[str]:
        """Every way the text may write this region, its kind word included."""
        names = [self.name, *self.aliases]
        if self.kind == "provinsi":
            return names + [f"{p} {n}" for n in names for p in ("Provinsi", "Prov.", "Propinsi")]
        if self.kind == "kabupaten":
            return [f"{p} {n}" for n in names for p in ("Kabupaten", "Kab.", "Kab")]
        if self.kind == "kota":
            return [f"Kota {n}" for n in names]
        return names


@dataclass
class Registry:
    people: list[Person] = field(default_factory=list)
    organizations: list[Organization] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    ministry_codes: dict[str, str] = field(default_factory=dict)  # "naker" → "Ketenagakerjaan" (Permenaker)
    ministry_acronyms: dict[str, str] = field(default_factory=dict)  # "PUPR" → "Pekerjaan Umum dan …"

    def __post_init__(self) -> None:
        self._person_by_key = _index((p, [p.name, *p.aliases]) for p in self.people)
        self._org_by_key = _index((o, [o.name, *o.aliases]) for o in self.organizations)
        self._portfolio = {alias_key(o.portfolio): o for o in self.organizations if o.portfolio}
        self._regions_by_key: dict[str, list[Region]] = {}
        for r in self.regions:
            for s in {r.name, *r.aliases, *r.surfaces()}:
                self._regions_by_key.setdefault(alias_key(s), []).append(r)

    def person(self, name: str) -> Person | None:
        return self._person_by_key.get(alias_key(name))

    def organization(self, name: str) -> Organization | None:
        return self._org_by_key.get(alias_key(name))

    def ministry(self, portfolio: str) -> Organization | None:
        return self._portfolio.get(alias_key(portfolio))

    def regions_named(self, text: str) -> list[Region]:
        return self._regions_by_key.get(alias_key(text), [])

    def region(self, text: str, kind: str | None = None) -> Region | None:
        """Resolve a written region ("Jabar", "Kab. Bandung", "Bandung") to one region.

        A kind word in the text wins; else `kind` (from context, e.g. "Bupati" → kabupaten); else the
        name must be unambiguous (a bare "Bandung" is both a regency and a city).
        """
        found = self.regions_named(text)
        if not found:
            return None
        explicit = explicit_kind(text)
        for want in (explicit, kind):
            if want:
                hit = [r for r in found if r.kind == want]
                if len(hit) == 1:
                    return hit[0]
                if explicit:
                    return None
        if len(found) == 1:
            return found[0]
        provinces = [r for r in found if r.kind == "provinsi"]
        return provinces[0] if len(provinces) == 1 else None

    def surfaces(self) -> dict[str, list[tuple[str, object]]]:
        """All alias strings per kind ("PER", "ORG", "LOC") → the registry object they name."""
        out: dict[str, list[tuple[str, object]]] = {"PER": [], "ORG": [], "LOC": []}
        for p in self.people:
            out["PER"] += [(s, p) for s in dict.fromkeys([p.name, *p.aliases])]
        for o in self.organizations:
            out["ORG"] += [(s, o) for s in dict.fromkeys([o.name, *o.aliases])]
        for r in self.regions:
            out["LOC"] += [(s, r) for s in dict.fromkeys(r.surfaces())]
        return out


def explicit_kind(text: str) -> str | None:
    first = text.split()[0].lower().rstrip(".") if text.split() else ""
    return {"provinsi": "provinsi", "prov": "provinsi", "propinsi": "provinsi", "kabupaten": "kabupaten",
            "kab": "kabupaten", "kota": "kota"}.get(first)


def _index(items) -> dict:
    index: dict = {}
    for obj, names in items:
        for n in names:
            index.setdefault(alias_key(n), obj)
    return index


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


class RegistryError(ValueError):
    """A registry file is missing or malformed; the message names the file and what to do."""


def default_registry_dir() -> Path:
    """The registries shipped in the package (`models/registry/` of the repository)."""
    return Path(str(files("pantau.models") / "registry"))


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_registry_data(path: str | Path | None = None) -> dict[str, Any]:
    """The three registry files of directory `path` (default: the shipped ones) as JSON-ready data."""
    root = Path(path) if path else default_registry_dir()
    data = {}
    for name in REGISTRY_FILES + OPTIONAL_FILES:
        file = root / name
        if name in OPTIONAL_FILES and not file.exists():
            continue
        try:
            with open(file, "rb") as fh:
                data[name.removesuffix(".toml")] = _json_ready(tomllib.load(fh))
        except FileNotFoundError:
            raise RegistryError(f"registry file {file} is missing: a registry directory holds "
                                f"{', '.join(REGISTRY_FILES)} (copy them from pantau's models/registry/, or "
                                "reinstall pantau)") from None
        except tomllib.TOMLDecodeError as exc:
            raise RegistryError(f"{file}: malformed TOML: {exc}") from None
    return data


def _region_governments(regions: list[Region]) -> list[Organization]:
    """`Pemerintah Kabupaten Bandung` (Pemkab Bandung) etc., derived so the TOML need not repeat them."""
    orgs = []
    prefixes = {"provinsi": ("Pemerintah Provinsi", ["Pemprov", "Pemerintah Provinsi", "Provinsi"]),
                "kabupaten": ("Pemerintah Kabupaten", ["Pemkab", "Pemerintah Kabupaten"]),
                "kota": ("Pemerintah Kota", ["Pemkot", "Pemerintah Kota"])}
    for r in regions:
        if r.kind not in prefixes:
            continue
        full, short = prefixes[r.kind]
        name = f"{full} {r.name}"
        aliases = [f"{p} {n}" for p in short for n in [r.name, *r.aliases]]
        orgs.append(Organization(slug(name), name, [a for a in dict.fromkeys(aliases) if a != name]))
    return orgs


def load_registry(path: str | Path | None = None) -> Registry:
    """The registry of directory `path` (default: the shipped one)."""
    return registry_from_data(read_registry_data(path))


def registry_from_data(data: dict[str, Any]) -> Registry:
    people, orgs, regions = [], [], []
    for kind_key, kind in (("country", "negara"), ("province", "provinsi"), ("regency", "kabupaten"), ("city", "kota")):
        for r in data.get("regions", {}).get(kind_key, []):
            rid = slug(r["name"] if kind in ("negara", "provinsi") else f"{kind} {r['name']}")
            regions.append(Region(rid, r["name"], kind, list(r.get("aliases", [])), r.get("province")))
    for p in data.get("officials", {}).get("person", []):
        offices = [Office(o["title"], _date(o.get("start")), _date(o.get("end"))) for o in p.get("office", [])]
        people.append(Person(p.get("id") or slug(p["name"]), p["name"], list(p.get("aliases", [])), offices))
    written: dict[str, Organization] = {}
    for o in data.get("organizations", {}).get("organization", []):
        org = Organization(o.get("id") or slug(o["name"]), o["name"], list(o.get("aliases", [])), o.get("portfolio"))
        written[org.org_id] = org
    codes, acronyms = {}, {}
    for m in data.get("ministries", {}).get("ministry", []):
        forms = [f"{head}{sep}{a}" for a in m.get("acronyms", []) for head in ("Kementerian", "Kemen")
                 for sep in (" ", "")]
        if m["name"].startswith("Kementerian Koordinator"):
            forms += [f"Kemenko{sep}{a}" for a in m.get("acronyms", []) for sep in (" ", "")]
        org = Organization(m.get("id") or slug(m["name"]), m["name"], [*m.get("aliases", []), *forms],
                           m.get("portfolio"))
        if org.org_id in written:  # organizations.toml first: its entry keeps priority, gains the aliases
            known = written[org.org_id]
            known.aliases = list(dict.fromkeys([*known.aliases, *org.aliases]))
            known.portfolio = known.portfolio or org.portfolio
        else:
            written[org.org_id] = org
        for code in m.get("codes", []):
            codes.setdefault(code, m["portfolio"])
        for acronym in m.get("acronyms", []):
            acronyms.setdefault(acronym, m["portfolio"])
    for a in data.get("ministries", {}).get("agency", []):
        org = Organization(a.get("id") or slug(a["name"]), a["name"], list(a.get("aliases", [])))
        if org.org_id in written:
            written[org.org_id].aliases = list(dict.fromkeys([*written[org.org_id].aliases, *org.aliases]))
        else:
            written[org.org_id] = org
    # Derived regional governments; a written entry with the same id adds its aliases.
    for derived in _region_governments(regions):
        if derived.org_id in written:
            org = written[derived.org_id]
            org.aliases = list(dict.fromkeys([*org.aliases, *derived.aliases]))
        else:
            orgs.append(derived)
    orgs = list(written.values()) + orgs
    return Registry(people, orgs, regions, codes, acronyms)

"""The coded ontology: typed rows of seeds/ontology/*.csv and the lookups the coder needs.

`load_ontology(dir)` reads and validates every file; any bad row raises OntologyError naming the file, the line and
what is wrong. The ontology is immutable once loaded and safe to share between batches and processes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from schema.errors import OntologyError

CODE_RE = re.compile(r"^\d{2,4}$")
ACTOR_RE = re.compile(r"^[A-Z]{3}([A-Z]{3})*$")
TARGET_RE = re.compile(r"^(dobj|poss|prep:[a-z]+)$")


def _split(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    return tuple(v.strip() for v in value.split("|") if v.strip())


class Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class CameoCode(Row):
    code: str
    name: str
    root_code: str
    quad_class: int = Field(ge=1, le=4)
    goldstein: float = Field(ge=-10, le=10)
    plover_type: str | None = None
    plover_mode: str | None = None
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    intent_code: str | None = None
    refusal_code: str | None = None
    appeal_code: str | None = None
    threat_code: str | None = None
    reverse_code: str | None = None
    description: str | None = None

    @field_validator("code", "root_code")
    @classmethod
    def _is_code(cls, v: str) -> str:
        if not CODE_RE.match(v):
            raise ValueError(f"{v!r} is not a 2-4 digit CAMEO code")
        return v

    @field_validator("intent_code", "refusal_code", "appeal_code", "threat_code", "reverse_code")
    @classmethod
    def _is_optional_code(cls, v: str | None) -> str | None:
        if v is not None and not CODE_RE.match(v):
            raise ValueError(f"{v!r} is not a 2-4 digit CAMEO code")
        return v


class VerbPattern(Row):
    pattern_id: str
    code: str
    pos: Literal["VERB", "NOUN"]
    trigger: str
    object: tuple[str, ...] = ()
    particle: str | None = None
    target: tuple[str, ...] = ()
    mutual: bool = False
    example: str | None = None

    @field_validator("target")
    @classmethod
    def _targets(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for t in v:
            if not TARGET_RE.match(t):
                raise ValueError(f"target {t!r} must be dobj, poss or prep:<word>")
        return v

    @property
    def specificity(self) -> int:
        """More conditions make a more specific pattern; the most specific match wins."""
        return 2 * bool(self.object) + bool(self.particle)


class Country(Row):
    iso3: str = Field(pattern=r"^[A-Z]{3}$")
    iso2: str = Field(pattern=r"^[A-Z]{2}$")
    name: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    capital: str | None = None
    metonyms: tuple[str, ...] = ()


class Organization(Row):
    code: str = Field(pattern=r"^(IGO|NGO)[A-Z]{3,6}$")
    name: str
    aliases: tuple[str, ...] = ()
    kind: Literal["IGO", "NGO"]
    case_sensitive: bool = False


class Group(Row):
    """A non-state or national group the news names (Hamas, the ELN, the Taliban): its actor code is a country
    plus a sector, and may change on a date ("2021-08-15:AFGGOV" when the Taliban took power)."""

    group_id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    aliases: tuple[str, ...] = ()
    actor_code: str = Field(pattern=r"^[A-Z]{3}[A-Z]{3}$")
    changes: tuple[str, ...] = ()
    case_sensitive: bool = False

    @field_validator("changes")
    @classmethod
    def _changes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for change in v:
            day, _, code = change.partition(":")
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise ValueError(f"change {change!r} must be YYYY-MM-DD:CODE") from None
            if not re.match(r"^[A-Z]{6}$", code):
                raise ValueError(f"change {change!r}: {code!r} is not a country+sector actor code")
        return tuple(sorted(v))

    def actor_on(self, on: dt.date | None) -> str:
        """The code on a date: the last change on or before it (the base code before any change; the latest
        code when the article is undated)."""
        code = self.actor_code
        for change in self.changes:
            day, _, new = change.partition(":")
            if on is None or dt.date.fromisoformat(day) <= on:
                code = new
        return code


class Sector(Row):
    code: str = Field(pattern=r"^[A-Z]{3}$")
    name: str
    terms: tuple[str, ...] = ()
    priority: int = 0


class Person(Row):
    person_id: str
    name: str
    country: str = Field(pattern=r"^[A-Z]{3}$")
    aliases: tuple[str, ...] = ()


class PersonRole(Row):
    person_id: str
    actor_code: str
    role: str
    start: dt.date
    end: dt.date | None = None

    @field_validator("actor_code")
    @classmethod
    def _actor(cls, v: str) -> str:
        if not ACTOR_RE.match(v):
            raise ValueError(f"{v!r} is not a CAMEO actor code (e.g. JPNGOV)")
        return v


ROLE_RANK = {
    role: rank
    for rank, role in enumerate(
        (
            "head_of_state",
            "head_of_government",
            "vice_president",
            "deputy_head_of_government",
            "foreign_minister",
            "defence_minister",
            "secretary_general",
            "other_minister",
            "senior_official",
        )
    )
}

MULTI = {
    "object",
    "target",
    "aliases",
    "demonyms",
    "metonyms",
    "terms",
    "changes",
}
BOOLS = {"mutual", "case_sensitive"}


def _read_rows(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    if not path.exists():
        raise OntologyError(f"{path} is missing; the ontology needs it (see seeds/ontology/README.md).")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for line_no, raw in enumerate(reader, start=2):
            if None in raw:
                raise OntologyError(f"{path.name}:{line_no}: more fields than the header has; quote commas.")
            row: dict[str, object] = {}
            for key, value in raw.items():
                text = (value or "").strip()
                if key in MULTI:
                    row[key] = _split(text)
                elif key in BOOLS:
                    row[key] = text.lower() in {"yes", "true", "1"}
                else:
                    row[key] = text or None
            yield line_no, row


M = TypeVar("M", bound=Row)


def _parse(path: Path, model: type[M]) -> list[M]:
    rows = []
    for line_no, row in _read_rows(path):
        try:
            rows.append(model.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise OntologyError(f"{path.name}:{line_no}: {where}: {first['msg']}") from exc
    return rows


@dataclass(frozen=True)
class Ontology:
    version: str
    codes: dict[str, CameoCode]
    patterns: tuple[VerbPattern, ...]
    countries: dict[str, Country]
    organizations: dict[str, Organization]
    sectors: dict[str, Sector]
    persons: dict[str, Person]
    roles: dict[str, tuple[PersonRole, ...]] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)

    def person_actor(self, person_id: str, on: dt.date | None) -> str:
        """The actor code of a person on a date: the role held then, else their country alone."""
        person = self.persons[person_id]
        roles = self.roles.get(person_id, ())
        if on is not None:
            held = [r for r in roles if r.start <= on and (r.end is None or on <= r.end)]
            if held:
                # Several roles at once (a president who is also defence minister): the highest office counts.
                return min(held, key=lambda r: ROLE_RANK.get(r.role, len(ROLE_RANK))).actor_code
        elif len({r.actor_code for r in roles}) == 1:
            return roles[0].actor_code  # no date to go by, but every role they held has the same code
        return person.country


def _check_references(ont: Ontology) -> None:
    for code in ont.codes.values():
        if code.root_code not in ont.codes:
            raise OntologyError(f"cameo_codes.csv: {code.code} has root {code.root_code}, which is not a row.")
        if not code.code.startswith(code.root_code):
            raise OntologyError(f"cameo_codes.csv: {code.code} does not start with its root {code.root_code}.")
        for column in ("intent_code", "refusal_code", "appeal_code", "threat_code", "reverse_code"):
            other = getattr(code, column)
            if other and other not in ont.codes:
                raise OntologyError(f"cameo_codes.csv: {code.code} has {column} {other}, not a code.")
    seen: set[str] = set()
    for pattern in ont.patterns:
        if pattern.pattern_id in seen:
            raise OntologyError(f"verb_patterns.csv: pattern_id {pattern.pattern_id} is used twice.")
        seen.add(pattern.pattern_id)
        if pattern.code not in ont.codes:
            raise OntologyError(f"verb_patterns.csv: {pattern.pattern_id} codes {pattern.code}, not in CAMEO.")
    for pid, roles in ont.roles.items():
        if pid not in ont.persons:
            raise OntologyError(f"person_roles.csv: person_id {pid} is not in persons.csv.")
        for role in roles:
            if role.end is not None and role.end < role.start:
                raise OntologyError(f"person_roles.csv: {pid} role {role.role} ends before it starts.")
            if role.actor_code[:3] not in ont.countries and not role.actor_code.startswith(("IGO", "NGO")):
                raise OntologyError(f"person_roles.csv: {pid} has actor {role.actor_code}: unknown country.")
    for group in ont.groups.values():
        for actor in (group.actor_code, *(c.partition(":")[2] for c in group.changes)):
            if actor[:3] not in ont.countries or actor[3:] not in ont.sectors:
                raise OntologyError(f"groups.csv: {group.group_id} has actor {actor}: unknown country or sector.")
    for person in ont.persons.values():
        if person.country not in ont.countries:
            raise OntologyError(f"persons.csv: {person.person_id} has country {person.country}: not a country.")


def ontology_fingerprint(directory: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def load_ontology(directory: Path) -> Ontology:
    """Read and validate seeds/ontology (or a user's copy of it)."""
    if not directory.is_dir():
        raise OntologyError(f"ontology directory {directory} does not exist; pass --ontology DIR.")
    version_file = directory / "VERSION"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.exists() else "unversioned"
    roles: dict[str, list[PersonRole]] = {}
    for role in _parse(directory / "person_roles.csv", PersonRole):
        roles.setdefault(role.person_id, []).append(role)
    ont = Ontology(
        version=f"{version}+{ontology_fingerprint(directory)}",
        codes={c.code: c for c in _parse(directory / "cameo_codes.csv", CameoCode)},
        patterns=tuple(_parse(directory / "verb_patterns.csv", VerbPattern)),
        countries={c.iso3: c for c in _parse(directory / "countries.csv", Country)},
        organizations={o.code: o for o in _parse(directory / "organizations.csv", Organization)},
        sectors={s.code: s for s in _parse(directory / "sectors.csv", Sector)},
        persons={p.person_id: p for p in _parse(directory / "persons.csv", Person)},
        roles={pid: tuple(rs) for pid, rs in roles.items()},
        groups={g.group_id: g for g in _parse(directory / "groups.csv", Group)},
    )
    _check_references(ont)
    return ont

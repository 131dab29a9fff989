"""Every row of the ontology parses, every cross-reference resolves, and no name means two things."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from schema.config import DEFAULT_ONTOLOGY_DIR
from schema.errors import OntologyError
from schema.ontology import Ontology, load_ontology


def test_taxonomy_is_complete(ontology: Ontology) -> None:
    roots = {c.code for c in ontology.codes.values() if len(c.code) == 2}
    assert roots == {f"{i:02d}" for i in range(1, 21)}
    for code in ontology.codes.values():
        if len(code.code) == 4:
            assert code.code[:3] in ontology.codes, f"{code.code} has no 3-digit parent"
        root = int(code.root_code)
        expected_quad = 1 if root <= 5 else 2 if root <= 9 else 3 if root <= 14 else 4
        assert code.quad_class == expected_quad, code.code
    assert len(ontology.codes) >= 280
    assert ontology.codes["042"].name == "Make a visit"
    assert ontology.codes["042"].intent_code == "036"


def test_codes_are_strings_with_leading_zeros() -> None:
    with (DEFAULT_ONTOLOGY_DIR / "cameo_codes.csv").open(encoding="utf-8") as fh:
        codes = [row["code"] for row in csv.DictReader(fh)]
    assert "010" in codes and "01" in codes and "10" not in [c for c in codes if len(c) == 2 and c.startswith("0")]


def test_patterns_cover_every_root(ontology: Ontology) -> None:
    roots = {ontology.codes[p.code].root_code for p in ontology.patterns}
    assert roots >= {f"{i:02d}" for i in range(1, 21)} - {"03"}  # intent codes come from modality, not patterns
    assert len(ontology.patterns) >= 300


def test_no_alias_means_two_actors(ontology: Ontology) -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for iso3, country in ontology.countries.items():
        for name in (country.name.lower(), *country.aliases, *country.demonyms, *country.metonyms):
            owners[name.lower()].add(iso3)
    for code, org in ontology.organizations.items():
        for name in (org.name, *org.aliases):
            owners[name.lower()].add(code)
    for pid, person in ontology.persons.items():
        for name in (person.name.lower(), *person.aliases):
            owners[name.lower()].add(pid)
    for gid, group in ontology.groups.items():
        for name in (group.name, *group.aliases):
            owners[name.lower()].add(gid)
    clashes = {name: who for name, who in owners.items() if len(who) > 1}
    assert not clashes


def test_sector_terms_are_unique(ontology: Ontology) -> None:
    seen: dict[str, str] = {}
    for code, sector in ontology.sectors.items():
        for term in sector.terms:
            assert term not in seen, f"{term!r} is in {seen.get(term)} and {code}"
            seen[term] = code


def test_roles_are_dated_sanely(ontology: Ontology) -> None:
    for pid, roles in ontology.roles.items():
        for role in roles:
            assert dt.date(1940, 1, 1) <= role.start <= dt.date(2026, 12, 31), (pid, role)
            assert role.end is None or role.start <= role.end, (pid, role)
            assert role.actor_code[:3] in ontology.countries or role.actor_code.startswith("IGO")


def test_roles_resolve_against_the_date(ontology: Ontology) -> None:
    assert ontology.person_actor("shinzo-abe", dt.date(2017, 4, 3)) == "JPNGOV"
    assert ontology.person_actor("shinzo-abe", dt.date(2022, 1, 1)) == "JPN"  # out of office: country alone
    assert ontology.person_actor("donald-trump", dt.date(2019, 6, 1)) == "USAGOV"
    assert ontology.person_actor("donald-trump", dt.date(2022, 6, 1)) == "USA"


def test_a_bad_row_names_file_and_line(tmp_path: Path) -> None:
    for path in DEFAULT_ONTOLOGY_DIR.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    with (tmp_path / "verb_patterns.csv").open("a", encoding="utf-8") as fh:
        fh.write("999-bogus,999,VERB,bogus,,,dobj,no,Nothing.\n")
    with pytest.raises(OntologyError, match=r"verb_patterns\.csv: 999-bogus codes 999, not in CAMEO"):
        load_ontology(tmp_path)
    with (tmp_path / "countries.csv").open("a", encoding="utf-8") as fh:
        fh.write("XXXX,XX,Nowhere,,,,\n")
    with pytest.raises(OntologyError, match=r"countries\.csv:\d+: iso3"):
        load_ontology(tmp_path)

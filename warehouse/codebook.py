"""The two documents that describe a release — CODEBOOK.md for people, datapackage.json for tools — both written
from the same column specs (warehouse/columns.py), so what they say about a column cannot differ."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from schema.records import NON_EVENT_MODALITIES
from warehouse.columns import ColumnSpec, ReleasedTable

# Table Schema types (https://specs.frictionlessdata.io/table-schema/) of the Arrow types records map to.
FRICTIONLESS_TYPES: tuple[tuple[Any, str], ...] = (
    (pa.types.is_string, "string"),
    (pa.types.is_integer, "integer"),
    (pa.types.is_floating, "number"),
    (pa.types.is_boolean, "boolean"),
    (pa.types.is_date, "date"),
    (pa.types.is_timestamp, "datetime"),
)
QUAD_CLASSES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict", 4: "material conflict"}
CITATIONS = (
    'Schrodt, Philip A. (2012). "CAMEO: Conflict and Mediation Event Observations Event and Actor Codebook", '
    "version 1.1b3. Pennsylvania State University.",
    "Open Event Data Alliance. PLOVER: Political Language Ontology for Verifiable Event Records (specification).",
    "ACLED: Armed Conflict Location & Event Data codebook (event types and sub-event types).",
)


@dataclass(frozen=True)
class ReleaseInfo:
    """What a release is: its version and what the warehouse says about the data in it."""

    version: str  # <date of the latest finished run>-<10 hex of the data's SHA-256>
    run_date: dt.date
    code_version: str
    ontology_version: str
    runs: int
    rows: dict[str, int]
    first_event_date: dt.date | None
    last_event_date: dt.date | None
    undated_events: int
    sectors: tuple[tuple[str, str], ...] = ()  # (code, name) of the actor sector codes
    organizations: tuple[tuple[str, str], ...] = ()  # (code, name) of IGO/NGO codes actors in the release use
    roots: tuple[tuple[str, str], ...] = field(default=())  # (code, name) of the 2-digit CAMEO roots

    @property
    def name(self) -> str:
        return f"eventcoder-{self.version}"


@dataclass(frozen=True)
class CsvFile:
    table: ReleasedTable
    specs: tuple[ColumnSpec, ...]
    path: str  # relative to the release directory
    bytes: int
    sha256: str


def frictionless_type(arrow_type: pa.DataType) -> str:
    for test, name in FRICTIONLESS_TYPES:
        if test(arrow_type):
            return name
    raise TypeError(f"no Table Schema type for Arrow type {arrow_type}")


def _type_text(arrow_type: pa.DataType) -> str:
    """The Table Schema type, and the Parquet (Arrow) type where it says more."""
    kind = frictionless_type(arrow_type)
    return kind if str(arrow_type) == kind else f"{kind} ({arrow_type})"


def _number(spec: ColumnSpec, value: float) -> int | float:
    return int(value) if frictionless_type(spec.arrow_type) == "integer" else value


def _field_descriptor(spec: ColumnSpec) -> dict[str, Any]:
    constraints: dict[str, Any] = {}
    if spec.required:
        constraints["required"] = True
    if spec.enum:
        constraints["enum"] = list(spec.enum)
    if spec.pattern:
        constraints["pattern"] = spec.pattern
    if spec.minimum is not None:
        constraints["minimum"] = _number(spec, spec.minimum)
    if spec.maximum is not None:
        constraints["maximum"] = _number(spec, spec.maximum)
    descriptor: dict[str, Any] = {
        "name": spec.name,
        "type": frictionless_type(spec.arrow_type),
        "description": f"{spec.meaning} Source: {spec.provenance}.",
    }
    if constraints:
        descriptor["constraints"] = constraints
    return descriptor


def _foreign_keys(table: ReleasedTable, specs: Sequence[ColumnSpec]) -> list[dict[str, Any]]:
    keys = []
    for spec in specs:
        if spec.references:
            resource, column = spec.references.split(".")
            keys.append(
                {
                    "fields": spec.name,
                    # An empty resource name is the Table Schema way to point into the same table.
                    "reference": {"resource": "" if resource == table.name else resource, "fields": column},
                }
            )
    return keys


def datapackage(info: ReleaseInfo, files: Sequence[CsvFile]) -> dict[str, Any]:
    """A Tabular Data Package (v1) over the gzipped CSV files, with an explicit schema for every column."""
    resources = []
    for f in files:
        schema: dict[str, Any] = {
            "fields": [_field_descriptor(s) for s in f.specs],
            "primaryKey": list(f.table.key),
            "missingValues": [""],
        }
        foreign = _foreign_keys(f.table, f.specs)
        if foreign:
            schema["foreignKeys"] = foreign
        resources.append(
            {
                "name": f.table.name,
                "path": f.path,
                "profile": "tabular-data-resource",
                "description": f.table.description,
                "format": "csv",
                "compression": "gz",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": f.bytes,
                "hash": f"sha256:{f.sha256}",
                "schema": schema,
            }
        )
    return {
        "profile": "tabular-data-package",
        "name": "eventcoder-events",
        "title": "eventcoder CAMEO-coded political events",
        "version": info.version,
        "description": (
            "Dyadic political events (who did what to whom, when and where) coded in CAMEO from news articles, "
            "with the sentence-level mentions they were rolled up from. Parquet copies of events and mentions, "
            "hive-partitioned by year and month, are under parquet/. Columns: CODEBOOK.md."
        ),
        "keywords": ["events", "CAMEO", "PLOVER", "ACLED", "political science", "event data"],
        "sources": [
            {"title": f"eventcoder {info.code_version}, ontology {info.ontology_version}"},
            *({"title": citation} for citation in CITATIONS),
        ],
        "resources": resources,
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _bound(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def allowed_values(spec: ColumnSpec) -> str:
    """What a value of the column can be, in words."""
    kind = frictionless_type(spec.arrow_type)
    parts = []
    if spec.enum:
        parts.append(", ".join(f"`{v}`" for v in spec.enum))
    if spec.pattern:
        parts.append(f"matches `{spec.pattern}`")
    if spec.references:
        parts.append(f"a row of `{spec.references}`")
    if spec.minimum is not None and spec.maximum is not None:
        parts.append(f"{_bound(spec.minimum)} to {_bound(spec.maximum)}")
    elif spec.minimum is not None:
        parts.append(f">= {_bound(spec.minimum)}")
    elif spec.maximum is not None:
        parts.append(f"<= {_bound(spec.maximum)}")
    if kind == "boolean":
        parts.append("`true`, `false`")
    elif kind == "date":
        parts.append("ISO 8601 date `YYYY-MM-DD`")
    elif kind == "datetime":
        parts.append("ISO 8601 date and time, UTC")
    elif not parts:
        parts.append("text" if kind == "string" else "any")
    text = "; ".join(parts)
    return text if spec.required else f"{text}; or empty (null)"


def _table_section(table: ReleasedTable, specs: Sequence[ColumnSpec], rows: int) -> list[str]:
    lines = [
        f"## `{table.name}`",
        "",
        f"{table.description} {rows} rows; key `{', '.join(table.key)}`. "
        + (
            f"Parquet partitions: `year` and `month` of `{table.partition_column}`."
            if table.partition_column
            else "Parquet: one file."
        ),
        "",
        "| column | type | required | meaning | allowed values | provenance |",
        "|---|---|---|---|---|---|",
    ]
    for s in specs:
        lines.append(
            f"| `{s.name}` | {_type_text(s.arrow_type)} | {'yes' if s.required else 'no'} | "
            f"{_cell(s.meaning)} | {_cell(allowed_values(s))} | {_cell(s.provenance)} |"
        )
    return [*lines, ""]


def codebook(info: ReleaseInfo, tables: Sequence[tuple[ReleasedTable, Sequence[ColumnSpec]]]) -> str:
    lines = [
        f"# Codebook: eventcoder release {info.version}",
        "",
        "Every column of every table in this release. Tables ship as gzipped CSV (`<table>.csv.gz`, described for "
        "tools in `datapackage.json`) and as Parquet under `parquet/<table>/` (hive-partitioned by `year` and "
        "`month` of the event date; rows without a date are in `year=__HIVE_DEFAULT_PARTITION__`, which pyarrow, "
        "DuckDB, Spark and Polars read as null). pyarrow infers the partition types from the directory names; "
        "for a table with no dated row name them: `ds.partitioning(pa.schema([('year', pa.int32()), ('month', "
        "pa.int32())]), flavor='hive')`.",
        "",
        "Conventions:",
        "- Codes are strings and keep their leading zeros (`036`, `0421`): read CSV columns as text, e.g. "
        "`pandas.read_csv(..., dtype=str)` or DuckDB `read_csv(..., all_varchar = true)`, then convert numbers.",
        "- An empty CSV cell is null (no value). Dates are ISO 8601; numbers use a decimal point.",
        "- `mentions.event_id` links a mention to `events.event_id`; `event_code` and `root_code` link to "
        "`cameo_codes.code`. Mentions of modality "
        + ", ".join(f"`{m}`" for m in NON_EVENT_MODALITIES)
        + " are kept for tracing but not rolled up into events.",
        "",
    ]
    for table, specs in tables:
        lines += _table_section(table, specs, info.rows.get(table.name, 0))
    lines += _code_tables(info)
    lines += _how_to_cite(info)
    return "\n".join(lines)


def _code_tables(info: ReleaseInfo) -> list[str]:
    lines = [
        "## Code tables",
        "",
        "### Event codes",
        "",
        "`event_code` is a CAMEO code (Schrodt 2012): a 2-digit root (`04` Consult), a 3-digit code (`042` Make "
        "a visit) or a 4-digit one (`0421`). Every code, with its name, quad class, Goldstein score and PLOVER and "
        "ACLED crosswalk, is a row of `cameo_codes` (`cameo_codes.csv.gz`).",
        "",
        "| quad_class | meaning |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in QUAD_CLASSES.items()),
        "",
    ]
    if info.roots:
        lines += ["| root_code | CAMEO root |", "|---|---|", *(f"| `{c}` | {_cell(n)} |" for c, n in info.roots), ""]
    lines += [
        "### Actor codes",
        "",
        "`source_actor` and `target_actor` are CAMEO actor codes built from 3-letter parts: an ISO 3166-1 "
        "alpha-3 country (`JPN`) or an organisation (`IGOUNO` United Nations), then an optional sector "
        "(`JPNGOV` the Japanese government, `CHNMIL` the Chinese military). Null: no actor could be coded.",
        "",
    ]
    if info.sectors:
        lines += ["| sector | meaning |", "|---|---|", *(f"| `{c}` | {_cell(n)} |" for c, n in info.sectors), ""]
    if info.organizations:
        lines += [
            "Organisations that appear in this release:",
            "",
            "| code | organisation |",
            "|---|---|",
            *(f"| `{c}` | {_cell(n)} |" for c, n in info.organizations),
            "",
        ]
    return lines


def citation(info: ReleaseInfo) -> str:
    return (
        f"eventcoder contributors ({info.run_date.year}). eventcoder CAMEO-coded political events, release "
        f"{info.version} [data set]. Coded with eventcoder {info.code_version}, ontology {info.ontology_version}."
    )


def _how_to_cite(info: ReleaseInfo) -> list[str]:
    return [
        "## How to cite",
        "",
        "Cite the release by its version (the directory name and `version` in `datapackage.json`; the same "
        "warehouse always exports the same version, and `SHA256SUMS` pins every file):",
        "",
        f"> {citation(info)}",
        "",
        "and the code systems it uses:",
        "",
        *(f"- {c}" for c in CITATIONS),
        "",
    ]

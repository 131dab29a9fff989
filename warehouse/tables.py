"""The warehouse tables: one field list (the pydantic records) gives the Arrow schema, the DuckDB DDL and the
column comments, so they cannot drift apart."""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

import pyarrow as pa
from pydantic import BaseModel

from schema.records import ActorCandidate, Article, EventMention, Reject, Run, Sentence


@dataclass(frozen=True)
class Table:
    name: str
    model: type[BaseModel]
    key: tuple[str, ...]
    description: str


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table("articles", Article, ("article_id",), "One row per ingested article."),
        Table("sentences", Sentence, ("article_id", "sentence_index"), "One row per sentence of an article."),
        Table("mentions", EventMention, ("mention_id",), "One row per coded event in one sentence."),
        Table(
            "actor_candidates",
            ActorCandidate,
            ("candidate_id",),
            "People and organisations the ontology lacks, coded from their title or apposition, with the evidence.",
        ),
        Table("rejects", Reject, ("reject_id",), "One row per input record a stage could not use."),
        Table("runs", Run, ("run_id",), "One row per pipeline run."),
    )
}
# `events` is derived from `mentions` inside DuckDB (warehouse/store.py); its columns are schema.records.Event.


def _arrow_type(annotation: Any) -> tuple[pa.DataType, bool]:
    """Map a field annotation to an Arrow type and whether it is nullable."""
    nullable = False
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        nullable = len(args) < len(get_args(annotation))
        annotation = args[0]
        origin = get_origin(annotation)
    if origin is Literal:
        return pa.string(), nullable
    mapping: dict[Any, pa.DataType] = {
        str: pa.string(),
        int: pa.int64(),
        float: pa.float64(),
        bool: pa.bool_(),
        dt.date: pa.date32(),
        dt.datetime: pa.timestamp("us", tz="UTC"),
    }
    if annotation in mapping:
        return mapping[annotation], nullable
    if isinstance(annotation, str):
        raise TypeError(f"unresolved annotation {annotation!r}; call model_rebuild()")
    raise TypeError(f"no Arrow type for {annotation!r}")


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    fields = []
    hints = typing.get_type_hints(model)
    for name, info in model.model_fields.items():
        arrow_type, nullable = _arrow_type(hints[name])
        metadata = {"description": info.description or ""}
        fields.append(pa.field(name, arrow_type, nullable=nullable, metadata=metadata))
    return pa.schema(fields)


DUCKDB_TYPES = {
    pa.string(): "VARCHAR",
    pa.int64(): "BIGINT",
    pa.float64(): "DOUBLE",
    pa.bool_(): "BOOLEAN",
    pa.date32(): "DATE",
    pa.timestamp("us", tz="UTC"): "TIMESTAMPTZ",
}


def duckdb_columns(model: type[BaseModel]) -> list[tuple[str, str, bool, str]]:
    """(name, DuckDB type, nullable, description) for every column of a model."""
    out = []
    for f in arrow_schema(model):
        description = (f.metadata or {}).get(b"description", b"").decode()
        out.append((f.name, DUCKDB_TYPES[f.type], f.nullable, description))
    return out


def to_arrow(model: type[BaseModel], records: Sequence[BaseModel]) -> pa.Table:
    schema = arrow_schema(model)
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for record in records:
        for name in schema.names:
            columns[name].append(getattr(record, name))
    return pa.Table.from_pydict(columns, schema=schema)

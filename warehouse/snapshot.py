"""Reading the warehouse while a run writes it.

DuckDB lets no other process open a database file, not even read-only, while one process has it open for writing.
So a query that finds the warehouse in use is answered from the Parquet copy instead: an in-memory DuckDB with one
view per table over exactly the files the copy's manifest lists, the ontology lookups beside them, and the GDELT /
ACLED / PLOVER views on top, so the same SQL works. The copy is the state of the last finished export, and one
export's state only: the manifest's generation is read before and after the query, and the query is run again if an
export changed files in between (or a file it was reading was replaced).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from schema.errors import QueryError, WarehouseInUseError
from warehouse.parquet_manifest import MANIFEST_NAME, Manifest, ParquetTarget, partition_file, read_manifest
from warehouse.store import Warehouse
from warehouse.views import VIEWS

COPY_WAIT_SECONDS = 5.0  # how long to wait for an export in progress to finish before saying so
HOLDER = re.compile(r"\(process (\d+)\)")


@dataclass(frozen=True)
class Answer:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    note: str | None = None  # set when the answer comes from the Parquet copy: as of when, and why


def query_warehouse(directory: Path, sql: str, *, wait: float = 0.0) -> Answer:
    """Run SQL on the warehouse, read-only. If another process is writing it, wait up to `wait` seconds for it to
    finish, then answer from the Parquet copy with a note saying which state that is."""
    try:
        with Warehouse.open_read_only(directory, lock_timeout=wait) as warehouse:
            columns, rows = warehouse.query(sql)
        return Answer(columns, rows)
    except WarehouseInUseError as busy:
        holder = HOLDER.search(busy.message)
        who = f"another eventcoder process ({holder.group(1)})" if holder else "another eventcoder process"
        root = directory / "parquet"
        columns, rows, manifest = query_parquet_copy(root, sql, who=who, timeout=max(wait, COPY_WAIT_SECONDS))
        as_of = manifest.verified_at or manifest.updated_at
        when = f"{as_of:%Y-%m-%d %H:%M:%S} UTC" if as_of else "its last export"
        note = (
            f"the warehouse is being written by {who}, so this answer comes from its Parquet copy ({root}) as of "
            f"{when}: rows written since then are not in it. Pass --wait SECONDS to wait for the writer instead."
        )
        return Answer(columns, rows, note)


def query_parquet_copy(
    root: Path, sql: str, *, who: str = "another process", timeout: float = COPY_WAIT_SECONDS
) -> tuple[list[str], list[tuple[Any, ...]], Manifest]:
    """Run SQL over the Parquet copy under `root`, as of one finished export (see the module docstring)."""
    target = ParquetTarget.of(root)
    deadline = time.monotonic() + timeout
    while True:
        before = read_manifest(target)
        if before is None:
            raise WarehouseInUseError(
                f"the warehouse is being written by {who}, and its Parquet copy has no manifest to answer from "
                f"({root}/{MANIFEST_NAME} is written when a run finishes its export); wait for the run to finish, or "
                "pass --wait SECONDS."
            )
        if before.complete:
            try:
                with Warehouse(_copy_connection(root, before), root) as copy:
                    columns, rows = copy.query(sql)
            except QueryError as exc:
                # An export removed a file under the query: read the new state. Any other error is the user's.
                if not isinstance(exc.__cause__, duckdb.IOException) or _generation(target) == before.generation:
                    raise
            else:
                if _generation(target) == before.generation:
                    return columns, rows, before
        if time.monotonic() >= deadline:
            raise WarehouseInUseError(
                f"the warehouse is being written by {who} and its Parquet copy ({root}) is being rewritten, or an "
                "export was interrupted; try again in a moment, or pass --wait SECONDS to wait for the writer."
            )
        time.sleep(0.2)


def _generation(target: ParquetTarget) -> int | None:
    """The generation of the copy if it is complete, else None."""
    manifest = read_manifest(target)
    return manifest.generation if manifest is not None and manifest.complete else None


def _copy_connection(root: Path, manifest: Manifest) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB whose tables are views over the files the manifest lists (absolute paths: DuckDB
    resolves relative ones against its own working directory)."""
    con = duckdb.connect()
    for name, table in manifest.tables.items():
        files = [str((root / partition_file(name, p)).resolve()) for p in sorted(table.partitions)]
        if files:
            paths = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
            con.execute(f'CREATE VIEW "{name}" AS SELECT * FROM read_parquet([{paths}], hive_partitioning = false)')
        else:
            columns = ", ".join(f'"{c}" {t}' for c, t in table.columns)
            con.execute(f'CREATE TABLE "{name}" ({columns})')
    for view in VIEWS:
        if view.requires <= set(manifest.tables):
            con.execute(f"CREATE VIEW {view.name} AS {view.sql}")
    return con

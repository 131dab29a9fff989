"""A dataset release: a versioned directory researchers download and cite.

`export_release(warehouse_dir, out_dir)` writes `out_dir/eventcoder-<version>/` with, for every released table
(warehouse/columns.py: events, mentions and the cameo_codes lookup), a gzipped CSV and Parquet hive-partitioned by
year and month, plus CODEBOOK.md, datapackage.json (Frictionless), README.md and SHA256SUMS.

The version is `<UTC date of the latest finished run>-<first 10 hex of the SHA-256 of the released CSV text>`, and
every file is written byte-for-byte reproducibly (rows ordered by key, gzip without a timestamp), so the same
warehouse always gives the same version and the same files. The directory is built beside its final place and
renamed into it, so nobody ever sees half a release.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from schema.errors import ReleaseError, ReleaseExistsError
from warehouse.codebook import CsvFile, ReleaseInfo, citation, codebook, datapackage
from warehouse.columns import RELEASED_TABLES, ColumnSpec, ReleasedTable, column_specs
from warehouse.parquet import NULL_PARTITION, PART_NAME
from warehouse.store import Warehouse

CHECKSUMS = "SHA256SUMS"
PARQUET_DIR = "parquet"
CSV_BATCH_ROWS = 10_000


@dataclass(frozen=True)
class Release:
    path: Path
    info: ReleaseInfo
    files: tuple[str, ...]  # every file, relative to path
    bytes: int
    seconds: float


@dataclass(frozen=True)
class _LatestRun:
    date: dt.date
    code_version: str
    ontology_version: str
    runs: int


def export_release(warehouse_dir: Path, out_dir: Path, *, replace: bool = False) -> Release:
    """Write a release of the warehouse under out_dir; ReleaseExistsError if that version is there (unless
    replace)."""
    started = time.monotonic()
    with Warehouse.open_read_only(warehouse_dir) as warehouse:
        run = _latest_run(warehouse, warehouse_dir)
        tables = [(t, tuple(column_specs(t)), _read_table(warehouse, t, warehouse_dir)) for t in RELEASED_TABLES]
        sectors, organizations = _actor_names(warehouse, tables)
    out_dir.mkdir(parents=True, exist_ok=True)
    build = out_dir / f".eventcoder-release.tmp-{os.getpid()}"
    if build.exists():  # left by a killed export of a process that had our pid
        shutil.rmtree(build)
    build.mkdir()
    try:
        data_hash = hashlib.sha256()
        csv_files = []
        for table, specs, data in tables:
            csv_files.append(_write_csv(build, table, specs, data, data_hash))
            _write_parquet(build / PARQUET_DIR / table.name, table, data)
        info = _release_info(run, data_hash.hexdigest(), {t.name: d for t, _, d in tables}, sectors, organizations)
        target = out_dir / info.name
        if target.exists() and not replace:
            raise ReleaseExistsError(_exists_message(target))
        (build / "CODEBOOK.md").write_text(codebook(info, [(t, s) for t, s, _ in tables]), encoding="utf-8")
        package = json.dumps(datapackage(info, csv_files), indent=2, ensure_ascii=False, sort_keys=False)
        (build / "datapackage.json").write_text(package + "\n", encoding="utf-8")
        (build / "README.md").write_text(_readme(info, build), encoding="utf-8")
        files = _write_checksums(build)
        _move_into_place(build, target, replace)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    size = sum((target / f).stat().st_size for f in files)
    return Release(target, info, files, size, time.monotonic() - started)


def _release_info(
    run: _LatestRun,
    data_hash: str,
    data: dict[str, pa.Table],
    sectors: tuple[tuple[str, str], ...],
    organizations: tuple[tuple[str, str], ...],
) -> ReleaseInfo:
    dates = data["events"].column("event_date")
    span = pc.min_max(dates)
    codes = data["cameo_codes"]
    names = zip(codes.column("code").to_pylist(), codes.column("name").to_pylist(), strict=True)
    return ReleaseInfo(
        version=f"{run.date.isoformat()}-{data_hash[:10]}",
        run_date=run.date,
        code_version=run.code_version,
        ontology_version=run.ontology_version,
        runs=run.runs,
        rows={name: table.num_rows for name, table in data.items()},
        first_event_date=span["min"].as_py(),
        last_event_date=span["max"].as_py(),
        undated_events=dates.null_count,
        sectors=sectors,
        organizations=organizations,
        roots=tuple((code, name) for code, name in names if len(code) == 2),
    )


def _exists_message(target: Path) -> str:
    return (
        f"release {target} already exists (the same warehouse content gives the same version); pass --replace "
        "to write it again, or choose another --out."
    )


# -- reading the warehouse --------------------------------------------------------------------------------------
def _latest_run(warehouse: Warehouse, directory: Path) -> _LatestRun:
    _, rows = warehouse.query(
        "SELECT strftime(finished_at AT TIME ZONE 'UTC', '%Y-%m-%d'), code_version, ontology_version, "
        "count(*) OVER () FROM runs WHERE status = 'completed' AND finished_at IS NOT NULL "
        "ORDER BY finished_at DESC, run_id DESC LIMIT 1"
    )
    if not rows:
        raise ReleaseError(
            f"warehouse {directory} has no finished run to release; code articles into it first with "
            f"`eventcoder run INPUT --warehouse {directory}`."
        )
    day, code_version, ontology_version, runs = rows[0]
    return _LatestRun(dt.date.fromisoformat(day), code_version, ontology_version, int(runs))


def _read_table(warehouse: Warehouse, table: ReleasedTable, directory: Path) -> pa.Table:
    """The table's rows ordered by key, as the Arrow schema of its record says (names, order, types, nulls)."""
    schema = table.schema
    _, rows = warehouse.query("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table.name])
    missing = [name for name in schema.names if name not in {r[0] for r in rows}]
    if missing:
        raise ReleaseError(
            f"warehouse {directory} has no {', '.join(missing)} in table {table.name} (written by an older "
            f"eventcoder); run `eventcoder run --warehouse {directory}` once to bring it up to date."
        )
    columns = ", ".join(f'"{name}"' for name in schema.names)
    order = ", ".join(f'"{k}"' for k in table.key)
    data = warehouse.arrow(f'SELECT {columns} FROM "{table.name}" ORDER BY {order}')
    try:
        return data.cast(schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ReleaseError(
            f"table {table.name} in {directory} does not fit its record {table.model.__name__}: {exc}; "
            "re-run `eventcoder run` to rebuild it."
        ) from exc


def _actor_names(
    warehouse: Warehouse, tables: Sequence[tuple[ReleasedTable, Any, pa.Table]]
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Sector codes, and the organisations actor codes in the release start with, from the `actors` lookup."""
    _, found = warehouse.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'actors'")
    if not found:
        return (), ()
    _, rows = warehouse.query("SELECT code, name, kind FROM actors ORDER BY code")
    used: set[str] = set()
    for _, _, data in tables:
        for column in ("source_actor", "target_actor"):
            if column in data.column_names:
                used.update(v for v in data.column(column).to_pylist() if v)
    sectors = tuple((code, name) for code, name, kind in rows if kind == "sector")
    organizations = tuple(
        (code, name)
        for code, name, kind in rows
        if kind in ("IGO", "NGO") and any(actor.startswith(code) for actor in used)
    )
    return sectors, organizations


# -- writing ----------------------------------------------------------------------------------------------------
def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float
    if isinstance(value, dt.date):  # dates and datetimes (UTC, with offset)
        return value.isoformat()
    return str(value)


def _csv_chunks(data: pa.Table) -> Iterable[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)  # RFC 4180: CRLF line ends, quotes only where needed
    writer.writerow(data.column_names)
    for batch in data.to_batches(max_chunksize=CSV_BATCH_ROWS):
        columns = [column.to_pylist() for column in batch.columns]
        writer.writerows([_csv_cell(v) for v in row] for row in zip(*columns, strict=True))
        yield buffer.getvalue().encode("utf-8")
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _write_csv(
    root: Path, table: ReleasedTable, specs: tuple[ColumnSpec, ...], data: pa.Table, data_hash: Any
) -> CsvFile:
    name = f"{table.name}.csv.gz"
    text_hash = hashlib.sha256()
    with open(root / name, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        for chunk in _csv_chunks(data):
            text_hash.update(chunk)
            out.write(chunk)
    data_hash.update(f"{table.name}\n{text_hash.hexdigest()}\n".encode())
    content = (root / name).read_bytes()
    return CsvFile(table, specs, name, len(content), hashlib.sha256(content).hexdigest())


def _write_parquet(root: Path, table: ReleasedTable, data: pa.Table) -> None:
    """Hive partitions year=YYYY/month=M of the partition date (integers, as Spark writes them, so every reader
    types them alike), one file each; an empty table still gets one file so its schema travels."""
    if table.partition_column is None:
        root.mkdir(parents=True)
        pq.write_table(data, root / PART_NAME, compression="zstd")
        return
    dates = data.column(table.partition_column)
    years, months = pc.year(dates), pc.month(dates)
    keys = set(zip(years.to_pylist(), months.to_pylist(), strict=True)) or {(None, None)}
    for year, month in sorted(keys, key=lambda k: (k[0] is None, k[0] or 0, k[1] or 0)):
        if year is None:
            part = data.filter(pc.is_null(dates))
            directory = root / f"year={NULL_PARTITION}" / f"month={NULL_PARTITION}"
        else:
            part = data.filter(pc.and_(pc.equal(years, year), pc.equal(months, month)))
            directory = root / f"year={year}" / f"month={month}"
        directory.mkdir(parents=True)
        pq.write_table(part, directory / PART_NAME, compression="zstd")


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _write_checksums(root: Path) -> tuple[str, ...]:
    """SHA256SUMS in `sha256sum -c` format over every other file; returns every file, itself included."""
    files = _files(root)
    lines = [f"{hashlib.sha256((root / f).read_bytes()).hexdigest()}  {f}\n" for f in files]
    (root / CHECKSUMS).write_text("".join(lines), encoding="utf-8")
    return tuple(sorted([*files, CHECKSUMS]))


def _move_into_place(build: Path, target: Path, replace: bool) -> None:
    if target.exists():
        if not replace:
            raise ReleaseExistsError(_exists_message(target))
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.rename(target, old)
        os.rename(build, target)
        shutil.rmtree(old)
        return
    try:
        os.rename(build, target)
    except OSError as exc:  # another export put the same version there meanwhile
        raise ReleaseExistsError(_exists_message(target)) from exc


def _readme(info: ReleaseInfo, root: Path) -> str:
    dated = (
        f"dated {info.first_event_date} to {info.last_event_date}" if info.first_event_date else "none of them dated"
    )
    lines = [
        f"# eventcoder release {info.version}",
        "",
        "Dyadic political events (who did what to whom, when and where) coded in CAMEO from news articles, with "
        "the sentence-level mentions they were rolled up from. Every column is described in `CODEBOOK.md`.",
        "",
        f"- Version `{info.version}`: the UTC date of the latest finished run ({info.run_date}) and the start of "
        "the SHA-256 of the released data, so the same warehouse always gives the same version.",
        f"- Coded with eventcoder {info.code_version}, ontology {info.ontology_version} "
        f"({info.runs} finished run{'s' if info.runs != 1 else ''}).",
        f"- {info.rows.get('events', 0)} events, {dated}"
        + (f" ({info.undated_events} without a date)" if info.undated_events and info.first_event_date else "")
        + f"; {info.rows.get('mentions', 0)} mentions; {info.rows.get('cameo_codes', 0)} CAMEO codes.",
        "",
        "## Files",
        "",
        "| file | contents | bytes |",
        "|---|---|---|",
    ]
    for table in RELEASED_TABLES:
        csv_path = f"{table.name}.csv.gz"
        parts = [p for p in _files(root) if p.startswith(f"{PARQUET_DIR}/{table.name}/")]
        parquet_bytes = sum((root / p).stat().st_size for p in parts)
        lines.append(
            f"| `{csv_path}` | {table.name}, {info.rows.get(table.name, 0)} rows | {(root / csv_path).stat().st_size} |"
        )
        lines.append(
            f"| `{PARQUET_DIR}/{table.name}/` | {table.name} as Parquet, {len(parts)} file"
            f"{'s' if len(parts) != 1 else ''} | {parquet_bytes} |"
        )
    lines += [
        "| `CODEBOOK.md` | every column: type, meaning, allowed values, provenance; code tables; citation | |",
        "| `datapackage.json` | Frictionless Tabular Data Package over the CSV files, explicit schemas | |",
        f"| `{CHECKSUMS}` | SHA-256 of every other file | |",
        "",
        "## Read it",
        "",
        "```sql",
        "-- DuckDB",
        f"SELECT * FROM read_parquet('{PARQUET_DIR}/events/*/*/*.parquet', hive_partitioning = true);",
        "```",
        "",
        "```python",
        "import pyarrow.dataset as ds",
        f'events = ds.dataset("{PARQUET_DIR}/events", format="parquet", partitioning="hive").to_table()',
        "import pandas as pd  # CSV: read codes as text so '036' stays '036'",
        'mentions = pd.read_csv("mentions.csv.gz", dtype=str, keep_default_na=False, na_values=[""])',
        "```",
        "",
        "## Check it",
        "",
        f"`sha256sum -c {CHECKSUMS}` verifies every file; `frictionless validate datapackage.json` checks every "
        "CSV row against its schema, keys and links.",
        "",
        "## Cite it",
        "",
        f"> {citation(info)}",
        "",
    ]
    return "\n".join(lines)

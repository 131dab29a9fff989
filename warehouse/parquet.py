"""Parquet copies of the warehouse tables, hive-partitioned by year and month, written atomically.

Each partition is one file with a fixed name (`part-0.parquet`), written to a temporary file in the same
directory and moved into place with os.replace, so a reader never sees half a file and a re-run overwrites
instead of adding. Partitions that no longer hold rows are removed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from warehouse.store import Warehouse
from warehouse.tables import TABLES

PART_NAME = "part-0.parquet"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"

# The date that places a row in a year/month partition, as SQL over the table aliased `t`.
PARTITION_DATE = {
    "articles": "t.published_date",
    "sentences": "(SELECT a.published_date FROM articles a WHERE a.article_id = t.article_id)",
    "mentions": "t.event_date",
    "actor_candidates": "(SELECT a.published_date FROM articles a WHERE a.article_id = t.article_id)",
    "events": "t.event_date",
    "rejects": "(SELECT CAST(r.started_at AS DATE) FROM runs r WHERE r.run_id = t.run_id)",
    "runs": "CAST(t.started_at AS DATE)",
}
SORT_KEYS = {name: table.key for name, table in TABLES.items()} | {"events": ("event_id",)}


def _partition_dir(root: Path, year: int | None, month: int | None) -> Path:
    y = NULL_PARTITION if year is None else f"{year:04d}"
    m = NULL_PARTITION if month is None else str(month)  # month=4, not 04: DuckDB reads "04" as text
    return root / f"year={y}" / f"month={m}"


def export_table(warehouse: Warehouse, name: str, parquet_dir: Path) -> int:
    """Write one table's partitions; returns the number of files written."""
    root = parquet_dir / name
    date_sql = PARTITION_DATE[name]
    order = ", ".join(f't."{k}"' for k in SORT_KEYS[name])
    partitions = warehouse.query(
        f'SELECT DISTINCT year({date_sql}) AS y, month({date_sql}) AS m FROM "{name}" t ORDER BY y, m'
    )[1]
    keep: set[Path] = set()
    for year, month in partitions:
        if year is None:
            where, params = f"{date_sql} IS NULL", []
        else:
            where, params = f"year({date_sql}) = ? AND month({date_sql}) = ?", [year, month]
        table = warehouse.arrow(f'SELECT t.* FROM "{name}" t WHERE {where} ORDER BY {order}', params)
        target_dir = _partition_dir(root, year, month)
        target_dir.mkdir(parents=True, exist_ok=True)
        tmp = target_dir / f".{PART_NAME}.tmp-{os.getpid()}"
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, target_dir / PART_NAME)
        keep.add(target_dir)
    _remove_stale(root, keep)
    return len(keep)


def _remove_stale(root: Path, keep: set[Path]) -> None:
    if not root.exists():
        return
    for month_dir in root.glob("year=*/month=*"):
        if month_dir not in keep:
            shutil.rmtree(month_dir)
    for year_dir in root.glob("year=*"):
        if year_dir.is_dir() and not any(year_dir.iterdir()):
            year_dir.rmdir()
    for leftover in root.rglob(f".{PART_NAME}.tmp-*"):
        leftover.unlink()


def export_all(warehouse: Warehouse, parquet_dir: Path) -> dict[str, int]:
    return {name: export_table(warehouse, name, parquet_dir) for name in PARTITION_DATE}

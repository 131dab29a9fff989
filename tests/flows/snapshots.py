"""What a warehouse holds, for comparing two warehouses row by row (crash safety, concurrency, scaling tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow.dataset as ds

from schema.config import PROJECT_ROOT
from tests.conftest import SEEDS
from warehouse.parquet import EXPORTED, PARTITION_DATE
from warehouse.parquet_manifest import ParquetTarget, read_manifest
from warehouse.store import Warehouse

# Which run first saw a row, and when: by design these differ between a clean run and a crashed-and-rerun one.
RUN_SPECIFIC = {"run_id", "last_run_id", "first_seen"}
Rows = list[tuple[Any, ...]]
GOLD = PROJECT_ROOT / "tests" / "gold" / "articles.jsonl"


def seed_and_gold_corpus(directory: Path, gold_articles: int, files: dict[str, str]) -> Path:
    """The seed articles, the first `gold_articles` gold records as gold.jsonl, and `files` (bad input) beside them."""
    for seed in sorted(SEEDS.glob("*.txt")):
        (directory / seed.name).write_bytes(seed.read_bytes())
    lines = GOLD.read_text(encoding="utf-8").splitlines(keepends=True)
    (directory / "gold.jsonl").write_text("".join(lines[:gold_articles]), encoding="utf-8")
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def table_rows(directory: Path) -> dict[str, Rows]:
    """Every base table of the warehouse but `runs`, sorted, without the run-specific columns."""
    with Warehouse.open_read_only(directory) as wh:
        _, tables = wh.query("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY 1")
        out: dict[str, Rows] = {}
        for (name,) in tables:
            if name == "runs":
                continue
            _, columns = wh.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
                "ORDER BY ordinal_position",
                [name],
            )
            keep = ", ".join(f'"{c}"' for (c,) in columns if c not in RUN_SPECIFIC)
            out[name] = wh.query(f'SELECT {keep} FROM "{name}" ORDER BY ALL')[1]
        return out


def run_statuses(directory: Path) -> list[str]:
    with Warehouse.open_read_only(directory) as wh:
        return [row[0] for row in wh.query("SELECT status FROM runs ORDER BY started_at, run_id")[1]]


def parquet_differences(directory: Path) -> list[str]:
    """How the Parquet copy differs from the DuckDB tables, read back with DuckDB and with pyarrow; [] if equal.
    Also reports temporary files left behind and a manifest that is missing or incomplete."""
    root = directory / "parquet"
    problems = [f"leftover {p.relative_to(root)}" for p in root.rglob("*.tmp-*")]
    manifest = read_manifest(ParquetTarget.of(root))
    if manifest is None or not manifest.complete:
        problems.append("manifest missing or incomplete")
    reader = duckdb.connect()
    with Warehouse.open_read_only(directory) as wh:
        for name in EXPORTED:
            expected = wh.query(f'SELECT * FROM "{name}" ORDER BY ALL')[1]
            files = sorted(str(p) for p in (root / name).rglob("*.parquet"))
            by_duckdb: Rows = (
                reader.execute(
                    "SELECT * FROM read_parquet(?, hive_partitioning = false) ORDER BY ALL", [files]
                ).fetchall()
                if files
                else []
            )
            if by_duckdb != expected:
                problems.append(
                    f"{name}: DuckDB reads {len(by_duckdb)} rows from Parquet, the table has {len(expected)}"
                )
            if files:
                partitioning = "hive" if name in PARTITION_DATE else None
                table = ds.dataset(root / name, format="parquet", partitioning=partitioning).to_table()
                table = table.drop_columns([c for c in ("year", "month") if c in table.column_names])
                by_pyarrow = sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)
                if by_pyarrow != sorted(expected, key=repr):
                    problems.append(f"{name}: pyarrow reads {table.num_rows} rows that differ from the table")
            elif expected:
                problems.append(f"{name}: no Parquet file for {len(expected)} rows")
    reader.close()
    return problems

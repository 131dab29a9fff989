"""Queries answered from the Parquet copy: the same answers as the warehouse, and one finished export's state only."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from schema.errors import WarehouseInUseError
from warehouse.parquet_manifest import ParquetTarget, read_manifest, write_manifest
from warehouse.snapshot import query_parquet_copy
from warehouse.store import Warehouse

QUERIES = (
    "SELECT e.event_date, e.source_actor, e.target_actor, e.event_code, c.name, e.num_mentions FROM events e "
    "JOIN cameo_codes c ON c.code = e.event_code ORDER BY ALL",
    "SELECT count(*), count(DISTINCT article_id) FROM mentions",
    "SELECT * FROM events_gdelt ORDER BY ALL",
    "SELECT * FROM events_acled ORDER BY ALL",
    "SELECT * FROM articles a JOIN sentences s USING (article_id) ORDER BY ALL",
    "SELECT * FROM runs ORDER BY ALL",
    "SELECT * FROM rejects",
)


@pytest.fixture()
def coded(seed_warehouse: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    shutil.copytree(seed_warehouse, directory)
    return directory


@pytest.mark.parametrize("sql", QUERIES)
def test_the_copy_answers_like_the_warehouse(coded: Path, sql: str) -> None:
    with Warehouse.open_read_only(coded) as wh:
        expected = wh.query(sql)
    columns, rows, manifest = query_parquet_copy(coded / "parquet", sql)
    assert (columns, rows) == expected
    assert manifest.complete


def test_a_query_waits_for_an_export_in_progress(coded: Path) -> None:
    target = ParquetTarget.of(coded / "parquet")
    finished = read_manifest(target)
    assert finished is not None
    busy = finished.model_copy(update={"generation": finished.generation + 1, "complete": False})
    done = busy.model_copy(update={"complete": True})
    write_manifest(target, busy)
    timer = threading.Timer(0.6, write_manifest, (target, done))
    clock = time.monotonic()
    timer.start()
    _, rows, manifest = query_parquet_copy(coded / "parquet", "SELECT count(*) FROM articles", timeout=10)
    timer.join()
    assert time.monotonic() - clock >= 0.5
    assert manifest.generation == done.generation and rows == [(5,)]


def test_an_interrupted_export_gives_a_clear_message(coded: Path) -> None:
    target = ParquetTarget.of(coded / "parquet")
    finished = read_manifest(target)
    assert finished is not None
    write_manifest(target, finished.model_copy(update={"complete": False}))
    with pytest.raises(WarehouseInUseError, match="being rewritten, or an export was interrupted"):
        query_parquet_copy(coded / "parquet", "SELECT 1", timeout=0.3)


def test_no_copy_gives_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(WarehouseInUseError, match="has no manifest to answer from"):
        query_parquet_copy(tmp_path / "parquet", "SELECT 1", timeout=0.3)

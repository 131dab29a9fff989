"""The Parquet copy: incremental (only changed partitions are written), self-repairing (whatever a killed export or
a hand left behind is put right by the next export), and written through pyarrow.fs to any filesystem."""

from __future__ import annotations

import shutil
from pathlib import Path

import fsspec
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest

from tests.flows.snapshots import parquet_differences
from warehouse.parquet import EXPORTED, export_all
from warehouse.parquet_manifest import MANIFEST_NAME, ParquetTarget, partition_file, read_manifest
from warehouse.store import Warehouse


@pytest.fixture()
def coded(seed_warehouse: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    shutil.copytree(seed_warehouse, directory)
    return directory


def partition_count(directory: Path) -> int:
    manifest = read_manifest(ParquetTarget.of(directory / "parquet"))
    assert manifest is not None
    return sum(len(t.partitions) for t in manifest.tables.values())


def test_the_run_leaves_a_complete_copy_with_the_lookups(coded: Path) -> None:
    assert parquet_differences(coded) == []
    assert (coded / "parquet" / "cameo_codes" / "part-0.parquet").is_file()


def test_only_changed_partitions_are_written(coded: Path) -> None:
    root = coded / "parquet"
    files = {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")}
    with Warehouse.open(coded) as wh:
        unchanged = export_all(wh, root)
        assert (unchanged.written, unchanged.removed, unchanged.kept) == (0, 0, partition_count(coded))
        assert {p: p.stat().st_mtime_ns for p in root.rglob("*.parquet")} == files
        _, rows = wh.query("SELECT article_id, year(published_date), month(published_date) FROM articles LIMIT 1")
        article_id, year, month = rows[0]
        wh.con.execute("UPDATE articles SET title = 'A new title' WHERE article_id = ?", [article_id])
        changed = export_all(wh, root)
    assert (changed.written, changed.removed) == (1, 0)
    assert changed.generation == unchanged.generation + 1
    part = root / partition_file("articles", f"year={year:04d}/month={month}")
    titles = pq.read_table(part, filters=[("article_id", "=", article_id)]).column("title").to_pylist()
    assert titles == ["A new title"]
    assert [p for p, mtime in files.items() if p.stat().st_mtime_ns != mtime] == [part]
    assert parquet_differences(coded) == []


def test_a_damaged_copy_is_repaired(coded: Path) -> None:
    root = coded / "parquet"
    victim = sorted((root / "mentions").rglob("part-0.parquet"))[0]
    victim.unlink()
    (victim.parent / ".part-0.parquet.tmp-999").write_bytes(b"half a file")
    stale = root / "articles" / "year=1999" / "month=1" / "part-0.parquet"
    stale.parent.mkdir(parents=True)
    shutil.copy(sorted((root / "articles").rglob("part-0.parquet"))[0], stale)
    assert parquet_differences(coded) != []
    with Warehouse.open(coded) as wh:
        stats = export_all(wh, root)
    assert (stats.written, stats.removed) == (1, 1)
    assert not (root / "articles" / "year=1999").exists()
    assert parquet_differences(coded) == []


def test_a_manifest_that_cannot_be_read_is_not_trusted(coded: Path) -> None:
    root = coded / "parquet"
    (root / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    with Warehouse.open(coded) as wh:
        stats = export_all(wh, root)
    assert stats.written == partition_count(coded) and stats.kept == 0
    assert parquet_differences(coded) == []


def test_export_to_a_file_uri(coded: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    with Warehouse.open_read_only(coded) as wh:
        export_all(wh, ParquetTarget.of(out.as_uri()))
        expected = wh.query("SELECT * FROM events ORDER BY ALL")[1]
    events = pq.ParquetDataset(out / "events").read().drop_columns(["year", "month"])
    assert sorted((tuple(r.values()) for r in events.to_pylist()), key=repr) == sorted(expected, key=repr)


def test_export_to_an_object_store_writes_each_key_once(coded: Path) -> None:
    """fsspec's in-memory filesystem stands in for S3/GCS: no directories, no renames, every write a whole object."""
    memory = fsspec.filesystem("memory")
    memory.store.clear()
    fs = pafs.PyFileSystem(pafs.FSSpecHandler(memory))
    target = ParquetTarget(fs, "/bucket/eventcoder")
    assert target.local_root is None
    with Warehouse.open_read_only(coded) as wh:
        stats = export_all(wh, target)
        assert stats.written == partition_count(coded)
        for name in EXPORTED:
            expected = wh.query(f'SELECT * FROM "{name}" ORDER BY ALL')[1]
            keys = [f for f in target.files(name)]
            rows = [
                tuple(r.values()) for key in keys for r in pq.read_table(target.path(key), filesystem=fs).to_pylist()
            ]
            assert sorted(rows, key=repr) == sorted(expected, key=repr), name
        assert not any(".tmp-" in key for key in target.files())
        assert export_all(wh, target).written == 0
    manifest = read_manifest(target)
    assert manifest is not None and manifest.complete

"""Where the Parquet copy lives (a local directory or an object-store prefix, through pyarrow.fs) and its manifest.

The manifest (`_manifest.json` at the root of the copy) records, for every table, its columns and, for every
partition file, the row count and fingerprint of the rows it holds. It is the only thing that vouches for a file:
the export drops a partition's entry (and marks the copy incomplete) before touching its file, and writes the
complete manifest only after every file is in place. So a run killed at any point of an export leaves a manifest
that never claims a file it may have half-updated, and the next export rewrites exactly those. Readers compare
the manifest's `generation` before and after a query to know they read one consistent export (warehouse/snapshot.py).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, ValidationError

from warehouse.crashpoints import crash_point

MANIFEST_NAME = "_manifest.json"
PART_NAME = "part-0.parquet"
TEMP_MARK = ".tmp-"


class PartitionEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rows: int
    fingerprint: str  # sum of DuckDB's hash() of every row, as text (it is a HUGEINT)


class TableEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    columns: list[tuple[str, str]]  # (name, DuckDB type): a reader can give an empty table its shape
    partitions: dict[str, PartitionEntry] = {}  # "year=2017/month=4", or "" for an unpartitioned lookup


class Manifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int = 1
    generation: int = 0  # +1 every time an export starts changing files
    complete: bool = False  # false from the first file touched until the last one is in place
    updated_at: dt.datetime | None = None  # when the files last changed
    verified_at: dt.datetime | None = None  # when an export last found them equal to the warehouse
    tables: dict[str, TableEntry] = {}


def partition_file(table: str, partition: str) -> str:
    """The path of a partition's file relative to the root of the copy."""
    return f"{table}/{partition}/{PART_NAME}" if partition else f"{table}/{PART_NAME}"


@dataclass(frozen=True)
class ParquetTarget:
    """A filesystem (pyarrow.fs) and the root path of the Parquet copy on it."""

    fs: pafs.FileSystem
    root: str

    @classmethod
    def of(cls, where: Path | str) -> ParquetTarget:
        """A local directory, or a URI pyarrow resolves: file:///abs/dir, s3://bucket/prefix?region=eu-west-1,
        gs://bucket/prefix (credentials come from the environment, as pyarrow reads them)."""
        if isinstance(where, Path) or "://" not in where:
            return cls(pafs.LocalFileSystem(), str(Path(where).resolve()))
        fs, root = pafs.FileSystem.from_uri(where)
        return cls(fs, root.rstrip("/"))

    @property
    def local_root(self) -> Path | None:
        """The copy's directory when it is on the local disk (DuckDB can then read it), else None."""
        return Path(self.root) if isinstance(self.fs, pafs.LocalFileSystem) else None

    def path(self, relative: str) -> str:
        return f"{self.root}/{relative}" if relative else self.root

    def files(self, relative: str = "") -> list[str]:
        """Every file under `relative`, as paths relative to the root."""
        selector = pafs.FileSelector(self.path(relative), recursive=True, allow_not_found=True)
        prefix = self.root + "/"
        return sorted(
            info.path[len(prefix) :] if info.path.startswith(prefix) else info.path
            for info in self.fs.get_file_info(selector)
            if info.type == pafs.FileType.File
        )

    def write_table(self, relative: str, table: pa.Table) -> None:
        """Write a Parquet file so that no reader ever sees part of it: on a local disk to a temporary name in the
        same directory, then renamed over the old file (atomic on POSIX); on an object store straight to its key
        (a PUT replaces an object atomically; a rename there would be a copy)."""
        final = self.path(relative)
        self.fs.create_dir(final.rsplit("/", 1)[0], recursive=True)
        if self.local_root is None:
            pq.write_table(table, final, filesystem=self.fs, compression="zstd")
            return
        temp = _temp_name(final)
        pq.write_table(table, temp, filesystem=self.fs, compression="zstd")
        crash_point("export-temp-written")
        self.fs.move(temp, final)

    def write_text(self, relative: str, text: str) -> None:
        final = self.path(relative)
        self.fs.create_dir(self.root, recursive=True)
        target = final if self.local_root is None else _temp_name(final)
        with self.fs.open_output_stream(target) as out:
            out.write(text.encode("utf-8"))
        if target != final:
            self.fs.move(target, final)

    def read_text(self, relative: str) -> str | None:
        try:
            with self.fs.open_input_stream(self.path(relative)) as stream:
                return bytes(stream.read()).decode("utf-8")
        except FileNotFoundError:
            return None

    def delete_dir(self, relative: str) -> None:
        if self.fs.get_file_info(self.path(relative)).type != pafs.FileType.NotFound:
            self.fs.delete_dir(self.path(relative))

    def delete_file(self, relative: str) -> None:
        if self.fs.get_file_info(self.path(relative)).type != pafs.FileType.NotFound:
            self.fs.delete_file(self.path(relative))


def _temp_name(final: str) -> str:
    """A hidden name beside the final one: dataset readers (pyarrow, Spark) skip names starting with a dot, so a
    temporary file a killed export leaves behind never breaks a read of the directory."""
    directory, _, name = final.rpartition("/")
    return f"{directory}/.{name}{TEMP_MARK}{os.getpid()}"


def read_manifest(target: ParquetTarget) -> Manifest | None:
    """The manifest, or None when there is none (no export yet) or it cannot be read (then nothing is trusted)."""
    text = target.read_text(MANIFEST_NAME)
    if text is None:
        return None
    try:
        return Manifest.model_validate_json(text)
    except ValidationError:
        return None


def write_manifest(target: ParquetTarget, manifest: Manifest) -> None:
    target.write_text(MANIFEST_NAME, manifest.model_dump_json())

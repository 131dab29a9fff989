"""`export_release` on the seed warehouse: a release that Frictionless accepts, whose CSV keeps codes as text,
whose Parquet reads back the same in pyarrow and DuckDB and equals the warehouse, whose checksums verify, whose
codebook follows the field list, and which is the same every time."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import gzip
import hashlib
import io
import json
import shutil
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import duckdb
import frictionless
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from pydantic import Field, create_model

from schema.errors import ReleaseError, ReleaseExistsError, WarehouseMissingError
from schema.ontology import Ontology
from schema.records import Event, Run
from warehouse.columns import EVENT_DOCS, RELEASED_TABLES, ReleasedTable, column_specs
from warehouse.release import Release, export_release
from warehouse.store import Warehouse

# What the Table Schema spec calls the Arrow types the records use.
TABLE_SCHEMA_TYPES = {
    pa.string(): "string",
    pa.int64(): "integer",
    pa.float64(): "number",
    pa.bool_(): "boolean",
    pa.date32(): "date",
    pa.timestamp("us", tz="UTC"): "datetime",
}


@pytest.fixture(scope="module")
def release(seed_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Release:
    return export_release(seed_warehouse, tmp_path_factory.mktemp("release"))


def warehouse_rows(directory: Path, table: ReleasedTable) -> list[dict[str, Any]]:
    columns = ", ".join(f'"{c}"' for c in table.schema.names)
    order = ", ".join(table.key)
    with Warehouse.open_read_only(directory) as wh:
        return list(wh.arrow(f'SELECT {columns} FROM "{table.name}" ORDER BY {order}').to_pylist())


def by_key(rows: list[dict[str, Any]], table: ReleasedTable) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: tuple(r[k] for k in table.key))


def csv_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_frictionless_accepts_the_package(release: Release, seed_warehouse: Path) -> None:
    report = frictionless.validate(release.path / "datapackage.json")
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])
    assert not report.warnings
    rows = {task.name: task.stats["rows"] for task in report.tasks}
    assert rows == {t.name: len(warehouse_rows(seed_warehouse, t)) for t in RELEASED_TABLES}
    assert rows["events"] > 0 and rows["mentions"] > rows["events"] / 2


def test_frictionless_command_line_accepts_the_package(release: Release) -> None:
    command = Path(sys.executable).parent / "frictionless"
    done = subprocess.run(
        [str(command), "validate", "datapackage.json"], cwd=release.path, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VALID" in done.stdout and "INVALID" not in done.stdout


def test_csv_keeps_the_leading_zeros_of_codes(release: Release, seed_warehouse: Path) -> None:
    for name in ("events", "mentions"):
        table = next(t for t in RELEASED_TABLES if t.name == name)
        stored = warehouse_rows(seed_warehouse, table)
        zero_codes = {r["event_code"] for r in stored if r["event_code"].startswith("0")}
        assert zero_codes, "the seed warehouse should hold codes with a leading zero"
        raw = gzip.decompress((release.path / f"{name}.csv.gz").read_bytes()).decode("utf-8")
        for code in zero_codes:
            assert f",{code}," in raw
        written = csv_rows(release.path / f"{name}.csv.gz")
        assert [r["event_code"] for r in written] == [r["event_code"] for r in stored]
        assert [r["root_code"] for r in written] == [r["root_code"] for r in stored]


def test_csv_read_through_the_datapackage_schema_equals_the_warehouse(release: Release, seed_warehouse: Path) -> None:
    package = frictionless.Package(release.path / "datapackage.json")
    for table in RELEASED_TABLES:
        resource = package.get_resource(table.name)
        assert isinstance(resource, frictionless.resources.TableResource)
        typed = [row.to_dict() for row in resource.read_rows()]
        for row in typed:
            for key, value in row.items():
                if isinstance(value, decimal.Decimal):
                    row[key] = float(value)
        assert typed == warehouse_rows(seed_warehouse, table)
        assert all(isinstance(r[table.key[0]], str) for r in typed)


def _parquet_root(release: Release, table: ReleasedTable) -> Path:
    return release.path / "parquet" / table.name


def _read_with_pyarrow(release: Release, table: ReleasedTable) -> list[dict[str, Any]]:
    partitioning = "hive" if table.partition_column else None
    data = ds.dataset(_parquet_root(release, table), format="parquet", partitioning=partitioning).to_table()
    rows = data.to_pylist()
    if table.partition_column:
        _check_partitions(rows, table.partition_column)
    return by_key(rows, table)


def _read_with_duckdb(release: Release, table: ReleasedTable) -> list[dict[str, Any]]:
    depth = "*/*/*.parquet" if table.partition_column else "*.parquet"
    con = duckdb.connect()
    cursor = con.execute(
        "SELECT * FROM read_parquet(?, hive_partitioning = true)", [f"{_parquet_root(release, table)}/{depth}"]
    )
    names = [d[0] for d in cursor.description or []]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    con.close()
    if table.partition_column:
        _check_partitions(rows, table.partition_column)
    return by_key(rows, table)


def _check_partitions(rows: list[dict[str, Any]], date_column: str) -> None:
    """year and month come back as integers (null without a date) and agree with the date; then drop them."""
    for row in rows:
        year, month, date = row.pop("year"), row.pop("month"), row[date_column]
        assert (year, month) == ((date.year, date.month) if date else (None, None))


def test_parquet_reads_the_same_in_pyarrow_and_duckdb_and_equals_the_warehouse(
    release: Release, seed_warehouse: Path
) -> None:
    for table in RELEASED_TABLES:
        stored = warehouse_rows(seed_warehouse, table)
        assert stored
        assert _read_with_pyarrow(release, table) == stored
        assert _read_with_duckdb(release, table) == stored


def test_parquet_files_carry_the_records_arrow_schema(release: Release) -> None:
    for table in RELEASED_TABLES:
        files = sorted(_parquet_root(release, table).rglob("*.parquet"))
        assert files
        for path in files:
            assert pq.read_schema(path).equals(table.schema, check_metadata=False), path


def test_rows_without_a_date_go_to_the_default_partition(seed_warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse"
    shutil.copytree(seed_warehouse, copy)
    with Warehouse.open(copy) as wh:
        undated = wh.query("SELECT event_id FROM events ORDER BY event_id LIMIT 2")[1]
        assert undated
        wh.con.execute("UPDATE events SET event_date = NULL WHERE event_id IN (?, ?)", [undated[0][0], undated[-1][0]])
        wh.con.execute("UPDATE mentions SET event_date = NULL WHERE event_id = ?", [undated[0][0]])
    out = export_release(copy, tmp_path / "out")
    events = next(t for t in RELEASED_TABLES if t.name == "events")
    assert (out.path / "parquet/events/year=__HIVE_DEFAULT_PARTITION__/month=__HIVE_DEFAULT_PARTITION__").is_dir()
    stored = warehouse_rows(copy, events)
    assert sum(r["event_date"] is None for r in stored) == len({u[0] for u in undated})
    assert _read_with_pyarrow(out, events) == stored
    assert _read_with_duckdb(out, events) == stored
    assert out.info.undated_events == len({u[0] for u in undated})
    assert frictionless.validate(out.path / "datapackage.json").valid


def test_checksums_verify(release: Release) -> None:
    listed = {}
    for line in (release.path / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    on_disk = {p.relative_to(release.path).as_posix() for p in release.path.rglob("*") if p.is_file()}
    assert set(listed) == on_disk - {"SHA256SUMS"}
    assert set(release.files) == on_disk
    for name, digest in listed.items():
        assert hashlib.sha256((release.path / name).read_bytes()).hexdigest() == digest, name
    package = json.loads((release.path / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        content = (release.path / resource["path"]).read_bytes()
        assert resource["hash"] == f"sha256:{hashlib.sha256(content).hexdigest()}"
        assert resource["bytes"] == len(content)
    if shutil.which("sha256sum"):
        done = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=release.path, capture_output=True)
        assert done.returncode == 0, done.stdout + done.stderr


def _sections(codebook: str) -> dict[str, str]:
    parts = codebook.split("\n## ")
    return {part.split("\n", 1)[0].strip("`# "): part for part in parts[1:]}


def test_codebook_and_datapackage_follow_the_arrow_schema(release: Release) -> None:
    sections = _sections((release.path / "CODEBOOK.md").read_text(encoding="utf-8"))
    package = json.loads((release.path / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in package["resources"]}
    for table in RELEASED_TABLES:
        schema, hints = table.schema, typing.get_type_hints(table.model)
        documented = [line.split("`")[1] for line in sections[table.name].splitlines() if line.startswith("| `")]
        assert documented == schema.names
        fields = resources[table.name]["schema"]["fields"]
        assert [f["name"] for f in fields] == schema.names
        assert resources[table.name]["schema"]["primaryKey"] == list(table.key)
        with gzip.open(release.path / resources[table.name]["path"], "rt", encoding="utf-8", newline="") as f:
            assert next(csv.reader(f)) == schema.names
        for arrow_field, field in zip(schema, fields, strict=True):
            assert field["type"] == TABLE_SCHEMA_TYPES[arrow_field.type], arrow_field.name
            assert field.get("constraints", {}).get("required", False) == (not arrow_field.nullable)
            literal = [
                a for a in (hints[arrow_field.name], *get_args(hints[arrow_field.name])) if get_origin(a) is Literal
            ]
            if literal:
                values = [str(v) for v in get_args(literal[0])]
                assert field["constraints"]["enum"] == values
                row = next(
                    line for line in sections[table.name].splitlines() if line.startswith(f"| `{field['name']}`")
                )
                assert all(f"`{v}`" in row for v in values)
            if arrow_field.name.endswith("_code") and arrow_field.type == pa.string():
                assert field["constraints"]["pattern"], f"{table.name}.{arrow_field.name} is a code without a pattern"


def test_every_released_column_has_exactly_one_codebook_entry() -> None:
    for table in RELEASED_TABLES:
        assert set(table.docs) == set(table.model.model_fields), table.name
        specs = column_specs(table)
        assert [s.name for s in specs] == table.schema.names
        assert all(s.meaning and s.provenance for s in specs)


def test_a_column_without_a_codebook_entry_is_refused() -> None:
    grown = create_model("GrownEvent", __base__=Event, tone=(float, Field(description="Tone of the reports.")))
    with pytest.raises(ReleaseError, match="tone"):
        column_specs(ReleasedTable("events", grown, ("event_id",), "Events.", EVENT_DOCS, "event_date"))


def test_same_warehouse_gives_the_same_version_and_identical_files(
    release: Release, seed_warehouse: Path, tmp_path: Path
) -> None:
    again = export_release(seed_warehouse, tmp_path)
    assert again.info.version == release.info.version and again.path.name == release.path.name
    assert again.files == release.files
    for name in release.files:
        assert (again.path / name).read_bytes() == (release.path / name).read_bytes(), name


def test_version_is_the_latest_run_date_and_a_data_hash(release: Release, seed_warehouse: Path) -> None:
    with Warehouse.open_read_only(seed_warehouse) as wh:
        finished = wh.query("SELECT max(finished_at) FROM runs WHERE status = 'completed'")[1][0][0]
    day, digest = release.info.version[:10], release.info.version[11:]
    assert day == finished.astimezone(dt.UTC).date().isoformat()
    assert len(digest) == 10 and int(digest, 16) >= 0
    assert release.path.name == f"eventcoder-{release.info.version}"
    assert (
        json.loads((release.path / "datapackage.json").read_text(encoding="utf-8"))["version"] == release.info.version
    )
    readme = (release.path / "README.md").read_text(encoding="utf-8")
    assert release.info.version in readme and f"{release.info.rows['events']} events" in readme


def test_an_existing_release_is_refused_then_replaced(release: Release, seed_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = export_release(seed_warehouse, out)
    with pytest.raises(ReleaseExistsError, match="--replace"):
        export_release(seed_warehouse, out)
    replaced = export_release(seed_warehouse, out, replace=True)
    assert replaced.path == first.path
    assert [p.name for p in out.iterdir()] == [first.path.name]  # no build or old directories left behind
    assert replaced.files == release.files


def test_a_warehouse_with_no_finished_run_fails_clearly(tmp_path: Path) -> None:
    Warehouse.open(tmp_path / "empty").close()
    with pytest.raises(ReleaseError, match="no finished run") as caught:
        export_release(tmp_path / "empty", tmp_path / "out")
    assert "eventcoder run" in str(caught.value)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    with pytest.raises(WarehouseMissingError):
        export_release(tmp_path / "nowhere", tmp_path / "out")


def test_a_finished_run_that_coded_nothing_exports_an_empty_release(ontology: Ontology, tmp_path: Path) -> None:
    now = dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC)
    with Warehouse.open(tmp_path / "wh") as wh:
        wh.load_ontology(ontology)
        wh.record_run(
            Run(
                run_id="r1",
                started_at=now,
                finished_at=now,
                status="completed",
                code_version="test",
                ontology_version="test",
                counts="{}",
                inputs="[]",
            )
        )
    empty = export_release(tmp_path / "wh", tmp_path / "out")
    assert empty.info.version.startswith("2026-11-02-")
    assert empty.info.rows["events"] == empty.info.rows["mentions"] == 0
    assert frictionless.validate(empty.path / "datapackage.json").valid
    # With no dated row there is no partition value to infer the partition types from: name them, as the
    # codebook says.
    partitioning = ds.partitioning(pa.schema([("year", pa.int32()), ("month", pa.int32())]), flavor="hive")
    for table in RELEASED_TABLES:
        root = _parquet_root(empty, table)
        found = ds.dataset(root, format="parquet", partitioning=partitioning if table.partition_column else None)
        assert found.schema.names[: len(table.schema)] == table.schema.names
        assert found.to_table().num_rows == len(_read_with_duckdb(empty, table)) == empty.info.rows[table.name]
    text = io.StringIO(gzip.decompress((empty.path / "events.csv.gz").read_bytes()).decode("utf-8"))
    assert list(csv.reader(text)) == [next(t for t in RELEASED_TABLES if t.name == "events").schema.names]

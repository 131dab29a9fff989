"""The CLI wraps the library: commands work, errors are one line with exit code 2, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app, format_table

runner = CliRunner()


@pytest.fixture(scope="module")
def coded_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import SEEDS

    warehouse = tmp_path_factory.mktemp("cli") / "data"
    result = runner.invoke(app, ["run", str(SEEDS), "--warehouse", str(warehouse), "--plain"])
    assert result.exit_code == 0, result.output
    assert "5 articles" in result.output
    assert "eventcoder sql" in result.output
    return warehouse


@pytest.mark.parametrize("command", [[], ["run"], ["sql"], ["export"]])
def test_help_everywhere(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_sql_table_csv_json(coded_warehouse: Path) -> None:
    query = "SELECT count(*) AS n FROM articles"
    table = runner.invoke(app, ["sql", query, "--warehouse", str(coded_warehouse)])
    assert table.exit_code == 0 and "n" in table.output and "5" in table.output and "(1 row)" in table.output
    as_csv = runner.invoke(app, ["sql", query, "-w", str(coded_warehouse), "--format", "csv"])
    assert as_csv.output.splitlines() == ["n", "5"]
    as_json = runner.invoke(app, ["sql", "SELECT '036' AS code", "-w", str(coded_warehouse), "-f", "json"])
    assert json.loads(as_json.output) == {"code": "036"}


def test_first_query_printed_by_run_works(coded_warehouse: Path) -> None:
    from flows.cli import FIRST_QUERY

    result = runner.invoke(app, ["sql", FIRST_QUERY, "-w", str(coded_warehouse)])
    assert result.exit_code == 0, result.output
    assert "event_code" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "/no/such/dir", "--plain"], "does not exist"),
        (["sql", "SELECT 1", "--warehouse", "/no/such/warehouse"], "no warehouse at"),
        (["export", "--warehouse", "/no/such/warehouse", "--out", "/no/such/release"], "no warehouse at"),
    ],
)
def test_user_errors_are_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_export_writes_a_release_and_refuses_to_overwrite_it(coded_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "release"
    args = ["export", "--warehouse", str(coded_warehouse), "--out", str(out)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    (release,) = out.iterdir()
    assert release.name.startswith("eventcoder-") and release.name in first.output
    assert {"datapackage.json", "CODEBOOK.md", "SHA256SUMS", "events.csv.gz", "mentions.csv.gz"} <= {
        p.name for p in release.iterdir()
    }
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "already exists" in again.output and "--replace" in again.output
    assert len(again.output.strip().splitlines()) == 1
    replaced = runner.invoke(app, [*args, "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert [p.name for p in out.iterdir()] == [release.name]


def test_bad_sql_is_one_line(coded_warehouse: Path) -> None:
    result = runner.invoke(app, ["sql", "SELEC nonsense", "-w", str(coded_warehouse)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "syntax error" in result.output.lower()


def test_format_table_cuts_long_cells() -> None:
    text = format_table(["a", "b"], [("x" * 100, None)], max_width=10)
    assert "xxxxxxxxx…" in text and "NULL" in text and text.endswith("(1 row)")

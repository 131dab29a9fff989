"""Concurrency with real processes: one writer at a time (DuckDB's file lock), a second run fails at once with a
clear message or waits (--wait), and `eventcoder sql` during a run answers from the Parquet copy, one finished
export's state, with a note saying so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows.pipeline import run_pipeline
from schema.config import PROJECT_ROOT, PipelineConfig
from tests.conftest import SEEDS
from tests.flows.snapshots import run_statuses, table_rows
from warehouse.crashpoints import ENV_VAR
from warehouse.snapshot import query_warehouse

CLI = [sys.executable, "-m", "flows.cli"]
HOLD = (
    "import sys; from pathlib import Path; from warehouse.store import Warehouse\n"
    "wh = Warehouse.open(Path(sys.argv[1])); print('holding', flush=True); sys.stdin.read(); wh.close()\n"
)
COUNTS = (
    "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM sentences), (SELECT count(*) FROM mentions), "
    "(SELECT count(*) FROM events)"
)
ENV = {k: v for k, v in os.environ.items() if k != ENV_VAR}


@pytest.fixture()
def coded(seed_warehouse: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "data"
    shutil.copytree(seed_warehouse, directory)
    return directory


@contextmanager
def writer_holding(directory: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process with the warehouse open for writing, until the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(directory)],
        cwd=PROJECT_ROOT,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    assert holder.stdout.readline().strip() == "holding"
    try:
        yield holder
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


def cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, *args], cwd=PROJECT_ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for_line(process: subprocess.Popen[str], text: str) -> None:
    assert process.stderr is not None
    for line in process.stderr:
        if text in line:
            return
    pytest.fail(f"the process ended without saying {text!r}")


def test_a_second_run_fails_at_once_with_a_clear_message(coded: Path) -> None:
    with writer_holding(coded) as holder:
        clock = time.monotonic()
        second = cli("run", str(SEEDS), "--warehouse", str(coded), "--plain")
        _, err = second.communicate(timeout=120)
    assert second.returncode == 2
    assert f"is in use by another eventcoder run or reader (process {holder.pid})" in err
    assert "--wait SECONDS" in err and len(err.strip().splitlines()) == 1
    assert time.monotonic() - clock < 60
    assert run_statuses(coded) == ["completed"]


def test_a_second_run_with_wait_runs_when_the_first_is_done(coded: Path) -> None:
    with writer_holding(coded) as holder:
        second = cli("run", str(SEEDS), "--warehouse", str(coded), "--plain", "--wait", "120")
        wait_for_line(second, f"is in use by process {holder.pid}; waiting up to 120 s")
    second.communicate(timeout=120)
    assert second.returncode == 0
    assert run_statuses(coded) == ["completed", "completed"]


def test_sql_while_a_run_writes_answers_from_the_parquet_copy(coded: Path) -> None:
    query = "SELECT event_code, count(*) FROM events GROUP BY ALL ORDER BY ALL"
    direct, note = cli("sql", query, "--warehouse", str(coded)).communicate(timeout=60)
    assert note == ""
    with writer_holding(coded) as holder:
        from_copy, note = cli("sql", query, "--warehouse", str(coded)).communicate(timeout=60)
        assert from_copy == direct
        assert f"note: the warehouse is being written by another eventcoder process ({holder.pid})" in note
        assert "Parquet copy" in note and "--wait SECONDS" in note
        waiting = cli("sql", query, "--warehouse", str(coded), "--wait", "60")
        wait_for_line(waiting, "waiting up to 60 s")
    after, note = waiting.communicate(timeout=60)
    assert after == direct and "note:" not in note


def test_two_runs_at_once_one_waits_and_both_complete(seed_warehouse: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    runs = [cli("run", str(SEEDS), "--warehouse", str(shared), "--plain", "--wait", "120") for _ in range(2)]
    for run in runs:
        _, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
    assert run_statuses(shared) == ["completed", "completed"]
    assert table_rows(shared) == table_rows(seed_warehouse)  # coded from the same seeds by one run


def test_queries_during_a_real_run_see_one_whole_state(tmp_path: Path) -> None:
    """Polled while a real run codes five articles into a warehouse holding two: every answer is the state before
    the run or after it, from the warehouse itself or from the copy, never a mix of the two."""
    warehouse = tmp_path / "data"
    seeds = sorted(SEEDS.glob("*.txt"))
    run_pipeline(PipelineConfig(inputs=tuple(seeds[:2]), warehouse=warehouse))
    before = query_warehouse(warehouse, COUNTS).rows
    # A reader that has the file open at the moment the run opens it would make the run fail: it waits instead.
    run = cli("run", *map(str, seeds), "--warehouse", str(warehouse), "--plain", "--batch-size", "1", "--wait", "60")
    answers: list[tuple[object, bool]] = []
    while run.poll() is None:
        answer = query_warehouse(warehouse, COUNTS)
        answers.append((answer.rows[0], answer.note is not None))
        time.sleep(0.2)
    _, err = run.communicate()
    assert run.returncode == 0, err
    after = query_warehouse(warehouse, COUNTS).rows
    assert before != after
    assert {rows for rows, _ in answers} <= {before[0], after[0]}
    assert any(from_copy for _, from_copy in answers), "no query ran while the run held the warehouse"

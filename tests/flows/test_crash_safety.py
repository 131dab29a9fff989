"""Crash safety: a run killed with SIGKILL at any point, run again, ends with exactly the data of a clean run.

The killed runs are real `eventcoder run --plain` processes over the gold and seed articles (with a broken JSON line
and an empty file among them) in batches of five. Four kill themselves at named points (warehouse/crashpoints.py:
inside a batch's open transaction, just after a batch committed, with a Parquet partition half-exported, after the
export but before the run is marked completed) and one is killed from outside the moment it logs a batch. They are
chained on one warehouse, as on a machine that keeps crashing; after each kill the warehouse is opened and checked,
and a last run to completion must leave every table and the Parquet copy equal to those of a clean run.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from flows.pipeline import run_pipeline
from schema.config import PROJECT_ROOT, PipelineConfig
from tests.flows.snapshots import parquet_differences, run_statuses, seed_and_gold_corpus, table_rows
from warehouse.crashpoints import ENV_VAR
from warehouse.parquet_manifest import ParquetTarget, read_manifest

BATCH = 5


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """26 articles and 2 bad records: six batches of five."""
    bad = {"broken.jsonl": '{"text": "Japan met China."}\n{oops\n', "empty.txt": ""}
    return seed_and_gold_corpus(tmp_path_factory.mktemp("corpus"), 20, bad)


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("clean")
    run_pipeline(PipelineConfig(inputs=(corpus,), warehouse=directory, articles_per_batch=BATCH))
    return directory


def start_run(corpus: Path, warehouse: Path, crash_at: str | None = None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR} | ({ENV_VAR: crash_at} if crash_at else {})
    command = [sys.executable, "-m", "flows.cli", "run", str(corpus), "--warehouse", str(warehouse)]
    return subprocess.Popen(
        [*command, "--batch-size", str(BATCH), "--plain", "--verbose"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_itself_at(corpus: Path, warehouse: Path, point: str) -> None:
    run = start_run(corpus, warehouse, point)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == -signal.SIGKILL, stderr
    assert f"{ENV_VAR}={point}: killing this process" in stderr


def kill_after_log_line(corpus: Path, warehouse: Path, pattern: str) -> None:
    run = start_run(corpus, warehouse)
    assert run.stderr is not None
    for line in run.stderr:
        if re.match(pattern, line):
            run.send_signal(signal.SIGKILL)
            break
    run.wait(timeout=120)
    assert run.returncode == -signal.SIGKILL, f"the run ended before logging {pattern!r}"


def test_a_run_killed_at_any_point_then_run_again_equals_a_clean_run(corpus: Path, clean: Path, tmp_path: Path) -> None:
    expected = table_rows(clean)
    assert parquet_differences(clean) == []
    articles = set(expected["articles"])
    warehouse = tmp_path / "data"

    # An earlier, complete run over the seeds alone: its Parquet copy is an older state later exports must replace.
    seeds = tuple(sorted(corpus.glob("0*.txt")))
    run_pipeline(PipelineConfig(inputs=seeds, warehouse=warehouse, articles_per_batch=BATCH))
    earlier = table_rows(warehouse)

    # Killed inside the second batch's transaction: the first batch (the seeds again) is in, nothing of the second.
    kill_itself_at(corpus, warehouse, "batch-uncommitted#2")
    assert table_rows(warehouse) == earlier
    assert run_statuses(warehouse) == ["completed", "running"]

    # Killed just after the third batch committed: three batches are in, each whole, and the last run is marked
    # interrupted by the next one (the lock proves that no writer is alive).
    kill_itself_at(corpus, warehouse, "batch-committed#3")
    stored = set(table_rows(warehouse)["articles"])
    assert stored <= articles and len(stored) > len(earlier["articles"])
    assert run_statuses(warehouse) == ["completed", "interrupted", "running"]

    # Killed from outside as soon as the fourth batch is logged, wherever the run then is.
    kill_after_log_line(corpus, warehouse, r"batch 4\b")
    assert set(table_rows(warehouse)["articles"]) <= articles

    # Killed with the fourth Parquet partition written to its temporary name: every batch is in, the copy is half
    # old, half new, with a temporary file, and its manifest says it is incomplete.
    kill_itself_at(corpus, warehouse, "export-temp-written#4")
    assert table_rows(warehouse) == expected
    problems = parquet_differences(warehouse)
    assert "manifest missing or incomplete" in problems
    assert any(p.startswith("leftover ") for p in problems)
    assert any("reads" in p for p in problems), problems  # rows of the seeds-only export are still there

    # Killed after the export, before the run is marked completed: data and copy are right, the run record is not.
    kill_itself_at(corpus, warehouse, "export-finished")
    assert parquet_differences(warehouse) == []
    assert run_statuses(warehouse)[-1] == "running"

    summary = run_pipeline(PipelineConfig(inputs=(corpus,), warehouse=warehouse, articles_per_batch=BATCH))
    assert table_rows(warehouse) == expected
    assert parquet_differences(warehouse) == []
    assert run_statuses(warehouse) == ["completed", *["interrupted"] * 5, "completed"]
    manifest = read_manifest(ParquetTarget.of(warehouse / "parquet"))
    assert manifest is not None and manifest.complete
    assert summary.totals["articles"] == len(articles)

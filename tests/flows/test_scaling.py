"""Scaling out: batches coded on two worker processes (a process pool in the plain pipeline, a local Dask cluster
under the Prefect flow) give exactly the tables of one process coding them one after another."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.prefect_settings import apply_offline_defaults

apply_offline_defaults()

from prefect.testing.utilities import prefect_test_harness  # noqa: E402

from flows.flow import eventcoder_flow  # noqa: E402
from flows.parallel import in_order  # noqa: E402
from flows.pipeline import run_pipeline  # noqa: E402
from schema.config import PipelineConfig  # noqa: E402
from tests.flows.snapshots import parquet_differences, seed_and_gold_corpus, table_rows  # noqa: E402

BATCH = 3


class Done:
    """A future that is already resolved, recording when its result is taken."""

    def __init__(self, value: int, taken: list[int]) -> None:
        self.value, self.taken = value, taken

    def result(self) -> int:
        self.taken.append(self.value)
        return self.value


def test_in_order_keeps_workers_busy_and_the_input_order() -> None:
    submitted: list[int] = []
    taken: list[int] = []

    def submit(batch: int) -> Done:
        submitted.append(batch)
        return Done(batch * 10, taken)

    out = []
    for batch, result in in_order(submit, range(6), workers=2):
        # While a batch is handed out to be written, the two after it are already submitted.
        assert len(submitted) == min(batch + 3, 6)
        out.append((batch, result))
    assert out == [(b, b * 10) for b in range(6)] and taken == [b * 10 for b in range(6)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five seed articles, seven gold ones and a broken record: five batches of three."""
    return seed_and_gold_corpus(tmp_path_factory.mktemp("corpus"), 7, {"broken.jsonl": "{broken\n"})


@pytest.fixture(scope="module")
def serial(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("serial")
    run_pipeline(PipelineConfig(inputs=(corpus,), warehouse=directory, articles_per_batch=BATCH))
    return directory


@pytest.fixture(scope="module")
def harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_plain_pipeline_on_two_worker_processes_codes_like_one(corpus: Path, serial: Path, tmp_path: Path) -> None:
    config = PipelineConfig(inputs=(corpus,), warehouse=tmp_path / "data", articles_per_batch=BATCH, workers=2)
    summary = run_pipeline(config)
    assert summary.rejects == 1 and summary.articles == 12
    assert table_rows(config.warehouse) == table_rows(serial)
    assert parquet_differences(config.warehouse) == []


@pytest.mark.e2e
def test_prefect_flow_on_a_local_dask_cluster_codes_like_one(
    harness: None, corpus: Path, serial: Path, tmp_path: Path
) -> None:
    config = PipelineConfig(inputs=(corpus,), warehouse=tmp_path / "data", articles_per_batch=BATCH, workers=2)
    summary = eventcoder_flow(config)
    assert summary.rejects == 1 and summary.articles == 12
    assert table_rows(config.warehouse) == table_rows(serial)
    assert parquet_differences(config.warehouse) == []

"""The Prefect flow: the plain pipeline loop with each stage run as a coarse task.

Tasks are per batch (hundreds of articles), never per article: a task costs ~5-8 ms of Prefect overhead.
Writes and the final rollup retry on failure; they are transactions, so a retry never leaves half a batch.
"""

from __future__ import annotations

from flows.prefect_settings import apply_offline_defaults

apply_offline_defaults()

import logging  # noqa: E402
from collections.abc import Iterable, Iterator  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402

from flows.artifacts import PrefectProgress  # noqa: E402
from flows.parallel import in_order, worker_config  # noqa: E402
from flows.pipeline import (  # noqa: E402
    BatchResult,
    RunSummary,
    code_documents,
    finalize,
    run_pipeline,
    write_result,
)
from schema.config import PipelineConfig  # noqa: E402
from schema.errors import RecordRejected  # noqa: E402
from schema.records import RawDocument  # noqa: E402
from warehouse.store import Warehouse  # noqa: E402

if TYPE_CHECKING:
    from prefect_dask import DaskTaskRunner


@task(name="code-batch", cache_policy=NO_CACHE)
def code_batch_task(documents: list[RawDocument | RecordRejected], config: PipelineConfig, run_id: str) -> BatchResult:
    return code_documents(documents, config, run_id)


@task(name="write-batch", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_batch_task(warehouse: Warehouse, result: BatchResult, config: PipelineConfig) -> int:
    return write_result(warehouse, result, config)


@task(name="rollup-and-export", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def finalize_task(warehouse: Warehouse, config: PipelineConfig) -> dict[str, int]:
    return finalize(warehouse, config)


def dask_task_runner(config: PipelineConfig) -> DaskTaskRunner:
    """The existing cluster at config.dask_address, or a local one: `workers` processes of one thread each (spaCy
    holds the GIL while it parses, so threads would not code in parallel)."""
    from prefect_dask import DaskTaskRunner  # distributed takes a second to import: only when asked for

    # Dask's own configuration logs every scheduler and nanny event at INFO; the run's log says what matters.
    logging.getLogger("distributed").setLevel(logging.WARNING)

    if config.dask_address:
        return DaskTaskRunner(address=config.dask_address)
    cluster = {
        "n_workers": config.workers,
        "threads_per_worker": 1,
        "processes": True,
        "dashboard_address": None,
    }
    return DaskTaskRunner(cluster_kwargs=cluster)


class PrefectStages:
    """The pipeline's stages as Prefect tasks (called in the flow, so each is a tracked task run)."""

    @staticmethod
    def code_batches(
        batches: Iterable[list[RawDocument | RecordRejected]], config: PipelineConfig, run_id: str
    ) -> Iterator[tuple[list[RawDocument | RecordRejected], BatchResult]]:
        """One code task per batch: run here one after another, or with config.workers > 1 submitted to a Dask
        cluster, `workers` at a time, and taken back in input order (flows/parallel.py)."""
        if config.workers == 1:
            for batch in batches:
                yield batch, code_batch_task(batch, config, run_id)
            return
        on_worker = worker_config(config)
        with dask_task_runner(config) as runner:

            def submit(batch: list[RawDocument | RecordRejected]) -> PrefectFuture[BatchResult]:
                return runner.submit(code_batch_task, {"documents": batch, "config": on_worker, "run_id": run_id})

            yield from in_order(submit, batches, config.workers)

    @staticmethod
    def write(warehouse: Warehouse, result: BatchResult, config: PipelineConfig) -> int:
        return write_batch_task(warehouse, result, config)

    @staticmethod
    def finalize(warehouse: Warehouse, config: PipelineConfig) -> dict[str, int]:
        return finalize_task(warehouse, config)


@flow(name="eventcoder-run", validate_parameters=False)
def eventcoder_flow(config: PipelineConfig) -> RunSummary:
    """Code the configured inputs into the warehouse."""
    # A deployment's run (flows/schedule.py, prefect.yaml) passes the config as its JSON parameters.
    config = PipelineConfig.model_validate(config)
    return run_pipeline(config, PrefectStages(), PrefectProgress())

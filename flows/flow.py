"""The Prefect flow: the plain pipeline loop with each stage run as a coarse task.

Tasks are per batch (hundreds of articles), never per article: a task costs ~5-8 ms of Prefect overhead.
Writes and the final rollup retry on failure; they are transactions, so a retry never leaves half a batch.
"""

from __future__ import annotations

from flows.prefect_settings import apply_offline_defaults

apply_offline_defaults()

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

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


@task(name="code-batch", cache_policy=NO_CACHE)
def code_batch_task(documents: list[RawDocument | RecordRejected], config: PipelineConfig, run_id: str) -> BatchResult:
    return code_documents(documents, config, run_id)


@task(name="write-batch", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def write_batch_task(warehouse: Warehouse, result: BatchResult, config: PipelineConfig) -> int:
    return write_result(warehouse, result, config)


@task(name="rollup-and-export", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def finalize_task(warehouse: Warehouse, config: PipelineConfig) -> dict[str, int]:
    return finalize(warehouse, config)


class PrefectStages:
    """The pipeline's stages as Prefect tasks (called in the flow, so each is a tracked task run)."""

    @staticmethod
    def code(documents: list[RawDocument | RecordRejected], config: PipelineConfig, run_id: str) -> BatchResult:
        return code_batch_task(documents, config, run_id)

    @staticmethod
    def write(warehouse: Warehouse, result: BatchResult, config: PipelineConfig) -> int:
        return write_batch_task(warehouse, result, config)

    @staticmethod
    def finalize(warehouse: Warehouse, config: PipelineConfig) -> dict[str, int]:
        return finalize_task(warehouse, config)


@flow(name="eventcoder-run", validate_parameters=False)
def eventcoder_flow(config: PipelineConfig) -> RunSummary:
    """Code the configured inputs into the warehouse."""
    return run_pipeline(config, PrefectStages())

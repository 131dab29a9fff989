"""Coding batches on several worker processes while this process writes them, one at a time, in input order.

Coding a batch (clean, parse, code) is a pure function of the batch, the config and the run id, so it can run
anywhere; writing is not (near-duplicate verdicts look at what is already stored, and DuckDB has one writer). So
the driver submits up to `workers` batches beyond the one it is writing and takes their results back in input
order: the warehouse sees exactly the sequence of writes of a serial run, and holds at most `workers + 1` batches in
memory. The plain pipeline uses a process pool here; the Prefect flow submits its code task to a Dask cluster
(flows/flow.py) through the same `in_order`.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Protocol, TypeVar

from schema.config import PipelineConfig

Batch = TypeVar("Batch")
Result = TypeVar("Result")
Result_co = TypeVar("Result_co", covariant=True)


class Future(Protocol[Result_co]):
    def result(self) -> Result_co: ...


def in_order(
    submit: Callable[[Batch], Future[Result]], batches: Iterable[Batch], workers: int
) -> Iterator[tuple[Batch, Result]]:
    """Each batch with its result, in input order, keeping `workers` batches in flight while one is consumed."""
    pending: deque[tuple[Batch, Future[Result]]] = deque()
    for batch in batches:
        pending.append((batch, submit(batch)))
        if len(pending) > workers:
            oldest, future = pending.popleft()
            yield oldest, future.result()
    while pending:
        oldest, future = pending.popleft()
        yield oldest, future.result()


def worker_config(config: PipelineConfig) -> PipelineConfig:
    """The config a worker codes with: the parallelism is the workers themselves, so one spaCy process each (a Dask
    worker is a daemon process and may not start spaCy's own)."""
    return config.model_copy(update={"n_process": 1, "workers": 1})


def code_in_processes(
    code: Callable[[Batch, PipelineConfig, str], Result], batches: Iterable[Batch], config: PipelineConfig, run_id: str
) -> Iterator[tuple[Batch, Result]]:
    """`code` over the batches: in this process when config.workers is 1, else on a pool of that many processes.
    The pool starts its processes with `spawn`: forking a process that holds an open DuckDB database and its threads
    is not safe. Each worker loads the spaCy model and the ontology once (a few seconds)."""
    if config.workers == 1:
        for batch in batches:
            yield batch, code(batch, config, run_id)
        return
    on_worker = worker_config(config)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=config.workers, mp_context=context) as pool:
        yield from in_order(lambda batch: pool.submit(code, batch, on_worker, run_id), batches, config.workers)

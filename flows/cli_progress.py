"""The CLI's progress bar: it listens to the run's progress log records (flows/progress.py), so it works the same
whether the run is plain Python or a Prefect flow, without the pipeline knowing a terminal is there."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar

from flows.progress import Progress, log


class BarHandler(logging.Handler):
    """Moves a rich progress bar on each progress record; prints nothing else."""

    def __init__(self, bar: Bar) -> None:
        super().__init__(logging.INFO)
        self.bar = bar
        self.task: TaskID | None = None

    def emit(self, record: logging.LogRecord) -> None:
        progress = getattr(record, "progress", None)
        if not isinstance(progress, Progress):
            return
        if self.task is None:
            self.task = self.bar.add_task("coding", total=max(progress.inputs_total, 1), detail="")
        finished = progress.batch < 0
        done = max(progress.inputs_total, 1) if finished else progress.inputs_done
        self.bar.update(self.task, completed=done, detail=progress.counts())


@contextmanager
def progress_bar(console: Console) -> Iterator[None]:
    """A bar on `console` for the run inside the block; the progress log lines go to it instead of the log."""
    columns = (
        TextColumn("[bold]coding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("inputs"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}"),
    )
    with Bar(*columns, console=console) as bar:
        handler = BarHandler(bar)
        level, propagate = log.level, log.propagate
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
        try:
            yield
        finally:
            log.removeHandler(handler)
            log.setLevel(level)
            log.propagate = propagate

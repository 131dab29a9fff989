"""A run's progress: one snapshot per batch, reported as log lines on the `eventcoder.progress` logger.

Progress is counted in inputs (files and feed URLs) read out of all the run's inputs: documents are read lazily,
batch by batch, so their total is not known before the end. The CLI's progress bar listens to these records (each
carries its snapshot as `record.progress`); the Prefect flow adds artifacts on top (flows/artifacts.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

log = logging.getLogger("eventcoder.progress")


@dataclass(frozen=True)
class Progress:
    run_id: str
    batch: int
    inputs_done: int
    inputs_total: int
    documents: int = 0
    articles: int = 0
    mentions: int = 0
    rejects: int = 0
    skipped: int = 0
    seconds: float = 0.0

    @property
    def percent(self) -> float:
        return 100.0 if self.inputs_total == 0 else 100.0 * self.inputs_done / self.inputs_total

    def counts(self) -> str:
        skipped = f", {self.skipped} already read" if self.skipped else ""
        rejects = "1 reject" if self.rejects == 1 else f"{self.rejects} rejects"
        return f"{self.articles} articles, {self.mentions} mentions, {rejects}{skipped}"

    def line(self) -> str:
        rate = self.articles / self.seconds if self.seconds > 0 else 0.0
        return (
            f"batch {self.batch}: {self.inputs_done}/{self.inputs_total} inputs read ({self.percent:.0f}%), "
            f"{self.documents} documents: {self.counts()}; {self.seconds:.1f} s, {rate:.1f} articles/s"
        )


class ProgressReporter:
    """Log lines at the start, after every batch and at the end (the run's summary). Subclass to report elsewhere
    too, calling these first."""

    def started(self, progress: Progress) -> None:
        log.info("run %s: %d inputs to read", progress.run_id, progress.inputs_total, extra={"progress": progress})

    def advanced(self, progress: Progress) -> None:
        log.info("%s", progress.line(), extra={"progress": progress})

    def finished(self, progress: Progress, report: str) -> None:
        log.info("%s", report, extra={"progress": progress, "report": report})

"""Progress as Prefect artifacts: a progress artifact updated after every batch, and the run's summary as a
markdown artifact at the end, both on the flow run (and under fixed keys, so the Artifacts page keeps the history
of daily runs). Only for a run inside a Prefect flow. The progress lines also go to the flow run's log, which a
scheduled run sends to the Prefect server (its PREFECT_LOGGING_LEVEL is INFO; an interactive run keeps WARNING)."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from flows.prefect_settings import apply_offline_defaults

apply_offline_defaults()

from prefect import get_run_logger  # noqa: E402
from prefect.artifacts import (  # noqa: E402
    create_markdown_artifact,
    create_progress_artifact,
    update_progress_artifact,
)

from flows.progress import Progress, ProgressReporter  # noqa: E402

PROGRESS_KEY = "eventcoder-progress"
SUMMARY_KEY = "eventcoder-run-summary"


class PrefectProgress(ProgressReporter):
    def __init__(self) -> None:
        self.artifact_id: UUID | None = None

    def started(self, progress: Progress) -> None:
        super().started(progress)
        # Prefect's artifact functions answer a coroutine inside an event loop; a flow's body runs outside one.
        self.artifact_id = cast(
            UUID,
            create_progress_artifact(
                progress=0.0,
                key=PROGRESS_KEY,
                description=f"eventcoder run {progress.run_id}: inputs (files and feeds) read",
            ),
        )

    def advanced(self, progress: Progress) -> None:
        super().advanced(progress)
        get_run_logger().info("%s", progress.line())
        if self.artifact_id is not None:
            update_progress_artifact(
                self.artifact_id,
                progress=progress.percent,
                description=f"eventcoder run {progress.run_id}, batch {progress.batch}: {progress.counts()}",
            )

    def finished(self, progress: Progress, report: str) -> None:
        super().finished(progress, report)
        get_run_logger().info("run %s finished: %s", progress.run_id, progress.counts())
        if self.artifact_id is not None:
            update_progress_artifact(
                self.artifact_id,
                progress=100.0,
                description=f"eventcoder run {progress.run_id} finished: {progress.counts()}",
            )
        create_markdown_artifact(
            markdown=report, key=SUMMARY_KEY, description=f"Summary of eventcoder run {progress.run_id}"
        )

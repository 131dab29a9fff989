"""What a run reports: a log line per batch, a progress bar in the CLI, and a Markdown summary (counts, rejects by
reason, coding rates) built from a real run and checked against the warehouse it wrote."""

from __future__ import annotations

import io
import itertools
import logging
import shutil
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from flows.cli import app
from flows.cli_progress import progress_bar
from flows.pipeline import RunSummary, run_pipeline
from flows.progress import Progress
from flows.progress import log as progress_log
from flows.run_report import reason_pattern
from schema.config import PipelineConfig
from tests.conftest import SEEDS
from warehouse.store import Warehouse

SEED_FILES = sorted(SEEDS.iterdir())


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    """Three seed articles, an empty file and a JSON-lines file with two broken lines beside a good one."""
    directory = tmp_path / "inbox"
    directory.mkdir()
    for path in SEED_FILES[:3]:
        shutil.copy(path, directory)
    (directory / "empty.txt").write_text("", encoding="utf-8")
    (directory / "wire.jsonl").write_text(
        '{"text": "Japan and China agreed on Tuesday to resume talks.", "published": "2024-02-13"}\n{oops\n{nope\n',
        encoding="utf-8",
    )
    return directory


def test_reason_pattern_keeps_the_problem_and_drops_the_record() -> None:
    assert reason_pattern("file is 12 bytes, over the 10 limit") == "file is N bytes, over the N limit"
    assert reason_pattern("`published` 'last Tuesday' is not a date") == "`published` '…' is not a date"
    assert reason_pattern("same text as /in/box/a.txt; kept that one") == "same text as …; kept that one"


def test_the_summary_of_a_real_run_says_what_the_warehouse_holds(inbox: Path, tmp_path: Path) -> None:
    summary = run_pipeline(PipelineConfig(inputs=(inbox,), warehouse=tmp_path / "data"))
    report = summary.report
    with Warehouse.open_read_only(tmp_path / "data") as wh:

        def one(sql: str) -> int:
            return int(wh.query(sql)[1][0][0])

        articles = one("SELECT count(*) FROM articles")
        sentences = one("SELECT count(*) FROM sentences")
        mentions = one("SELECT count(*) FROM mentions")
        events = one("SELECT count(DISTINCT event_id) FROM mentions WHERE event_id IS NOT NULL")
        with_mention = one("SELECT count(*) FROM (SELECT DISTINCT article_id, sentence_index FROM mentions)")
        with_event = one("SELECT count(DISTINCT article_id) FROM mentions WHERE event_id IS NOT NULL")
        duplicates = one("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL")
        _, rejects = wh.query("SELECT stage, reason, uri FROM rejects ORDER BY uri")

    assert articles == 4 and len(rejects) == 3
    assert report.startswith(f"# eventcoder run `{summary.run_id}`\n")
    assert (
        f"Read 7 documents in {summary.seconds:.1f} s: {articles} articles (near-duplicates: {duplicates}), "
        f"{sentences} sentences, {mentions} event mentions, 3 rejects." in report
    )
    assert f"| articles | {articles} | {articles} |" in report
    assert f"| events | {events} | {events} |" in report
    # Rejects grouped by what went wrong: the two broken JSON lines are one row.
    groups: dict[tuple[str, str], list[str]] = {}
    for stage, reason, uri in rejects:
        groups.setdefault((stage, reason_pattern(reason)), []).append(uri)
    assert len(groups) == 2
    for (stage, pattern), uris in groups.items():
        assert f"| {stage} | {pattern} | {len(uris)} | `{uris[0]}` |" in report
    assert f"| events per article | {events / articles:.2f} ({events} events) |" in report
    assert f"| sentences with an event mention | {100 * with_mention / sentences:.1f}% ({with_mention} of " in report
    assert f"| articles with at least one event | {100 * with_event / articles:.1f}% ({with_event} of 4) |" in report
    assert f"| near-duplicate articles | {100 * duplicates / articles:.1f}% ({duplicates} of 4) |" in report


def test_a_day_with_nothing_new_says_so(inbox: Path, tmp_path: Path) -> None:
    config = PipelineConfig(inputs=(inbox,), warehouse=tmp_path / "data", only_new=True)
    run_pipeline(config)
    report = run_pipeline(config).report
    assert "Only new: left out as read before 5 files, 0 feed entries and 0 documents." in report
    assert "## Rejects by reason\n\nNone." in report
    assert "No article was coded in this run." in report


def test_progress_is_logged_after_every_batch(inbox: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=progress_log.name)
    summary = run_pipeline(PipelineConfig(inputs=(inbox,), warehouse=tmp_path / "data", articles_per_batch=2))
    snapshots: list[Progress] = [r.progress for r in caplog.records if hasattr(r, "progress")]
    started, *batches, finished = snapshots
    assert (started.batch, started.inputs_done, started.inputs_total) == (0, 0, 5)
    assert [p.batch for p in batches] == [1, 2, 3, 4]  # 7 documents, 2 a batch
    assert [p.documents for p in batches] == [2, 4, 6, 7]
    assert batches[-1].inputs_done == 5 and batches[-1].percent == 100.0
    assert all(a.inputs_done <= b.inputs_done for a, b in itertools.pairwise(batches))
    assert (finished.articles, finished.rejects) == (summary.articles, summary.rejects)
    assert caplog.records[-1].getMessage() == summary.report
    assert "batch 4: 5/5 inputs read (100%), 7 documents: 4 articles" in caplog.records[-2].getMessage()


def test_the_cli_progress_bar_follows_the_run(inbox: Path, tmp_path: Path) -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=140)
    with progress_bar(console):
        summary: RunSummary = run_pipeline(PipelineConfig(inputs=(inbox,), warehouse=tmp_path / "data"))
    drawn = screen.getvalue()
    assert "coding" in drawn and "5/5" in drawn and f"{summary.articles} articles" in drawn
    assert progress_log.handlers == [] and progress_log.propagate  # the bar is gone with the block


def test_eventcoder_run_new_only_prints_the_summary(inbox: Path, tmp_path: Path) -> None:
    args = ["run", str(inbox), "--warehouse", str(tmp_path / "data"), "--plain", "--new-only", "--no-progress"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "4 articles" in first.output and "## Coding rates" in first.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "0 articles" in again.output and "left out as read before 5 files" in again.output

"""The plain pipeline: the same answer in one process or two, and the bad-input policies."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Doc

from extractors.events import CodedArticle, EventCoder
from extractors.load import discover_inputs, read_documents
from flows.pipeline import code_documents, run_pipeline
from schema.config import PipelineConfig
from schema.errors import RecordRejected
from schema.records import Article, Sentence
from tests.conftest import SEEDS
from warehouse.store import Warehouse


def test_two_processes_code_exactly_like_one() -> None:
    documents = list(read_documents(discover_inputs([SEEDS])))
    single = code_documents(documents, PipelineConfig(n_process=1), "run")
    double = code_documents(documents, PipelineConfig(n_process=2, multiprocess_min_articles=1), "run")
    assert single == double
    assert len(single.articles) == 5 and single.mentions


def test_duplicate_text_is_kept_once_and_reported(seed_dir: Path, tmp_path: Path) -> None:
    first = sorted(seed_dir.glob("*.txt"))[0]
    (seed_dir / "zz_copy.txt").write_bytes(first.read_bytes())
    summary = run_pipeline(PipelineConfig(inputs=(seed_dir,), warehouse=tmp_path / "data"))
    assert summary.articles == 5 and summary.rejects == 1
    assert summary.totals["rejects"] == 1


def test_fail_policy_stops_at_the_first_bad_record(seed_dir: Path, tmp_path: Path) -> None:
    (seed_dir / "empty.txt").write_text("", encoding="utf-8")
    config = PipelineConfig(inputs=(seed_dir,), warehouse=tmp_path / "data", bad_input_policy="fail")
    with pytest.raises(RecordRejected, match="empty"):
        run_pipeline(config)


def test_an_article_the_coder_fails_on_is_a_reject_and_the_rest_is_coded(
    seed_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = EventCoder.code

    def failing(self: EventCoder, article: Article, doc: Doc, sentences: list[Sentence]) -> CodedArticle:
        if article.uri.endswith("000_db574cf0ac1b8b3f.txt"):
            raise RecursionError("maximum recursion depth exceeded")
        return code(self, article, doc, sentences)

    monkeypatch.setattr(EventCoder, "code", failing)
    summary = run_pipeline(PipelineConfig(inputs=(seed_dir,), warehouse=tmp_path / "data"))
    assert summary.articles == 5 and summary.rejects == 1
    with Warehouse.open_read_only(tmp_path / "data") as wh:
        _, rows = wh.query("SELECT stage, uri, reason FROM rejects")
        _, coded = wh.query("SELECT count(DISTINCT article_id) FROM mentions")
    [(stage, uri, reason)] = rows
    assert stage == "code" and uri.endswith("000_db574cf0ac1b8b3f.txt") and "RecursionError" in reason
    assert coded[0][0] == 4

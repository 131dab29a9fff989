"""Shared fixtures: the real ontology, the real spaCy model, and a helper that codes a piece of text."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from extractors.clean import clean_document
from extractors.events import EventCoder
from extractors.nlp import load_model, split_sentences
from flows.pipeline import run_pipeline
from schema.config import DEFAULT_MODEL, DEFAULT_ONTOLOGY_DIR, PROJECT_ROOT, PipelineConfig
from schema.ontology import Ontology, load_ontology
from schema.records import EventMention, RawDocument

SEEDS = PROJECT_ROOT / "seeds" / "articles"


@pytest.fixture(scope="session")
def ontology() -> Ontology:
    return load_ontology(DEFAULT_ONTOLOGY_DIR)


@pytest.fixture(scope="session")
def coder(ontology: Ontology) -> EventCoder:
    return EventCoder(ontology, load_model(DEFAULT_MODEL))


CodeText = Callable[..., list[EventMention]]


@pytest.fixture(scope="session")
def code_text(coder: EventCoder) -> CodeText:
    """Code a text as an article published on `published` (default 2017-04-03)."""
    nlp = load_model(DEFAULT_MODEL)

    def run(text: str, published: dt.date | None = dt.date(2017, 4, 3)) -> list[EventMention]:
        raw = RawDocument(uri="test.txt", text=text, published=published.isoformat() if published else None)
        article = clean_document(raw, max_chars=1_000_000)
        doc = nlp(article.text)
        return coder.code_article(article, doc, split_sentences(article, doc))

    return run


def dyads(mentions: list[EventMention]) -> set[tuple[str | None, str | None, str]]:
    return {(m.source_actor, m.target_actor, m.event_code) for m in mentions}


@pytest.fixture()
def seed_dir(tmp_path: Path) -> Path:
    """A private copy of the seed articles (tests may add bad files beside them)."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse coded from seeds/articles once per test session, as `make run` builds it. Open it read-only,
    or copy it first: other tests share it."""
    directory = tmp_path_factory.mktemp("seed_warehouse")
    run_pipeline(PipelineConfig(inputs=(SEEDS,), warehouse=directory))
    return directory

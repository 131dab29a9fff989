"""Feeds and web archives as pipeline inputs: a feed served on 127.0.0.1 by the test and a real WARC file, coded
into the warehouse with their URLs, outlets and dates."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.pipeline import run_pipeline
from schema.config import PipelineConfig
from tests.extractors.web_fixtures import STRIKE, TALKS, Capture, Item, Site, article_page, rss, serve, write_warc
from warehouse.store import Warehouse

ARCHIVED_URL = "https://dailyplanet.example/world/strike"


@pytest.fixture()
def site() -> Iterator[Site]:
    with serve(Site()) as running:
        talks = running.add("/talks.html", article_page("Japan and China agree to resume talks", TALKS))
        running.add(
            "/feed.rss",
            rss("Planet Wire", [Item("Talks", talks, published="Tue, 13 Feb 2024 08:00:00 +0900")]),
            "application/rss+xml",
        )
        yield running


def _articles(warehouse: Path) -> dict[str, tuple[Any, ...]]:
    with Warehouse.open_read_only(warehouse) as store:
        _, rows = store.query(
            "SELECT a.uri, a.outlet, a.title, a.published_date, a.date_source, count(m.mention_id) "
            "FROM articles a LEFT JOIN mentions m USING (article_id) GROUP BY ALL"
        )
    return {row[0]: row[1:] for row in rows}


def test_eventcoder_run_takes_feed_urls_beside_files(site: Site, tmp_path: Path) -> None:
    warc = tmp_path / "crawl.warc.gz"
    write_warc(warc, [Capture(ARCHIVED_URL, article_page("Strike on Gaza camp", STRIKE).encode())])
    warehouse = tmp_path / "data"
    feed = site.url("/feed.rss")
    result = CliRunner().invoke(app, ["run", feed, str(warc), "--warehouse", str(warehouse), "--plain"])
    assert result.exit_code == 0, result.output
    assert "2 articles" in result.output and "0 rejects" in result.output
    articles = _articles(warehouse)
    talks = articles[site.url("/talks.html")]
    assert talks[:4] == ("Daily Planet", "Japan and China agree to resume talks", dt.date(2024, 2, 13), "field")
    strike = articles[ARCHIVED_URL]
    # The page states no date: the crawl day stands in, flagged as a fallback.
    assert strike[:4] == ("Daily Planet", "Strike on Gaza camp", dt.date(2024, 3, 1), "file")
    assert talks[4] > 0 and strike[4] > 0  # both coded into events
    with Warehouse.open_read_only(warehouse) as store:
        [(inputs,)] = store.query("SELECT inputs FROM runs")[1]
    assert json.loads(inputs) == [str(warc), feed]


def test_configured_feeds_are_read_after_the_inputs(site: Site, tmp_path: Path) -> None:
    gone = site.url("/gone.rss")
    config = PipelineConfig(inputs=(), feeds=(site.url("/feed.rss"), gone), warehouse=tmp_path / "data")
    summary = run_pipeline(config)
    assert (summary.articles, summary.rejects) == (1, 1)
    assert list(_articles(tmp_path / "data")) == [site.url("/talks.html")]
    with Warehouse.open_read_only(tmp_path / "data") as store:
        [row] = store.query("SELECT stage, uri, reason FROM rejects")[1]
    assert row == ("load", gone, "feed could not be fetched: HTTP error 404 (Not Found)")

"""Daily runs (PipelineConfig.only_new): a day's run codes only what the warehouse's ledger has not read, a re-run
of the day changes nothing, a broken file is not read again until it changes, and feed entries read before are not
fetched again."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from extractors.feeds import entry_keys
from flows.ledger import record_key
from flows.pipeline import RunSummary, run_pipeline
from schema.config import PipelineConfig
from schema.errors import RecordRejected
from schema.records import RawDocument
from tests.conftest import SEEDS
from tests.extractors.web_fixtures import STRIKE, TALKS, Item, Site, article_page, atom, rss, serve
from warehouse.store import Warehouse

DATA_TABLES = ("articles", "sentences", "mentions", "events", "rejects")
SEED_FILES = sorted(SEEDS.iterdir())


def daily(inputs: tuple[Path, ...], warehouse: Path, **options: Any) -> RunSummary:
    return run_pipeline(PipelineConfig(inputs=inputs, warehouse=warehouse, only_new=True, **options))


def snapshot(warehouse: Path, tables: tuple[str, ...] = (*DATA_TABLES, "ledger")) -> dict[str, list[tuple[Any, ...]]]:
    with Warehouse.open_read_only(warehouse) as wh:
        return {t: wh.query(f"SELECT * FROM {t} ORDER BY ALL")[1] for t in tables}


def ledger(warehouse: Path, kind: str) -> dict[str, tuple[Any, ...]]:
    """uri -> (status, article_id, run_id, last_run_id) of the ledger rows of one kind."""
    with Warehouse.open_read_only(warehouse) as wh:
        _, rows = wh.query(
            "SELECT uri, status, article_id, run_id, last_run_id FROM ledger WHERE kind = ? ORDER BY uri", [kind]
        )
    return {row[0]: row[1:] for row in rows}


def article_ids(warehouse: Path) -> set[str]:
    with Warehouse.open_read_only(warehouse) as wh:
        return {row[0] for row in wh.query("SELECT article_id FROM articles")[1]}


def record(text: list[str], **fields: str) -> str:
    return json.dumps({"text": " ".join(text), **fields}) + "\n"


def test_a_day_reads_only_what_is_new_and_a_rerun_changes_nothing(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    for path in SEED_FILES[:3]:
        shutil.copy(path, inbox)
    (inbox / "scan.txt").write_bytes(b"\x00\x01\x02 not text")

    first = daily((inbox,), warehouse)
    assert (first.documents, first.articles, first.rejects) == (4, 3, 1)  # the scan is a document too
    day_one = snapshot(warehouse)
    assert {uri: row[0] for uri, row in ledger(warehouse, "file").items()} == {
        str(inbox / p.name): "coded" for p in SEED_FILES[:3]
    } | {str(inbox / "scan.txt"): "rejected"}

    again = daily((inbox,), warehouse)
    assert (again.documents, again.articles, again.rejects) == (0, 0, 0)
    assert again.skipped == {"files": 4}
    assert snapshot(warehouse) == day_one  # same rows, same ids

    for path in SEED_FILES[3:]:
        shutil.copy(path, inbox)
    (inbox / "wire.jsonl").write_text(record(TALKS, published="2024-02-13"), encoding="utf-8")
    second = daily((inbox,), warehouse)
    assert (second.documents, second.articles, second.rejects) == (len(SEED_FILES) - 3 + 1, len(SEED_FILES) - 2, 0)
    assert second.skipped == {"files": 4}
    records = ledger(warehouse, "record")
    assert len(records) == len(SEED_FILES) + 1 and all(row[0] == "coded" for row in records.values())
    assert {row[2] for uri, row in records.items() if Path(uri).name in {p.name for p in SEED_FILES[:3]}} == {
        first.run_id
    }
    assert {row[1] for row in records.values()} == article_ids(warehouse)


def test_a_rejected_file_is_read_again_only_when_its_content_changes(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    broken = inbox / "wire.jsonl"
    broken.write_text('{"text": "Japan met China.",\n', encoding="utf-8")
    assert daily((inbox,), warehouse).rejects == 1
    again = daily((inbox,), warehouse)
    assert (again.documents, again.rejects, again.skipped) == (0, 0, {"files": 1})

    broken.write_text(record(TALKS, published="2024-02-13"), encoding="utf-8")
    fixed = daily((inbox,), warehouse)
    assert (fixed.documents, fixed.articles, fixed.rejects) == (1, 1, 0)
    with Warehouse.open_read_only(warehouse) as wh:
        _, rows = wh.query("SELECT uri, status FROM ledger WHERE kind = 'file' ORDER BY first_seen")
    assert rows == [(str(broken), "rejected"), (str(broken), "coded")]  # one row per content


def test_a_grown_or_moved_file_codes_only_its_new_documents(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    wire = inbox / "wire.jsonl"
    wire.write_text(record(TALKS, id="talks"), encoding="utf-8")
    assert daily((inbox,), warehouse).articles == 1

    with wire.open("a", encoding="utf-8") as stream:
        stream.write(record(STRIKE, id="strike"))
    grown = daily((inbox,), warehouse)
    assert (grown.documents, grown.articles, grown.skipped) == (1, 1, {"documents": 1})

    archive = inbox / "archive"
    archive.mkdir()
    wire.rename(archive / "wire-2024-02-13.jsonl")
    moved = daily((inbox,), warehouse)
    assert (moved.documents, moved.skipped) == (0, {"files": 1})
    assert len(article_ids(warehouse)) == 2


def test_an_explicit_run_codes_everything_again_and_keeps_when_it_was_first_read(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    for path in SEED_FILES[:2]:
        shutil.copy(path, inbox)
    first = daily((inbox,), warehouse)
    data = snapshot(warehouse, DATA_TABLES)

    explicit = run_pipeline(PipelineConfig(inputs=(inbox,), warehouse=warehouse))
    assert (explicit.documents, explicit.articles) == (2, 2)
    assert snapshot(warehouse, DATA_TABLES) == data
    assert {row[2:] for row in ledger(warehouse, "record").values()} == {(first.run_id, explicit.run_id)}
    assert explicit.rates is not None and explicit.rates.articles == 2


def test_a_failed_run_leaves_the_ledger_in_step_with_the_warehouse(tmp_path: Path) -> None:
    inbox, warehouse = tmp_path / "inbox", tmp_path / "data"
    inbox.mkdir()
    for number, path in zip((1, 2, 4), SEED_FILES, strict=False):
        shutil.copy(path, inbox / f"{number}.txt")
    (inbox / "3.txt").write_text("", encoding="utf-8")
    with pytest.raises(RecordRejected):
        daily((inbox,), warehouse, articles_per_batch=1, bad_input_policy="fail")
    coded = ledger(warehouse, "record")
    assert sorted(Path(uri).name for uri in coded) == ["1.txt", "2.txt"]
    assert {row[1] for row in coded.values()} == article_ids(warehouse)
    assert ledger(warehouse, "file") == {}  # files are noted only by a run that got through

    rerun = daily((inbox,), warehouse, articles_per_batch=1)
    assert (rerun.articles, rerun.rejects, rerun.skipped) == (1, 1, {"documents": 2})
    assert len(article_ids(warehouse)) == 3


@pytest.fixture()
def site() -> Iterator[Site]:
    with serve(Site()) as running:
        yield running


def test_feed_entries_read_before_are_not_fetched_again(site: Site, tmp_path: Path) -> None:
    talks = site.add("/talks.html", article_page("Japan and China agree to resume talks", TALKS))
    strike = site.add("/strike.html", article_page("Strike on Gaza camp", STRIKE))
    site.add("/feed.rss", rss("Planet Wire", [Item("Talks", talks)]), "application/rss+xml")
    # Atom entries carry ids (urn:entry:N): the link of the first changes on day two, its id does not.
    site.add("/feed.atom", atom("Planet Atom", [Item("Strike", strike)]), "application/atom+xml")
    feeds = (site.url("/feed.rss"), site.url("/feed.atom"))
    warehouse = tmp_path / "data"

    first = run_pipeline(PipelineConfig(inputs=(), feeds=feeds, warehouse=warehouse, only_new=True))
    assert first.articles == 2
    assert sorted(site.hits) == ["/feed.atom", "/feed.rss", "/strike.html", "/talks.html"]

    calm = site.add("/calm.html", article_page("Calm returns", [*TALKS[1:], *STRIKE[1:]]))
    site.add("/feed.rss", rss("Planet Wire", [Item("Calm", calm), Item("Talks", talks)]), "application/rss+xml")
    site.add("/feed.atom", atom("Planet Atom", [Item("Strike", strike + "?utm_source=rss")]), "application/atom+xml")
    site.hits.clear()
    second = run_pipeline(PipelineConfig(inputs=(), feeds=feeds, warehouse=warehouse, only_new=True))
    assert sorted(site.hits) == ["/calm.html", "/feed.atom", "/feed.rss"]
    assert (second.articles, second.skipped) == (1, {"entries": 2})
    assert set(ledger(warehouse, "entry")) == {talks, strike, calm}


def test_an_entry_is_known_by_its_guid_within_its_feed_and_by_its_link() -> None:
    parsed = feedparser.parse(
        b'<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>'
        b'<item><guid isPermaLink="false">4711</guid><link>https://wire.example/a</link></item>'
        b"<item><guid>https://wire.example/b</guid><link>https://wire.example/b</link></item>"
        b"<item><title>no guid, no link</title></item></channel></rss>"
    )
    keys = [entry_keys(entry, "https://wire.example/") for entry in parsed.entries]
    assert keys == [("https://wire.example/#4711", "https://wire.example/a"), ("https://wire.example/b",), ()]


def test_a_record_is_known_by_its_content_not_by_where_it_was_read() -> None:
    doc = RawDocument(uri="inbox/a.txt", text="Japan met China.", file_date="2024-02-13")
    assert record_key(doc) == record_key(doc.model_copy(update={"uri": "archive/a.txt", "file_date": "2024-03-01"}))
    for change in ({"text": "Japan met Korea."}, {"published": "2024-02-14"}, {"title": "Talks"}):
        assert record_key(doc.model_copy(update=change)) != record_key(doc)

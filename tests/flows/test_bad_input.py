"""Bad input end to end: every kind of bad file beside the seed articles gives its `rejects` row with the reason,
and the seed articles beside them are coded exactly as in a clean run (the session's seed warehouse)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from flows.pipeline import run_pipeline
from schema.config import PipelineConfig
from tests.extractors.web_fixtures import STRIKE, TALKS, Capture, Item, article_page, rss, write_warc
from warehouse.store import Warehouse

GOOD_RECORD = " ".join(STRIKE)
WARC_PAGE_URL = "https://dailyplanet.example/world/talks"
TEN_MB = 10 * 1000 * 1000


def _bad_files(directory: Path) -> dict[tuple[str, str], str]:
    """Write the bad files; returns the rejects they must give: (stage, uri) -> a phrase of the reason."""
    files = {
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 64,
        "photo.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF",
        "empty.txt": b"",
        "blank.md": b" \n\t\n",
        "latin1.txt": "Le Président a rencontré le Premier ministre.".encode("latin-1"),
        "utf16.txt": "Japan met China in Tokyo.".encode("utf-16"),
        "records.jsonl": "\n".join(
            [
                '{"id": "cut", "text": "The minister said',
                json.dumps({"id": "untitled", "title": "A record without text"}),
                json.dumps({"text": "   "}),
                json.dumps(["a", "list"]),
                '{"text": "Japan \\ud800 met China."}',
                json.dumps({"id": "good-1", "text": GOOD_RECORD, "outlet": "AFP", "published": "2024-02-11"}),
            ]
        ).encode(),
        "no-text.json": json.dumps([{"title": "x"}, {"text": 42}]).encode(),
        "rows.csv": b'id,text\nr1,\nr2,"one","two"\n',
        "no-body.html": b"<html><head><title>Daily Planet</title></head></html>",
        "broken.rss": rss("Planet Wire", [Item("Talks", "http://127.0.0.1:9/talks")]).replace(b"</item>", b"</itm>"),
    }
    paragraph = "In the capital, officials met again on day {n} to discuss the talks and the ceasefire. "
    files["huge.txt"] = "\n\n".join(paragraph.format(n=n) * 4 for n in range(TEN_MB // (len(paragraph) * 4))).encode()
    for name, data in files.items():
        (directory / name).write_bytes(data)
    crawl = directory / "crawl.warc.gz"
    data = write_warc(
        crawl,
        [
            Capture(WARC_PAGE_URL, article_page("Talks", TALKS, published="2024-02-13").encode()),
            Capture("https://dailyplanet.example/world/strike", article_page("Strike", STRIKE).encode()),
        ],
    )
    crawl.write_bytes(data[: int(len(data) * 0.8)])  # cut inside the second page
    at = f"{directory}/"
    return {
        ("load", at + "binary.txt"): "binary file (NUL bytes)",
        ("load", at + "photo.jpg"): "unsupported file type .jpg",
        ("load", at + "empty.txt"): "file is empty",
        ("load", at + "blank.md"): "file is empty",
        ("load", at + "latin1.txt"): "not valid UTF-8",
        ("load", at + "utf16.txt"): "text is UTF-16",
        ("load", at + "records.jsonl#1"): "malformed JSON line",
        ("load", at + "records.jsonl#2"): "record has no `text`",
        ("load", at + "records.jsonl#3"): "record has no `text`",
        ("load", at + "records.jsonl#4"): "record is list, not an object",
        ("load", at + "records.jsonl#5"): "invalid Unicode",
        ("load", at + "no-text.json#0"): "record has no `text`",
        ("load", at + "no-text.json#1"): "record has no `text`",
        ("load", at + "rows.csv#2"): "record has no `text`",
        ("load", at + "rows.csv#3"): "row has more fields than the header",
        ("clean", at + "huge.txt"): "over max_article_chars=2000000",
        ("load", at + "no-body.html"): "HTML page has no article text",
        ("load", at + "broken.rss"): "feed is not well-formed XML",
        ("load", at + "crawl.warc.gz"): "WARC file is truncated or corrupt",
    }


def _rows(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with Warehouse.open_read_only(warehouse) as store:
        return store.query(sql)[1]


def _by_file_name(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Mention rows with the article's uri cut to its file name (the seeds sit in another directory here)."""
    return [(row[0], Path(row[1]).name, *row[2:]) for row in rows]


MENTIONS = (
    "SELECT m.mention_id, a.uri, m.sentence_index, m.source_actor, m.target_actor, m.event_code, m.modality, "
    "m.event_date, m.location_name FROM mentions m JOIN articles a USING (article_id) ORDER BY m.mention_id"
)


def test_bad_files_are_rejected_with_reasons_and_the_good_ones_beside_them_coded(
    seed_dir: Path, seed_warehouse: Path, tmp_path: Path
) -> None:
    expected = _bad_files(seed_dir)
    started = time.monotonic()
    summary = run_pipeline(PipelineConfig(inputs=(seed_dir,), warehouse=tmp_path / "data"))
    seconds = time.monotonic() - started
    rejects = _rows(tmp_path / "data", "SELECT stage, uri, reason, payload FROM rejects")
    assert {(stage, uri) for stage, uri, _, _ in rejects} == set(expected)
    for stage, uri, reason, payload in rejects:
        assert expected[(stage, uri)] in reason, (uri, reason)
        assert len(payload) <= 2000
    assert summary.rejects == len(expected)
    # The good inputs beside the bad ones: the five seed articles, the good JSON line, the page the WARC kept.
    seed_uris = {str(p) for p in seed_dir.glob("*.txt") if p.name[:3].isdigit()}
    articles = dict(_rows(tmp_path / "data", "SELECT uri, outlet FROM articles"))
    assert set(articles) == seed_uris | {f"{seed_dir}/records.jsonl#good-1", WARC_PAGE_URL}
    assert articles[WARC_PAGE_URL] == "Daily Planet" and articles[f"{seed_dir}/records.jsonl#good-1"] == "AFP"
    # Every event mention of the seed articles is still there, exactly as a clean run of the seeds codes it.
    clean = _by_file_name(_rows(seed_warehouse, MENTIONS))
    with_bad = _by_file_name(_rows(tmp_path / "data", MENTIONS))
    assert clean and [row for row in with_bad if row[1] in {Path(u).name for u in seed_uris}] == clean
    # And the good record and the archived page were coded like any article.
    assert {row[1] for row in with_bad} >= {"records.jsonl#good-1", "talks"}
    [(status,)] = _rows(tmp_path / "data", "SELECT status FROM runs")
    assert status == "completed"
    assert seconds < 120, f"the run with a 10 MB article took {seconds:.0f} s"

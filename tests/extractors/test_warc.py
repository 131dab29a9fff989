"""Web archives: real WARC files written with warcio, read page by page; damage is one reject for the file."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from extractors.clean import clean_document
from extractors.load import read_file
from schema.errors import RecordRejected
from schema.records import RawDocument
from tests.extractors.web_fixtures import FOOTER, NAV, STRIKE, TALKS, Capture, article_page, write_warc

TALKS_URL = "https://dailyplanet.example/world/talks"
STRIKE_URL = "https://dailyplanet.example/world/strike"


def _crawl() -> list[Capture]:
    latin = article_page("Café talks", [TALKS[0].replace("Tokyo", "a Tokyo café"), TALKS[1]], charset="x")
    return [
        Capture(TALKS_URL, article_page("Talks", TALKS, published="2024-02-13T08:30:00+09:00").encode()),
        Capture("https://dailyplanet.example/logo.png", b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        Capture("https://dailyplanet.example/old", b"", "text/html", status="301 Moved Permanently"),
        Capture(STRIKE_URL, article_page("Strike", STRIKE).encode(), date="2024-03-02T23:59:59Z"),
        Capture(TALKS_URL, b"", "application/warc-fields", record_type="metadata"),
        Capture(TALKS_URL, b"", "message/http", record_type="revisit"),
        # The charset only in the HTTP header (the page's own meta names a bogus one).
        Capture("https://dailyplanet.example/cafe", latin.encode("cp1252"), "text/html; charset=ISO-8859-1"),
        Capture(
            "file:///saved/strike.html", article_page("Saved", STRIKE).encode(), "text/html", record_type="resource"
        ),
    ]


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_archived_pages_become_documents_and_other_captures_are_skipped(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_warc(path, _crawl())
    items = list(read_file(path))
    docs = [i for i in items if isinstance(i, RawDocument)]
    rejects = {i.uri: i.reason for i in items if isinstance(i, RecordRejected)}
    assert [d.uri for d in docs] == [
        TALKS_URL,
        STRIKE_URL,
        "https://dailyplanet.example/cafe",
        "file:///saved/strike.html",
    ]
    talks, strike, cafe, saved = docs
    assert talks.text.endswith("\n\n".join(TALKS)) and "Pixelphone" not in talks.text
    assert (talks.url, talks.outlet, talks.published, talks.title) == (TALKS_URL, "Daily Planet", "2024-02-13", "Talks")
    # No date on the page: the capture's day is the flagged fallback, never a publication date.
    assert (strike.published, strike.file_date) == (None, "2024-03-02")
    article = clean_document(strike, max_chars=100_000, run_date=dt.date(2026, 1, 1))
    assert (article.published_date, article.date_source) == (dt.date(2024, 3, 2), "file")
    assert "a Tokyo café" in cafe.text
    assert saved.text.endswith("\n\n".join(STRIKE))
    # request, warcinfo and metadata records are the crawl's own bookkeeping, and an image, a redirect and a
    # revisit pointer are captures but no article: all skipped, none is bad input.
    assert rejects == {}
    assert len(items) == len(docs) == 4


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
@pytest.mark.parametrize("keep", [0.5, 0.8])
def test_a_truncated_archive_keeps_the_pages_before_the_cut_and_rejects_the_file(
    tmp_path: Path, name: str, keep: float
) -> None:
    full = tmp_path / f"full-{name}"
    data = write_warc(full, [Capture(f"{TALKS_URL}/{n}", article_page(f"T{n}", TALKS).encode()) for n in range(6)])
    whole = [i.uri for i in read_file(full)]
    assert whole == [f"{TALKS_URL}/{n}" for n in range(6)]
    cut = tmp_path / name
    cut.write_bytes(data[: int(len(data) * keep)])
    *pages, damage = list(read_file(cut))
    assert pages and all(isinstance(p, RawDocument) for p in pages)
    assert [p.uri for p in pages] == whole[: len(pages)] and len(pages) < 6
    assert isinstance(damage, RecordRejected) and damage.uri == str(cut)
    assert damage.reason.startswith("WARC file is truncated or corrupt")
    assert f"({len(pages)} records)" in damage.reason


@pytest.mark.parametrize(
    ("mangle", "pages_before"),
    [
        (lambda data, at: data[:at] + b"X" * 40 + data[at + 40 :], 1),  # garbage over a record's header
        (lambda data, at: data[:at] + b"WARC/1.0\r\nWARC-Type: response\r\n\r\n" + data[at:], 1),  # a bogus header
        (lambda data, at: b"this is not a web archive\n" * 20, 0),
        (lambda data, at: gzip.compress(b"plain text, gzipped, named .warc.gz\n" * 50), 0),
    ],
)
def test_a_corrupt_archive_is_one_reject(tmp_path: Path, mangle: object, pages_before: int) -> None:
    path = tmp_path / "bad.warc"
    data = write_warc(path, [Capture(f"{TALKS_URL}/{n}", article_page(f"T{n}", TALKS).encode()) for n in range(3)])
    # Where the second response's WARC header starts (after warcinfo, request 0, response 0, request 1).
    second = data.index(b"WARC/1.0", data.index(f"{TALKS_URL}/1".encode()) - 400)
    assert callable(mangle)
    path.write_bytes(mangle(data, second))
    if path.read_bytes()[:2] == b"\x1f\x8b":
        path = path.rename(tmp_path / "bad.warc.gz")
    *pages, damage = list(read_file(path))
    assert len(pages) == pages_before and all(isinstance(p, RawDocument) for p in pages)
    assert isinstance(damage, RecordRejected) and damage.uri == str(path)
    assert damage.reason.startswith("WARC file is truncated or corrupt"), damage.reason


def test_a_flipped_byte_inside_a_page_fails_its_digest(tmp_path: Path) -> None:
    path = tmp_path / "flipped.warc"
    captures = [
        Capture(TALKS_URL, article_page("Talks", TALKS).encode()),
        Capture(STRIKE_URL, f"<html><body>{NAV}{FOOTER}</body></html>".encode()),
    ]
    data = bytearray(write_warc(path, captures))
    at = data.index(b"Kamikawa")
    data[at] = ord("X")
    path.write_bytes(bytes(data))
    bad, other = list(read_file(path))
    assert isinstance(bad, RecordRejected) and bad.uri == f"{path}#{TALKS_URL}"
    assert bad.reason.startswith("archived page does not match its WARC digest")
    # The damage stays inside that record: the next one is read as usual (and rejected for its own reason).
    assert isinstance(other, RecordRejected) and other.uri == f"{path}#{STRIKE_URL}"
    assert other.reason.startswith("HTML page has no article text")


def test_an_archive_gzipped_whole_is_rejected_with_the_fix(tmp_path: Path) -> None:
    data = write_warc(tmp_path / "crawl.warc", [Capture(TALKS_URL, article_page("Talks", TALKS).encode())])
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(data))
    [item] = list(read_file(path))
    assert isinstance(item, RecordRejected) and "gzipped whole, not record by record; gunzip it" in item.reason
    path.rename(tmp_path / "whole.gz")
    ungzipped = tmp_path / "fixed.warc"
    ungzipped.write_bytes(gzip.decompress((tmp_path / "whole.gz").read_bytes()))
    assert [i.uri for i in read_file(ungzipped)] == [TALKS_URL]


def test_an_empty_archive_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "empty.warc.gz"
    path.write_bytes(b"")
    [item] = list(read_file(path))
    assert isinstance(item, RecordRejected) and item.reason == "file is empty"

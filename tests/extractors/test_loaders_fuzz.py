"""Property tests: whatever bytes or records a loader is given, it never raises, and every item it yields is a
RawDocument with text (that the cleaner either takes or rejects) or a RecordRejected with a reason.

Example counts are kept modest (the suite runs in CI on 2 cores); the slow parsers run with no deadline.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from extractors.clean import clean_document
from extractors.feeds import read_feed
from extractors.fetch import Fetched
from extractors.load import RECORD_FIELDS, read_file
from schema.errors import FetchError, RecordRejected
from schema.records import RawDocument
from tests.extractors.web_fixtures import STRIKE, TALKS, Capture, Item, article_page, atom, rss, write_warc

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIXES = [".txt", ".md", ".json", ".jsonl", ".csv", ".html", ".htm", ".rss", ".atom", ".xml", ".warc", ".warc.gz"]
_names = itertools.count()


class Offline:
    """A fetcher for a machine without a network: every fetch fails, as a dead link does."""

    def fetch(self, url: str) -> Fetched:
        raise FetchError(url, "network error (offline test)")


class Canned:
    """A fetcher that answers every URL with one canned (random) response."""

    def __init__(self, body: bytes, content_type: str) -> None:
        self.body = body
        self.content_type = content_type

    def fetch(self, url: str) -> Fetched:
        return Fetched(url, self.body, self.content_type)


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _write(directory: Path, suffix: str, data: bytes) -> Path:
    path = directory / f"f{next(_names)}{suffix}"
    path.write_bytes(data)
    return path


def check(items: Iterable[RawDocument | RecordRejected]) -> list[RawDocument | RecordRejected]:
    """The loaders' contract, on one file's output (consumed here: the loaders are lazy, errors come while reading)."""
    out = list(items)
    for item in out:
        assert isinstance(item, RawDocument | RecordRejected), item
        # Shown by --hypothesis-show-statistics: which outcomes the random inputs reach.
        event("document" if isinstance(item, RawDocument) else f"reject: {item.reason[:24]}")
        if isinstance(item, RecordRejected):
            assert item.stage == "load" and item.uri and item.reason.strip()
            continue
        assert item.text.strip()
        for value in item.model_dump().values():
            if isinstance(value, str):
                value.encode("utf-8")  # what DuckDB and Parquet will do with it
        # What the pipeline does next: an article, or a reject it records. Anything else would stop the run.
        try:
            clean_document(item, max_chars=2_000_000)
        except RecordRejected as exc:
            assert exc.reason.strip()
    return out


@FAST
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_under_any_name(fuzz_dir: Path, data: bytes, suffix: str) -> None:
    check(read_file(_write(fuzz_dir, suffix, data), Offline()))


@FAST
@given(
    text=st.text(max_size=1500),
    suffix=st.sampled_from(SUFFIXES),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "shift_jis"]),
)
def test_random_text_in_any_encoding(fuzz_dir: Path, text: str, suffix: str, encoding: str) -> None:
    data = text.encode(encoding, errors="replace")
    check(read_file(_write(fuzz_dir, suffix, data), Offline()))


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=200)
    # A lone surrogate, as a JSON escape ("\ud800") can spell one.
    | st.sampled_from(["\ud800", "x\udfff y", "Japan met China.\udc80"])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
)
FIELD_NAMES = st.sampled_from(sorted(RECORD_FIELDS | {"body", "date"})) | st.text(max_size=6)
RECORDS = st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=7) | st.fixed_dictionaries(
    {"text": JSON_SCALARS | st.sampled_from([" ".join(TALKS), "\n\n".join(STRIKE)])},
    optional={"id": JSON_VALUES, "published": JSON_SCALARS, "title": JSON_VALUES, "outlet": JSON_VALUES},
)


@FAST
@given(value=JSON_VALUES | st.lists(RECORDS, max_size=5) | st.fixed_dictionaries({"articles": st.lists(RECORDS)}))
def test_random_json_values(fuzz_dir: Path, value: object) -> None:
    data = json.dumps(value, allow_nan=True).encode()
    check(read_file(_write(fuzz_dir, ".json", data)))


@FAST
@given(lines=st.lists(RECORDS | JSON_VALUES | st.text(max_size=80), max_size=8))
def test_random_json_lines(fuzz_dir: Path, lines: list[object]) -> None:
    data = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines).encode(errors="replace")
    items = check(read_file(_write(fuzz_dir, ".jsonl", data)))
    # One item per line that is not blank (a bad line never swallows its neighbours), or one for a whole file that
    # is no text at all.
    if len(items) != 1 or items[0].uri.count("#") == 1:
        assert len(items) == sum(1 for line in data.decode("utf-8-sig").splitlines() if line.strip())


@FAST
@given(
    header=st.lists(FIELD_NAMES, min_size=1, max_size=5).flatmap(lambda h: st.sampled_from([h, ["text", *h]])),
    rows=st.lists(st.lists(st.text(max_size=60) | st.sampled_from(TALKS), max_size=7), max_size=6),
    raw_tail=st.text(max_size=100),
)
def test_random_csv_rows(fuzz_dir: Path, header: list[str], rows: list[list[str]], raw_tail: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = (buffer.getvalue() + raw_tail).encode("utf-8", errors="replace")
    check(read_file(_write(fuzz_dir, ".csv", data)))


MARKUP = st.sampled_from(
    [
        "<html>", "</html>", "<head>", "<body>", "</body>", "<article>", "</article>", "<p>", "</p>", "<br/>",
        "<script>", "</script>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&", "&#xD800;", "&#0;", "<",
        "<meta charset='latin-1'>", "<meta charset='base64'>", "<meta charset='utf-16'>", '<?xml version="1.0"?>',
        '<rss version="2.0">', "<channel>", "<item>", "</item>", "<link>http://127.0.0.1:9/x</link>", "<title>",
        '<feed xmlns="http://www.w3.org/2005/Atom">', "<entry>", "<pubDate>", "<updated>", "<content:encoded>",
        '<meta property="article:published_time" content="2024-13-45">', "<time datetime='yesterday'>",
    ]
)  # fmt: skip
FRAGMENTS = st.lists(MARKUP | st.text(max_size=40) | st.sampled_from(TALKS), max_size=30).map("".join)
# Random markup inside a real article page, so that some of it survives as article text.
PAGES_WITH_NOISE = st.tuples(FRAGMENTS, FRAGMENTS).map(
    lambda pair: article_page("Talks", [pair[0], *TALKS, pair[1]]).replace("&lt;", "<").replace("&gt;", ">")
)


@SLOW
@given(fragment=FRAGMENTS | PAGES_WITH_NOISE, suffix=st.sampled_from([".html", ".htm", ".rss", ".atom", ".xml"]))
def test_random_html_and_xml_fragments(fuzz_dir: Path, fragment: str, suffix: str) -> None:
    check(read_file(_write(fuzz_dir, suffix, fragment.encode("utf-8", errors="replace")), Offline()))


DATES = st.none() | st.sampled_from(
    ["Tue, 13 Feb 2024 23:30:00 -0500", "2024-02-13T08:30:00+09:00", "2024-02-30", "yesterday", "0000-00-00", ""]
)
ITEMS = st.builds(
    Item,
    title=st.text(max_size=30),
    link=st.none() | st.sampled_from(["https://news.example/a", "/relative", "javascript:alert(1)", "ftp://x/y"]),
    published=DATES,
    updated=DATES,
    content_html=st.none() | FRAGMENTS | st.just("".join(f"<p>{p}</p>" for p in TALKS + STRIKE)),
    summary=st.none() | st.text(max_size=60),
)
PAGES = st.sampled_from([article_page("Talks", TALKS, published="2024-02-13").encode(), b"", b"\x00\x01"]) | (
    FRAGMENTS.map(str.encode)
)


@SLOW
@given(
    items=st.lists(ITEMS, max_size=4),
    kind=st.sampled_from([rss, atom]),
    feed_type=st.sampled_from(["application/rss+xml", "text/html", ""]),
    page=PAGES,
    page_type=st.sampled_from(["text/html", "application/pdf", ""]),
    mangle=st.none() | st.integers(min_value=0, max_value=2000),
)
def test_random_feeds_and_linked_pages(
    items: list[Item], kind: object, feed_type: str, page: bytes, page_type: str, mangle: int | None
) -> None:
    assert callable(kind)
    body: bytes = kind("Planet Wire", items)
    if mangle is not None:
        body = body[:mangle]  # a feed cut off anywhere
    fetched = Fetched("https://news.example/feed", body, feed_type)
    for item in check(read_feed("https://news.example/feed", fetched, Canned(page, page_type))):
        if isinstance(item, RawDocument) and item.published:
            assert item.published[:4].isdigit()  # a date read from the feed or the page, never the raw string


def _good_warc(directory: Path, suffix: str) -> bytes:
    captures = [
        Capture("https://news.example/talks", article_page("Talks", TALKS).encode()),
        Capture("https://news.example/logo.png", b"\x89PNG", "image/png"),
        Capture("https://news.example/strike", article_page("Strike", STRIKE).encode(), status="200 OK"),
    ]
    return write_warc(directory / f"template{suffix}", captures)


@SLOW
@given(
    suffix=st.sampled_from([".warc", ".warc.gz"]),
    cut=st.none() | st.integers(min_value=0, max_value=6000),
    flips=st.lists(st.tuples(st.integers(min_value=0, max_value=6000), st.integers(0, 255)), max_size=4),
    insert=st.none() | st.tuples(st.integers(min_value=0, max_value=6000), st.binary(min_size=1, max_size=50)),
)
def test_random_damage_to_a_web_archive(
    fuzz_dir: Path, suffix: str, cut: int | None, flips: list[tuple[int, int]], insert: tuple[int, bytes] | None
) -> None:
    data = bytearray(_good_warc(fuzz_dir, suffix))
    for at, value in flips:
        data[at % len(data)] = value
    if insert is not None:
        at, extra = insert
        data[at % len(data) : at % len(data)] = extra
    if cut is not None:
        del data[cut % (len(data) + 1) :]
    items = check(read_file(_write(fuzz_dir, suffix, bytes(data))))
    pages = [i.uri for i in items if isinstance(i, RawDocument)]
    # Damage can lose pages (or garble a WARC-Target-URI, which no digest covers), never invent or repeat them.
    assert len(pages) == len(set(pages)) <= 2

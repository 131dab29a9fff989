"""Read inputs into RawDocument records, one per article: files and directories of them, and feed URLs.

This is an I/O edge: it reads files (and, for feeds, fetches pages) and nothing else. A file or record that cannot
be used becomes a `RecordRejected` value in the stream, never an exception that stops the run. The kinds of input:
text (.txt, .text, .md), records (.json, .jsonl, .ndjson, .csv), saved pages (.html, .htm), feeds (an http(s) URL,
or a saved .rss, .atom or .xml file; extractors/feeds.py) and web archives (.warc, .warc.gz; extractors/warc.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from extractors.decoding import PAYLOAD_CHARS, decode, decode_html, has_surrogates
from extractors.feeds import FEED_SUFFIXES, SeenEntries, read_feed_file, read_feed_url
from extractors.fetch import DEFAULT_MAX_BYTES, Fetcher, is_web_url
from extractors.warc import is_warc, read_warc
from extractors.webpage import read_html_page
from schema.errors import InputNotFoundError, RecordRejected
from schema.records import RawDocument

__all__ = [
    "PAYLOAD_CHARS",
    "decode",
    "discover_inputs",
    "read_documents",
    "read_feed_documents",
    "read_file",
    "split_inputs",
]

TEXT_SUFFIXES = {".txt", ".text", ".md"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = TEXT_SUFFIXES | RECORD_SUFFIXES | HTML_SUFFIXES
MAX_FILE_BYTES = 200 * 1024 * 1024
# trafilatura's own cap on a downloaded page; a saved news page is far smaller, a bigger one is not an article.
MAX_HTML_BYTES = DEFAULT_MAX_BYTES
RECORD_FIELDS = {"id", "text", "title", "url", "outlet", "published"}
# json.loads recurses per nesting level: "[[[[..." thousands deep raises RecursionError, not a JSONDecodeError.
NESTED_TOO_DEEP = "JSON nested too deeply to be an article record"
# csv's default field limit (128 KiB) would end a whole file at one long article, dropping every row after it; an
# over-long article is rejected on its own by the cleaner (max_article_chars). Process-wide, and only ever raised.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))


def split_inputs(values: Iterable[str]) -> tuple[tuple[Path, ...], tuple[str, ...]]:
    """Inputs as a user types them: an http(s) URL is a feed, anything else a file or a directory."""
    paths = tuple(Path(v) for v in values if not is_web_url(v))
    feeds = tuple(v.strip() for v in values if is_web_url(v))
    return paths, feeds


def discover_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Expand directories (recursively) into a sorted list of files; a missing path is a user error."""
    files: list[Path] = []
    for path in inputs:
        if not path.exists():
            hint = (
                " (a feed URL is not a path: pass it as a command-line input or in `feeds`)"
                if str(path).startswith(("http:/", "https:/"))
                else ""
            )
            raise InputNotFoundError(f"input {path} does not exist; give a file or a directory of articles{hint}.")
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return sorted(set(files))


def read_documents(
    files: Iterable[Path], feeds: Iterable[str] = (), fetcher: Fetcher | None = None, seen: SeenEntries | None = None
) -> Iterator[RawDocument | RecordRejected]:
    """Every document of the files, then of the feeds (each feed fetched as it comes); feed entries that `seen`
    knows are left out before their page is fetched."""
    for path in files:
        yield from read_file(path, fetcher, seen)
    for url in feeds:
        yield from read_feed_documents(url, fetcher, seen)


def read_feed_documents(
    url: str, fetcher: Fetcher | None = None, seen: SeenEntries | None = None
) -> Iterator[RawDocument | RecordRejected]:
    """The documents of one feed URL (fetched now)."""
    return map(_checked, read_feed_url(url, fetcher, seen))


def read_file(
    path: Path, fetcher: Fetcher | None = None, seen: SeenEntries | None = None
) -> Iterator[RawDocument | RecordRejected]:
    """The documents of one file; `fetcher` fetches the entry pages of a saved feed (but those `seen` knows)."""
    return map(_checked, _read_file(path, fetcher, seen))


def _read_file(path: Path, fetcher: Fetcher | None, seen: SeenEntries | None) -> Iterator[RawDocument | RecordRejected]:
    uri = str(path)
    suffix = path.suffix.lower()
    if is_warc(path):
        yield from read_warc(path)
        return
    if suffix in FEED_SUFFIXES:
        yield from read_feed_file(path, fetcher, seen)
        return
    if suffix not in SUPPORTED:
        yield RecordRejected(
            "load",
            uri,
            f"unsupported file type {suffix or '(none)'}; use .txt, .json, .jsonl, .csv, .html, a feed (.rss, "
            ".atom, .xml) or a web archive (.warc, .warc.gz)",
            "",
        )
        return
    try:
        stat = path.stat()
        size = stat.st_size
        file_date = dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC).date().isoformat()
        limit = MAX_HTML_BYTES if suffix in HTML_SUFFIXES else MAX_FILE_BYTES
        if size > limit:
            yield RecordRejected("load", uri, f"file is {size} bytes, over the {limit} limit", "")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield RecordRejected("load", uri, f"cannot read file ({exc.strerror})", "")
        return
    text = decode_html(data, uri) if suffix in HTML_SUFFIXES else decode(data, uri)
    if isinstance(text, RecordRejected):
        yield text
        return
    if suffix in TEXT_SUFFIXES:
        if not text.strip():
            yield RecordRejected("load", uri, "file is empty", "")
            return
        records: Iterable[RawDocument | RecordRejected] = [RawDocument(uri=uri, text=text)]
    elif suffix in HTML_SUFFIXES:
        records = [read_html_page(uri, text)]
    elif suffix == ".json":
        records = _json_records(uri, text)
    elif suffix in {".jsonl", ".ndjson"}:
        records = _jsonl_records(uri, text)
    else:
        records = _csv_records(uri, text)
    for record in records:
        # The file's own date: the fallback publication date of a record that states none.
        yield record.model_copy(update={"file_date": file_date}) if isinstance(record, RawDocument) else record


def _checked(item: RawDocument | RecordRejected) -> RawDocument | RecordRejected:
    """A lone surrogate ("\\ud800" in a JSON string) would pass every stage and then fail the warehouse write,
    which cannot encode it as UTF-8: such a record is rejected here, where it can still be named."""
    if isinstance(item, RecordRejected):
        return item
    fields = item.model_dump()
    if any(isinstance(value, str) and has_surrogates(value) for value in fields.values()):
        return RecordRejected(
            "load", item.uri, "record holds invalid Unicode (a lone surrogate escape); fix its encoding", ""
        )
    return item


def _record(uri: str, key: str, obj: Any) -> RawDocument | RecordRejected:
    where = f"{uri}#{key}"
    if not isinstance(obj, dict):
        return RecordRejected("load", where, f"record is {type(obj).__name__}, not an object", str(obj)[:PAYLOAD_CHARS])
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return RecordRejected("load", where, "record has no `text`", json.dumps(obj, default=str)[:PAYLOAD_CHARS])
    rid = obj.get("id")
    if rid is not None and str(rid).strip():
        where = f"{uri}#{str(rid).strip()}"

    def opt(name: str) -> str | None:
        value = obj.get(name)
        return str(value).strip() or None if value is not None else None

    return RawDocument(
        uri=where,
        text=text,
        title=opt("title"),
        outlet=opt("outlet"),
        url=opt("url"),
        published=opt("published"),
    )


def _json_records(uri: str, text: str) -> Iterator[RawDocument | RecordRejected]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        yield RecordRejected("load", uri, f"malformed JSON at line {exc.lineno}: {exc.msg}", text[:PAYLOAD_CHARS])
        return
    except RecursionError:
        yield RecordRejected("load", uri, NESTED_TOO_DEEP, text[:PAYLOAD_CHARS])
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        yield RecordRejected("load", uri, "JSON must be an object or a list of objects", text[:PAYLOAD_CHARS])
        return
    for i, obj in enumerate(data):
        yield _record(uri, str(i), obj)


def _jsonl_records(uri: str, text: str) -> Iterator[RawDocument | RecordRejected]:
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RecordRejected("load", f"{uri}#{line_no}", f"malformed JSON line: {exc.msg}", line[:PAYLOAD_CHARS])
            continue
        except RecursionError:
            yield RecordRejected("load", f"{uri}#{line_no}", NESTED_TOO_DEEP, line[:PAYLOAD_CHARS])
            continue
        yield _record(uri, str(line_no), obj)


def _csv_records(uri: str, text: str) -> Iterator[RawDocument | RecordRejected]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        if not reader.fieldnames or "text" not in reader.fieldnames:
            # Sorted: a set's order changes between processes, and the reason is part of the reject's id.
            yield RecordRejected(
                "load",
                uri,
                f"CSV needs a `text` column (optional: {', '.join(sorted(RECORD_FIELDS - {'text'}))})",
                text[:PAYLOAD_CHARS],
            )
            return
        for row_no, row in enumerate(reader, start=2):
            if None in row:
                yield RecordRejected("load", f"{uri}#{row_no}", "row has more fields than the header", str(row))
                continue
            yield _record(uri, str(row_no), dict(row))
    except csv.Error as exc:
        yield RecordRejected("load", uri, f"malformed CSV: {exc}", text[:PAYLOAD_CHARS])

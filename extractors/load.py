"""Read input files into RawDocument records, one per article.

This is an I/O edge: it reads files and nothing else. A file or record that cannot be used becomes a Reject-able
`RecordRejected` value in the stream (never an exception that stops the run).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from extractors.webpage import read_html_page
from schema.errors import InputNotFoundError, RecordRejected
from schema.records import RawDocument

TEXT_SUFFIXES = {".txt", ".text", ".md"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv"}
HTML_SUFFIXES = {".html", ".htm"}
SUPPORTED = TEXT_SUFFIXES | RECORD_SUFFIXES | HTML_SUFFIXES
MAX_FILE_BYTES = 200 * 1024 * 1024
# trafilatura's own cap on a downloaded page; a saved news page is far smaller, a bigger one is not an article.
MAX_HTML_BYTES = 20 * 1000 * 1000
# <meta charset="..."> or <meta http-equiv="Content-Type" content="text/html; charset=...">, near the top of a page.
HTML_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
PAYLOAD_CHARS = 2000
RECORD_FIELDS = {"id", "text", "title", "url", "outlet", "published"}


def discover_inputs(inputs: Iterable[Path]) -> list[Path]:
    """Expand directories (recursively) into a sorted list of files; a missing path is a user error."""
    files: list[Path] = []
    for path in inputs:
        if not path.exists():
            raise InputNotFoundError(f"input {path} does not exist; give a file or a directory of articles.")
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            files.append(path)
    return sorted(set(files))


def read_documents(files: Iterable[Path]) -> Iterator[RawDocument | RecordRejected]:
    for path in files:
        yield from read_file(path)


def read_file(path: Path) -> Iterator[RawDocument | RecordRejected]:
    uri = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        yield RecordRejected(
            "load", uri, f"unsupported file type {suffix or '(none)'}; use .txt, .json, .jsonl, .csv or .html", ""
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


def decode(data: bytes, uri: str) -> str | RecordRejected:
    if not data.strip():
        return RecordRejected("load", uri, "file is empty", "")
    if b"\x00" in data[:8192]:
        return RecordRejected("load", uri, "binary file (NUL bytes), not text", _preview(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return RecordRejected(
            "load",
            uri,
            f"not valid UTF-8 (byte {exc.start}); re-encode the file as UTF-8",
            _preview(data),
        )


def decode_html(data: bytes, uri: str) -> str | RecordRejected:
    """An HTML page as text: UTF-8 if it is, else the charset the page declares (a browser's reading of latin-1
    and ASCII labels, windows-1252, as the web uses them)."""
    text = decode(data, uri)
    declared = HTML_CHARSET.search(data[:4096])
    # Only a page that is not UTF-8 is read in its declared charset; an empty or binary file stays rejected.
    if isinstance(text, str) or declared is None or not data.strip() or b"\x00" in data[:8192]:
        return text
    label = declared[1].decode("ascii", errors="replace")
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return RecordRejected("load", uri, f"page declares unknown charset {label!r}", _preview(data))
    if codec in {"iso8859-1", "ascii"}:
        codec = "cp1252"
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        return RecordRejected(
            "load", uri, f"not valid {label} as the page declares (byte {exc.start}); re-save it as UTF-8", ""
        )


def _preview(data: bytes) -> str:
    return data[:PAYLOAD_CHARS].decode("utf-8", errors="replace")


def _record(uri: str, key: str, obj: Any) -> RawDocument | RecordRejected:
    where = f"{uri}#{key}"
    if not isinstance(obj, dict):
        return RecordRejected("load", where, f"record is {type(obj).__name__}, not an object", str(obj)[:2000])
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return RecordRejected("load", where, "record has no `text`", json.dumps(obj, default=str)[:2000])
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
        yield RecordRejected("load", uri, f"malformed JSON at line {exc.lineno}: {exc.msg}", text[:2000])
        return
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        data = data["articles"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        yield RecordRejected("load", uri, "JSON must be an object or a list of objects", text[:2000])
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
            yield RecordRejected("load", f"{uri}#{line_no}", f"malformed JSON line: {exc.msg}", line[:2000])
            continue
        yield _record(uri, str(line_no), obj)


def _csv_records(uri: str, text: str) -> Iterator[RawDocument | RecordRejected]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "text" not in reader.fieldnames:
        yield RecordRejected("load", uri, f"CSV needs a `text` column (optional: {RECORD_FIELDS})", text[:2000])
        return
    try:
        for row_no, row in enumerate(reader, start=2):
            if None in row:
                yield RecordRejected("load", f"{uri}#{row_no}", "row has more fields than the header", str(row))
                continue
            yield _record(uri, str(row_no), dict(row))
    except csv.Error as exc:
        yield RecordRejected("load", uri, f"malformed CSV: {exc}", text[:2000])

"""Web archives (.warc, .warc.gz) into RawDocument records: one per archived HTML page.

Each `response` record holding a 200 HTML page (and each `resource` record holding HTML) is read like a saved
page (extractors/webpage.py), with its URL from WARC-Target-URI. `request`, `metadata` and `warcinfo` records
describe the crawl and are skipped, and so are the crawl's other captures that are no article page: images,
scripts and style sheets, redirects and error pages, revisit pointers (a crawl holds thousands; as rejects they
would bury the real problems). They are counted in a debug log line. A record that should be a page and cannot be
read (corrupt bytes, a broken encoding, an oversized page, an HTML page with no article text) becomes a reject
saying why. A damaged archive (truncated, corrupt) gives one reject for the file, after the pages read before the
damage.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from extractors.decoding import decode_html, preview
from extractors.fetch import DEFAULT_MAX_BYTES
from extractors.webpage import read_html_page
from schema.errors import RecordRejected
from schema.records import RawDocument

WARC_SUFFIXES = (".warc", ".warc.gz")
CRAWL_RECORDS = {"request", "metadata", "warcinfo"}
PAGE_RECORDS = {"response", "resource"}
log = logging.getLogger(__name__)
HTML_TYPES = {"text/html", "application/xhtml+xml"}
DRAIN_BYTES = 1024 * 1024


class _Damaged(Exception):
    """The archive breaks off inside a record."""


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_warc(path: Path) -> Iterator[RawDocument | RecordRejected]:
    uri = str(path)
    try:
        size = path.stat().st_size
        stream = path.open("rb")
    except OSError as exc:
        yield RecordRejected("load", uri, f"cannot read file ({exc.strerror})", "")
        return
    with stream:
        if size == 0:
            yield RecordRejected("load", uri, "file is empty", "")
            return
        read = 0
        records = None
        try:
            # Digests (WARC-Block-Digest, WARC-Payload-Digest, where the crawler wrote them) catch flipped bytes
            # inside a record, which the framing alone cannot; a mismatch is noted on the record, not raised.
            records = ArchiveIterator(stream, check_digests=True)
            for record in records:
                item = _read_record(uri, record)
                if item is not None:
                    read += 1
                    yield item
            # warcio ends quietly where a gzip member or a record breaks off, and only warns on stderr when a
            # record's Content-Length is wrong: the iterator's position and warning count tell.
            if records.err_count or records.offset < size:
                raise _Damaged(f"a record breaks off or has a wrong length (near byte {records.offset} of {size})")
        except _Damaged as exc:
            yield _damaged(uri, read, str(exc), stream)
        except ArchiveLoadFailed as exc:
            if "non-chunked gzip" in str(exc):
                yield RecordRejected(
                    "load",
                    uri,
                    "WARC file is gzipped whole, not record by record; gunzip it to .warc (or run `warcio "
                    "recompress` on it) and give that",
                    "",
                )
            else:
                near = f" near byte {records.offset}" if records is not None else ""
                yield _damaged(uri, read, f"not a WARC record{near}: {_first_line(exc)}", stream)
        # zlib, EOF or parser errors from deeper down on other garbage: whatever it is, the file is quarantined and
        # what was read before it stays.
        except Exception as exc:
            near = f" near byte {records.offset}" if records is not None else ""
            yield _damaged(uri, read, f"unreadable record{near} ({type(exc).__name__})", stream)


def _first_line(exc: Exception) -> str:
    """warcio's message quotes the offending line: its printable start is enough to recognise it."""
    line = str(exc).strip().split("\n", 1)[0]
    return "".join(c if c.isprintable() else "?" for c in line)[:80]


def _damaged(uri: str, read: int, what: str, stream: Any) -> RecordRejected:
    try:
        stream.seek(0)
        head = preview(stream.read(2000))
    except (OSError, ValueError):
        head = ""
    return RecordRejected(
        "load",
        uri,
        f"WARC file is truncated or corrupt ({what}); what came before the damage was read ({read} records), "
        "re-download or re-crawl the rest",
        head,
    )


def _read_record(warc_uri: str, record: Any) -> RawDocument | RecordRejected | None:
    """A page's article, a reject for a page that cannot be read, or None for a capture that is no article page."""
    if record.rec_headers.get_header("Content-Length") is None:
        # Mandatory in every WARC record: without it the header block itself broke off.
        raise _Damaged("a record header breaks off, or is no WARC header")
    rec_type = record.rec_type or ""
    target = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
    where = f"{warc_uri}#{target or record.rec_headers.get_header('WARC-Record-ID') or 'record'}"
    if rec_type in CRAWL_RECORDS:
        _drain(record)
        return None
    problem = _not_a_page(record, rec_type)
    media, charset = _content_type(record, rec_type)
    if problem is None and media and media not in HTML_TYPES:
        # Known before reading a byte of it: an image or a video is skipped over, not read into memory.
        problem = f"archived {rec_type} is {media}, not an HTML page"
    if problem is not None and rec_type in PAGE_RECORDS | {"revisit"}:
        _drain(record)
        log.debug("skipped %s: %s", where, problem)
        return None
    payload = b""
    if problem is None:
        try:
            payload = record.content_stream().read(DEFAULT_MAX_BYTES + 1)
        # A body whose Content-Encoding (gzip, brotli) or chunking is broken; the archive around it may be fine.
        except Exception as exc:
            problem = f"archived page cannot be decoded ({type(exc).__name__})"
    _drain(record)
    if problem is None and getattr(record.digest_checker, "passed", None) is False:
        problem = "archived page does not match its WARC digest (corrupt bytes); re-download the archive"
    if problem is not None:
        return RecordRejected("load", where, problem, "")
    if len(payload) > DEFAULT_MAX_BYTES:
        return RecordRejected("load", where, f"archived page is over the {DEFAULT_MAX_BYTES} byte limit", "")
    if not media and not _looks_like_html(payload):
        return RecordRejected("load", where, f"archived {rec_type} has no content type and is no HTML page", "")
    html = decode_html(payload, where, charset)
    if isinstance(html, RecordRejected):
        return html
    page = read_html_page(target or where, html)
    if isinstance(page, RecordRejected):
        return RecordRejected(page.stage, where, page.reason, page.payload)
    return page.model_copy(
        update={
            "url": page.url or target or None,
            # The crawl time is not the publication date; like a saved file's date it is only the flagged fallback
            # for a page that states none (date_source 'file').
            "file_date": _warc_day(record.rec_headers.get_header("WARC-Date")),
        }
    )


def _not_a_page(record: Any, rec_type: str) -> str | None:
    if rec_type == "revisit":
        return "revisit record: the crawler stored no page, only a pointer to an earlier capture"
    if rec_type not in PAGE_RECORDS:
        return f"{rec_type or 'untyped'} record, not an archived page"
    if rec_type == "resource":
        return None
    if record.http_headers is None:
        return "response record without HTTP headers (not a web page, e.g. a DNS lookup)"
    status = record.http_headers.get_statuscode()
    if status != "200":
        return f"archived response has HTTP status {status or 'none'}, not 200"
    return None


def _content_type(record: Any, rec_type: str) -> tuple[str, str | None]:
    """Media type and charset of the archived page: the HTTP header of a response, the WARC header of a resource."""
    headers = record.http_headers if rec_type == "response" else record.rec_headers
    raw = headers.get_header("Content-Type") if headers is not None else None
    if not raw:
        return "", None
    message = Message()
    message["Content-Type"] = raw
    return message.get_content_type(), message.get_content_charset()


def _looks_like_html(payload: bytes) -> bool:
    return payload[:1024].lstrip().lower().startswith((b"<!doctype html", b"<html"))


def _drain(record: Any) -> None:
    """Read the rest of the record, so a record that breaks off is seen here rather than read as a short page."""
    raw = record.raw_stream
    while raw.read(DRAIN_BYTES):
        pass
    if getattr(raw, "limit", 0) > 0:
        raise _Damaged(f"record {record.rec_headers.get_header('WARC-Target-URI') or ''} breaks off")


def _warc_day(value: str | None) -> str | None:
    try:
        return dt.datetime.fromisoformat((value or "").strip()).date().isoformat()
    except ValueError:
        return None

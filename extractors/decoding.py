"""Bytes of a file, a fetched page or an archived response into text, or a RecordRejected that says why not.

Shared by the loaders (extractors/load.py, feeds.py, warc.py): every source decodes the same way, so a page reads
the same whether it was saved to disk, fetched from a feed or archived in a WARC.
"""

from __future__ import annotations

import codecs
import re

from schema.errors import RecordRejected

PAYLOAD_CHARS = 2000
# A NUL byte in the first 8 KiB: an image, a PDF, a word-processor file; no news text holds one.
SNIFF_BYTES = 8192
# <meta charset="..."> or <meta http-equiv="Content-Type" content="text/html; charset=...">, near the top of a page.
HTML_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
# Lone UTF-16 surrogates ("\ud800" in a JSON string) cannot be written as UTF-8 to DuckDB or Parquet.
SURROGATE = re.compile("[\ud800-\udfff]")


def preview(data: bytes) -> str:
    """The start of a rejected input, for the `rejects.payload` column."""
    return data[:PAYLOAD_CHARS].decode("utf-8", errors="replace")


def decode(data: bytes, uri: str) -> str | RecordRejected:
    """UTF-8 text (a byte-order mark is dropped); an empty, binary or otherwise encoded file is rejected."""
    if not data.strip():
        return RecordRejected("load", uri, "file is empty", "")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Its NUL bytes would otherwise call it binary; what it needs is a re-encoding.
        return RecordRejected("load", uri, "text is UTF-16 (byte-order mark); re-encode the file as UTF-8", "")
    if b"\x00" in data[:SNIFF_BYTES]:
        return RecordRejected("load", uri, "binary file (NUL bytes), not text", preview(data))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return RecordRejected(
            "load",
            uri,
            f"not valid UTF-8 (byte {exc.start}); re-encode the file as UTF-8",
            preview(data),
        )


def decode_html(data: bytes, uri: str, header_charset: str | None = None) -> str | RecordRejected:
    """An HTML page as text: UTF-8 if it is, else the charset the server sent (`header_charset`, from an HTTP
    Content-Type), else the one the page declares in a meta tag. Labels are read as a browser does: latin-1 and
    ASCII mean windows-1252, as the web uses them."""
    text = decode(data, uri)
    # Only a page that is not UTF-8 is read in a declared charset: a valid UTF-8 byte string of any length is almost
    # never meant as another charset, while servers often send a stale default label. Empty or binary stays rejected.
    if isinstance(text, str) or not data.strip() or b"\x00" in data[:SNIFF_BYTES]:
        return text
    declared = HTML_CHARSET.search(data[:4096])
    if header_charset:
        label = header_charset.strip()
    elif declared is not None:
        label = declared[1].decode("ascii", errors="replace")
    else:
        return text
    try:
        info = codecs.lookup(label)
    except LookupError:
        info = None
    # codecs also knows byte-to-byte transforms ("base64", "zlib", "hex"): a page cannot declare those.
    if info is None or not getattr(info, "_is_text_encoding", True):
        return RecordRejected("load", uri, f"page declares unknown charset {label!r}", preview(data))
    codec = "cp1252" if info.name in {"iso8859-1", "ascii"} else info.name
    try:
        decoded = data.decode(codec)
    except UnicodeError as exc:
        where = f" (byte {exc.start})" if isinstance(exc, UnicodeDecodeError) else ""
        return RecordRejected(
            "load", uri, f"not valid {label} as the page declares{where}; re-save it as UTF-8", preview(data)
        )
    if has_surrogates(decoded):  # "unicode_escape" can spell out lone surrogates
        return RecordRejected("load", uri, f"page in {label} decodes to invalid Unicode; re-save it as UTF-8", "")
    return decoded


def has_surrogates(text: str) -> bool:
    return SURROGATE.search(text) is not None

"""The ledger's keys and rows: what a run read, by content, so that a daily run reads only what is new.

A document is known by a hash of its content as read (text, title, outlet, url, published), not by the cleaned
article's id: the hash exists before cleaning, so a document the cleaner rejects is known too, and it does not
move when the cleaning rules change (a new cleaner would give yesterday's articles new ids, and a daily run would
code them all again). Its path is left out, so a file moved or copied within the inbox is no new document; a
corrected record (a date fixed, a text amended) is. See docs/daily-runs.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from schema.errors import RecordRejected
from schema.records import Article, LedgerEntry, RawDocument

DIGEST_BYTES = 16


def record_key(document: RawDocument) -> str:
    """Hash of the document's content fields: the same record read again, from anywhere, has the same key."""
    content = [document.text, document.title, document.outlet, document.url, document.published]
    digest = hashlib.blake2b(json.dumps(content, ensure_ascii=False).encode("utf-8"), digest_size=DIGEST_BYTES)
    return digest.hexdigest()


def file_key(path: Path) -> str | None:
    """Hash of the file's bytes, read in chunks; None when it cannot be read (the loader then rejects it)."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, lambda: hashlib.blake2b(digest_size=DIGEST_BYTES)).hexdigest()
    except OSError:
        return None


def entry(
    kind: str, key: str, uri: str, article_id: str | None, run_id: str, now: dt.datetime, *, coded: bool
) -> LedgerEntry:
    return LedgerEntry.model_validate(
        {
            "kind": kind,
            "key": key,
            "uri": uri,
            "article_id": article_id,
            "status": "coded" if coded else "rejected",
            "run_id": run_id,
            "first_seen": now,
            "last_run_id": run_id,
        }
    )


def batch_ledger(
    batch: Sequence[RawDocument | RecordRejected], articles: Sequence[Article], run_id: str, now: dt.datetime
) -> list[LedgerEntry]:
    """Ledger rows for a coded batch: each document by its content hash, and each feed entry by its guid and
    link; coded when it gave an article (matched by uri), else rejected. A document the loader could not read at
    all (a RecordRejected) has no content to hash: its file's row stands for it (see flows/inputs.py)."""
    article_of = {a.uri: a.article_id for a in articles}
    rows: list[LedgerEntry] = []
    for document in batch:
        if isinstance(document, RecordRejected):
            continue
        article_id = article_of.get(document.uri)
        coded = article_id is not None
        rows.append(entry("record", record_key(document), document.uri, article_id, run_id, now, coded=coded))
        rows.extend(entry("entry", k, document.uri, article_id, run_id, now, coded=coded) for k in document.entry_keys)
    return rows

"""What a run reads: its input files, then its feed URLs, as one lazy stream of documents.

With `only_new` (the daily run) the stream leaves out what the warehouse's ledger holds, as early as it can: a file
whose bytes are known is not parsed, a feed entry known by its guid or link is not fetched, a document whose content
is known is not coded. The stream also counts the inputs it has read (the run's progress) and what it left out, and
keeps the ledger rows of the files it read in full; the run writes those once every batch is in (`finished_rows`),
so a run killed half-way reads those files again next time (their coded documents are then skipped one by one).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path

from extractors.fetch import Fetcher
from extractors.load import read_feed_documents, read_file
from flows.ledger import entry, file_key, record_key
from schema.errors import RecordRejected
from schema.records import LedgerEntry, RawDocument
from warehouse.store import Warehouse

Item = RawDocument | RecordRejected


class InputStream:
    """Iterate it once to get the run's documents; `done`/`total` count inputs (files and feed URLs) read."""

    def __init__(
        self,
        files: Sequence[Path],
        feeds: Sequence[str],
        warehouse: Warehouse,
        run_id: str,
        *,
        only_new: bool,
        fetcher: Fetcher | None = None,
        lookup_size: int = 200,
    ) -> None:
        self.files = list(files)
        self.feeds = list(feeds)
        self.warehouse = warehouse
        self.run_id = run_id
        self.only_new = only_new
        self.fetcher = fetcher
        self.lookup_size = lookup_size
        self.total = len(self.files) + len(self.feeds)
        self.done = 0
        # What only_new left out, by what knew it: "files", "entries" (feed entries), "documents".
        self.skipped: Counter[str] = Counter()
        self._finished: list[LedgerEntry] = []

    def __iter__(self) -> Iterator[Item]:
        documents = self._read()
        return self._leave_out_known(documents) if self.only_new else documents

    def finished_rows(self) -> list[LedgerEntry]:
        """Ledger rows for the files read in full (and feed entries met again whose page was known)."""
        return list(self._finished)

    def _read(self) -> Iterator[Item]:
        seen = self._seen_entries if self.only_new else None
        for path in self.files:
            key = file_key(path)
            if self.only_new and key is not None and self.warehouse.ledger_entries("file", [key]):
                self.skipped["files"] += 1
                self.done += 1
                continue
            documents = 0
            for item in read_file(path, self.fetcher, seen):
                documents += isinstance(item, RawDocument)
                yield item
            if key is not None:
                # A file that gave no document at all (binary, empty, malformed) is known as rejected: it is not
                # read again until its bytes change.
                self._finished.append(self._row("file", key, str(path), None, coded=documents > 0))
            self.done += 1
        for url in self.feeds:
            yield from read_feed_documents(url, self.fetcher, seen)
            self.done += 1

    def _seen_entries(self, entries: Sequence[tuple[str, ...]]) -> set[str]:
        known = set(self.warehouse.ledger_entries("entry", (k for keys in entries for k in keys)))
        self.skipped["entries"] += sum(1 for keys in entries if known.intersection(keys))
        return known

    def _leave_out_known(self, documents: Iterable[Item]) -> Iterator[Item]:
        """The documents whose content the ledger does not hold, looked up a chunk at a time."""
        iterator = iter(documents)
        while chunk := list(islice(iterator, self.lookup_size)):
            keys = [record_key(d) if isinstance(d, RawDocument) else None for d in chunk]
            known = self.warehouse.ledger_entries("record", (k for k in keys if k is not None))
            for item, key in zip(chunk, keys, strict=True):
                row = known.get(key) if key is not None else None
                if row is None or not isinstance(item, RawDocument):
                    yield item
                    continue
                self.skipped["documents"] += 1
                # A feed entry fetched again (its guid and link were new) whose page is known: note the entry, so
                # that tomorrow its page is not fetched at all.
                self._finished.extend(
                    self._row("entry", k, item.uri, row.article_id, coded=row.status == "coded")
                    for k in item.entry_keys
                )

    def _row(self, kind: str, key: str, uri: str, article_id: str | None, *, coded: bool) -> LedgerEntry:
        return entry(kind, key, uri, article_id, self.run_id, dt.datetime.now(dt.UTC), coded=coded)

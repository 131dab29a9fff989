"""The DuckDB warehouse: contract tables, lookups, idempotent batch loads and the event rollup.

A batch is written in one transaction that first deletes every row of the batch's articles, so loading the same
articles again replaces them instead of adding twins. Only one process may write at a time (DuckDB's file
lock); a second writer gets WarehouseInUseError with what to do.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from schema.config import RollupRules
from schema.errors import QueryError, WarehouseError, WarehouseInUseError, WarehouseMissingError
from schema.ontology import Ontology
from schema.records import (
    ActorCandidate,
    Article,
    ArticleSignature,
    Event,
    EventMention,
    KnownArticle,
    LedgerEntry,
    LedgerKind,
    Reject,
    Run,
    Sentence,
)
from warehouse.crashpoints import crash_point
from warehouse.event_store import ensure_rollup_tables, keys_of_articles, keys_of_mentions, rebuild_all, refresh_events
from warehouse.ledger import RunRates, ensure_ledger_table, known_entries, record_entries, run_rates
from warehouse.signatures import duplicate_candidates, ensure_signature_tables, replace_signatures, set_duplicates
from warehouse.tables import TABLES, duckdb_columns, to_arrow
from warehouse.views import create_views

DB_FILENAME = "eventcoder.duckdb"
log = logging.getLogger("eventcoder")
LOCK_HOLDER = re.compile(r"PID (\d+)")


def _in_use_message(path: Path, exc: Exception) -> str:
    holder = LOCK_HOLDER.search(str(exc))
    who = f" (process {holder.group(1)})" if holder else ""
    return (
        f"warehouse {path} is in use by another eventcoder run or reader{who}; wait for it to finish "
        f"(--wait SECONDS waits up to that long), or point --warehouse at another directory."
    )


def connect(path: Path, *, read_only: bool, lock_timeout: float = 0.0) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + lock_timeout
    waiting = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise WarehouseError(f"cannot open {path}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WarehouseInUseError(_in_use_message(path, exc)) from exc
            if not waiting:  # say once why nothing happens for a while
                holder = LOCK_HOLDER.search(str(exc))
                log.warning(
                    "warehouse %s is in use by process %s; waiting up to %.0f s for it",
                    path,
                    holder.group(1) if holder else "?",
                    lock_timeout,
                )
                waiting = True
            time.sleep(0.5)


class Warehouse:
    """A DuckDB file with the eventcoder tables. Use `Warehouse.open(dir)` as a context manager."""

    def __init__(self, con: duckdb.DuckDBPyConnection, directory: Path) -> None:
        self.con = con
        self.directory = directory

    @classmethod
    def open(
        cls, directory: Path, *, lock_timeout: float = 0.0, memory_limit: str | None = None, threads: int | None = None
    ) -> Warehouse:
        """Open (creating it if need be) for writing. `memory_limit` and `threads` bound DuckDB on this connection
        (a run's: PipelineConfig.duckdb_memory_limit, duckdb_threads); DuckDB's defaults otherwise."""
        directory.mkdir(parents=True, exist_ok=True)
        con = connect(directory / DB_FILENAME, read_only=False, lock_timeout=lock_timeout)
        try:
            if memory_limit is not None:
                con.execute("SET memory_limit = ?", [memory_limit])
            if threads is not None:
                con.execute("SET threads = ?", [threads])
        except duckdb.Error as exc:
            con.close()
            raise WarehouseError(
                f"bad DuckDB setting (memory_limit={memory_limit!r}, threads={threads}): {exc}"
            ) from exc
        warehouse = cls(con, directory)
        warehouse.ensure_schema()
        return warehouse

    @classmethod
    def open_read_only(cls, directory: Path, *, lock_timeout: float = 0.0) -> Warehouse:
        path = directory / DB_FILENAME
        if not path.exists():
            raise WarehouseMissingError(f"no warehouse at {path}; run `eventcoder run` first or pass --warehouse.")
        return cls(connect(path, read_only=True, lock_timeout=lock_timeout), directory)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- schema -------------------------------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        """Create missing tables and add missing columns; never drops or renames (the data contract)."""
        with self.transaction():
            for table in TABLES.values():
                self._ensure_table(table.name, table.model, table.description)
            self._ensure_table("events", Event, "One row per distinct real-world event, rolled up from mentions.")
            ensure_signature_tables(self.con)
            ensure_rollup_tables(self.con)
            ensure_ledger_table(self.con)
            create_views(self.con)

    def _ensure_table(self, name: str, model: Any, description: str) -> None:
        columns = duckdb_columns(model)
        existing = {
            row[0]
            for row in self.con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
            ).fetchall()
        }
        if not existing:
            ddl = ", ".join(f'"{c}" {t}{"" if nullable else " NOT NULL"}' for c, t, nullable, _ in columns)
            self.con.execute(f'CREATE TABLE "{name}" ({ddl})')
        else:
            for column, sql_type, _, _ in columns:
                if column not in existing:
                    self.con.execute(f'ALTER TABLE "{name}" ADD COLUMN "{column}" {sql_type}')
        self.con.execute(f"COMMENT ON TABLE \"{name}\" IS '{_quote(description)}'")
        for column, _, _, text in columns:
            self.con.execute(f'COMMENT ON COLUMN "{name}"."{column}" IS \'{_quote(text)}\'')

    def load_ontology(self, ontology: Ontology) -> None:
        """Replace the lookup tables (cameo_codes, actors, actor_roles, groups, verb_patterns) with this ontology."""
        codes = pa.Table.from_pylist([c.model_dump() for c in sorted(ontology.codes.values(), key=lambda c: c.code)])
        actors = pa.Table.from_pylist(
            [{"code": c.iso3, "name": c.name, "kind": "country"} for c in ontology.countries.values()]
            + [{"code": o.code, "name": o.name, "kind": o.kind} for o in ontology.organizations.values()]
            + [{"code": s.code, "name": s.name, "kind": "sector"} for s in ontology.sectors.values()]
        ).sort_by("code")
        roles = pa.Table.from_pylist(
            [
                {
                    "person_id": pid,
                    "name": ontology.persons[pid].name,
                    "country": ontology.persons[pid].country,
                    "actor_code": r.actor_code,
                    "role": r.role,
                    "start_date": r.start,
                    "end_date": r.end,
                }
                for pid, rs in sorted(ontology.roles.items())
                for r in rs
            ],
            schema=pa.schema(
                [
                    ("person_id", pa.string()),
                    ("name", pa.string()),
                    ("country", pa.string()),
                    ("actor_code", pa.string()),
                    ("role", pa.string()),
                    ("start_date", pa.date32()),
                    ("end_date", pa.date32()),
                ]
            ),
        )
        patterns = pa.Table.from_pylist(
            [
                {
                    "pattern_id": p.pattern_id,
                    "code": p.code,
                    "pos": p.pos,
                    "trigger": p.trigger,
                    "object": "|".join(p.object),
                    "particle": p.particle,
                    "target": "|".join(p.target),
                    "mutual": p.mutual,
                    "example": p.example,
                }
                for p in ontology.patterns
            ]
        )
        groups = pa.Table.from_pylist(
            [
                {"group_id": g.group_id, "name": g.name, "actor_code": g.actor_code, "changes": "|".join(g.changes)}
                for g in sorted(ontology.groups.values(), key=lambda g: g.group_id)
            ],
            schema=pa.schema(
                [
                    ("group_id", pa.string()),
                    ("name", pa.string()),
                    ("actor_code", pa.string()),
                    ("changes", pa.string()),
                ]
            ),
        )
        lookups = {
            "cameo_codes": codes,
            "actors": actors,
            "actor_roles": roles,
            "groups": groups,
            "verb_patterns": patterns,
        }
        with self.transaction():
            for name, table in lookups.items():
                self.con.register("_lookup", table)
                self.con.execute(f'CREATE OR REPLACE TABLE "{name}" AS SELECT * FROM _lookup')
                self.con.unregister("_lookup")
            self.con.execute(
                "COMMENT ON TABLE cameo_codes IS 'CAMEO event codes with quad class, Goldstein, PLOVER and ACLED'"
            )
            self.con.execute("COMMENT ON TABLE actors IS 'Actor and sector codes with their names'")
            self.con.execute("COMMENT ON TABLE actor_roles IS 'Named persons and the actor code of each dated role'")
            self.con.execute(
                "COMMENT ON TABLE groups IS 'Non-state and national groups (Hamas, ELN), their actor code and dated "
                "changes of it (date:code)'"
            )
            self.con.execute("COMMENT ON TABLE verb_patterns IS 'Verb patterns; mentions.pattern_id points here'")
            # The views join the lookups, so they can only be created once these exist.
            create_views(self.con)

    # -- runs ---------------------------------------------------------------------------------------------------
    def record_run(self, run: Run) -> None:
        with self.transaction():
            self.con.execute("DELETE FROM runs WHERE run_id = ?", [run.run_id])
            self._insert("runs", Run, [run])

    def mark_interrupted_runs(self) -> list[str]:
        """Mark runs still 'running' as 'interrupted' and return their ids. Call it right after opening for
        writing: the file lock proves that no other writer is alive, so such a run was killed (or its machine
        died) before it could record how it ended. Its committed batches stay; a run over the same input redoes
        the rest."""
        rows = self.con.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running' RETURNING run_id")
        return sorted(row[0] for row in rows.fetchall())

    # -- batches ------------------------------------------------------------------------------------------------
    def write_batch(
        self,
        articles: Sequence[Article],
        sentences: Sequence[Sentence],
        mentions: Sequence[EventMention],
        rejects: Sequence[Reject],
        candidates: Sequence[ActorCandidate] = (),
        *,
        signatures: Sequence[ArticleSignature] = (),
        duplicate_updates: Mapping[str, str | None] | None = None,
        rollup: RollupRules | None = None,
        ledger: Sequence[LedgerEntry] = (),
    ) -> None:
        """Replace everything known about these articles, add rejects not seen before, set `duplicate_of` of stored
        articles whose verdict changed, and recompute the events of every rollup key the batch touches, atomically."""
        rules = rollup or RollupRules()
        ids = [a.article_id for a in articles]
        with self.transaction():
            # Keys of the mentions about to be replaced: their events must be recomputed without them.
            touched = keys_of_articles(self.con, [*ids, *(duplicate_updates or {})], rules)
            if ids:
                self.con.register("_batch_ids", pa.table({"article_id": pa.array(ids, pa.string())}))
                for table in ("actor_candidates", "mentions", "sentences", "articles"):
                    self.con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM _batch_ids)")
                self.con.unregister("_batch_ids")
                replace_signatures(self.con, ids, signatures)
            self._insert("articles", Article, articles)
            self._insert("sentences", Sentence, sentences)
            self._insert("mentions", EventMention, mentions)
            self._insert("actor_candidates", ActorCandidate, candidates)
            set_duplicates(self.con, duplicate_updates or {})
            if rejects:
                self.con.register("_rejects", to_arrow(Reject, rejects))
                self.con.execute(
                    "INSERT INTO rejects BY NAME SELECT * FROM _rejects "
                    "WHERE reject_id NOT IN (SELECT reject_id FROM rejects)"
                )
                self.con.unregister("_rejects")
            refresh_events(self.con, touched | keys_of_mentions(mentions, rules), rules)
            # In the same transaction: the ledger names a document only once its rows are in.
            record_entries(self.con, ledger)
            crash_point("batch-uncommitted")

    def apply_rollup_rules(self, rollup: RollupRules) -> None:
        """Rebuild every event if the table was built with other rollup rules (or none); otherwise do nothing."""
        with self.transaction():
            refresh_events(self.con, set(), rollup)

    def record_ledger(self, entries: Sequence[LedgerEntry]) -> None:
        """Note what a run read outside a batch (the input files it read in full), in one transaction."""
        with self.transaction():
            record_entries(self.con, entries)

    def ledger_entries(self, kind: LedgerKind, keys: Iterable[str]) -> dict[str, LedgerEntry]:
        """The ledger's rows of this kind for those keys it holds (warehouse/ledger.py)."""
        return known_entries(self.con, kind, keys)

    def run_rates(self, run_id: str) -> RunRates:
        """Coding rates of the articles this run coded (warehouse/ledger.py)."""
        return run_rates(self.con, run_id)

    def duplicate_candidates(
        self, signatures: Sequence[ArticleSignature], scheme: str, min_shared_bands: int
    ) -> list[KnownArticle]:
        """Stored articles that may be near-duplicates of these, with their stored groups (warehouse/signatures.py)."""
        return duplicate_candidates(self.con, signatures, scheme, min_shared_bands)

    def _insert(self, table: str, model: Any, records: Sequence[Any]) -> None:
        if not records:
            return
        self.con.register("_rows", to_arrow(model, records))
        self.con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _rows')
        self.con.unregister("_rows")

    def rebuild_events(self, rollup: RollupRules | None = None) -> int:
        """Roll every mention up into events again (warehouse/rollup.py), replacing the events table atomically.
        Runs keep events current batch by batch; this is for a changed rule set or a check."""
        with self.transaction():
            rebuild_all(self.con, rollup or RollupRules())
            return int(self.con.execute("SELECT count(*) FROM events").fetchall()[0][0])

    # -- reading ------------------------------------------------------------------------------------------------
    def count(self, table: str) -> int:
        if table not in TABLES and table != "events":
            raise WarehouseError(f"unknown table {table}")
        return int(self.con.execute(f'SELECT count(*) FROM "{table}"').fetchall()[0][0])

    def query(self, sql: str, params: Sequence[Any] | None = None) -> tuple[list[str], list[tuple[Any, ...]]]:
        try:
            cursor = self.con.cursor()
            result = cursor.execute(sql, params or [])
            columns = [d[0] for d in result.description or []]
            rows = result.fetchall()
            cursor.close()
        except duckdb.Error as exc:
            raise QueryError(str(exc).splitlines()[0]) from exc
        return columns, rows

    def arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        cursor = self.con.cursor()
        table = cursor.sql(sql, params=list(params or [])).to_arrow_table()
        cursor.close()
        return table

    def counts(self) -> dict[str, int]:
        return {name: self.count(name) for name in ("articles", "sentences", "mentions", "events", "rejects")}


def _quote(text: str) -> str:
    return text.replace("'", "''")


def counts_json(counts: dict[str, int]) -> str:
    return json.dumps(counts, sort_keys=True)

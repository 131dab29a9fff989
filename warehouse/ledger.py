"""The ledger: what runs have read, by content hash, so that a daily run codes only what is new.

An internal table (not released, not exported to Parquet), one row per (kind, key): an input file by the hash of
its bytes, a document by the hash of its content, a feed entry by its guid or link (schema.records.LedgerEntry).
A batch's rows are written in the batch's own transaction, so after a crash the ledger names exactly the
documents whose rows are in the warehouse. A row keeps the run that first read it; a later run that reads it
again (an explicit `eventcoder run`) only updates its status, article and `last_run_id`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import duckdb
import pyarrow as pa
from pydantic import BaseModel, ConfigDict

from schema.records import LedgerEntry, LedgerKind
from warehouse.tables import duckdb_columns, to_arrow

LEDGER_TABLE = "ledger"
LEDGER_COMMENT = (
    "What runs have read (input files, documents, feed entries) by content hash, guid or link: a daily run "
    "(only_new) skips what is here."
)


def ensure_ledger_table(con: duckdb.DuckDBPyConnection) -> None:
    columns = duckdb_columns(LedgerEntry)
    ddl = ", ".join(f'"{c}" {t}{"" if nullable else " NOT NULL"}' for c, t, nullable, _ in columns)
    con.execute(f'CREATE TABLE IF NOT EXISTS "{LEDGER_TABLE}" ({ddl})')
    con.execute(f"COMMENT ON TABLE \"{LEDGER_TABLE}\" IS '{LEDGER_COMMENT}'")
    for column, _, _, text in columns:
        quoted = text.replace("'", "''")
        con.execute(f'COMMENT ON COLUMN "{LEDGER_TABLE}"."{column}" IS \'{quoted}\'')


def record_entries(con: duckdb.DuckDBPyConnection, entries: Sequence[LedgerEntry]) -> None:
    """Add new rows, and update status, article and last run of known ones (call inside a transaction)."""
    if not entries:
        return
    # One row per (kind, key): the last word on a key within one write wins, as it would over two writes.
    latest = list({(e.kind, e.key): e for e in entries}.values())
    con.register("_ledger", to_arrow(LedgerEntry, latest))
    con.execute(
        f'UPDATE "{LEDGER_TABLE}" AS l SET status = n.status, article_id = n.article_id, last_run_id = n.last_run_id '
        "FROM _ledger AS n WHERE l.kind = n.kind AND l.key = n.key"
    )
    con.execute(
        f'INSERT INTO "{LEDGER_TABLE}" BY NAME SELECT * FROM _ledger AS n '
        f'WHERE NOT EXISTS (SELECT 1 FROM "{LEDGER_TABLE}" AS l WHERE l.kind = n.kind AND l.key = n.key)'
    )
    con.unregister("_ledger")


def known_entries(con: duckdb.DuckDBPyConnection, kind: LedgerKind, keys: Iterable[str]) -> dict[str, LedgerEntry]:
    """The ledger's rows of this kind for those of `keys` it holds."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    cursor = con.cursor()  # a cursor per lookup: the run's batches write on the main connection
    try:
        cursor.register("_wanted", pa.table({"key": pa.array(wanted, pa.string())}))
        result = cursor.execute(
            f'SELECT * FROM "{LEDGER_TABLE}" WHERE kind = ? AND key IN (SELECT key FROM _wanted)', [kind]
        )
        names = [d[0] for d in result.description or []]
        rows = result.fetchall()
    finally:
        cursor.close()
    return {row[names.index("key")]: LedgerEntry(**dict(zip(names, row, strict=True))) for row in rows}


class RunRates(BaseModel):
    """How densely the articles a run coded were coded, after the rollup: the run summary's coding rates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    articles: int
    sentences: int
    sentences_with_mention: int
    events: int
    articles_with_event: int
    duplicates: int


def run_rates(con: duckdb.DuckDBPyConnection, run_id: str) -> RunRates:
    """Rates over the articles this run coded: the ledger's coded documents whose last run it is."""
    cursor = con.cursor()
    try:
        row = cursor.execute(
            f"""
            WITH run_articles AS (
                SELECT DISTINCT article_id FROM "{LEDGER_TABLE}"
                WHERE kind = 'record' AND status = 'coded' AND last_run_id = ? AND article_id IS NOT NULL
            ),
            run_mentions AS (SELECT m.* FROM mentions m JOIN run_articles USING (article_id))
            SELECT
                (SELECT count(*) FROM articles JOIN run_articles USING (article_id)),
                (SELECT count(*) FROM sentences JOIN run_articles USING (article_id)),
                (SELECT count(*) FROM (SELECT DISTINCT article_id, sentence_index FROM run_mentions)),
                (SELECT count(DISTINCT event_id) FROM run_mentions WHERE event_id IS NOT NULL),
                (SELECT count(DISTINCT article_id) FROM run_mentions WHERE event_id IS NOT NULL),
                (SELECT count(*) FROM articles JOIN run_articles USING (article_id) WHERE duplicate_of IS NOT NULL)
            """,
            [run_id],
        ).fetchall()[0]
    finally:
        cursor.close()
    fields = ("articles", "sentences", "sentences_with_mention", "events", "articles_with_event", "duplicates")
    return RunRates(**{name: int(value) for name, value in zip(fields, row, strict=True)})

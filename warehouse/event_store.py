"""Keeping the `events` table and `mentions.event_id` in step with the mentions, inside the batch's transaction.

A batch touches some rollup keys (source, target, code family): those of the mentions it deletes and of those it
inserts. Only those keys are recomputed — rolled up again from all their mentions in the warehouse, whatever run
wrote them — so a daily run costs what its keys cost, not the whole table. Of the recomputed events only those that
differ from the stored rows are replaced, and only mentions whose event changed are updated: rewriting a busy
dyad's every event each batch would leave DuckDB a dead row per rewrite, and a run's memory would grow with them.
The rules a table was built with are stored (table `settings`); a run with other rules (or a new rollup algorithm)
rebuilds every event once, so one table never mixes two rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from schema.config import RollupRules
from schema.records import Event, EventMention
from warehouse.rollup import ROLLUP_VERSION, Crosswalk, Key, Report, roll_up
from warehouse.tables import to_arrow

RULES_SETTING = "rollup_rules"
REPORT_COLUMNS = (
    "m.mention_id, m.article_id, m.source_actor, m.target_actor, m.event_code, m.quad_class, m.goldstein, "
    "m.modality, m.event_date, m.event_date_end, m.date_precision, m.location_name, m.admin1, m.country_code, "
    "m.latitude, m.longitude, m.geo_precision, m.fatalities, m.injured, a.published_date, a.outlet, a.duplicate_of, "
    "m.event_id AS stored_event_id"
)
REPORT_FIELDS = tuple(f.name for f in dataclasses.fields(Report))  # REPORT_COLUMNS gives them in this order
KEY_MATCH = (
    "{t}.source_actor IS NOT DISTINCT FROM k.source_actor AND {t}.target_actor IS NOT DISTINCT FROM k.target_actor "
    "AND left({t}.event_code, ?) = k.family"
)


def ensure_rollup_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS settings (name VARCHAR NOT NULL, value VARCHAR)")
    con.execute("COMMENT ON TABLE settings IS 'Settings a warehouse was built with (the event rollup rules)'")
    # Mentions that are not rolled up have no event; warehouses made before this kept a provisional id there.
    nullable = con.execute(
        "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'mentions' AND column_name = 'event_id'"
    ).fetchall()
    if nullable and nullable[0][0] == "NO":
        con.execute("ALTER TABLE mentions ALTER COLUMN event_id DROP NOT NULL")


def rules_text(rules: RollupRules) -> str:
    return f"{ROLLUP_VERSION} {rules.model_dump_json()}"


def _stored_rules(con: duckdb.DuckDBPyConnection) -> str | None:
    rows = con.execute("SELECT value FROM settings WHERE name = ?", [RULES_SETTING]).fetchall()
    return str(rows[0][0]) if rows else None


def keys_of_articles(con: duckdb.DuckDBPyConnection, article_ids: Iterable[str], rules: RollupRules) -> set[Key]:
    """The rollup keys of the stored mentions of these articles."""
    ids = pa.table({"article_id": pa.array(sorted(set(article_ids)), pa.string())})
    if ids.num_rows == 0:
        return set()
    con.register("_key_articles", ids)
    rows = con.execute(
        "SELECT DISTINCT source_actor, target_actor, left(event_code, ?) FROM mentions "
        "WHERE article_id IN (SELECT article_id FROM _key_articles)",
        [rules.code_digits],
    ).fetchall()
    con.unregister("_key_articles")
    return {(s, t, f) for s, t, f in rows}


def keys_of_mentions(mentions: Iterable[EventMention], rules: RollupRules) -> set[Key]:
    return {(m.source_actor, m.target_actor, m.event_code[: rules.code_digits]) for m in mentions}


def refresh_events(con: duckdb.DuckDBPyConnection, keys: set[Key], rules: RollupRules) -> None:
    """Recompute the events of these keys (all keys when the stored rules differ). Call inside a transaction."""
    if _stored_rules(con) != rules_text(rules):
        rebuild_all(con, rules)
        return
    if not keys:
        return
    ordered = sorted(keys, key=lambda k: tuple("" if p is None else p for p in k))
    table = pa.table(
        {
            "source_actor": pa.array([k[0] for k in ordered], pa.string()),
            "target_actor": pa.array([k[1] for k in ordered], pa.string()),
            "family": pa.array([k[2] for k in ordered], pa.string()),
        }
    )
    con.register("_rollup_keys", table)
    try:
        reports = _reports(
            con,
            f"JOIN _rollup_keys k ON {KEY_MATCH.format(t='m')}",
            [rules.code_digits],
        )
        _write(con, reports, rules, _stored_events(con, rules))
    finally:
        con.unregister("_rollup_keys")


def rebuild_all(con: duckdb.DuckDBPyConnection, rules: RollupRules) -> None:
    """Recompute every event from every mention, and remember the rules. Call inside a transaction."""
    reports = _reports(con, "", [])
    con.execute("DELETE FROM events")
    _write(con, reports, rules, {})
    con.execute("DELETE FROM settings WHERE name = ?", [RULES_SETTING])
    con.execute("INSERT INTO settings VALUES (?, ?)", [RULES_SETTING, rules_text(rules)])


def _reports(con: duckdb.DuckDBPyConnection, join: str, params: list[object]) -> list[Report]:
    sql = f"SELECT {REPORT_COLUMNS} FROM mentions m JOIN articles a ON a.article_id = m.article_id {join}"
    cursor = con.execute(sql, params)
    columns = tuple(d[0] for d in cursor.description or [])
    assert columns == REPORT_FIELDS, f"REPORT_COLUMNS out of step with Report: {columns}"
    return [Report(*row) for row in cursor.fetchall()]


def _crosswalk(con: duckdb.DuckDBPyConnection) -> Crosswalk:
    exists = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'cameo_codes'").fetchall()
    if not exists[0][0]:
        return {}
    rows = con.execute("SELECT code, plover_type, acled_event_type, acled_sub_event_type FROM cameo_codes").fetchall()
    return {code: (plover, acled, sub) for code, plover, acled, sub in rows}


def _write(
    con: duckdb.DuckDBPyConnection, reports: list[Report], rules: RollupRules, stored: dict[str, tuple[object, ...]]
) -> None:
    """Roll the reports up and write what differs from `stored` (the stored rows of their keys' events)."""
    events, assignment = roll_up(reports, rules, _crosswalk(con))
    # Only what changed is written: most events of a touched key come out as they were, and rewriting them every
    # batch would make each batch's cost (and the table's dead rows) grow with the warehouse.
    fresh = {e.event_id: e for e in events}
    changed = sorted(i for i, row in stored.items() if i not in fresh or _row(fresh[i]) != row)
    if changed:
        con.register("_changed", pa.table({"event_id": pa.array(changed, pa.string())}))
        con.execute("DELETE FROM events WHERE event_id IN (SELECT event_id FROM _changed)")
        con.unregister("_changed")
    kept = stored.keys() - set(changed)
    _insert_events(con, [e for e in events if e.event_id not in kept])
    current = {r.mention_id: r.stored_event_id for r in reports}
    _link(con, {m: e for m, e in assignment.items() if current.get(m, "") != e})


EVENT_COLUMNS = tuple(Event.model_fields)


def _row(event: Event) -> tuple[object, ...]:
    return tuple(getattr(event, name) for name in EVENT_COLUMNS)


def _stored_events(con: duckdb.DuckDBPyConnection, rules: RollupRules) -> dict[str, tuple[object, ...]]:
    """The stored events of the registered keys, each as its row of values in EVENT_COLUMNS order."""
    columns = ", ".join(f'events."{name}"' for name in EVENT_COLUMNS)
    rows = con.execute(
        f"SELECT {columns} FROM events JOIN _rollup_keys k ON {KEY_MATCH.format(t='events')}", [rules.code_digits]
    ).fetchall()
    return {str(row[0]): tuple(row) for row in rows}


def _insert_events(con: duckdb.DuckDBPyConnection, events: list[Event]) -> None:
    if events:
        con.register("_events", to_arrow(Event, events))
        con.execute("INSERT INTO events BY NAME SELECT * FROM _events")
        con.unregister("_events")


def _link(con: duckdb.DuckDBPyConnection, assignment: dict[str, str | None]) -> None:
    """Set mentions.event_id as `assignment` says."""
    if assignment:
        links = pa.table(
            {
                "mention_id": pa.array(list(assignment), pa.string()),
                "event_id": pa.array(list(assignment.values()), pa.string()),
            }
        )
        con.register("_links", links)
        con.execute("UPDATE mentions SET event_id = l.event_id FROM _links l WHERE mentions.mention_id = l.mention_id")
        con.unregister("_links")

"""What the report shows, read from the warehouse in a few SQL queries into frozen records.

Kept apart from the rendering (warehouse/report.py, warehouse/report_svg.py) so the figures can be checked
against the warehouse without parsing HTML, and the HTML can be tested on hand-made data.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from pydantic import BaseModel, ConfigDict

from warehouse.store import Warehouse

QUAD_CLASSES = (1, 2, 3, 4)
Bin = Literal["day", "month", "year"]
# A time axis of more than about 120 bars stops being readable at page width: short spans go by day, up to ten years
# by month, longer spans by year.
DAY_BINS_UP_TO_DAYS = 92
MONTH_BINS_UP_TO_MONTHS = 120


class ReportRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RunInfo(ReportRecord):
    run_id: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    code_version: str
    ontology_version: str
    inputs: tuple[str, ...]


class TimeBin(ReportRecord):
    start: dt.date
    label: str
    counts: tuple[int, int, int, int]  # events of quad class 1..4


class Dyad(ReportRecord):
    source: str
    target: str
    source_name: str
    target_name: str
    events: int
    mentions: int
    mean_goldstein: float


class Place(ReportRecord):
    latitude: float
    longitude: float
    names: str
    country_code: str | None
    events: int
    mentions: int
    quad_counts: tuple[int, int, int, int]


class OutletCoverage(ReportRecord):
    outlet: str | None
    articles: int
    duplicates: int
    mentions: int
    events: int


class ReportData(ReportRecord):
    latest_run: RunInfo | None
    runs: int
    counts: dict[str, int]
    quad_totals: tuple[int, int, int, int]  # every event, dated or not
    undated_events: int
    bin: Bin
    series: tuple[TimeBin, ...]
    dyads: tuple[Dyad, ...]
    places: tuple[Place, ...]
    unlocated_events: int
    country_events: dict[str, int]
    outlets: tuple[OutletCoverage, ...]


TOP_DYADS_SQL = """
SELECT source_actor, target_actor, count(*) AS events, sum(num_mentions) AS mentions, avg(goldstein) AS goldstein
FROM events
WHERE source_actor IS NOT NULL AND target_actor IS NOT NULL
GROUP BY source_actor, target_actor
ORDER BY events DESC, mentions DESC, source_actor, target_actor
LIMIT ?
"""

PLACES_SQL = """
SELECT latitude, longitude,
       string_agg(DISTINCT location_name, ' / ' ORDER BY location_name) AS names,
       min(country_code) AS country_code,
       count(*) AS events, sum(num_mentions) AS mentions,
       count(*) FILTER (WHERE quad_class = 1), count(*) FILTER (WHERE quad_class = 2),
       count(*) FILTER (WHERE quad_class = 3), count(*) FILTER (WHERE quad_class = 4)
FROM events
WHERE latitude IS NOT NULL AND longitude IS NOT NULL
GROUP BY latitude, longitude
ORDER BY events DESC, latitude, longitude
"""

OUTLETS_SQL = """
SELECT a.outlet,
       count(DISTINCT a.article_id) AS articles,
       count(DISTINCT a.article_id) FILTER (WHERE a.duplicate_of IS NOT NULL) AS duplicates,
       count(DISTINCT m.mention_id) AS mentions,
       count(DISTINCT e.event_id) AS events
FROM articles a
LEFT JOIN mentions m ON m.article_id = a.article_id
LEFT JOIN events e ON e.event_id = m.event_id
GROUP BY a.outlet
ORDER BY articles DESC, events DESC, a.outlet NULLS LAST
"""


def read_report_data(warehouse: Warehouse, top_dyads: int = 10) -> ReportData:
    _, quad_rows = warehouse.query(
        "SELECT quad_class, count(*), count(*) FILTER (WHERE event_date IS NULL) FROM events GROUP BY quad_class"
    )
    totals = {int(q): int(n) for q, n, _ in quad_rows}
    undated = sum(int(u) for _, _, u in quad_rows)
    bin_size, series = _time_series(warehouse)
    _, located = warehouse.query("SELECT count(*) FILTER (WHERE latitude IS NULL OR longitude IS NULL) FROM events")
    _, by_country = warehouse.query(
        "SELECT country_code, count(*) FROM events WHERE country_code IS NOT NULL GROUP BY country_code"
    )
    _, place_rows = warehouse.query(PLACES_SQL)
    _, outlet_rows = warehouse.query(OUTLETS_SQL)
    _, runs = warehouse.query("SELECT count(*) FROM runs")
    return ReportData(
        latest_run=_latest_run(warehouse),
        runs=int(runs[0][0]),
        counts=warehouse.counts(),
        quad_totals=_four(totals),
        undated_events=undated,
        bin=bin_size,
        series=series,
        dyads=_dyads(warehouse, top_dyads),
        places=tuple(
            Place(
                latitude=lat,
                longitude=lon,
                names=names or "",
                country_code=country,
                events=events,
                mentions=int(mentions),
                quad_counts=(q1, q2, q3, q4),
            )
            for lat, lon, names, country, events, mentions, q1, q2, q3, q4 in place_rows
        ),
        unlocated_events=int(located[0][0] or 0),
        country_events={str(c): int(n) for c, n in by_country},
        outlets=tuple(
            OutletCoverage(outlet=o, articles=a, duplicates=d, mentions=m, events=e) for o, a, d, m, e in outlet_rows
        ),
    )


def _four(counts: dict[int, int]) -> tuple[int, int, int, int]:
    return (counts.get(1, 0), counts.get(2, 0), counts.get(3, 0), counts.get(4, 0))


def _latest_run(warehouse: Warehouse) -> RunInfo | None:
    columns, rows = warehouse.query(
        "SELECT run_id, started_at, finished_at, status, code_version, ontology_version, inputs "
        "FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1"
    )
    if not rows:
        return None
    record = dict(zip(columns, rows[0], strict=True))
    try:
        inputs = tuple(str(i) for i in json.loads(record["inputs"] or "[]"))
    except ValueError:
        inputs = (str(record["inputs"]),)
    return RunInfo(**{**record, "inputs": inputs})


def choose_bin(first: dt.date, last: dt.date) -> Bin:
    if (last - first).days <= DAY_BINS_UP_TO_DAYS:
        return "day"
    if (last.year - first.year) * 12 + last.month - first.month < MONTH_BINS_UP_TO_MONTHS:
        return "month"
    return "year"


def bin_starts(first: dt.date, last: dt.date, size: Bin) -> list[dt.date]:
    """Every bin from the one holding `first` to the one holding `last`, empty ones included: gaps in time are data."""
    if size == "day":
        return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    if size == "year":
        return [dt.date(y, 1, 1) for y in range(first.year, last.year + 1)]
    months = (last.year - first.year) * 12 + last.month - first.month
    return [
        dt.date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1) for k in range(months + 1)
    ]


def bin_label(start: dt.date, size: Bin) -> str:
    return {"day": start.isoformat(), "month": start.strftime("%Y-%m"), "year": str(start.year)}[size]


def _time_series(warehouse: Warehouse) -> tuple[Bin, tuple[TimeBin, ...]]:
    _, span = warehouse.query("SELECT min(event_date), max(event_date) FROM events")
    first, last = span[0]
    if first is None:
        return "month", ()
    size = choose_bin(first, last)
    _, rows = warehouse.query(
        "SELECT CAST(date_trunc(?, event_date) AS DATE) AS bin, quad_class, count(*) "
        "FROM events WHERE event_date IS NOT NULL GROUP BY ALL",
        [size],
    )
    counts: dict[dt.date, dict[int, int]] = {}
    for start, quad, n in rows:
        counts.setdefault(start, {})[int(quad)] = int(n)
    return size, tuple(
        TimeBin(start=s, label=bin_label(s, size), counts=_four(counts.get(s, {})))
        for s in bin_starts(first, last, size)
    )


def actor_names(warehouse: Warehouse) -> dict[str, str]:
    _, tables = warehouse.query("SELECT table_name FROM information_schema.tables WHERE table_name = 'actors'")
    if not tables:
        return {}
    _, rows = warehouse.query("SELECT code, name FROM actors")
    return {str(code): str(name) for code, name in rows}


def describe_actor(code: str, names: dict[str, str]) -> str:
    """JPNGOV -> 'Japan: Government'; a whole code the ontology names (IGOUNO) wins; else the code itself."""
    if code in names:
        return names[code]
    head, rest = code[:3], code[3:]
    parts = [rest[k : k + 3] for k in range(0, len(rest), 3)]
    if head in names and all(p in names for p in parts):
        return names[head] + (": " + ", ".join(names[p] for p in parts) if parts else "")
    return code


def _dyads(warehouse: Warehouse, limit: int) -> tuple[Dyad, ...]:
    names = actor_names(warehouse)
    _, rows = warehouse.query(TOP_DYADS_SQL, [limit])
    return tuple(
        Dyad(
            source=s,
            target=t,
            source_name=describe_actor(s, names),
            target_name=describe_actor(t, names),
            events=events,
            mentions=int(mentions),
            mean_goldstein=float(goldstein),
        )
        for s, t, events, mentions, goldstein in rows
    )

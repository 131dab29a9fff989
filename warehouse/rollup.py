"""The event rollup: mentions that report one real-world event become one `events` row (rules in docs/rollup.md).

Mentions are grouped by their *key* (source actor, target actor, the first `code_digits` digits of the CAMEO code);
inside a key they are clustered by date and place. The clustering is a function of the key's set of mentions only,
so recomputing the keys a batch touched gives exactly what a full rebuild gives, whatever the order of batches and
runs. `cluster_key` is pure; the functions below it read and write DuckDB inside the caller's transaction.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import math
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from schema.config import RollupRules
from schema.records import NON_EVENT_MODALITIES, Event

ROLLUP_VERSION = "rollup-v1"  # part of the stored rules: a change of the algorithm rebuilds every event
# Finest first: the leading mention of an event is its earliest, most precisely dated one.
PRECISION_RANK = {"day": 0, "publication": 1, "week": 2, "month": 3, "year": 4, "unknown": 5}
DAY_LIKE = {"day", "publication"}
EARTH_RADIUS_KM = 6371.0
Key = tuple[str | None, str | None, str]
Crosswalk = dict[str, tuple[str | None, str | None, str | None]]  # code -> PLOVER, ACLED type, ACLED sub-type


@dataclass(frozen=True, slots=True)
class Report:
    """One mention with what the rollup needs of it and of its article."""

    mention_id: str
    article_id: str
    source_actor: str | None
    target_actor: str | None
    event_code: str
    quad_class: int
    goldstein: float
    modality: str
    event_date: dt.date | None
    event_date_end: dt.date | None
    date_precision: str
    location_name: str | None
    admin1: str | None
    country_code: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    fatalities: int | None
    injured: int | None
    published_date: dt.date | None
    outlet: str | None
    duplicate_of: str | None
    stored_event_id: str | None = None  # the event the warehouse links the mention to now (None: none yet)

    def key(self, rules: RollupRules) -> Key:
        return (self.source_actor, self.target_actor, self.event_code[: rules.code_digits])

    @property
    def place(self) -> tuple[str | None, str | None, int | None, float | None, float | None]:
        return (self.country_code, self.location_name, self.geo_precision, self.latitude, self.longitude)

    @property
    def span(self) -> tuple[dt.date, dt.date] | None:
        """The days the mention's date can stand for at its precision."""
        start = self.event_date
        if start is None:
            return None
        if self.date_precision == "week":
            return start, start + dt.timedelta(days=6)
        if self.date_precision == "month":
            return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])
        if self.date_precision == "year":
            return start, dt.date(start.year, 12, 31)
        end = self.event_date_end if self.date_precision == "day" and self.event_date_end else start
        return start, max(start, end)

    def sort_key(self) -> tuple[Any, ...]:
        span = self.span
        return (
            PRECISION_RANK.get(self.date_precision, len(PRECISION_RANK)),
            span is None,
            span or (dt.date.min, dt.date.min),
            self.country_code is None,  # a placed mention leads before an unplaced one of the same date
            self.country_code or "",
            self.geo_precision or 9,
            self.location_name or "",
            self.mention_id,
        )


def dates_compatible(lead: Report, other: Report, rules: RollupRules) -> bool:
    """Same day (within day_window) for two day-like dates; otherwise the coarser date's span holds the lead's."""
    a, b = lead.span, other.span
    if a is None or b is None:
        return a is None and b is None
    window = rules.day_window if lead.date_precision in DAY_LIKE and other.date_precision in DAY_LIKE else 0
    return b[0] <= a[1] + dt.timedelta(days=window) and b[1] >= a[0] - dt.timedelta(days=window)


def places_compatible(a: Report, b: Report, rules: RollupRules) -> bool:
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return False
    if rules.town_km is None or a.geo_precision != 1 or b.geo_precision != 1:
        return True
    if a.location_name and b.location_name and a.location_name.casefold() == b.location_name.casefold():
        return True
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return False
    return distance_km(a, b) <= rules.town_km


def distance_km(a: Report, b: Report) -> float:
    lat1, lon1, lat2, lon2 = map(
        math.radians, (a.latitude or 0.0, a.longitude or 0.0, b.latitude or 0.0, b.longitude or 0.0)
    )
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Cluster:
    lead: Report
    members: list[Report] = field(default_factory=list)
    places: dict[tuple[Any, ...], Report] = field(default_factory=dict)  # one member per distinct place

    def admits(self, report: Report, rules: RollupRules) -> bool:
        # The date is checked against the lead only (so an event never drifts day by day), the place against every
        # place already in the event (so an unplaced lead cannot gather two countries).
        return dates_compatible(self.lead, report, rules) and all(
            places_compatible(p, report, rules) for p in self.places.values()
        )

    def add(self, report: Report) -> None:
        self.members.append(report)
        self.places.setdefault(report.place, report)


def cluster_key(reports: Sequence[Report], rules: RollupRules) -> list[Cluster]:
    """Cluster the event-modality mentions of one key: each mention, finest date first, joins the first event that
    admits it, or leads a new one."""
    clusters: list[Cluster] = []
    starts: list[tuple[dt.date, int]] = []  # (first day of the lead's span, cluster index), sorted
    undated: list[int] = []
    longest = dt.timedelta(0)
    window = dt.timedelta(days=rules.day_window)
    for report in sorted(reports, key=Report.sort_key):
        span = report.span
        if span is None:
            candidates = undated
        else:
            lo = bisect_left(starts, (span[0] - window - longest, -1))
            hi = bisect_right(starts, (span[1] + window, len(clusters)))
            candidates = sorted(index for _, index in starts[lo:hi])
        for index in candidates:
            if clusters[index].admits(report, rules):
                clusters[index].add(report)
                break
        else:
            cluster = Cluster(lead=report)
            cluster.add(report)
            clusters.append(cluster)
            if span is None:
                undated.append(len(clusters) - 1)
            else:
                insort(starts, (span[0], len(clusters) - 1))
                longest = max(longest, span[1] - span[0])
    return clusters


def event_id(key: Key, lead: Report) -> str:
    # Everything the clustering compares of a lead is in the id, so two leads of one key never share an id.
    parts = (ROLLUP_VERSION, *key, lead.event_date, lead.date_precision, lead.event_date_end, *lead.place)
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _max(values: Sequence[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def make_event(key: Key, cluster: Cluster, crosswalk: Crosswalk) -> Event:
    members = cluster.members
    codes = Counter(m.event_code for m in members)
    code = min(codes, key=lambda c: (-codes[c], c))  # the most reported code, then the smallest
    coded = next(m for m in members if m.event_code == code)
    placed = [m for m in members if m.country_code]
    place_counts = Counter(m.place for m in placed)
    where = min(placed, key=lambda m: (m.geo_precision or 9, -place_counts[m.place], m.sort_key()), default=None)
    published = [m.published_date for m in members if m.published_date is not None]
    first = min(members, key=lambda m: (m.published_date is None, m.published_date or dt.date.min, m.article_id))
    plover, acled, acled_sub = crosswalk.get(code, (None, None, None))
    return Event(
        event_id=event_id(key, cluster.lead),
        event_date=cluster.lead.event_date,
        date_precision=cluster.lead.date_precision,
        source_actor=key[0],
        target_actor=key[1],
        event_code=code,
        root_code=code[:2],
        quad_class=coded.quad_class,
        goldstein=coded.goldstein,
        plover_type=plover,
        acled_event_type=acled,
        acled_sub_event_type=acled_sub,
        location_name=where.location_name if where else None,
        country_code=where.country_code if where else None,
        latitude=where.latitude if where else None,
        longitude=where.longitude if where else None,
        num_mentions=len(members),
        num_articles=len({m.article_id for m in members}),
        num_sources=len({m.outlet or m.article_id for m in members}),
        first_article_id=first.article_id,
        first_seen=min(published, default=None),
        last_seen=max(published, default=None),
        num_stories=len({m.duplicate_of or m.article_id for m in members}),
        admin1=where.admin1 if where else None,
        geo_precision=where.geo_precision if where else None,
        fatalities=_max([m.fatalities for m in members]),
        injured=_max([m.injured for m in members]),
    )


def roll_up(
    reports: Sequence[Report], rules: RollupRules, crosswalk: Crosswalk
) -> tuple[list[Event], dict[str, str | None]]:
    """Events of these mentions, and each mention's event_id (null for modalities that are not rolled up)."""
    by_key: dict[Key, list[Report]] = {}
    assignment: dict[str, str | None] = {}
    for report in reports:
        if report.modality in NON_EVENT_MODALITIES:
            assignment[report.mention_id] = None
        else:
            by_key.setdefault(report.key(rules), []).append(report)
    events = []
    for key in sorted(by_key, key=lambda k: tuple("" if p is None else p for p in k)):
        for cluster in cluster_key(by_key[key], rules):
            event = make_event(key, cluster, crosswalk)
            events.append(event)
            assignment.update({m.mention_id: event.event_id for m in cluster.members})
    return events, assignment

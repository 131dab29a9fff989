"""The event rollup: which mentions become one event, deterministic ids, and a warehouse whose events stay the same
whether articles arrive in one run or day by day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.pipeline import run_pipeline
from schema.config import PipelineConfig, RollupRules
from schema.ontology import Ontology
from schema.records import Article, EventMention, Sentence
from tests.conftest import SEEDS
from warehouse.rollup import Report, cluster_key, roll_up
from warehouse.store import Warehouse

RULES = RollupRules()
DAY = dt.date(2024, 2, 13)
# (country, name, geo_precision, latitude, longitude) as the gazetteer (GeoNames) gives them.
TOKYO = ("JPN", "Tokyo", 1, 35.6895, 139.69171)
YOKOHAMA = ("JPN", "Yokohama", 1, 35.44778, 139.6425)
OSAKA = ("JPN", "Osaka", 1, 34.69374, 135.50218)
BEIJING = ("CHN", "Beijing", 1, 39.9075, 116.39723)
JAPAN = ("JPN", "Japan", 3, 36.0, 138.0)
NOWHERE: tuple[None, None, None, None, None] = (None, None, None, None, None)
Place = tuple[str | None, str | None, int | None, float | None, float | None]
OpenWarehouse = Callable[[str], Warehouse]


def report(
    mention_id: str,
    *,
    day: dt.date | None = DAY,
    precision: str = "day",
    code: str = "040",
    place: Place = TOKYO,
    modality: str = "asserted",
    article: str = "a1",
    outlet: str | None = None,
    fatalities: int | None = None,
) -> Report:
    country, name, geo, lat, lon = place
    return Report(
        mention_id=mention_id,
        article_id=article,
        source_actor="JPNGOV",
        target_actor="CHNGOV",
        event_code=code,
        quad_class=1,
        goldstein=1.0,
        modality=modality,
        event_date=day,
        event_date_end=None,
        date_precision=precision,
        location_name=name,
        admin1=None,
        country_code=country,
        latitude=lat,
        longitude=lon,
        geo_precision=geo,
        fatalities=fatalities,
        injured=None,
        published_date=DAY,
        outlet=outlet,
        duplicate_of=None,
    )


def groups(reports: list[Report], rules: RollupRules = RULES) -> list[set[str]]:
    """The rollup's partition of the mentions, as sets of mention ids (order-free)."""
    _, assignment = roll_up(reports, rules, {})
    by_event: dict[str | None, set[str]] = {}
    for mention_id, event_id in assignment.items():
        by_event.setdefault(event_id, set()).add(mention_id)
    return sorted((ids for ids in by_event.values()), key=sorted)


# -- grouping rules ---------------------------------------------------------------------------------------------------
def test_same_day_joins_and_another_day_does_not() -> None:
    reports = [report("m1"), report("m2"), report("m3", day=DAY + dt.timedelta(days=1))]
    assert groups(reports) == [{"m1", "m2"}, {"m3"}]


def test_a_day_window_joins_days_near_the_first_but_never_chains() -> None:
    days = {f"m{i}": DAY + dt.timedelta(days=i) for i in range(4)}
    reports = [report(m, day=d) for m, d in days.items()]
    assert groups(reports, RollupRules(day_window=1)) == [{"m0", "m1"}, {"m2", "m3"}]
    assert len(groups(reports, RollupRules(day_window=0))) == 4


def test_coarse_dates_join_the_first_event_their_span_holds() -> None:
    reports = [
        report("day13", day=DAY),
        report("day20", day=DAY.replace(day=20)),
        report("february", day=DAY.replace(day=1), precision="month"),
        report("this_week", day=DAY - dt.timedelta(days=1), precision="week"),  # Monday 12th .. Sunday 18th
        report("march", day=dt.date(2024, 3, 1), precision="month"),
        report("year", day=dt.date(2024, 1, 1), precision="year"),
        report("undated", day=None, precision="unknown"),
    ]
    assert groups(reports) == [{"day13", "february", "this_week", "year"}, {"day20"}, {"march"}, {"undated"}]
    events, _ = roll_up(reports, RULES, {})
    first = next(e for e in events if e.num_mentions == 4)
    assert (first.event_date, first.date_precision) == (DAY, "day")


def test_places_must_be_compatible() -> None:
    reports = [
        report("tokyo", place=TOKYO),
        report("yokohama", place=YOKOHAMA),  # 27 km from Tokyo
        report("osaka", place=OSAKA),  # 400 km
        report("japan", place=JAPAN),  # country precision: compatible with any Japanese town
        report("beijing", place=BEIJING),
        report("nowhere", place=NOWHERE),  # unknown: joins the first event of its day
    ]
    # Same day, so each joins the first event (in lead order: country, then town before country, then name)
    # that admits it: the country-level and the unplaced reports cannot tell which town, and go to the first.
    assert groups(reports) == [{"beijing", "nowhere"}, {"japan", "osaka"}, {"tokyo", "yokohama"}]
    town_only = groups(reports, RollupRules(town_km=0))
    assert town_only == [{"beijing", "nowhere"}, {"japan", "osaka"}, {"tokyo"}, {"yokohama"}]
    countries_only = groups(reports, RollupRules(town_km=None))
    assert countries_only == [{"beijing", "nowhere"}, {"japan", "osaka", "tokyo", "yokohama"}]


def test_an_unplaced_lead_never_gathers_two_countries() -> None:
    # The unplaced report has the precise date, so it leads; it admits any place, but its event already holds
    # Beijing when Tokyo comes.
    reports = [
        report("nowhere", place=NOWHERE),
        report("beijing", place=BEIJING, precision="publication"),
        report("tokyo", place=TOKYO, precision="publication"),
    ]
    assert groups(reports) == [{"beijing", "nowhere"}, {"tokyo"}]


def test_code_family_follows_code_digits() -> None:
    reports = [report("consult", code="040"), report("visit", code="042"), report("visit2", code="0421")]
    assert groups(reports) == [{"consult"}, {"visit", "visit2"}]
    assert groups(reports, RollupRules(code_digits=2)) == [{"consult", "visit", "visit2"}]
    assert len(groups(reports, RollupRules(code_digits=4))) == 3


def test_speculation_and_background_are_not_rolled_up() -> None:
    reports = [report("said", modality="asserted"), report("might", modality="hypothetical")]
    events, assignment = roll_up(reports, RULES, {})
    assert [e.num_mentions for e in events] == [1]
    assert assignment == {"said": events[0].event_id, "might": None}


def test_event_columns_summarise_the_reports() -> None:
    reports = [
        report("m1", article="a1", outlet="Kyodo", place=JAPAN, fatalities=3),
        report("m2", article="a1", outlet="Kyodo", code="0421", place=TOKYO),
        report("m3", article="a2", outlet="Kyodo", code="042", place=TOKYO, fatalities=5),
        report("m4", article="a3", code="042", place=TOKYO),
    ]
    reports[3] = replace(reports[3], duplicate_of="a2", published_date=DAY + dt.timedelta(days=2))
    (event,), _ = roll_up(reports, RollupRules(code_digits=2), {"042": ("CONSULT", None, None)})
    assert (event.num_mentions, event.num_articles, event.num_sources, event.num_stories) == (4, 3, 2, 2)
    assert event.event_code == "042" and event.root_code == "04" and event.plover_type == "CONSULT"
    assert (event.location_name, event.geo_precision) == ("Tokyo", 1)  # the town, not the country
    assert (event.first_seen, event.last_seen, event.first_article_id) == (DAY, DAY + dt.timedelta(days=2), "a1")
    assert event.fatalities == 5


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(range(9))))
def test_ids_and_groups_do_not_depend_on_order(order: list[int]) -> None:
    reports = [
        report("a", day=DAY),
        report("b", day=DAY, place=NOWHERE),
        report("c", day=DAY + dt.timedelta(days=1)),
        report("d", day=DAY.replace(day=1), precision="month"),
        report("e", day=DAY, place=BEIJING),
        report("f", day=DAY, place=OSAKA),
        report("g", day=DAY, code="0421", modality="intended"),
        report("h", day=DAY, modality="historical"),
        report("i", day=None, precision="unknown"),
    ]
    expected = roll_up(reports, RollupRules(day_window=1), {})
    assert roll_up([reports[i] for i in order], RollupRules(day_window=1), {}) == expected
    ids = [e.event_id for e in expected[0]]
    assert len(ids) == len(set(ids))


def test_clusters_lead_with_their_earliest_most_precise_report() -> None:
    clusters = cluster_key([report("month", day=DAY.replace(day=1), precision="month"), report("day")], RULES)
    assert [c.lead.mention_id for c in clusters] == ["day"]


# -- the warehouse ----------------------------------------------------------------------------------------------------
def article(aid: str, day: dt.date, outlet: str | None = None) -> Article:
    return Article(article_id=aid, uri=f"{aid}.txt", text="Japan met China.", published_date=day, outlet=outlet)


def mention(aid: str, index: int, day: dt.date, code: str = "040", place: Place = TOKYO) -> EventMention:
    country, name, geo, lat, lon = place
    return EventMention(
        mention_id=f"{aid}-{index}",
        event_id="provisional",
        article_id=aid,
        sentence_index=0,
        source_actor="JPNGOV",
        target_actor="CHNGOV",
        event_code=code,
        root_code=code[:2],
        quad_class=1,
        goldstein=1.0,
        modality="asserted",
        event_date=day,
        date_precision="day",
        location_name=name,
        country_code=country,
        latitude=lat,
        longitude=lon,
        geo_precision=geo,
        source_text="Japan",
        target_text="China",
        verb_text="met",
        pattern_id="040-meet",
        confidence=0.9,
    )


def day_batch(aid: str, day: dt.date, outlet: str) -> tuple[list[Article], list[Sentence], list[EventMention]]:
    """An article of `day` reporting a meeting that day and a visit the day before."""
    sentence = Sentence(article_id=aid, sentence_index=0, text="x", char_start=0, char_end=1, paragraph_index=0)
    mentions = [mention(aid, 0, day), mention(aid, 1, day - dt.timedelta(days=1), code="042")]
    return [article(aid, day, outlet)], [sentence], mentions


def snapshot(warehouse: Warehouse) -> dict[str, pa.Table]:
    return {
        "events": warehouse.arrow("SELECT * FROM events ORDER BY ALL"),
        "links": warehouse.arrow("SELECT mention_id, event_id FROM mentions ORDER BY ALL"),
    }


@pytest.fixture()
def open_warehouse(tmp_path: Path, ontology: Ontology) -> Iterator[OpenWarehouse]:
    opened: list[Warehouse] = []

    def make(name: str) -> Warehouse:
        wh = Warehouse.open(tmp_path / name)
        wh.load_ontology(ontology)
        opened.append(wh)
        return wh

    yield make
    for wh in opened:
        wh.close()


def test_day_by_day_equals_all_at_once_and_reruns_add_no_twins(open_warehouse: OpenWarehouse) -> None:
    days = [
        day_batch("k1", DAY, "Kyodo"),
        day_batch("x1", DAY, "Xinhua"),
        day_batch("k2", DAY + dt.timedelta(1), "Kyodo"),
    ]
    together = open_warehouse("together")
    together.write_batch(
        [a for b in days for a in b[0]], [s for b in days for s in b[1]], [m for b in days for m in b[2]], []
    )
    daily = open_warehouse("daily")
    for batch in reversed(days):
        daily.write_batch(*batch, [])
    assert snapshot(daily) == snapshot(together)
    before = snapshot(daily)
    daily.write_batch(*days[1], [])  # re-running a day replaces its rows
    assert snapshot(daily) == before
    _, rows = daily.query(
        "SELECT event_date, event_code, num_mentions, num_articles, num_sources FROM events ORDER BY event_date, 2"
    )
    assert rows == [
        (DAY - dt.timedelta(1), "042", 2, 2, 2),
        (DAY, "040", 2, 2, 2),
        (DAY, "042", 1, 1, 1),
        (DAY + dt.timedelta(1), "040", 1, 1, 1),
    ]
    _, dangling = daily.query(
        "SELECT count(*) FROM mentions m LEFT JOIN events e USING (event_id) WHERE e.event_id IS NULL"
    )
    assert dangling == [(0,)]
    assert daily.rebuild_events() == 4 and snapshot(daily) == before  # a full rebuild agrees with the increments


def test_a_batch_rewrites_only_the_events_it_changes(open_warehouse: OpenWarehouse) -> None:
    # A busy dyad is touched by most batches: its events that come out as stored keep their rows (DuckDB's rowid),
    # so neither the table's dead rows nor a batch's cost grow with the dyad's history.
    wh = open_warehouse("wh")
    wh.write_batch(*day_batch("k1", DAY, "Kyodo"), [])

    def rows() -> dict[tuple[dt.date, str], tuple[int, int]]:
        _, found = wh.query("SELECT event_date, event_code, rowid, num_mentions FROM events")
        return {(day, code): (rowid, n) for day, code, rowid, n in found}

    before = rows()
    # Another outlet reports the meeting of DAY again (that event changes) and a visit ten days later (a new one);
    # the visit of the day before DAY is untouched.
    later = DAY + dt.timedelta(days=10)
    sentence = Sentence(article_id="x1", sentence_index=0, text="x", char_start=0, char_end=1, paragraph_index=0)
    wh.write_batch(
        [article("x1", later, "Xinhua")], [sentence], [mention("x1", 0, DAY), mention("x1", 1, later, "042")], []
    )
    after = rows()
    visit_before = (DAY - dt.timedelta(days=1), "042")
    assert after[visit_before] == before[visit_before]  # same row: not rewritten
    assert after[(DAY, "040")][1] == 2 and after[(DAY, "040")][0] != before[(DAY, "040")][0]
    assert after[(later, "042")][1] == 1 and len(after) == 3
    _, links = wh.query("SELECT count(*) FROM mentions m JOIN events e USING (event_id)")
    assert links == [(4,)]
    snapshot_before = snapshot(wh)
    assert wh.rebuild_events() == 3 and snapshot(wh) == snapshot_before


def test_rewriting_an_article_without_mentions_removes_its_events(open_warehouse: OpenWarehouse) -> None:
    wh = open_warehouse("wh")
    articles, sentences, mentions = day_batch("k1", DAY, "Kyodo")
    wh.write_batch(articles, sentences, mentions, [])
    assert wh.count("events") == 2
    wh.write_batch(articles, sentences, [], [])
    assert wh.count("events") == 0


def test_other_rules_rebuild_every_event_once(open_warehouse: OpenWarehouse) -> None:
    wh = open_warehouse("wh")
    wh.write_batch(*day_batch("k1", DAY, "Kyodo"), [])
    assert wh.count("events") == 2
    wh.apply_rollup_rules(RollupRules(code_digits=2))  # 040 and 042 share the root 04, but not the day
    wh.write_batch(*day_batch("x1", DAY + dt.timedelta(1), "Xinhua"), [], rollup=RollupRules(code_digits=2))
    _, rows = wh.query("SELECT event_date, num_mentions FROM events ORDER BY 1")
    assert rows == [(DAY - dt.timedelta(1), 1), (DAY, 2), (DAY + dt.timedelta(1), 1)]
    wh.apply_rollup_rules(RULES)
    assert wh.count("events") == 4


# -- the seeds, end to end --------------------------------------------------------------------------------------------
def test_seed_copies_are_marked_and_their_meetings_counted_twice(seed_warehouse: Path) -> None:
    with Warehouse.open_read_only(seed_warehouse) as wh:
        _, rows = wh.query(
            "SELECT regexp_extract(uri, '(\\d{3})_[0-9a-f]+\\.txt$', 1), article_id, duplicate_of FROM articles"
        )
        files = {f: (aid, dup) for f, aid, dup in rows}
        marked = {f for f, (_, dup) in files.items() if dup is not None}
        assert len(marked) == 1 and marked <= {"000", "002"}
        (copy,) = marked
        original = ({"000", "002"} - marked).pop()
        assert files[copy][1] == files[original][0]
        _, meetings = wh.query(
            "SELECT e.event_id, e.num_articles, e.num_stories, list(DISTINCT m.article_id ORDER BY m.article_id) "
            "FROM events e JOIN mentions m USING (event_id) WHERE e.root_code = '04' "
            "AND ((e.source_actor LIKE 'JPN%' AND e.target_actor LIKE 'CHN%') "
            "OR (e.source_actor LIKE 'CHN%' AND e.target_actor LIKE 'JPN%')) GROUP BY ALL"
        )
        both = sorted([files["000"][0], files["002"][0]])
        by_both = [(n, stories) for _, n, stories, articles in meetings if articles == both]
        # Meetings both versions report: two articles, but one story.
        assert by_both and all(n >= 2 and stories == 1 for n, stories in by_both)
        _, check = wh.query(
            "SELECT count(*) FROM events e "
            "WHERE num_mentions <> (SELECT count(*) FROM mentions m WHERE m.event_id = e.event_id)"
        )
        assert check == [(0,)]


def test_seeds_in_two_runs_give_the_events_of_one(tmp_path: Path, seed_warehouse: Path) -> None:
    files = sorted(SEEDS.glob("*.txt"))
    daily = tmp_path / "daily"
    run_pipeline(PipelineConfig(inputs=tuple(files[2:]), warehouse=daily))
    run_pipeline(PipelineConfig(inputs=tuple(files[:2]), warehouse=daily))
    queries = {
        "events": "SELECT * FROM events ORDER BY ALL",
        "links": "SELECT mention_id, event_id FROM mentions ORDER BY ALL",
        "duplicates": "SELECT article_id, duplicate_of FROM articles ORDER BY ALL",
    }
    with Warehouse.open_read_only(daily) as two, Warehouse.open_read_only(seed_warehouse) as one:
        for name, sql in queries.items():
            assert two.arrow(sql) == one.arrow(sql), name

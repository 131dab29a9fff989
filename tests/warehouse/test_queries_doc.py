"""Every query in docs/queries.md runs on the seed warehouse and answers the question its heading asks."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schema.config import PROJECT_ROOT
from warehouse.store import Warehouse

DOC = PROJECT_ROOT / "docs" / "queries.md"
# Each block is announced by a marker naming it and saying what it returns on the seed warehouse:
# `rows` (at least one row) or `any` (zero rows is right, e.g. the seeds have no rejects).
BLOCK = re.compile(r"<!-- query: (?P<id>[a-z0-9-]+) \| seed: (?P<seed>rows|any) -->\n```sql\n(?P<sql>.*?)```", re.S)
QUERIES = {m["id"]: (m["seed"], m["sql"]) for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def seeds(seed_warehouse: Path) -> Iterator[Warehouse]:
    with Warehouse.open_read_only(seed_warehouse) as warehouse:
        yield warehouse


def run(warehouse: Warehouse, query_id: str) -> list[dict[str, Any]]:
    columns, values = warehouse.query(QUERIES[query_id][1])
    return [dict(zip(columns, row, strict=True)) for row in values]


def scalar(warehouse: Warehouse, sql: str) -> Any:
    return warehouse.query(sql)[1][0][0]


def test_every_sql_block_is_announced() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert text.count("```sql") == len(QUERIES) >= 10


@pytest.mark.parametrize("query_id", sorted(QUERIES))
def test_query_runs(seeds: Warehouse, query_id: str) -> None:
    found = run(seeds, query_id)
    if QUERIES[query_id][0] == "rows":
        assert found, f"{query_id} returned no rows on the seed warehouse"


def test_dyad_months_count_every_japan_china_event(seeds: Warehouse) -> None:
    found = run(seeds, "dyad-monthly")
    expected = scalar(
        seeds,
        "SELECT count(*) FROM events WHERE date_precision <> 'year' AND "
        "[substr(source_actor, 1, 3), substr(target_actor, 1, 3)] IN (['JPN', 'CHN'], ['CHN', 'JPN'])",
    )
    assert sum(r["events"] for r in found) == expected > 0
    assert all(r["quad_class"] in (1, 2, 3, 4) and re.fullmatch(r"\d{4}-\d{2}", r["month"]) for r in found)
    assert [(r["month"], r["quad_class"]) for r in found] == sorted((r["month"], r["quad_class"]) for r in found)


def test_goldstein_trend_is_monthly_and_in_range(seeds: Warehouse) -> None:
    found = run(seeds, "goldstein-trend")
    months = [r["month"] for r in found]
    assert months == sorted(months) and len(set(months)) == len(months)
    assert all(-10 <= r["mean_goldstein"] <= 10 and -10 <= r["rolling_3_months"] <= 10 for r in found)
    assert sum(r["events"] for r in found) == scalar(
        seeds,
        "SELECT count(*) FROM events WHERE (source_actor LIKE 'JPN%' OR target_actor LIKE 'JPN%') "
        "AND date_precision <> 'year'",
    )


def test_top_dyads_start_with_the_commonest_and_name_japan_and_china(seeds: Warehouse) -> None:
    found = run(seeds, "top-dyads")
    most = scalar(
        seeds,
        "SELECT max(n) FROM (SELECT count(*) AS n FROM events WHERE source_actor IS NOT NULL "
        "AND target_actor IS NOT NULL GROUP BY source_actor, target_actor)",
    )
    assert found[0]["events"] == most
    assert [r["events"] for r in found] == sorted((r["events"] for r in found), reverse=True)
    assert {"Japan", "China"} <= {r["source_country"] for r in found}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    return 2 * 6371 * math.asin(math.sqrt(math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2))


def test_events_near_tokyo_are_all_and_only_those_within_100_km(seeds: Warehouse) -> None:
    found = run(seeds, "near-place")
    _, located = seeds.query("SELECT event_id, latitude, longitude FROM events WHERE latitude IS NOT NULL")
    near = {eid for eid, lat, lon in located if haversine_km(35.6895, 139.6917, lat, lon) <= 100}
    assert {r["event_id"] for r in found} == near
    assert near and all(r["distance_km"] <= 100 for r in found)
    assert "Tokyo" in {r["location_name"] for r in found}


def test_source_sentences_hold_the_words_that_were_coded(seeds: Warehouse) -> None:
    found = run(seeds, "with-sentences")
    for row in found:
        assert row["source_actor"].startswith("JPN") and row["target_actor"].startswith("CHN")
        assert row["event_code"].startswith("04")
        words = re.findall(r"\w+", row["verb_text"].lower())
        assert all(w in row["sentence"].lower() for w in words), row
    # An event reported by several articles shows each article's sentence.
    assert any(len({r["uri"] for r in found if r["event_id"] == eid}) > 1 for eid in {r["event_id"] for r in found})


def test_codes_keep_their_leading_zeros_and_names(seeds: Warehouse) -> None:
    found = run(seeds, "codes-with-names")
    assert sum(r["events"] for r in found) == scalar(seeds, "SELECT count(*) FROM events")
    assert all(isinstance(r["event_code"], str) and r["event_code"].startswith(r["root_code"]) for r in found)
    assert all(r["code_name"] and r["root_name"] for r in found)
    assert any(r["event_code"].startswith("0") for r in found)


def test_gdelt_query_finds_japan_consulting_china(seeds: Warehouse) -> None:
    found = run(seeds, "gdelt-view")
    assert all(r["Actor1Code"].startswith("JPN") and r["Actor2Code"].startswith("CHN") for r in found)
    assert all(r["EventCode"].startswith("04") for r in found)
    assert len(found) == scalar(
        seeds,
        "SELECT count(*) FROM events WHERE source_actor LIKE 'JPN%' AND target_actor LIKE 'CHN%' AND root_code = '04'",
    )


def test_acled_query_lists_the_acled_events_with_sentences(seeds: Warehouse) -> None:
    found = run(seeds, "acled-view")
    assert len(found) == scalar(seeds, "SELECT count(*) FROM events WHERE acled_event_type IS NOT NULL")
    _, sentences = seeds.query("SELECT text FROM sentences")
    assert all(r["notes"] in {s for (s,) in sentences} for r in found)


def test_plover_query_covers_every_typed_event(seeds: Warehouse) -> None:
    found = run(seeds, "plover-view")
    assert sum(r["events"] for r in found) == scalar(seeds, "SELECT count(*) FROM events WHERE plover_type IS NOT NULL")
    assert "CONSULT" in {r["event_type"] for r in found}  # the seeds are about meetings


def test_actor_candidates_and_rejects_group_every_row(seeds: Warehouse) -> None:
    candidates = run(seeds, "actor-candidates")
    assert sum(r["articles"] for r in candidates) == scalar(
        seeds, "SELECT count(*) FROM (SELECT DISTINCT name, kind, actor_code, via, article_id FROM actor_candidates)"
    )
    rejects = run(seeds, "rejects-by-reason")
    assert sum(r["records"] for r in rejects) == scalar(seeds, "SELECT count(*) FROM rejects")

"""The GDELT, ACLED and PLOVER views: they exist wherever the warehouse does, and say what `events` says."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from schema.ontology import Ontology
from schema.records import NON_EVENT_MODALITIES, Article, EventMention, Sentence
from warehouse.store import Warehouse
from warehouse.views import VIEWS

# The GDELT 2.0 event table's columns, in order (GDELT 2.0 Event Database codebook).
GDELT_COLUMNS = (
    "GLOBALEVENTID SQLDATE MonthYear Year FractionDate "
    + " ".join(
        f"Actor{n}Code Actor{n}Name Actor{n}CountryCode Actor{n}KnownGroupCode Actor{n}EthnicCode "
        f"Actor{n}Religion1Code Actor{n}Religion2Code Actor{n}Type1Code Actor{n}Type2Code Actor{n}Type3Code"
        for n in (1, 2)
    )
    + " IsRootEvent EventCode EventBaseCode EventRootCode QuadClass GoldsteinScale NumMentions NumSources "
    "NumArticles AvgTone "
    + " ".join(
        f"{g}_Type {g}_FullName {g}_CountryCode {g}_ADM1Code {g}_ADM2Code {g}_Lat {g}_Long {g}_FeatureID"
        for g in ("Actor1Geo", "Actor2Geo", "ActionGeo")
    )
    + " DATEADDED SOURCEURL"
).split()


@pytest.fixture(scope="module")
def seeds(seed_warehouse: Path) -> Iterator[Warehouse]:
    with Warehouse.open_read_only(seed_warehouse) as warehouse:
        yield warehouse


def rows(warehouse: Warehouse, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    columns, values = warehouse.query(sql, params)
    return [dict(zip(columns, row, strict=True)) for row in values]


def event_sentences(warehouse: Warehouse) -> dict[str, set[str]]:
    """The sentences of each event's counted reports, read straight from the tables."""
    placeholders = ", ".join("?" for _ in NON_EVENT_MODALITIES)
    found: dict[str, set[str]] = {}
    for row in rows(
        warehouse,
        "SELECT m.event_id, s.text FROM mentions m JOIN sentences s "
        "ON s.article_id = m.article_id AND s.sentence_index = m.sentence_index "
        f"WHERE m.modality NOT IN ({placeholders})",
        list(NON_EVENT_MODALITIES),
    ):
        found.setdefault(row["event_id"], set()).add(row["text"])
    return found


def test_views_exist_with_comments(seeds: Warehouse) -> None:
    comments = dict(seeds.query("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal")[1])
    for view in VIEWS:
        assert comments.get(view.name), view.name
    assert "does not measure tone" in comments["events_gdelt"]
    assert "FIPS 10-4" in comments["events_gdelt"]
    _, avg_tone = seeds.query(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'events_gdelt' AND column_name = 'AvgTone'"
    )
    assert "tone" in avg_tone[0][0]


def test_gdelt_view_has_gdelt_columns_and_one_row_per_event(seeds: Warehouse) -> None:
    columns, _ = seeds.query("SELECT * FROM events_gdelt LIMIT 0")
    assert columns == GDELT_COLUMNS
    _, types = seeds.query(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'events_gdelt' "
        "AND column_name LIKE '%Code'"
    )
    assert types and {t for _, t in types} == {"VARCHAR"}
    events = {
        r["event_id"]: r
        for r in rows(
            seeds,
            "SELECT e.*, coalesce(a.url, a.uri) AS uri FROM events e "
            "JOIN articles a ON a.article_id = e.first_article_id",
        )
    }
    gdelt = rows(seeds, "SELECT * FROM events_gdelt")
    assert len(gdelt) == len(events) > 0
    for row in gdelt:
        event = events[row["GLOBALEVENTID"]]
        assert row["SQLDATE"] == int(event["event_date"].strftime("%Y%m%d"))
        assert row["MonthYear"] == int(event["event_date"].strftime("%Y%m"))
        assert (row["EventCode"], row["EventRootCode"]) == (event["event_code"], event["root_code"])
        assert row["EventCode"].startswith(row["EventBaseCode"]) and row["EventBaseCode"].startswith(
            row["EventRootCode"]
        )
        assert (row["Actor1Code"], row["Actor2Code"]) == (event["source_actor"], event["target_actor"])
        if event["source_actor"] and event["source_actor"][:3] not in ("IGO", "NGO"):
            assert row["Actor1CountryCode"] == event["source_actor"][:3]
        assert (row["NumMentions"], row["NumArticles"], row["NumSources"]) == (
            event["num_mentions"],
            event["num_articles"],
            event["num_sources"],
        )
        assert (row["QuadClass"], row["GoldsteinScale"]) == (event["quad_class"], event["goldstein"])
        assert (row["ActionGeo_CountryCode"], row["ActionGeo_Lat"]) == (event["country_code"], event["latitude"])
        assert row["AvgTone"] is None
        assert row["SOURCEURL"] == event["uri"]
        assert row["IsRootEvent"] in (0, 1)
    # Codes with a leading zero survive as strings: the seeds are about meetings (CAMEO 03x and 04x).
    assert any(r["EventCode"].startswith("0") and r["EventRootCode"] in ("03", "04") for r in gdelt)


def test_acled_view_only_has_acled_codes_and_real_sentences(seeds: Warehouse) -> None:
    acled = rows(seeds, "SELECT v.*, e.event_code FROM events_acled v JOIN events e USING (event_id)")
    _, mapped = seeds.query("SELECT count(*) FROM events WHERE acled_event_type IS NOT NULL")
    assert len(acled) == mapped[0][0] > 0
    acled_codes = dict(
        seeds.query("SELECT code, acled_event_type FROM cameo_codes WHERE acled_event_type IS NOT NULL")[1]
    )
    sentences = event_sentences(seeds)
    for row in acled:
        assert row["event_type"] == acled_codes[row["event_code"]]
        assert row["notes"] in sentences[row["event_id"]]
        assert row["event_id_cnty"].endswith(row["event_id"])
        assert row["year"] == row["event_date"].year
        assert row["disorder_type"] is not None
        assert row["fatalities"] >= 0
        if row["actor1"] is not None:
            assert row["inter1"] in range(1, 9)
        assert row["interaction"] is None or 10 <= row["interaction"] <= 88


def test_plover_view_keeps_the_cameo_code(seeds: Warehouse) -> None:
    plover = rows(seeds, "SELECT * FROM events_plover")
    _, typed = seeds.query("SELECT count(*) FROM events WHERE plover_type IS NOT NULL")
    assert len(plover) == typed[0][0] > 0
    ontology = {
        r["code"]: (r["plover_type"], r["plover_mode"])
        for r in rows(seeds, "SELECT code, plover_type, plover_mode FROM cameo_codes")
    }
    sentences = event_sentences(seeds)
    for row in plover:
        assert (row["event_type"], row["mode"]) == ontology[row["cameo_code"]]
        assert row["cameo_code"].startswith(row["cameo_root"])
        assert row["text"] in sentences[row["id"]]
        if row["source_sector"]:
            assert row["source_actor"] == row["source_code"] + row["source_sector"]


def view_names(warehouse: Warehouse) -> set[str]:
    ours = {v.name for v in VIEWS}
    return {name for (name,) in warehouse.query("SELECT view_name FROM duckdb_views()")[1]} & ours


def test_views_come_with_the_ontology_and_return_to_an_old_warehouse(tmp_path: Path, ontology: Ontology) -> None:
    directory = tmp_path / "wh"
    with Warehouse.open(directory) as warehouse:
        # Before the lookups exist the views cannot be created (they join `actors`).
        assert view_names(warehouse) == set()
        warehouse.load_ontology(ontology)
        assert view_names(warehouse) == {v.name for v in VIEWS}
        for view in VIEWS:  # now it is a warehouse from before the views
            warehouse.con.execute(f"DROP VIEW {view.name}")
    with Warehouse.open(directory) as warehouse:
        assert view_names(warehouse) == {v.name for v in VIEWS}
        assert warehouse.query("SELECT count(*) FROM events_gdelt")[1] == [(0,)]


# -- ACLED actor types on a small batch of violent and protest events ---------------------------------------------
def report(
    aid: str,
    event_id: str,
    source: str,
    target: str | None,
    code: str,
    place: tuple[str, str, float, float],
    fatalities: int | None = None,
) -> tuple[Article, Sentence, EventMention]:
    text = f"{source} acted against {target} in {place[0]} ({code})."
    article = Article(
        article_id=aid, uri=f"{aid}.txt", text=text, published_date=dt.date(2024, 5, 2), outlet=f"Outlet {aid}"
    )
    sentence = Sentence(
        article_id=aid, sentence_index=0, text=text, char_start=0, char_end=len(text), paragraph_index=0
    )
    mention = EventMention(
        mention_id=f"m-{aid}",
        event_id=event_id,
        article_id=aid,
        sentence_index=0,
        source_actor=source,
        target_actor=target,
        event_code=code,
        root_code=code[:2],
        quad_class=4 if code[:2] >= "14" else 3,
        goldstein=-9.0,
        modality="asserted",
        event_date=dt.date(2024, 5, 1),
        date_precision="day",
        location_name=place[0],
        country_code=place[1],
        latitude=place[2],
        longitude=place[3],
        geo_precision=1,
        fatalities=fatalities,
        source_text=source,
        target_text=target,
        verb_text="acted",
        pattern_id=f"{code}-test",
        confidence=0.9,
    )
    return article, sentence, mention


TEHRAN = ("Tehran", "IRN", 35.69, 51.42)
KABUL = ("Kabul", "AFG", 34.53, 69.17)
GOMA = ("Goma", "COD", -1.68, 29.22)
KHARTOUM = ("Khartoum", "SDN", 15.55, 32.53)
NAIROBI = ("Nairobi", "KEN", -1.29, 36.82)
PARIS = ("Paris", "FRA", 48.85, 2.35)


def test_acled_actor_types_follow_the_sector_and_the_event(tmp_path: Path, ontology: Ontology) -> None:
    batch = [
        report("a1", "protest", "IRNCVL", "IRNGOV", "1411", TEHRAN),
        report("a2", "force", "IRNCOP", "IRNCVL", "175", TEHRAN),
        report("a3", "riot", "FRALAB", "FRACOP", "1451", PARIS),
        report("a4", "battle", "SDNMIL", "SDNREB", "193", KHARTOUM, fatalities=5),
        report("a5", "battle", "SDNMIL", "SDNREB", "193", KHARTOUM, fatalities=3),
        report("a6", "strike", "USAMIL", "AFGCVL", "186", KABUL),
        report("a7", "peacekeepers", "IGOUNOMIL", "CODREB", "190", GOMA),
        report("a8", "strike-alone", "KENLAB", None, "1411", NAIROBI),
        report("a9", "talks", "IRNGOV", "AFGGOV", "040", TEHRAN),
    ]
    with Warehouse.open(tmp_path / "wh") as warehouse:
        warehouse.load_ontology(ontology)
        articles, sentences, mentions = (list(part) for part in zip(*batch, strict=True))
        warehouse.write_batch(articles, sentences, mentions, [])
        warehouse.rebuild_events()
        acled = {r["actor1"]: r for r in rows(warehouse, "SELECT * FROM events_acled")}
        gdelt = rows(warehouse, "SELECT * FROM events_gdelt WHERE Actor1Code = 'IGOUNOMIL'")

    expected = {
        "Iran Civilians (IRNCVL)": (6, 1, 16, "Demonstrations"),  # protesters, whatever their sector
        "Iran Police (IRNCOP)": (1, 6, 16, "Political violence; Demonstrations"),  # excessive force
        "France Labor (FRALAB)": (5, 1, 15, "Demonstrations"),  # rioters
        "Sudan Military (SDNMIL)": (1, 2, 12, "Political violence"),
        "United States Military (USAMIL)": (8, 7, 78, "Political violence"),  # state forces abroad
        "United Nations peacekeeping forces (IGOUNOMIL)": (8, 2, 28, "Political violence"),
        "Kenya Labor (KENLAB)": (6, None, 60, "Demonstrations"),  # sole actor
    }
    assert set(acled) == set(expected)  # the two battle reports are one event; the talks (040) have no ACLED type
    for actor1, (inter1, inter2, interaction, disorder) in expected.items():
        row = acled[actor1]
        assert (row["inter1"], row["inter2"], row["interaction"], row["disorder_type"]) == (
            inter1,
            inter2,
            interaction,
            disorder,
        ), actor1
    assert acled["United States Military (USAMIL)"]["civilian_targeting"] == "Civilian targeting"
    assert acled["Sudan Military (SDNMIL)"]["civilian_targeting"] is None
    battle = acled["Sudan Military (SDNMIL)"]
    assert battle["fatalities"] == 5  # the largest toll any report states, never the sum
    assert battle["source"] == "Outlet a4; Outlet a5"
    assert battle["time_precision"] == 1 and battle["iso"] == "SDN" and battle["country"] == "Sudan"
    assert acled["Iran Civilians (IRNCVL)"]["fatalities"] == 0
    assert [(g["Actor1KnownGroupCode"], g["Actor1Type1Code"], g["Actor1Type2Code"]) for g in gdelt] == [
        ("UNO", "IGO", "MIL")
    ]
    assert gdelt[0]["Actor1CountryCode"] is None and gdelt[0]["ActionGeo_Type"] == 4

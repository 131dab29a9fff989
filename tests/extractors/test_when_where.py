"""Dates, places and casualties on coded mentions: the engine's use of extractors.dates, .places and .casualties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from flows.pipeline import run_pipeline
from schema.config import PipelineConfig
from tests.conftest import SEEDS, CodeText
from warehouse.store import Warehouse


def test_seed_lima_meeting_is_dated_to_the_month_and_placed_in_lima(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh"
    run_pipeline(PipelineConfig(inputs=(SEEDS,), warehouse=warehouse))
    with Warehouse.open_read_only(warehouse) as wh:
        _, rows = wh.query(
            "SELECT a.published_date, m.event_date, m.date_precision, m.location_name, m.country_code, m.geo_precision "
            "FROM mentions m JOIN sentences s USING (article_id, sentence_index) JOIN articles a USING (article_id) "
            "WHERE s.text LIKE 'Xi and Abe last met in Lima, Peru in November%'"
        )
    assert rows, "the Lima sentence is coded"
    for published, day, precision, place, country, geo in rows:
        assert published == dt.date(2017, 4, 3)
        assert (day, precision, place, country, geo) == (dt.date(2016, 11, 1), "month", "Lima", "PER", 1)


def test_relative_dates_follow_the_tense(code_text: CodeText) -> None:
    # Published on a Wednesday: "Tuesday" in the past is the day before, "Friday" in the future the coming one.
    published = dt.date(2024, 2, 14)
    [held, *_] = code_text("Japan and China held talks in Beijing on Tuesday.", published=published)
    assert (held.event_date, held.date_precision, held.date_text) == (dt.date(2024, 2, 13), "day", "Tuesday")
    [meet, *_] = code_text("Japan and China will hold talks in Beijing on Friday.", published=published)
    assert (meet.event_date, meet.date_precision) == (dt.date(2024, 2, 16), "day")
    [undated, *_] = code_text("Japan and China held talks in Beijing.", published=published)
    assert (undated.event_date, undated.date_precision) == (published, "publication")


def test_casualties_are_read_for_violent_events_only(code_text: CodeText) -> None:
    [shelling] = code_text("Russian forces shelled the Ukrainian city of Kharkiv, killing at least 12 people.")
    assert (shelling.fatalities, shelling.fatalities_at_least, shelling.injured) == (12, True, None)
    assert (shelling.location_name, shelling.country_code) == ("Kharkiv", "UKR")
    text = "Ukraine accused Russia of shooting down the plane, killing 65 people."
    assert all(m.fatalities is None for m in code_text(text))


def test_places_carry_over_within_the_scene_and_fall_back_to_the_actor(code_text: CodeText) -> None:
    text = (
        "Japan and China held talks in Beijing on Tuesday.\n\n"
        "Japanese Foreign Minister Yoko Kamikawa met her Chinese counterpart Wang Yi for two hours.\n\n"
        "North Korea fired two ballistic missiles into the sea on Monday."
    )
    mentions = code_text(text, published=dt.date(2024, 2, 14))
    by_sentence = {m.sentence_index: m for m in mentions}
    assert (by_sentence[0].location_name, by_sentence[0].location_source) == ("Beijing", "sentence")
    assert (by_sentence[1].location_name, by_sentence[1].location_source) == ("Beijing", "context")
    launch = by_sentence[2]
    assert (launch.country_code, launch.geo_precision, launch.location_source) == ("PRK", 3, "actor")

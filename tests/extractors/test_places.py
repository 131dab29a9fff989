"""Event locations from real parsed sentences, the gazetteer's choices, and datelines."""

from __future__ import annotations

import pycountry
import pytest
from spacy.language import Language
from spacy.tokens import Token

from extractors.nlp import load_model
from extractors.places import (
    REGION_NAMES,
    Gazetteer,
    Location,
    dateline_location,
    event_location,
    load_gazetteer,
    name_key,
    parse_dateline,
)
from schema.config import DEFAULT_MODEL


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def trigger(nlp: Language, text: str, word: str) -> Token:
    doc = nlp(text)
    return next(t for t in doc if t.text == word)


def locate(
    nlp: Language,
    gazetteer: Gazetteer,
    text: str,
    word: str,
    *,
    home: str | None = None,
    dateline: str | None = None,
    actors: tuple[str, ...] = (),
) -> Location | None:
    token = trigger(nlp, text, word)
    actor_tokens = {t.i for t in token.doc if t.text in actors}
    return event_location(token, gazetteer, home_country=home, dateline=dateline, actor_tokens=actor_tokens)


# --- sentences ---------------------------------------------------------------------------------------------------


def test_the_country_after_the_comma_disambiguates(nlp: Language, gazetteer: Gazetteer) -> None:
    # From an article published 2017-04-03.
    found = locate(nlp, gazetteer, "Xi and Abe last met in Lima, Peru in November.", "met")
    assert found is not None
    assert (found.location_name, found.country_code, found.geo_precision) == ("Lima", "PER", 1)
    assert found.latitude == pytest.approx(-12.05, abs=0.1) and found.longitude == pytest.approx(-77.04, abs=0.1)
    # The same city name with a US state after the comma is Lima, Ohio, even though Lima, Peru is far bigger.
    ohio = locate(nlp, gazetteer, "Officials met in Lima, Ohio on Monday.", "met")
    assert ohio is not None and (ohio.country_code, ohio.admin1) == ("USA", "Ohio")


def test_a_place_that_is_only_an_actor_is_no_location(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Beijing said on Monday it would retaliate against Tokyo."
    assert locate(nlp, gazetteer, text, "said", actors=("Beijing", "Tokyo")) is None
    assert locate(nlp, gazetteer, text, "retaliate", actors=("Beijing", "Tokyo")) is None


def test_the_dateline_is_the_fallback(nlp: Language, gazetteer: Gazetteer) -> None:
    found = locate(nlp, gazetteer, "Beijing said on Monday it would retaliate.", "said", dateline="PESHAWAR, Pakistan")
    assert found is not None and (found.location_name, found.country_code) == ("Peshawar", "PAK")
    # A place in the sentence beats the dateline.
    nairobi = locate(nlp, gazetteer, "Kenyan police fired tear gas in Nairobi.", "fired", dateline="KAMPALA, Uganda")
    assert nairobi is not None and nairobi.location_name == "Nairobi"


def test_police_in_nairobi(nlp: Language, gazetteer: Gazetteer) -> None:
    found = locate(nlp, gazetteer, "Kenyan police fired tear gas in Nairobi on Tuesday.", "fired")
    assert found is not None
    assert (found.location_name, found.country_code, found.geo_precision) == ("Nairobi", "KEN", 1)
    assert found.latitude == pytest.approx(-1.28, abs=0.1)


@pytest.mark.parametrize(
    ("home", "country", "latitude"), [("PAK", "PAK", 25.4), ("IND", "IND", 17.4), (None, "IND", 17.4)]
)
def test_an_ambiguous_name_prefers_the_articles_country(
    nlp: Language, gazetteer: Gazetteer, home: str | None, country: str, latitude: float
) -> None:
    found = locate(
        nlp, gazetteer, "Police opened fire on protesters in Hyderabad, wounding dozens.", "opened", home=home
    )
    assert found is not None and found.location_name == "Hyderabad"
    assert found.country_code == country and found.latitude == pytest.approx(latitude, abs=0.1)


def test_a_chain_of_place_phrases(nlp: Language, gazetteer: Gazetteer) -> None:
    found = locate(nlp, gazetteer, "The leaders met on the sidelines of the G20 summit in Hamburg.", "met")
    assert found is not None and (found.location_name, found.country_code) == ("Hamburg", "DEU")


def test_a_place_the_gazetteer_lacks_keeps_its_name_and_region(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Twenty Indian soldiers were killed in a clash with Chinese troops in the Galwan Valley in Ladakh."
    found = locate(nlp, gazetteer, text, "killed")
    assert found == Location("Galwan Valley", "Ladākh", "IND", None, None, 2)


def test_a_province_of_a_country(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Militants attacked a checkpoint in Pakistan's Balochistan province on Sunday."
    found = locate(nlp, gazetteer, text, "attacked")
    assert found == Location("Balochistan", "Balochistan", "PAK", None, None, 2)


def test_a_town_inside_a_province_and_a_participle_under_the_trigger(nlp: Language, gazetteer: Gazetteer) -> None:
    text = (
        "A suicide bomber detonated a bomb at a market in Pishin in Pakistan's Balochistan province, "
        "killing at least 59 people."
    )
    for word in ("detonated", "killing"):
        found = locate(nlp, gazetteer, text, word)
        assert found is not None
        assert (found.location_name, found.admin1, found.country_code, found.geo_precision) == (
            "Pishin",
            "Balochistan",
            "PAK",
            1,
        )


def test_reported_speech_does_not_take_the_speakers_place(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "In Tokyo, Abe said China had attacked Vietnamese boats."
    said = locate(nlp, gazetteer, text, "said")
    assert said is not None and said.location_name == "Tokyo"
    assert locate(nlp, gazetteer, text, "attacked") is None


def test_places_set_off_by_a_comma_and_parts_of_a_country(nlp: Language, gazetteer: Gazetteer) -> None:
    kabul = locate(nlp, gazetteer, "A car bomb exploded in the capital, Kabul, on Monday.", "exploded")
    assert kabul is not None and (kabul.location_name, kabul.country_code) == ("Kabul", "AFG")
    somalia = locate(nlp, gazetteer, "Pirates seized a tanker off the coast of Somalia.", "seized")
    assert somalia is not None and (somalia.country_code, somalia.geo_precision) == ("SOM", 3)


def test_a_target_inside_a_place_phrase_is_still_the_place(nlp: Language, gazetteer: Gazetteer) -> None:
    found = locate(nlp, gazetteer, "Russia sent troops into Ukraine.", "sent", actors=("Russia", "Ukraine"))
    assert found is not None and (found.country_code, found.geo_precision) == ("UKR", 3)


def test_a_place_word_as_the_object(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Russian forces shelled the Ukrainian city of Kharkiv on Thursday night, killing at least 12 people."
    for word in ("shelled", "killing"):
        found = locate(nlp, gazetteer, text, word)
        assert found is not None and (found.location_name, found.country_code, found.geo_precision) == (
            "Kharkiv",
            "UKR",
            1,
        )


def test_an_unknown_province_of_a_named_country(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Gunmen attacked workers at a gold mine in the Pataz province of northern Peru on Sunday."
    assert locate(nlp, gazetteer, text, "attacked") == Location("Pataz", None, "PER", None, None, 2)


def test_a_town_named_in_a_province_of_congo(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "M23 rebels captured the mining town of Rubaya in Congo's North Kivu province on Tuesday."
    # The ontology's names settle which Congo "Congo" is; the town is too small for the gazetteer.
    with_ontology = Gazetteer.build({"congo": "COD"})
    found = locate(nlp, with_ontology, text, "captured")
    assert found == Location("Rubaya", "North Kivu", "COD", None, None, 1)


def test_a_building_is_not_a_city_of_the_same_alternate_name(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Kishida will meet President Joe Biden at the White House on Wednesday."
    assert locate(nlp, gazetteer, text, "meet") is None  # "White House" is an alternate name of Casablanca


def test_verbal_events_can_leave_out_their_objects_places(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Lavrov and Wang would discuss the situation in Ukraine."
    token = trigger(nlp, text, "discuss")
    kept = event_location(token, gazetteer, home_country=None, dateline=None, actor_tokens=set())
    assert kept is not None and kept.country_code == "UKR"
    assert event_location(token, gazetteer, home_country=None, dateline=None, actor_tokens=set(), objects=[]) is None


# --- the gazetteer -----------------------------------------------------------------------------------------------


def test_country_points_lie_inside_their_country(gazetteer: Gazetteer) -> None:
    pakistan = gazetteer.lookup("Pakistan")
    assert pakistan is not None and pakistan.geo_precision == 3
    assert 23 < (pakistan.latitude or 0) < 37 and 60 < (pakistan.longitude or 0) < 78
    fiji = gazetteer.country("FJI")  # across the 180th meridian: a plain mean of longitudes would be near 0
    assert fiji is not None and abs(fiji.longitude or 0) > 170


def test_ambiguities(gazetteer: Gazetteer) -> None:
    moscow = gazetteer.lookup("Moscow", "USA")  # a capital 400 times the size of Moscow, Idaho
    assert moscow is not None and moscow.country_code == "RUS"
    florence = gazetteer.lookup("Florence", "USA")
    assert florence is not None and florence.country_code == "USA"
    islamabad = gazetteer.lookup("ISLAMABAD")  # also an old name of Chattogram, Bangladesh
    assert islamabad is not None and islamabad.country_code == "PAK"
    assert gazetteer.lookup("Punjab") is None  # India's or Pakistan's: no guess
    punjab = gazetteer.lookup("Punjab", "PAK")
    assert punjab is not None and (punjab.country_code, punjab.geo_precision) == ("PAK", 2)
    georgia = gazetteer.lookup("Georgia")
    assert georgia is not None and georgia.country_code == "GEO"
    state = gazetteer.lookup("Georgia", kind="region")
    assert state is not None and state.country_code == "USA"
    singapore = gazetteer.lookup("Singapore")
    assert singapore is not None and singapore.geo_precision == 1  # a city-state is its city


def test_regions_counties_and_names(gazetteer: Gazetteer) -> None:
    texas = gazetteer.lookup("Texas")
    assert texas is not None and (texas.geo_precision, texas.country_code) == (2, "USA")
    assert 26 < (texas.latitude or 0) < 36
    xinjiang = gazetteer.lookup("Xinjiang region")
    assert xinjiang == Location("Xinjiang", "Xinjiang", "CHN", None, None, 2)
    county = gazetteer.lookup("Washington County")  # in some thirty states
    assert county == Location("Washington County", None, "USA", None, None, 2)
    assert gazetteer.lookup("St. Petersburg") == gazetteer.lookup("Saint Petersburg")
    assert gazetteer.lookup("U.S.") == gazetteer.country("USA")
    assert gazetteer.lookup("Narnia") is None
    assert name_key("The Galwan-Valley") == "galwan valley"


def test_extra_country_names_only_fill_gaps() -> None:
    gazetteer = Gazetteer.build({"eswatini kingdom": "SWZ", "gaza": "PSE"})
    assert gazetteer.lookup("Eswatini Kingdom") == gazetteer.country("SWZ")
    gaza = gazetteer.lookup("Gaza")
    assert gaza is not None and gaza.geo_precision == 1  # still the city


def test_every_english_region_name_points_at_a_real_subdivision() -> None:
    assert all(pycountry.subdivisions.get(code=code) is not None for code in REGION_NAMES.values())


# --- datelines ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PESHAWAR, Pakistan, Jan 30 -- A suicide bomber struck a mosque.", "PESHAWAR, Pakistan"),
        ("WASHINGTON (Reuters) - The United States said", "WASHINGTON"),
        ("By Jane Doe\nKABUL, Afghanistan (AP) — Taliban fighters", "KABUL, Afghanistan"),
        ("NEW DELHI: The government on Monday", "NEW DELHI"),
        ("Beijing, Jan 2 (Xinhua) -- China and Japan", "Beijing"),
        ("ISLAMABAD/KABUL, Jan 2 (Reuters) - Pakistan", "ISLAMABAD/KABUL"),
        ("PUBLISHED : Monday, 03 April, 2017", None),
        ("China-Japan relations\n\nSenior Japanese officials met", None),
        ("Kenya, Uganda - the two neighbours", None),
    ],
)
def test_parse_dateline(text: str, expected: str | None) -> None:
    assert parse_dateline(text) == expected


def test_dateline_location(gazetteer: Gazetteer) -> None:
    peshawar = dateline_location("PESHAWAR, Pakistan", gazetteer, None)
    assert peshawar is not None and (peshawar.location_name, peshawar.country_code) == ("Peshawar", "PAK")
    first = dateline_location("ISLAMABAD/KABUL", gazetteer, None)
    assert first is not None and first.location_name == "Islamabad"
    assert dateline_location("UNITED NATIONS", gazetteer, None) is None

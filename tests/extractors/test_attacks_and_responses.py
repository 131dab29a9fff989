"""Violence and the answers to it: the attack named as the subject, whose people an unnamed group is, mass killings,
and acts aimed at whoever did the act they answer."""

from __future__ import annotations

import datetime as dt

from tests.conftest import CodeText, dyads


def test_an_attack_as_subject_gives_its_own_code_and_actor(code_text: CodeText) -> None:
    mentions = code_text("An Israeli air strike destroyed Iran's consular building in Damascus on Monday.")
    assert dyads(mentions) == {("ISR", "IRN", "195")}
    # The mention still says which words were coded.
    assert mentions[0].verb_text == "destroyed"


def test_compound_attack_nouns_are_coded_by_their_modifier(code_text: CodeText) -> None:
    assert {c for _, _, c in dyads(code_text("A U.S. drone strike killed a militant commander in Somalia."))} == {"195"}
    assert {c for _, _, c in dyads(code_text("Russian mortar fire killed three civilians in Kherson."))} == {"194"}
    # The plain noun keeps its general code.
    assert {c[:2] for _, _, c in dyads(code_text("Turkey's strikes on Syria continued on Monday."))} == {"19"}


def test_an_unnamed_group_belongs_to_the_country_the_event_happened_in(code_text: CodeText) -> None:
    mentions = code_text("A Russian missile strike killed 12 people in Kharkiv on Monday.")
    assert dyads(mentions) == {("RUS", "UKRCVL", "195")}
    mentions = code_text("A U.S. drone strike killed a militant commander in Somalia.")
    assert {(s, t) for s, t, _ in dyads(mentions)} == {("USA", "SOMREB")}


def test_killing_many_civilians_is_a_mass_killing(code_text: CodeText) -> None:
    many = code_text("Myanmar soldiers killed at least 40 villagers in the township, the investigators said.")
    assert dyads(many) == {("MMRMIL", "MMRCVL", "202")}
    assert many[0].fatalities == 40 and many[0].fatalities_at_least
    few = code_text("Myanmar soldiers killed seven villagers in the township, the investigators said.")
    assert dyads(few) == {("MMRMIL", "MMRCVL", "180")}
    # Soldiers killed in battle are not a mass killing, however many.
    troops = code_text("Myanmar rebels killed at least 40 soldiers in the township.")
    assert {c for _, _, c in dyads(troops)} == {"180"}


def test_a_demand_for_release_is_aimed_at_the_detainer(code_text: CodeText) -> None:
    mentions = code_text(
        "Serbian police arrested three Kosovo police officers on Wednesday. "
        "Kosovo Prime Minister Albin Kurti demanded their immediate release.",
        published=dt.date(2023, 6, 15),
    )
    assert ("XKXGOV", "SRBCOP", "1053") in dyads(mentions)


def test_a_raised_alert_is_aimed_at_whoever_threatened(code_text: CodeText) -> None:
    mentions = code_text(
        "North Korea fired two ballistic missiles into the sea on Thursday. "
        "South Korea's military raised its alert level.",
        published=dt.date(2024, 1, 5),
    )
    assert ("KORMIL", "PRK", "152") in dyads(mentions)
    # With nothing earlier to answer, the alert has no target.
    alone = code_text("South Korea's military raised its alert level.", published=dt.date(2024, 1, 5))
    assert dyads(alone) == {("KORMIL", None, "152")}

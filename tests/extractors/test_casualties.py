"""Fatalities and injuries stated in real parsed sentences."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractors.casualties import Casualties, casualties
from extractors.nlp import load_model
from schema.config import DEFAULT_MODEL


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model(DEFAULT_MODEL)


def read(nlp: Language, text: str, word: str) -> Casualties:
    doc = nlp(text)
    return casualties(next(t for t in doc if t.text == word))


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        (
            "A suicide bomber detonated a bomb at a market in Pishin, killing at least 59 people.",
            "detonated",
            Casualties(fatalities=59, fatalities_at_least=True),
        ),
        (
            "Twenty Indian soldiers were killed in a clash with Chinese troops in the Galwan Valley.",
            "killed",
            Casualties(fatalities=20),
        ),
        # A noun trigger: the clash is what the soldiers were killed in.
        (
            "Twenty Indian soldiers were killed in a clash with Chinese troops in the Galwan Valley.",
            "clash",
            Casualties(fatalities=20),
        ),
        ("Gunmen killed 12 and injured 30 in an attack on a village.", "killed", Casualties(12, False, 30, False)),
        ("The death toll rose to 43 on Sunday.", "toll", Casualties(fatalities=43)),
        (
            "The death toll from the earthquake has risen to at least 2,500.",
            "toll",
            Casualties(fatalities=2500, fatalities_at_least=True),
        ),
        ("Twenty-one people died and two were wounded.", "died", Casualties(21, False, 2, False)),
        ("The blast killed more than 30 people and wounded over 100.", "blast", Casualties(30, True, 100, True)),
        ("The attack left 12 people dead and 30 injured.", "attack", Casualties(12, False, 30, False)),
        ("Clashes left at least 12 dead.", "Clashes", Casualties(fatalities=12, fatalities_at_least=True)),
        ("The attack claimed 14 lives.", "attack", Casualties(fatalities=14)),
        ("Four children were killed in Israeli tank shelling.", "shelling", Casualties(fatalities=4)),
        ("Gunmen killed a dozen villagers and two soldiers.", "killed", Casualties(fatalities=14)),
        (
            "Gunmen stormed a hotel in Mogadishu, killing at least 15 people and injuring 20 others.",
            "stormed",
            Casualties(15, True, 20, False),
        ),
        ("The attack, which killed 12 people, was condemned by the UN.", "attack", Casualties(fatalities=12)),
        ("Rebels launched an attack on the town, killing 12 soldiers.", "attack", Casualties(fatalities=12)),
    ],
)
def test_stated_numbers(nlp: Language, text: str, word: str, expected: Casualties) -> None:
    assert read(nlp, text, word) == expected


def test_vague_amounts_are_no_number(nlp: Language) -> None:
    assert read(nlp, "Police opened fire on protesters in Hyderabad, wounding dozens.", "opened") == Casualties()
    both = read(nlp, "At least 59 people were killed and dozens wounded in the bombing.", "bombing")
    assert both == Casualties(fatalities=59, fatalities_at_least=True, injured=None)


def test_nothing_stated_is_none_not_zero(nlp: Language) -> None:
    assert read(nlp, "Xi and Abe last met in Lima, Peru in November.", "met") == Casualties()
    assert read(nlp, "Soldiers were killed in the attack.", "killed").fatalities is None


def test_another_events_clause_is_not_read(nlp: Language) -> None:
    text = "Police fired tear gas at protesters; separately, rebels attacked a base, killing 12."
    assert read(nlp, text, "fired") == Casualties()
    assert read(nlp, text, "attacked") == Casualties(fatalities=12)
    # Two killings with their own subjects: each its own count.
    two = "Police killed three protesters on Monday, and rebels killed five soldiers on Tuesday."
    assert read(nlp, two, "killed") == Casualties(fatalities=3)
    # A condemnation is not the attack it condemns; what someone says is not the saying's toll.
    assert read(nlp, "Japan condemned the attack, which killed 12 people.", "condemned") == Casualties()
    assert read(nlp, "The army said gunmen killed 12 villagers.", "said") == Casualties()
    assert read(nlp, "Officials said 12 people were killed.", "said") == Casualties()


def test_a_number_with_other_words_is_read_whole(nlp: Language) -> None:
    assert read(nlp, "Israeli strikes killed 21 Palestinians, including nine children.", "killed") == Casualties(21)

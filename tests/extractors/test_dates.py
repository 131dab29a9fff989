"""Event dates: expressions resolved against the publication date, and which date belongs to which event."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from spacy.language import Language

from extractors.actions import modality_of
from extractors.dates import ResolvedDate, is_future, resolve_event_date, resolve_expression
from extractors.nlp import load_model
from schema.config import DEFAULT_MODEL

MONDAY = dt.date(2017, 4, 3)  # the seed articles' publication date
WEDNESDAY = dt.date(2017, 4, 5)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
MONTHS += ["November", "December"]
SHORT_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]


def day(text: str, published: dt.date = WEDNESDAY, future: bool = False) -> dt.date | None:
    found = resolve_expression(text, published, future=future)
    assert found is not None, text
    return found.date


# -- expressions ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "future", "expected"),
    [
        ("Tuesday", False, dt.date(2017, 4, 4)),  # the day before a Wednesday paper
        ("Tuesday", True, dt.date(2017, 4, 11)),
        ("Wednesday", False, WEDNESDAY),  # a same-day "Wednesday" is that day, not a week ago
        ("Wednesday", True, WEDNESDAY),
        ("Friday", True, dt.date(2017, 4, 7)),
        ("Friday", False, dt.date(2017, 3, 31)),
        ("last Wednesday", False, dt.date(2017, 3, 29)),
        ("next Wednesday", True, dt.date(2017, 4, 12)),
        ("Monday night", False, MONDAY),
        ("yesterday", False, dt.date(2017, 4, 4)),
        ("today", False, WEDNESDAY),
        ("tomorrow", True, dt.date(2017, 4, 6)),
        ("last night", False, dt.date(2017, 4, 4)),
        ("a day earlier", False, dt.date(2017, 4, 4)),
        ("the day before yesterday", False, MONDAY),
        ("on Feb. 1", False, dt.date(2017, 2, 1)),
        ("on Feb. 1", True, dt.date(2018, 2, 1)),
        ("Sept. 3", False, dt.date(2016, 9, 3)),
        ("Tuesday, Feb. 1", False, dt.date(2017, 2, 1)),
        ("February 1, 2024", False, dt.date(2024, 2, 1)),
        ("1 February 2024", False, dt.date(2024, 2, 1)),
        ("the 1st of February", False, dt.date(2017, 2, 1)),
        ("2024-02-01", False, dt.date(2024, 2, 1)),
        ("three days after the Nov. 3 election", False, dt.date(2016, 11, 6)),
    ],
)
def test_days(text: str, future: bool, expected: dt.date) -> None:
    found = resolve_expression(text, WEDNESDAY, future=future)
    assert found == ResolvedDate(expected, "day", text)


@pytest.mark.parametrize(
    ("text", "future", "expected", "precision"),
    [
        ("last week", False, dt.date(2017, 3, 27), "week"),  # weeks are stored as their Monday
        ("this week", False, MONDAY, "week"),
        ("next week", True, dt.date(2017, 4, 10), "week"),
        ("two weeks ago", False, dt.date(2017, 3, 20), "week"),
        ("in November", False, dt.date(2016, 11, 1), "month"),  # past tense: last November
        ("in November", True, dt.date(2017, 11, 1), "month"),  # future: the coming one
        ("in April", False, dt.date(2017, 4, 1), "month"),  # the publication month itself
        ("last November", True, dt.date(2016, 11, 1), "month"),
        ("in mid-March", False, dt.date(2017, 3, 1), "month"),
        ("early March", True, dt.date(2018, 3, 1), "month"),
        ("April 2018", False, dt.date(2018, 4, 1), "month"),
        ("April last year", False, dt.date(2016, 4, 1), "month"),
        ("last month", False, dt.date(2017, 3, 1), "month"),
        ("later this month", True, dt.date(2017, 4, 1), "month"),
        ("last year", False, dt.date(2016, 1, 1), "year"),
        ("this year", False, dt.date(2017, 1, 1), "year"),
        ("in 2018", False, dt.date(2018, 1, 1), "year"),
        ("a decade ago", False, dt.date(2007, 1, 1), "year"),
    ],
)
def test_weeks_months_years(text: str, future: bool, expected: dt.date, precision: str) -> None:
    found = resolve_expression(text, WEDNESDAY, future=future)
    assert found is not None and (found.date, found.precision, found.end) == (expected, precision, None)


@pytest.mark.parametrize(
    ("text", "future", "start", "end"),
    [
        ("July 7-8", False, dt.date(2016, 7, 7), dt.date(2016, 7, 8)),
        ("July 7-8", True, dt.date(2017, 7, 7), dt.date(2017, 7, 8)),
        ("November 15-17", False, dt.date(2016, 11, 15), dt.date(2016, 11, 17)),
        ("15-17 November 2023", False, dt.date(2023, 11, 15), dt.date(2023, 11, 17)),
        ("between July 7 and July 9", False, dt.date(2016, 7, 7), dt.date(2016, 7, 9)),
        ("Dec. 30 - Jan. 2", False, dt.date(2016, 12, 30), dt.date(2017, 1, 2)),
        ("March 3 and 4", False, dt.date(2017, 3, 3), dt.date(2017, 3, 4)),
        ("from Monday to Wednesday", False, MONDAY, WEDNESDAY),
        ("Monday to Wednesday", True, dt.date(2017, 4, 10), dt.date(2017, 4, 12)),
        ("over the weekend", False, dt.date(2017, 4, 1), dt.date(2017, 4, 2)),
    ],
)
def test_ranges_keep_their_end(text: str, future: bool, start: dt.date, end: dt.date) -> None:
    found = resolve_expression(text, WEDNESDAY, future=future)
    assert found is not None and (found.date, found.end, found.precision) == (start, end, "day")


def test_year_ranges_and_decades() -> None:
    assert resolve_expression("2018-19", WEDNESDAY, future=False) == ResolvedDate(
        dt.date(2018, 1, 1), "year", "2018-19", dt.date(2019, 1, 1)
    )
    found = resolve_expression("the 1990s", None, future=False)
    assert found is not None and (found.date, found.end) == (dt.date(1990, 1, 1), dt.date(1999, 1, 1))


@pytest.mark.parametrize(
    "text",
    ["for three years", "recent days", "10 p.m.", "annual", "Mondays", "three days after the talks", "two days later"],
)
def test_no_date_it_can_place(text: str) -> None:
    assert resolve_expression(text, WEDNESDAY, future=False) is None


def test_counted_from_an_anchor_when_given() -> None:
    assert resolve_expression("two days later", WEDNESDAY, future=False, anchor=dt.date(2017, 3, 1)) == ResolvedDate(
        dt.date(2017, 3, 3), "day", "two days later"
    )
    assert day("the previous day") == dt.date(2017, 4, 4)  # no anchor: counted back from publication


def test_without_a_publication_date_only_absolute_dates_resolve() -> None:
    assert resolve_expression("last Tuesday", None, future=False) is None
    assert resolve_expression("in November", None, future=False) is None
    found = resolve_expression("on February 1, 2024", None, future=False)
    assert found is not None and found.date == dt.date(2024, 2, 1)


def test_lower_case_month_words_are_verbs_not_months() -> None:
    assert resolve_expression("they may march", WEDNESDAY, future=False) is None


# -- properties -------------------------------------------------------------------------------------------------
PAST_PHRASES = ["last week", "this week", "earlier this week", "the past week", "last month", "earlier this month"]
PAST_PHRASES += ["this month", "last year", "earlier this year", "this year", "yesterday", "today", "last night"]
PAST_PHRASES += ["a day earlier", "the day before", "the previous day", "the weekend", "last weekend"]
PAST_PHRASES += ["the day before yesterday", "the previous week"]
published_dates = st.dates(dt.date(1950, 1, 1), dt.date(2090, 12, 31))
numbers = st.sampled_from(["a", "one", "two", "three", "ten", "4", "12"])
past_expressions = st.one_of(
    st.sampled_from(WEEKDAYS).flatmap(
        lambda d: st.sampled_from([d, f"on {d}", f"last {d}", f"{d} night", f"this past {d}", f"early on {d}"])
    ),
    st.sampled_from(PAST_PHRASES),
    st.tuples(numbers, st.sampled_from(["day", "week", "month", "year"])).map(lambda t: f"{t[0]} {t[1]}s ago"),
    st.tuples(numbers, st.sampled_from(["day", "week"])).map(lambda t: f"{t[0]} {t[1]}s earlier"),
    st.sampled_from(MONTHS).flatmap(lambda m: st.sampled_from([f"in {m}", f"in mid-{m}", f"last {m}", f"late {m}"])),
    st.tuples(st.sampled_from(SHORT_MONTHS + MONTHS), st.integers(1, 28)).flatmap(
        lambda t: st.sampled_from([f"on {t[0]} {t[1]}", f"{t[1]} {t[0]}", f"{t[0]} {t[1]}-{t[1] + 2}"])
    ),
)
future_expressions = st.one_of(
    st.sampled_from(WEEKDAYS).flatmap(
        lambda d: st.sampled_from([d, f"on {d}", f"next {d}", f"this {d}", f"coming {d}", f"{d} morning"])
    ),
    st.sampled_from(["next week", "next month", "next year", "tomorrow", "this weekend", "next weekend"]),
    st.tuples(st.sampled_from(SHORT_MONTHS + MONTHS), st.integers(1, 28)).map(lambda t: f"on {t[0]} {t[1]}"),
    st.tuples(st.sampled_from(WEEKDAYS), st.sampled_from(WEEKDAYS)).map(lambda t: f"from {t[0]} to {t[1]}"),
)


@given(past_expressions, published_dates)
def test_past_relative_dates_never_lie_after_publication(text: str, published: dt.date) -> None:
    found = resolve_expression(text, published, future=False)
    assert found is not None and found.date is not None
    assert found.date <= published


@given(future_expressions, published_dates)
def test_future_weekdays_and_next_weeks_never_lie_before_publication(text: str, published: dt.date) -> None:
    found = resolve_expression(text, published, future=True)
    assert found is not None and found.date is not None
    assert found.date >= published


range_expressions = st.one_of(
    st.tuples(st.sampled_from(SHORT_MONTHS + MONTHS), st.integers(1, 31), st.integers(1, 31)).map(
        lambda t: f"{t[0]} {t[1]}-{t[2]}"
    ),
    st.tuples(st.integers(1, 31), st.integers(1, 31), st.sampled_from(MONTHS)).map(lambda t: f"{t[0]}-{t[1]} {t[2]}"),
    st.tuples(st.sampled_from(MONTHS), st.integers(1, 28), st.sampled_from(SHORT_MONTHS), st.integers(1, 28)).map(
        lambda t: f"{t[0]} {t[1]} to {t[2]} {t[3]}"
    ),
    st.tuples(st.sampled_from(WEEKDAYS), st.sampled_from(WEEKDAYS)).map(lambda t: f"from {t[0]} to {t[1]}"),
    st.tuples(st.integers(1900, 2090), st.integers(1900, 2090)).map(lambda t: f"between {t[0]} and {t[1]}"),
    st.sampled_from(["the weekend", "next weekend", "the 1980s", "2018-19"]),
)


@given(range_expressions, published_dates, st.booleans())
def test_ranges_keep_start_before_end(text: str, published: dt.date, future: bool) -> None:
    found = resolve_expression(text, published, future=future)
    assert found is None or found.end is None or (found.date is not None and found.date <= found.end)


@given(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)), st.one_of(st.none(), published_dates), st.booleans())
def test_absolute_dates_round_trip(date: dt.date, published: dt.date | None, future: bool) -> None:
    month = MONTHS[date.month - 1]
    for text in (f"{month} {date.day}, {date.year}", f"{date.day} {month} {date.year}", date.isoformat()):
        assert resolve_expression(text, published, future=future) == ResolvedDate(date, "day", text)
    found = resolve_expression(f"in {month} {date.year}", published, future=future)
    assert found is not None and (found.date, found.precision) == (date.replace(day=1), "month")


@given(st.text(max_size=60), published_dates, st.booleans())
def test_any_text_gives_a_well_formed_date_or_none(text: str, published: dt.date, future: bool) -> None:
    found = resolve_expression(text, published, future=future)
    if found is None:
        return
    assert found.date is not None and found.precision in {"day", "week", "month", "year"}
    # stored as the first day of its unit
    if found.precision == "week":
        assert found.date.weekday() == 0
    elif found.precision == "month":
        assert found.date.day == 1
    elif found.precision == "year":
        assert (found.date.month, found.date.day) == (1, 1)
    assert found.end is None or found.end >= found.date


# -- which date is the event's: real sentences, the real model ---------------------------------------------------
@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model(DEFAULT_MODEL)


def event_date(nlp: Language, text: str, trigger: str, published: dt.date | None) -> ResolvedDate:
    """The date of the event `trigger` (the first token with that text) names, as the coder would ask for it."""
    doc = nlp(text)
    token = next(t for t in doc if t.text == trigger)
    return resolve_event_date(token, published, future=is_future(token, modality_of(token)))


def test_seed_last_met_in_november_is_last_years_november(nlp: Language) -> None:
    found = event_date(nlp, "Xi and Abe last met in Lima, Peru in November.", "met", MONDAY)
    assert found == ResolvedDate(dt.date(2016, 11, 1), "month", "November")


def test_seed_talks_held_tuesday_reported_on_wednesday(nlp: Language) -> None:
    found = event_date(nlp, "Japan and China held talks in Tokyo Tuesday.", "held", WEDNESDAY)
    assert found == ResolvedDate(dt.date(2017, 4, 4), "day", "Tuesday")


def test_will_meet_on_friday_is_the_coming_friday(nlp: Language) -> None:
    found = event_date(nlp, "Abe will meet Xi on Friday.", "meet", WEDNESDAY)
    assert found == ResolvedDate(dt.date(2017, 4, 7), "day", "Friday")
    assert event_date(nlp, "Abe met Xi on Friday.", "met", WEDNESDAY).date == dt.date(2017, 3, 31)


def test_speech_date_is_not_the_event_date(nlp: Language) -> None:
    saturday = dt.date(2017, 4, 8)
    own = event_date(nlp, "Russia attacked Kyiv on Monday night, officials said on Friday.", "attacked", saturday)
    assert own == ResolvedDate(MONDAY, "day", "Monday night")
    for text in (
        "Russia attacked Kyiv, officials said on Friday.",
        "Officials said on Friday that Russia attacked Kyiv.",
    ):
        assert event_date(nlp, text, "attacked", saturday) == ResolvedDate(saturday, "publication", None)


def test_bare_weekday_the_parser_hangs_on_the_speech_verb(nlp: Language) -> None:
    # en_core_web_sm attaches "Tuesday" to "said"; it still dates the talks, and "Wednesday" dates the report.
    text = "Japan and China held talks in Tokyo Tuesday, the ministry said Wednesday."
    assert event_date(nlp, text, "held", WEDNESDAY).date == dt.date(2017, 4, 4)
    assert event_date(nlp, text, "talks", WEDNESDAY).date == dt.date(2017, 4, 4)


def test_a_date_in_another_clause_is_not_taken(nlp: Language) -> None:
    text = "Israel struck Gaza on Tuesday, a day after rockets were fired at Tel Aviv."
    assert event_date(nlp, text, "struck", WEDNESDAY).date == dt.date(2017, 4, 4)
    assert event_date(nlp, text, "fired", WEDNESDAY).precision == "publication"
    text = "Japan protested to China on Tuesday after Chinese ships entered its waters on Monday."
    assert event_date(nlp, text, "protested", WEDNESDAY).date == dt.date(2017, 4, 4)
    assert event_date(nlp, text, "entered", WEDNESDAY).date == MONDAY


def test_planned_action_does_not_take_the_date_of_the_agreement(nlp: Language) -> None:
    text = "Abe agreed on Monday to meet Xi."
    assert event_date(nlp, text, "agreed", WEDNESDAY).date == MONDAY
    assert event_date(nlp, text, "meet", WEDNESDAY).precision == "publication"


def test_second_verb_shares_the_first_ones_date(nlp: Language) -> None:
    assert event_date(nlp, "Xi met Abe on Monday and signed a trade deal.", "signed", WEDNESDAY).date == MONDAY


def test_event_nouns_take_the_date_of_their_carrying_verb(nlp: Language) -> None:
    assert event_date(nlp, "Tuesday's talks between Japan and China ended.", "talks", WEDNESDAY).date == dt.date(
        2017, 4, 4
    )
    found = event_date(nlp, "The meeting is scheduled for Dec. 12.", "meeting", WEDNESDAY)
    assert found == ResolvedDate(dt.date(2017, 12, 12), "day", "Dec. 12")
    summit = event_date(nlp, "The summit took place July 7-8 in Hamburg.", "summit", dt.date(2017, 8, 1))
    assert (summit.date, summit.end) == (dt.date(2017, 7, 7), dt.date(2017, 7, 8))


def test_ranges_and_offsets_in_sentences(nlp: Language) -> None:
    both = event_date(nlp, "The two will meet on Monday and Tuesday.", "meet", WEDNESDAY)
    assert (both.date, both.end, both.text) == (dt.date(2017, 4, 10), dt.date(2017, 4, 11), "Monday and Tuesday")
    ran = event_date(nlp, "The talks ran from Monday to Wednesday.", "talks", WEDNESDAY)
    assert (ran.date, ran.end) == (MONDAY, WEDNESDAY)
    after = event_date(nlp, "The ceasefire collapsed three days after the Nov. 3 election.", "collapsed", WEDNESDAY)
    assert (after.date, after.text) == (dt.date(2016, 11, 6), "three days after the Nov. 3 election")
    since = event_date(nlp, "Troops have been deployed since April last year.", "deployed", WEDNESDAY)
    assert (since.date, since.precision) == (dt.date(2016, 4, 1), "month")


def test_next_week_for_an_expected_visit(nlp: Language) -> None:
    for text in ("Abe is expected to visit China next week.", "Abe is expected next week to visit China."):
        found = event_date(nlp, text, "visit", WEDNESDAY)  # the second hangs "next week" on "expected"
        assert (found.date, found.precision) == (dt.date(2017, 4, 10), "week")


def test_a_name_tagged_as_a_verb_does_not_block_the_date(nlp: Language) -> None:
    # en_core_web_sm tags "Sagaing" VERB and hangs "last month" on it.
    text = "Junta troops burned several villages in Sagaing last month."
    found = event_date(nlp, text, "burned", dt.date(2024, 4, 5))
    assert (found.date, found.precision) == (dt.date(2024, 3, 1), "month")


def test_no_date_in_the_clause_falls_back_to_publication_or_unknown(nlp: Language) -> None:
    assert event_date(nlp, "Japan protested to China.", "protested", WEDNESDAY) == ResolvedDate(
        WEDNESDAY, "publication", None
    )
    assert event_date(nlp, "Japan protested to China.", "protested", None) == ResolvedDate(None, "unknown", None)
    assert event_date(nlp, "The two sides signed a treaty in 2018.", "signed", None).date == dt.date(2018, 1, 1)


def test_future_from_modality_and_tense(nlp: Language) -> None:
    def future(text: str, trigger: str) -> bool:
        token = next(t for t in nlp(text) if t.text == trigger)
        return is_future(token, modality_of(token))

    assert future("Abe will meet Xi on Friday.", "meet")
    assert future("Abe plans to visit China in May.", "visit")
    assert future("Japan and China are holding talks in Beijing on Friday.", "holding")
    assert not future("Japan and China held talks in Beijing on Friday.", "held")
    assert not future("Japan and China were holding talks in Beijing on Friday.", "holding")

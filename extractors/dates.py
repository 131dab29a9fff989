"""Event dates: when an event happened, read from the date words of its own clause.

News dates events relative to the day it is published ("Tuesday", "last week", "in November"), so every expression
is resolved against the publication date, and the tense of the event verb decides which way a bare "Tuesday" or
"November" points: back for what happened, forward for what is planned. Dates are stored at the start of their
unit (a month as its first day, a week as its Monday, a year as 1 January) with a precision that says which unit.

Two layers: `resolve_expression` is a pure function of a string and dates (property-tested); `resolve_event_date`
picks, from a parsed sentence, the expressions that belong to one event's trigger and resolves the best one.
No library is used for dates: dateparser reads "November 15-17" as 1917 and a same-day "Monday" as last week.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from extractors.actions import FUTURE_AUX
from schema.records import DatePrecision, Modality


@dataclass(frozen=True)
class ResolvedDate:
    """An event date: its first day at `precision`, the words it came from, and the last day of a stated range."""

    date: dt.date | None
    precision: DatePrecision  # day | week | month | year | publication | unknown
    text: str | None  # the raw expression, e.g. "last Tuesday"
    end: dt.date | None = None  # range end when the text gives one ("November 15-17"), at the same precision


@dataclass(frozen=True)
class _Context:
    published: dt.date | None
    future: bool
    anchor: dt.date | None


def publication_date(published: dt.date | None) -> ResolvedDate:
    """The fallback when the event's clause states no date: the article's date, or nothing."""
    if published is None:
        return ResolvedDate(None, "unknown", None)
    return ResolvedDate(published, "publication", None)


# -- the words ----------------------------------------------------------------------------------------------------
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS = {name: n for n, name in enumerate(MONTH_NAMES, 1)} | {name[:3]: n for n, name in enumerate(MONTH_NAMES, 1)}
MONTHS["sept"] = 9
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
UNIT_PRECISION: dict[str, DatePrecision] = {
    "day": "day",
    "week": "week",
    "month": "month",
    "year": "year",
    "decade": "year",
}
PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
# Relative words before "week", "November", "Tuesday": which way they point, None for "by the tense".
RELATIVE = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "this": 0, "current": 0}

# Month names only when capitalised: "march" and "may" are verbs.
_MONTH_WORDS = "|".join(sorted({w.capitalize() for w in MONTHS} | {w.upper() for w in MONTHS}, key=len, reverse=True))
_REL = r"(?i:last|past|previous|next|coming|this|current)"
_NUM = r"(?i:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_UNIT = r"(?i:day|week|month|year|decade)"
_WEEKDAY = "(?i:" + "|".join(WEEKDAYS) + ")"
_TO = r"\s*(?:-|–|—|/|\b(?i:to|and|through|thru|until|till)\b)\s*"


def _month(name: str) -> str:
    return rf"\b(?P<{name}>{_MONTH_WORDS})\b\.?"


def _day(name: str) -> str:
    return rf"(?<!\d)(?P<{name}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\w])"


def _year(name: str) -> str:
    return rf"(?<!\d)(?P<{name}>1[89]\d\d|20\d\d)(?!\d)"


def _year_after(suffix: str) -> str:
    """An optional year after a month or day: ", 2024", " of 2024", " last year"."""
    return rf"(?:\s*,?\s*(?:(?i:of)\s+)?(?:{_year('year' + suffix)}|(?P<relyear{suffix}>{_REL})\s+(?i:year)\b))?"


# -- building dates -----------------------------------------------------------------------------------------------
def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _start_of(day: dt.date, precision: DatePrecision) -> dt.date:
    if precision == "week":
        return day - dt.timedelta(days=day.weekday())
    if precision == "month":
        return day.replace(day=1)
    if precision == "year":
        return dt.date(day.year, 1, 1)
    return day


def _at(day: dt.date | None, precision: DatePrecision, end: dt.date | None = None) -> ResolvedDate | None:
    if day is None:
        return None
    last = _start_of(end, precision) if end is not None else None
    return ResolvedDate(_start_of(day, precision), precision, None, last)


def _shift(day: dt.date, n: int, unit: str) -> dt.date | None:
    """`n` units after `day` (before when negative); month and year shifts land on the 1st."""
    try:
        if unit in {"day", "week"}:
            return day + dt.timedelta(days=n * (7 if unit == "week" else 1))
        months = day.year * 12 + day.month - 1 + n * {"month": 1, "year": 12, "decade": 120}[unit]
        return dt.date(months // 12, months % 12 + 1, 1)
    except (ValueError, OverflowError):
        return None


def _weekday(index: int, published: dt.date, direction: int | None, future: bool) -> dt.date:
    """The `index` weekday near `published`: strictly before for "last", strictly after for "next", else on or
    before (past tense) or on or after (future) — a same-day "Monday" is that day, not a week ago."""
    if direction == -1:
        return published - dt.timedelta(days=(published.weekday() - index) % 7 or 7)
    if direction == 1:
        return published + dt.timedelta(days=(index - published.weekday()) % 7 or 7)
    if future:
        return published + dt.timedelta(days=(index - published.weekday()) % 7)
    return published - dt.timedelta(days=(published.weekday() - index) % 7)


def _year_of(m: re.Match[str], suffix: str, ctx: _Context) -> tuple[int | None, bool]:
    """The year a match states ("2024", "last year"), and whether it stated one at all."""
    if m[f"year{suffix}"]:
        return int(m[f"year{suffix}"]), True
    relative = m[f"relyear{suffix}"]
    if relative:
        if ctx.published is None:
            return None, True
        return ctx.published.year + RELATIVE[relative.lower()], True
    return None, False


def _month_and_day(month: int, day: int, year: int | None, ctx: _Context) -> dt.date | None:
    """A day of a month; with no year, the latest on or before publication (past) or the first on or after it."""
    if year is not None:
        return _date(year, month, day)
    if ctx.published is None:
        return None
    pub = ctx.published
    options = [d for y in range(pub.year - 4, pub.year + 5) if (d := _date(y, month, day)) is not None]
    if ctx.future:
        return min((d for d in options if d >= pub), default=None)
    return max((d for d in options if d <= pub), default=None)


def _range_end(start: dt.date, month: int, day: int) -> dt.date | None:
    """The end of "November 15-17" or "Dec. 30 - Jan. 2": the first such day on or after the start."""
    end = _date(start.year, month, day)
    if end is not None and end < start:
        end = _date(start.year + 1, month, day)
    return end


# -- the rules: one regular expression and what it means; the first rule that matches decides -------------------
Rule = Callable[[re.Match[str], _Context], ResolvedDate | None]


def _offset(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "a day earlier", "the day before", "three days after the Nov. 3 election", "the following day": counted
    from the date named after "after"/"before", else from `anchor` (an earlier date of the story), else — only
    going back — from publication. "Two days later" with nothing to count from is not resolved."""
    unit = (m["unit"] or m["unit1"] or m["unit2"]).lower()
    n = 1 if not m["n"] else int(m["n"]) if m["n"].isdigit() else NUMBERS[m["n"].lower()]
    direction = (m["dir"] or m["dir2"] or "").lower().split()[0]
    backward = direction in {"earlier", "before", "prior", "previous", "preceding"}
    base: dt.date | None
    if m["rest"] and direction in {"before", "after", "prior"}:
        counted_from = resolve_expression(m["rest"], ctx.published, future=ctx.future, anchor=ctx.anchor)
        if counted_from is None or counted_from.date is None:
            return None  # "three days after the talks": when the talks were is not said here
        if counted_from.precision != "day":
            return replace(counted_from, end=None)  # "days after the 2018 election": no finer than the election
        base = counted_from.date
    else:
        base = ctx.anchor or (ctx.published if backward else None)
    if base is None:
        return None
    if direction == "same":
        return _at(base, UNIT_PRECISION[unit])
    shifted = _shift(base, -n if backward else n, unit)
    return _at(shifted, UNIT_PRECISION[unit])


def _iso(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    return _at(_date(int(m["y"]), int(m["m"]), int(m["d"])), "day")


def _month_day_range(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "July 7-8", "November 15-17, 2023", "July 30 to Aug. 2", "15-17 November", "30 July - 2 August"."""
    first = MONTHS[m["m1"].lower().rstrip(".")] if m["m1"] else MONTHS[m["m2"].lower().rstrip(".")]
    last = MONTHS[m["m2"].lower().rstrip(".")] if m["m2"] else first
    year, _ = _year_of(m, "", ctx)
    start = _month_and_day(first, int(m["d1"]), year, ctx)
    if start is None:
        return None
    end = _range_end(start, last, int(m["d2"]))
    return _at(start, "day", end) if end is not None and end > start else None


def _month_day(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "Feb. 1", "February 1, 2024", "1 February 2024", "the 1st of February", "Feb. 1 last year"."""
    year, _ = _year_of(m, "", ctx)
    return _at(_month_and_day(MONTHS[m["m"].lower().rstrip(".")], int(m["d"]), year, ctx), "day")


def _month_only(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "in November", "April 2018", "mid-March", "last November", "April last year". With no year, the tense
    decides: the latest such month up to the publication month (past) or the next one from it (future)."""
    month = MONTHS[m["m"].lower().rstrip(".")]
    year, stated = _year_of(m, "", ctx)
    if stated:
        return _at(_date(year, month, 1), "month") if year is not None else None
    if ctx.published is None:
        return None
    pub = ctx.published
    direction = RELATIVE[m["rel"].lower()] if m["rel"] else None
    if direction == 0:
        year = pub.year
    elif direction == -1 or (direction is None and not ctx.future):
        # "last November" in November is a year ago; a bare "November" in November is this one.
        year = pub.year if month < pub.month or (direction is None and month == pub.month) else pub.year - 1
    else:
        year = pub.year if month > pub.month or (direction is None and month == pub.month) else pub.year + 1
    return _at(dt.date(year, month, 1), "month")


def _years(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "in 2018", "2015-2018", "2018-19", "the 1990s"."""
    if m["decade"]:
        start = int(m["decade"])
        return _at(dt.date(start, 1, 1), "year", dt.date(start + 9, 1, 1))
    start = int(m["y1"])
    last = int(m["y2"]) if m["y2"] else (start // 100 * 100 + int(m["yy"]) if m["yy"] else None)
    end = dt.date(last, 1, 1) if last is not None and last > start else None
    return _at(dt.date(start, 1, 1), "year", end)


def _ago(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "two weeks ago", "a year ago": always counted from publication."""
    if ctx.published is None:
        return None
    n = int(m["n"]) if m["n"].isdigit() else NUMBERS[m["n"].lower()]
    unit = m["unit"].lower()
    return _at(_shift(ctx.published, -n, unit), UNIT_PRECISION[unit])


def _weekday_range(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "from Monday to Wednesday", "Monday and Tuesday": the start by the tense, the end the next such day."""
    if ctx.published is None:
        return None
    first, last = WEEKDAYS.index(m["w1"].lower()), WEEKDAYS.index(m["w2"].lower())
    start = _weekday(first, ctx.published, None, ctx.future)
    return _at(start, "day", start + dt.timedelta(days=(last - first) % 7))


def _weekday_rule(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "Tuesday", "on Monday night", "last Friday", "next Tuesday"."""
    if ctx.published is None:
        return None
    direction = RELATIVE[m["rel"].lower()] if m["rel"] else None
    index = WEEKDAYS.index(m["w"].lower())
    return _at(_weekday(index, ctx.published, direction or None, ctx.future), "day")


DAY_WORDS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "last night": -1, "this morning": 0}
DAY_WORDS |= {"this afternoon": 0, "this evening": 0}


def _day_word(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    if ctx.published is None:
        return None
    return _at(ctx.published + dt.timedelta(days=DAY_WORDS[" ".join(m["word"].lower().split())]), "day")


def _weekend(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "over the weekend", "this weekend", "next weekend": Saturday, with Sunday as the range end."""
    if ctx.published is None:
        return None
    direction = RELATIVE.get((m["rel"] or "").lower())
    saturday = _weekday(5, ctx.published, None, ctx.future if direction in {None, 0} else direction == 1)
    if direction == 1 and saturday == ctx.published:
        saturday += dt.timedelta(days=7)
    return _at(saturday, "day", saturday + dt.timedelta(days=1))


def _period(m: re.Match[str], ctx: _Context) -> ResolvedDate | None:
    """ "last week", "this month", "later this year", "next week": the unit before, of or after publication."""
    if ctx.published is None:
        return None
    unit = m["unit"].lower()
    return _at(_shift(ctx.published, RELATIVE[m["rel"].lower()], unit), UNIT_PRECISION[unit])


_OFFSET_WORDS = r"(?P<dir>earlier|before|prior(?:\s+to)?|later|after(?:wards?)?)"
RULES: list[tuple[re.Pattern[str], Rule]] = [
    (
        re.compile(
            rf"(?i:\b(?:(?P<n>{_NUM})\s+(?P<unit>{_UNIT})s?|the\s+(?P<unit1>day|week|month|year))\s+{_OFFSET_WORDS}\b)"
            r"(?:\s+(?P<rest>\S.*))?"
            rf"|(?i:\bthe\s+(?P<dir2>previous|preceding|next|following|same)\s+(?P<unit2>day|week|month|year)\b)",
            re.S,
        ),
        _offset,
    ),
    (re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)"), _iso),
    (
        re.compile(
            rf"{_month('m1')}\s*{_day('d1')}{_TO}(?:{_month('m2')}\s*)?{_day('d2')}{_year_after('')}"
            rf"|{_day('d1')}(?:\s+{_month('m1')})?{_TO}{_day('d2')}\s+(?:(?i:of)\s+)?{_month('m2')}{_year_after('')}"
        ),
        _month_day_range,
    ),
    (
        re.compile(
            rf"{_month('m')}\s*{_day('d')}{_year_after('')}|{_day('d')}\s+(?:(?i:of)\s+)?{_month('m')}{_year_after('')}"
        ),
        _month_day,
    ),
    (re.compile(rf"(?:\b(?P<rel>{_REL})\s+)?{_month('m')}{_year_after('')}"), _month_only),
    (
        re.compile(
            rf"(?<!\d)(?P<decade>1[89]\d0|20\d0)'?s\b"
            rf"|{_year('y1')}(?:{_TO}(?:{_year('y2')}|(?P<yy>\d\d)(?![\d,])))?"
        ),
        _years,
    ),
    (re.compile(rf"(?i:\b(?P<n>{_NUM})\s+(?P<unit>{_UNIT})s?\s+ago\b)"), _ago),
    (
        re.compile(rf"\b(?P<w1>{_WEEKDAY})\b(?:\s+(?i:night|morning|afternoon|evening))?{_TO}(?P<w2>{_WEEKDAY})\b"),
        _weekday_range,
    ),
    (re.compile(rf"(?:\b(?P<rel>{_REL})\s+)?\b(?P<w>{_WEEKDAY})(?!s)\b"), _weekday_rule),
    (
        re.compile(
            r"(?i:\b(?P<word>yesterday|today|tonight|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening))\b)"
        ),
        _day_word,
    ),
    (re.compile(rf"(?i:\b(?:(?P<rel>{_REL}|the)\s+)weekend\b)"), _weekend),
    (re.compile(rf"\b(?P<rel>{_REL})\s+(?P<unit>(?i:week|month|year))\b"), _period),
]


def resolve_expression(
    text: str, published: dt.date | None, *, future: bool, anchor: dt.date | None = None
) -> ResolvedDate | None:
    """Resolve one date expression ("last Tuesday", "Feb. 1", "July 7-8") against the publication date.

    `future` says the event verb points forward ("will meet on Friday": the coming Friday); otherwise a bare
    weekday, month or day is the latest one on or before publication. `anchor` is a date the story already gave,
    which "a day earlier" or "the next day" count from. Absolute dates resolve without a publication date;
    relative ones need it. None when the text names no date this module can place (durations like "for three
    years", "recent days", "three days after the talks")."""
    ctx = _Context(published, future, anchor)
    for pattern, rule in RULES:
        match = pattern.search(text)
        if match is not None:
            found = rule(match, ctx)
            return None if found is None else replace(found, text=" ".join(text.split()))
    return None


# -- which date words belong to which event -----------------------------------------------------------------------
CLAUSE_POS = {"VERB", "AUX"}
NOUN_POS = {"NOUN", "PROPN"}
# An event noun's date may sit on the verb that carries it: "held talks on Tuesday", "the visit was scheduled for
# Dec. 12". Other verbs date themselves: "condemned the attack on Monday" dates the condemnation.
NOUN_HOST_VERBS = frozenset(
    {
        "hold",
        "launch",
        "carry",
        "conduct",
        "mount",
        "stage",
        "make",
        "pay",
        "begin",
        "start",
        "resume",
        "continue",
        "open",
        "host",
        "have",
        "impose",
        "announce",
        "sign",
        "attend",
        "join",
        "schedule",
        "plan",
        "set",
        "slate",
        "expect",
    }
)
# "is expected to visit China next week", "plans to travel to Beijing in May": the governor adds no date of its own.
SCHEDULE_GOVERNORS = {"expect", "schedule", "set", "slate", "due", "plan", "poise", "go", "suppose", "likely"}
# Day words spaCy sometimes leaves outside any entity.
STRAY_DATE_WORDS = {*WEEKDAYS, "yesterday", "today", "tonight", "tomorrow"}
FUTURE_MODALITIES = {"intended", "hypothetical"}
PRESENT_BE = {"is", "are", "am", "'s", "'re"}


def is_future(trigger: Token, modality: Modality) -> bool:
    """Whether the event lies ahead of the report, so a bare "Friday" or "November" means the coming one:
    planned or possible by its modality ("will meet", "plans to visit", "could meet"), a refusal of what is still
    to come ("would not attend on Friday"), or in the present progressive ("is meeting Xi on Friday")."""
    if modality in FUTURE_MODALITIES:
        return True
    verb = trigger if trigger.pos_ in CLAUSE_POS else trigger.head
    aux = {c.lower_ for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    if aux & FUTURE_AUX:
        return True
    return verb.tag_ == "VBG" and bool(aux & PRESENT_BE)


def resolve_event_date(
    trigger: Token,
    published: dt.date | None,
    *,
    future: bool,
    anchor: dt.date | None = None,
    host_verbs: Collection[str] = NOUN_HOST_VERBS,
) -> ResolvedDate:
    """The date of the event `trigger` names (the verb or event noun of a mention), from its own clause.

    Only date expressions attached to the trigger through the parse count — not one that hangs on another verb,
    so "..., officials said on Friday" dates the report, not the event. Of those, the most precise wins (a day over
    a year), then the one closest to the trigger. A verb joined by "and" with no auxiliary of its own shares its
    first verb's date ("met on Monday and signed a deal"). With no date of its own, the publication date (precision
    'publication'), or nothing ('unknown') when the article has no date."""
    expressions = _date_expressions(trigger.sent)
    owners = [_event_heads(trigger, host_verbs)]
    if trigger.dep_ == "conj" and trigger.head.pos_ in CLAUSE_POS and not _auxiliaries(trigger):
        owners.append(_event_heads(trigger.head, host_verbs))
    for heads in owners:
        found: list[tuple[int, int, int, ResolvedDate]] = []
        for span in expressions:
            steps = _attachment(span, heads)
            if steps is None:
                continue
            resolved = resolve_expression(span.text, published, future=future, anchor=anchor)
            if resolved is not None and resolved.date is not None:
                found.append((PRECISION_RANK.get(resolved.precision, 9), steps, span.start, resolved))
        if found:
            return min(found, key=lambda item: item[:3])[3]
    return publication_date(published)


def _auxiliaries(verb: Token) -> list[Token]:
    return [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]


def _event_heads(trigger: Token, host_verbs: Collection[str]) -> set[int]:
    """The tokens a date of this event may hang on: the trigger, the verb that carries an event noun ("held
    talks", "the talks ended"), and a scheduling verb above the trigger ("is expected to visit")."""
    heads = {trigger.i}
    governor = trigger.head
    if trigger.pos_ in NOUN_POS and governor.pos_ in CLAUSE_POS:
        carried = trigger.dep_ in {"dobj", "obj", "nsubjpass"} and governor.lemma_.lower() in host_verbs
        if trigger.dep_ == "nsubj" or carried:
            heads.add(governor.i)
    elif trigger.dep_ == "xcomp" and governor.lemma_.lower() in SCHEDULE_GOVERNORS:
        heads.add(governor.i)
    return heads


def _date_expressions(sent: Span) -> list[Span]:
    """The sentence's date expressions: spaCy's DATE entities, TIME entities ("Monday night" is TIME), stray day
    words the model left unlabelled; an amount of time before "after"/"before" takes its reference along ("three
    days after the Nov. 3 election"), and an expression inside a longer one is dropped."""
    doc = sent.doc
    spans = [e for e in sent.ents if e.label_ in {"DATE", "TIME"}]
    covered = {i for e in spans for i in range(e.start, e.end)}
    spans += [doc[t.i : t.i + 1] for t in sent if t.i not in covered and t.lower_ in STRAY_DATE_WORDS]
    extended = []
    for span in spans:
        prep = span.root.head
        if span.root.dep_ == "npadvmod" and prep.lower_ in {"after", "before"} and prep.i == span.end:
            span = doc[span.start : min(prep.right_edge.i + 1, sent.end)]
        extended.append(span)
    return [
        s
        for s in extended
        if not any(o.start <= s.start and s.end <= o.end and (o.start, o.end) != (s.start, s.end) for o in extended)
    ]


def _attachment(span: Span, heads: set[int]) -> int | None:
    """How many steps up the parse the expression hangs on one of `heads`, or None when another verb comes first.

    One spaCy quirk is undone: in "X held talks in Tokyo Tuesday, the ministry said Wednesday" the small model hangs
    the bare "Tuesday" on "said". An expression right after the event's reported clause, with a comma between it
    and the speech verb, belongs to the clause."""
    node, steps = span.root, 0
    while node.i not in heads:
        if node.head.i == node.i:
            return None
        node, steps = node.head, steps + 1
        if node.i not in heads and node.pos_ in CLAUSE_POS and not span.start <= node.i < span.end:
            break
    else:
        return steps
    speech = node
    for clause in speech.children:
        if clause.i not in heads or clause.dep_ not in {"ccomp", "parataxis"} or speech.i < span.end:
            continue
        between = speech.doc[span.end : speech.i]
        if span.start == clause.right_edge.i + 1 and any(t.is_punct for t in between):
            return steps + 1
    return None

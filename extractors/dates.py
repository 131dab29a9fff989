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
from typing import Any

from spacy.tokens import Span, Token

from extractors.actions import FUTURE_AUX
from extractors.clean import MONTHS
from extractors.doc_index import entities_in
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


Groups = dict[str, Any]  # the named groups of a regular-expression match (None where a group took no part)


def publication_date(published: dt.date | None) -> ResolvedDate:
    """The fallback when the event's clause states no date: the article's date, or nothing."""
    if published is None:
        return ResolvedDate(None, "unknown", None)
    return ResolvedDate(published, "publication", None)


# -- the words ----------------------------------------------------------------------------------------------------
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBERS = {w: n for n, w in enumerate(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine"), 1)}
NUMBERS |= {"ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1}
UNIT_PRECISION: dict[str, DatePrecision] = {"day": "day", "week": "week", "month": "month", "year": "year"}
UNIT_PRECISION["decade"] = "year"
PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
# Relative words before "week", "November", "Tuesday": which way they point (0: the one of the publication date).
RELATIVE = {"last": -1, "past": -1, "previous": -1, "next": 1, "coming": 1, "this": 0, "current": 0}
DAY_WORDS = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1, "last night": -1, "this morning": 0}
DAY_WORDS |= {"this afternoon": 0, "this evening": 0}

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
    return rf"(?<!\d)(?P<{name}>3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?!\w)"


def _year(name: str) -> str:
    return rf"(?<!\d)(?P<{name}>1[89]\d\d|20\d\d)(?!\d)"


# An optional year after a month or day: ", 2024", " of 2024", " last year".
_YEAR_AFTER = rf"(?:\s*,?\s*(?:(?i:of)\s+)?(?:{_year('year')}|(?P<relyear>{_REL})\s+(?i:year)\b))?"


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


def _year_of(g: Groups, ctx: _Context) -> tuple[int | None, bool]:
    """The year a match states ("2024", "last year"), and whether it stated one at all."""
    if g.get("year"):
        return int(g["year"]), True
    relative = g.get("relyear")
    if relative:
        if ctx.published is None:
            return None, True
        return ctx.published.year + RELATIVE[relative.lower()], True
    return None, False


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]


def _month_number(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


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


# -- the rules: a regular expression and what it means; the first rule whose expression matches decides -----------
Rule = Callable[[Groups, _Context], ResolvedDate | None]


def _offset(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "a day earlier", "the day before", "three days after the Nov. 3 election", "the following day": counted
    from the date named after "after"/"before", else from `anchor` (an earlier date of the story), else — only
    going back — from publication. "Two days later" with nothing to count from is not resolved."""
    unit = str(g.get("unit") or g.get("unit1") or g.get("unit2")).lower()
    n = _number(g["n"]) if g.get("n") else 1
    direction = str(g.get("dir") or g.get("dir2")).lower().split()[0]
    backward = direction in {"earlier", "before", "prior", "previous", "preceding"}
    base: dt.date | None
    if g.get("rest") and direction in {"before", "after", "prior"}:
        counted_from = resolve_expression(g["rest"], ctx.published, future=ctx.future, anchor=ctx.anchor)
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
    return _at(_shift(base, -n if backward else n, unit), UNIT_PRECISION[unit])


def _iso(g: Groups, ctx: _Context) -> ResolvedDate | None:
    return _at(_date(int(g["y"]), int(g["m"]), int(g["d"])), "day")


def _month_day_range(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "July 7-8", "November 15-17, 2023", "July 30 to Aug. 2", "15-17 November", "30 July - 2 August"."""
    first = _month_number(g.get("m1") or g["m2"])
    last = _month_number(g["m2"]) if g.get("m2") else first
    year, _ = _year_of(g, ctx)
    start = _month_and_day(first, int(g["d1"]), year, ctx)
    if start is None:
        return None
    end = _range_end(start, last, int(g["d2"]))
    return _at(start, "day", end) if end is not None and end > start else _at(start, "day")


def _month_day(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "Feb. 1", "February 1, 2024", "1 February 2024", "the 1st of February", "Feb. 1 last year"."""
    year, _ = _year_of(g, ctx)
    return _at(_month_and_day(_month_number(g["m"]), int(g["d"]), year, ctx), "day")


def _month_only(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "in November", "April 2018", "mid-March", "last November", "April last year". With no year, the tense
    decides: the latest such month up to the publication month (past) or the next one from it (future)."""
    month = _month_number(g["m"])
    year, stated = _year_of(g, ctx)
    if stated:
        return _at(_date(year, month, 1), "month") if year is not None else None
    if ctx.published is None:
        return None
    pub = ctx.published
    direction = RELATIVE[g["rel"].lower()] if g.get("rel") else None
    if direction == 0:
        year = pub.year
    elif direction == -1 or (direction is None and not ctx.future):
        # "last November" in November is a year ago; a bare "November" in November is this one.
        year = pub.year if month < pub.month or (direction is None and month == pub.month) else pub.year - 1
    else:
        year = pub.year if month > pub.month or (direction is None and month == pub.month) else pub.year + 1
    return _at(dt.date(year, month, 1), "month")


def _decade(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "the 1990s": 1990 to 1999."""
    start = int(g["decade"])
    return _at(dt.date(start, 1, 1), "year", dt.date(start + 9, 1, 1))


def _years(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "in 2018", "2015-2018", "2018-19", "between 2015 and 2018"."""
    start = int(g["y1"])
    last = int(g["y2"]) if g.get("y2") else (start // 100 * 100 + int(g["yy"]) if g.get("yy") else None)
    end = dt.date(last, 1, 1) if last is not None and last > start else None
    return _at(dt.date(start, 1, 1), "year", end)


def _ago(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "two weeks ago", "a year ago": always counted from publication."""
    if ctx.published is None:
        return None
    unit = g["unit"].lower()
    return _at(_shift(ctx.published, -_number(g["n"]), unit), UNIT_PRECISION[unit])


def _weekday_range(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "from Monday to Wednesday", "Monday and Tuesday": the start by the tense, the end the next such day."""
    if ctx.published is None:
        return None
    first, last = WEEKDAYS.index(g["w1"].lower()), WEEKDAYS.index(g["w2"].lower())
    start = _weekday(first, ctx.published, None, ctx.future)
    return _at(start, "day", start + dt.timedelta(days=(last - first) % 7))


def _weekday_rule(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "Tuesday", "on Monday night", "last Friday", "next Tuesday", "this Friday" (by the tense)."""
    if ctx.published is None:
        return None
    direction = RELATIVE[g["rel"].lower()] if g.get("rel") else None
    index = WEEKDAYS.index(g["w"].lower())
    return _at(_weekday(index, ctx.published, direction or None, ctx.future), "day")


def _day_word(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "yesterday", "today", "last night", "tomorrow"."""
    if ctx.published is None:
        return None
    return _at(ctx.published + dt.timedelta(days=DAY_WORDS[" ".join(g["word"].lower().split())]), "day")


def _weekend(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "over the weekend", "this weekend", "next weekend": Saturday, with Sunday as the range end."""
    if ctx.published is None:
        return None
    direction = RELATIVE.get((g.get("rel") or "").lower())
    saturday = _weekday(5, ctx.published, None, ctx.future if direction in {None, 0} else direction == 1)
    if direction == 1 and saturday == ctx.published:
        saturday += dt.timedelta(days=7)  # "next weekend" said on a Saturday is the one after
    elif direction == -1 and (ctx.published - saturday).days < 2:
        saturday -= dt.timedelta(days=7)  # "last weekend" said at the weekend is the one before
    return _at(saturday, "day", saturday + dt.timedelta(days=1))


def _period(g: Groups, ctx: _Context) -> ResolvedDate | None:
    """ "last week", "this month", "later this year", "next week": the unit before, of or after publication."""
    if ctx.published is None:
        return None
    unit = g["unit"].lower()
    return _at(_shift(ctx.published, RELATIVE[g["rel"].lower()], unit), UNIT_PRECISION[unit])


_OFFSET = rf"\b(?:(?P<n>{_NUM})\s+(?P<unit>{_UNIT})s?|(?i:the)\s+(?P<unit1>(?i:day|week|month|year)))"
_OFFSET += r"\s+(?P<dir>(?i:earlier|before|prior\s+to|prior|later|afterwards?|after))\b(?:\s+(?P<rest>\S.*))?"
_PREVIOUS_NEXT = r"(?i:\bthe\s+(?P<dir2>previous|preceding|next|following|same)\s+(?P<unit2>day|week|month|year)\b)"
_DAY_WORD = r"(?i:\b(?P<word>yesterday|today|tonight|tomorrow|last\s+night|this\s+(?:morning|afternoon|evening))\b)"
_RULES_BY_PATTERN: list[tuple[str, Rule]] = [
    # Counted from another date first: "three days after the Nov. 3 election" is not Nov. 3.
    (_OFFSET, _offset),
    (_PREVIOUS_NEXT, _offset),
    (r"(?<!\d)(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)", _iso),
    (rf"{_month('m1')}\s*{_day('d1')}{_TO}(?:{_month('m2')}\s*)?{_day('d2')}{_YEAR_AFTER}", _month_day_range),
    (
        rf"{_day('d1')}(?:\s+{_month('m1')})?{_TO}{_day('d2')}\s+(?:(?i:of)\s+)?{_month('m2')}{_YEAR_AFTER}",
        _month_day_range,
    ),
    (rf"{_month('m')}\s*{_day('d')}{_YEAR_AFTER}", _month_day),
    (rf"{_day('d')}\s+(?:(?i:of)\s+)?{_month('m')}{_YEAR_AFTER}", _month_day),
    (rf"(?:\b(?P<rel>{_REL})\s+)?{_month('m')}{_YEAR_AFTER}", _month_only),
    (r"(?<!\d)(?P<decade>1[89]\d0|20\d0)'?s\b", _decade),
    (rf"{_year('y1')}(?:{_TO}(?:{_year('y2')}|(?P<yy>\d\d)(?![\d,])))?", _years),
    (rf"\b(?P<n>{_NUM})\s+(?P<unit>{_UNIT})s?\s+(?i:ago)\b", _ago),
    (rf"\b(?P<w1>{_WEEKDAY})(?:\s+(?i:night|morning|afternoon|evening))?{_TO}(?P<w2>{_WEEKDAY})\b", _weekday_range),
    (rf"(?:\b(?P<rel>{_REL})\s+)?\b(?P<w>{_WEEKDAY})(?!s)\b", _weekday_rule),
    (_DAY_WORD, _day_word),
    (rf"\b(?:(?P<rel>{_REL}|(?i:the))\s+)(?i:weekend)\b", _weekend),
    (rf"\b(?P<rel>{_REL})\s+(?P<unit>(?i:week|month|year))\b", _period),
]
RULES = [(re.compile(pattern, re.S), rule) for pattern, rule in _RULES_BY_PATTERN]


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
            found = rule(match.groupdict(), ctx)
            return None if found is None else replace(found, text=" ".join(text.split()))
    return None


# -- which date words belong to which event -----------------------------------------------------------------------
CLAUSE_POS = {"VERB", "AUX"}
# Where the small model tags a name or participle VERB but the parse still uses it as a noun or modifier
# ("burned villages in Sagaing/VERB last month"): no clause of its own.
NOMINAL_DEPS = {"pobj", "dobj", "nsubj", "nsubjpass", "compound", "amod", "appos", "poss", "attr", "npadvmod"}
NOUN_POS = {"NOUN", "PROPN"}
# An event noun's date may sit on the verb that carries it: "held talks on Tuesday", "the visit was scheduled for
# Dec. 12". Other verbs date themselves: "condemned the attack on Monday" dates the condemnation.
_HOSTS = {"hold", "launch", "carry", "conduct", "mount", "stage", "make", "pay", "begin", "start", "resume"}
_HOSTS |= {"continue", "open", "host", "have", "impose", "announce", "sign", "arrange", "attend", "join"}
NOUN_HOST_VERBS = frozenset(_HOSTS | {"schedule", "plan", "set", "slate", "expect"})
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


def _opens_clause(token: Token) -> bool:
    return token.pos_ in CLAUSE_POS and token.dep_ not in NOMINAL_DEPS


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
    """The sentence's date expressions: spaCy's DATE entities, TIME entities ("Monday night" is TIME), and day
    words the model left unlabelled. Two joined by "and" make one range; an amount of time before "after" or
    "before" takes what it counts from along ("three days after the Nov. 3 election"); an expression inside a
    longer one is dropped."""
    doc = sent.doc
    spans = [e for e in entities_in(sent) if e.label_ in {"DATE", "TIME"}]
    covered = {i for e in spans for i in range(e.start, e.end)}
    spans += [doc[t.i : t.i + 1] for t in sent if t.i not in covered and t.lower_ in STRAY_DATE_WORDS]
    joined: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        # "on Monday and Tuesday": spaCy makes two entities of one range.
        first = next((o for o in joined if span.root.dep_ == "conj" and o.start <= span.root.head.i < o.end), None)
        if first is None:
            joined.append(span)
        else:
            joined[joined.index(first)] = doc[first.start : span.end]
    extended = []
    for span in joined:
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
        if node.i not in heads and _opens_clause(node) and not span.start <= node.i < span.end:
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

"""How many people an event killed and injured, where the sentence says so in numbers.

Numbers are read from the words for killing, dying and wounding in the event's own clause: its trigger, participles
and coordinated verbs that share its subject ("stormed a hotel, killing at least 15 people and injuring 20 others"),
relative clauses on a noun trigger ("the attack, which killed 12"), and the casualty verb a noun trigger is the
subject of ("the blast killed 30", "the bombing left 12 people dead") or the cause in ("59 were killed in the
attack"), and the verb that carries out a noun trigger ("launched an attack, killing 12"). A number in another
event's clause, or in reported speech under the trigger, is not read.

Nothing stated is None, never 0; a vague amount ("dozens", "scores") is None too, not a guess. "At least 59",
"more than 30" and "over 100" keep the number with a lower-bound flag.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Token

KILL_VERBS = {"kill", "slay", "massacre", "murder", "execute", "behead"}
DIE_VERBS = {"die", "perish"}
INJURE_VERBS = {"injure", "wound", "hurt", "maim"}
DEAD_WORDS = {"dead", "killed"}
INJURED_WORDS = {"injured", "wounded", "hurt"}
DEATH_NOUNS = {"death", "fatality"}
INJURY_NOUNS = {"injury"}
# Verbs whose object or subject reports the count, with what it reports: "left 12 people dead", "claimed 14 lives".
CASUALTY_HEADS = KILL_VERBS | DIE_VERBS | INJURE_VERBS | {"leave", "claim"}
# Verbs whose object noun is the act itself: "launched an attack, killing 12".
SUPPORT_VERBS = {"launch", "carry", "conduct", "mount", "stage", "unleash"}
# Words before a number that make it a lower bound.
LOWER_BOUNDS = {
    ("at", "least"),
    ("more", "than"),
    ("over",),
    ("above",),
    ("no", "fewer", "than"),
    ("in", "excess", "of"),
}
# Clauses below the trigger that belong to something else: what someone said, a separate statement.
FOREIGN_DEPS = {"ccomp", "parataxis", "csubj"}
SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}
RELATIVE_PRONOUNS = {"which", "that", "who"}

UNITS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Casualties:
    """Deaths and injuries a sentence states for one event; None where it states no number."""

    fatalities: int | None = None
    fatalities_at_least: bool = False
    injured: int | None = None
    injured_at_least: bool = False


@dataclass(frozen=True)
class _Count:
    kind: str  # "fatalities" or "injured"
    number: int | None
    at_least: bool


def casualties(trigger: Token) -> Casualties:
    """The numbers killed and injured that the trigger's clause states. Where it states several numbers of one
    kind ("killing 12 ... the toll rose to 15"), the largest."""
    fatal: _Count | None = None
    hurt: _Count | None = None
    for count in _counts(trigger):
        if count.number is None:
            continue
        if count.kind == "fatalities" and (fatal is None or (fatal.number or 0) < count.number):
            fatal = count
        elif count.kind == "injured" and (hurt is None or (hurt.number or 0) < count.number):
            hurt = count
    return Casualties(
        fatalities=fatal.number if fatal else None,
        fatalities_at_least=fatal.at_least if fatal else False,
        injured=hurt.number if hurt else None,
        injured_at_least=hurt.at_least if hurt else False,
    )


def _counts(trigger: Token) -> Iterator[_Count]:
    for token in _clause(trigger):
        yield from _read(token)


def _clause(trigger: Token) -> list[Token]:
    """The tokens of the trigger's own clause (see the module docstring)."""
    root = trigger
    node = trigger
    for _ in range(3):
        # A noun trigger reports casualties through the casualty verb it is the subject of, or the cause in.
        if node.pos_ not in {"NOUN", "PROPN"} and node.dep_ != "pobj":  # "killed in tank shelling" (VBG)
            break
        head = node.head.head if node.dep_ == "pobj" and node.head.lower_ in {"in", "during", "by"} else node.head
        support = node.dep_ in {"dobj", "obj"} and head.lemma_.lower() in SUPPORT_VERBS
        if support or (
            node.dep_ in {"nsubj", "pobj"} and head.lemma_.lower() in CASUALTY_HEADS and head.pos_ == "VERB"
        ):
            root = head
            # "59 were killed and dozens wounded in the bombing": the whole coordination of casualty verbs
            while root.dep_ == "conj" and root.head.lemma_.lower() in CASUALTY_HEADS:
                root = root.head
            break
        if node.dep_ != "conj":
            break
        node = node.head
    out: list[Token] = []
    stack = [root]
    while stack:
        token = stack.pop()
        out.append(token)
        for child in token.children:
            if child.dep_ in FOREIGN_DEPS or (child.pos_ in {"VERB", "AUX"} and _other_event(child)):
                continue
            if child.dep_ in {"relcl", "acl"} and token.i not in {root.i, trigger.i}:
                continue  # "condemned the attack, which killed 12": the attack's casualties, not the condemnation's
            stack.append(child)
    return sorted(out, key=lambda t: t.i)


def _other_event(verb: Token) -> bool:
    """A verb below the clause root with its own subject is another event, unless the subject is the victims of
    a casualty verb ("..., and 30 were injured") or a relative pronoun ("the attack, which killed 12")."""
    subject = next((c for c in verb.children if c.dep_ in SUBJECT_DEPS), None)
    if subject is None or subject.lower_ in RELATIVE_PRONOUNS:
        return False
    lemma = verb.lemma_.lower()
    return not (lemma in DIE_VERBS or (lemma in KILL_VERBS | INJURE_VERBS and _passive(verb)))


def _passive(verb: Token) -> bool:
    """ "were killed", and also "30 injured" where the parser gives the past participle a plain subject."""
    return any(c.dep_ in {"auxpass", "nsubjpass"} for c in verb.children) or (
        verb.tag_ == "VBN" and not any(c.dep_ in {"dobj", "obj"} for c in verb.children)
    )


def _read(token: Token) -> Iterator[_Count]:
    """The casualty counts a single word reports."""
    lemma = token.lemma_.lower()
    if token.pos_ == "VERB" and lemma in KILL_VERBS | INJURE_VERBS:
        kind = "fatalities" if lemma in KILL_VERBS else "injured"
        for victims in _victims(token):
            yield _count_of(victims, kind)
    elif token.pos_ == "VERB" and lemma in DIE_VERBS:
        for victims in (c for c in token.children if c.dep_ == "nsubj"):
            yield _count_of(victims, "fatalities")
    elif token.pos_ == "VERB" and lemma == "claim":
        for lives in (c for c in token.children if c.dep_ in {"dobj", "obj"} and c.lemma_.lower() == "life"):
            yield _count_of(lives, "fatalities")
    elif token.lower_ in DEAD_WORDS | INJURED_WORDS and token.dep_ in {"oprd", "acomp", "xcomp"}:
        # "left 12 people dead", "30 people were found dead", "shot 12 dead"; "left at least 12 dead"
        kind = "fatalities" if token.lower_ in DEAD_WORDS else "injured"
        counted = [token] if any(c.dep_ == "nummod" for c in token.children) else _victims(token.head)
        for victims in counted:
            yield _count_of(victims, kind)
    elif token.pos_ == "NOUN" and lemma in DEATH_NOUNS | INJURY_NOUNS:
        kind = "fatalities" if lemma in DEATH_NOUNS else "injured"
        if any(c.dep_ == "nummod" for c in token.children):  # "12 deaths", "30 injuries"
            yield _count_of(token, kind)
    elif token.pos_ == "NOUN" and lemma == "toll" and not _injury_toll(token):
        yield from (_count_of(n, "fatalities") for n in _toll_numbers(token))
    elif token.like_num and any(c.lower_ in DEAD_WORDS for c in token.children if c.dep_ in {"amod", "acomp"}):
        yield _count_of(token, "fatalities")  # "12 dead"


def _victims(verb: Token) -> list[Token]:
    """Who was killed or hurt: the object of an active verb, the subject of a passive one; "wounded over 100"."""
    deps = {"nsubjpass", "nsubj"} if _passive(verb) else {"dobj", "obj"}
    found = [c for c in verb.children if c.dep_ in deps]
    found += [p for c in verb.children if c.dep_ == "prep" and c.lower_ in {"over", "above"} for p in c.children]
    return [t for t in found if t.dep_ != "nsubj" or t.lower_ not in RELATIVE_PRONOUNS]


def _injury_toll(toll: Token) -> bool:
    return any(c.lemma_.lower() in {"injury", "casualty"} for c in toll.children if c.dep_ in {"compound", "amod"})


def _toll_numbers(toll: Token) -> list[Token]:
    """ "the death toll rose to 43", "stood at 43", "a toll of 43", "the toll is 43"."""
    numbers = [p for c in toll.children if c.dep_ == "prep" and c.lower_ == "of" for p in c.children]
    if toll.dep_ in SUBJECT_DEPS:
        verb = toll.head
        numbers += [c for c in verb.children if c.dep_ == "attr"]
        numbers += [p for c in verb.children if c.dep_ == "prep" and c.lower_ in {"to", "at"} for p in c.children]
    return [n for n in numbers if n.like_num or any(c.dep_ == "nummod" for c in n.children)]


def _count_of(phrase: Token, kind: str) -> _Count:
    """The number a victims phrase states: "12", "at least 59 people", "Twenty Indian soldiers", "a dozen people";
    conjoined groups add up ("two soldiers and three civilians"). None for "dozens" or "people"."""
    total: int | None = None
    at_least = False
    for member in [phrase, *(c for c in phrase.children if c.dep_ == "conj")]:
        number_token = member if member.like_num else next((c for c in member.children if c.dep_ == "nummod"), None)
        if number_token is None and member.lemma_.lower() == "dozen" and member.tag_ == "NN":
            number_token = member  # "a dozen people", not "dozens"
        value = _number(number_token) if number_token is not None else None
        if number_token is None or value is None:
            if member is phrase:
                return _Count(kind, None, False)
            at_least = True  # "killed 12 soldiers and a number of civilians": 12 is a lower bound
            continue
        total = (total or 0) + value
        at_least = at_least or _lower_bound(number_token)
    return _Count(kind, total, at_least)


def _number(token: Token) -> int | None:
    """The value of a number word or figure with its parts: "59", "2,500", "twenty-one", "2.5 million"."""
    parts = sorted(
        [token, *(c for c in token.children if c.dep_ in {"compound", "quantmod", "nummod"} and c.like_num)],
        key=lambda t: t.i,
    )
    words = [w for part in parts for w in part.lower_.split("-") if w]
    total, current = 0.0, 0.0
    for word in words:
        if DIGITS.match(word):
            current += float(word.replace(",", ""))
        elif word in UNITS:
            current += UNITS[word]
        elif word in SCALES:
            current = max(current, 1) * SCALES[word]
            if SCALES[word] >= 1000:
                total, current = total + current, 0.0
        else:
            return None
    value = round(total + current)
    return value if value > 0 else None


def _lower_bound(number: Token) -> bool:
    """ "at least 59", "more than 30", "over 100", "no fewer than 12", "in excess of 200"."""
    start = min([number.i, *(c.i for c in number.children if c.dep_ in {"compound", "quantmod"} and c.like_num)])
    before = tuple(t.lower_ for t in number.doc[max(start - 3, 0) : start])
    return any(before[-len(bound) :] == bound for bound in LOWER_BOUNDS)

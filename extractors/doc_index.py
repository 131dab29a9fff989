"""Entities and sentence starts of a parsed Doc, computed once per Doc.

spaCy rebuilds `doc.ents` and `doc.sents` from every token on each access, and `span.ents` goes through
`doc.ents`; the coder asks for them per tag, per pronoun and per trigger, which made them the largest cost of coding
(quadratic in the article's length). These read the same values once and keep them in the Doc's `user_data`, so
`forget` drops them again: the cached Spans point back at their Doc, and a Doc left in a reference cycle waits
for the garbage collector instead of being freed when the coder is done with it. Only for Docs whose annotation is
final (after the pipeline has run).
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc, Span, Token

ENTITIES_KEY = "eventcoder.entities"
STARTS_KEY = "eventcoder.sentence_starts"
ENTITY_AT_KEY = "eventcoder.entity_at"


# extractors/actions.py caches the tokens that may trigger an action under this key.
TRIGGER_TOKENS_KEY = "eventcoder.trigger_tokens"
KEYS = (ENTITIES_KEY, STARTS_KEY, ENTITY_AT_KEY, TRIGGER_TOKENS_KEY)


def forget(doc: Doc) -> None:
    """Drop what this module cached on the Doc."""
    for key in KEYS:
        doc.user_data.pop(key, None)


def entities(doc: Doc) -> tuple[Span, ...]:
    """`doc.ents`."""
    found = doc.user_data.get(ENTITIES_KEY)
    if found is None:
        found = doc.user_data[ENTITIES_KEY] = tuple(doc.ents)
    return found


def entities_in(span: Span) -> list[Span]:
    """`span.ents`: the entities wholly inside the span."""
    return [e for e in entities(span.doc) if span.start <= e.start and e.end <= span.end]


def entity_at(token: Token) -> Span | None:
    """The entity the token is part of, if any."""
    doc = token.doc
    by_token = doc.user_data.get(ENTITY_AT_KEY)
    if by_token is None:
        by_token = doc.user_data[ENTITY_AT_KEY] = {i: e for e in entities(doc) for i in range(e.start, e.end)}
    return by_token.get(token.i)


def sentence_starts(doc: Doc) -> list[int]:
    """The first token index of each sentence, in order (`[s.start for s in doc.sents]`)."""
    starts = doc.user_data.get(STARTS_KEY)
    if starts is None:
        starts = doc.user_data[STARTS_KEY] = [s.start for s in doc.sents]
    return starts


def starts_up_to(token: Token) -> list[int]:
    """The starts of the token's sentence and of every sentence before it."""
    starts = sentence_starts(token.doc)
    return starts[: bisect_right(starts, token.i)]

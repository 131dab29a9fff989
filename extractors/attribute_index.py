"""The attribute ruler with its single-token rules looked up by tag and word instead of run through the Matcher.

spaCy's `attribute_ruler` (en_core_web_sm: 179 rules, the tag map that sets POS and MORPH, and word exceptions) runs
every rule as a Matcher pattern over every token: about a tenth of the model's time, for what is mostly a lookup of
the token's tag. `IndexedAttributeRuler` is the same component (same patterns, same serialisation, same
`set_annotations`) with its `match` step done by index: single-token rules whose conditions are plain equality,
IN, NOT_IN or REGEX on TAG, LOWER, ORTH, NORM, DEP, POS or IS_SPACE are checked only on the tokens whose tag or
word can satisfy them; every other rule (multi-token patterns, operators, other attributes) still goes through a
Matcher. Matches come back exactly as `AttributeRuler.match` returns them, sorted by rule, so later rules keep
their precedence: the annotations are identical, which tests/extractors/test_fast_components.py checks token by
token on the seed and gold articles.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LOWER, NORM, ORTH, POS, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.vocab import Vocab

INDEXED_RULER = "eventcoder_indexed_attribute_ruler"

# The token attributes single-token rules may test, as the column of Doc.to_array they are read from.
COLUMNS = {"TAG": TAG, "LOWER": LOWER, "ORTH": ORTH, "TEXT": ORTH, "NORM": NORM, "DEP": DEP, "POS": POS}
FLAGS = {"IS_SPACE": IS_SPACE}
# Keys that narrow which rules a token is checked against (equality or IN on the rule's first token), the most
# selective first: its lower-cased form (word exceptions), its tag (the tag map), its dependency label, its flag.
INDEX_KEYS = ("LOWER", "TAG", "DEP", "IS_SPACE")
# Distinct attribute values whose verdict is remembered; past this the memo starts again (hashes of strings stay
# valid after a memory zone, so it may outlive one).
MEMO_LIMIT = 50_000


@dataclass(frozen=True)
class _Test:
    """One condition of a rule on one attribute, on the attribute's string hash (or the flag's 0/1)."""

    attr: int
    op: str  # eq, in, not_in, regex
    value: Any

    def holds(self, row: dict[int, int], text_of: _Texts) -> bool:
        got = row[self.attr]
        if self.op == "eq":
            return bool(got == self.value)
        if self.op == "in":
            return got in self.value
        if self.op == "not_in":
            return got not in self.value
        return text_of.search(self.value, got)


class _Texts:
    """A Doc's strings by hash, with each regular expression's verdict remembered for the Doc's lifetime."""

    def __init__(self, doc: Doc) -> None:
        self.strings = doc.vocab.strings
        self.verdicts: dict[tuple[re.Pattern[str], int], bool] = {}

    def search(self, pattern: re.Pattern[str], key: int) -> bool:
        verdict = self.verdicts.get((pattern, key))
        if verdict is None:
            # The Matcher's REGEX predicate uses search, not match.
            verdict = self.verdicts[(pattern, key)] = pattern.search(self.strings[key]) is not None
        return verdict


@dataclass(frozen=True)
class _Rule:
    """A pattern of fixed length: the tests each of its tokens must pass, and the token the attributes go to."""

    attr_id: int
    match_id: int
    tests: tuple[tuple[_Test, ...], ...]

    def fits(
        self, rows: list[dict[int, int]], start: int, text_of: _Texts, *, first: int = 0, last: int | None = None
    ) -> bool:
        """Whether the rule's tokens `first` to `last` (all by default) fit the rows from `start` on."""
        if last is None and start + len(self.tests) > len(rows):
            return False
        for k, tests in enumerate(self.tests[first:last], start=first):
            row = rows[start + k]
            for test in tests:
                if not test.holds(row, text_of):
                    return False
        return True


def _test(key: str, value: Any) -> _Test | None:
    """The condition as the Matcher checks it; None for anything the index does not handle."""
    if key in FLAGS:
        return _Test(FLAGS[key], "eq", int(value)) if isinstance(value, bool) else None
    attr = COLUMNS.get(key)
    if attr is None:
        return None
    if isinstance(value, str):
        return _Test(attr, "eq", get_string_id(value))
    if not isinstance(value, dict) or len(value) != 1:
        return None
    ((op, arg),) = value.items()
    if op in {"IN", "NOT_IN"} and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
        return _Test(attr, op.lower(), frozenset(get_string_id(v) for v in arg))
    if op == "REGEX" and isinstance(arg, str) and key != "TEXT":
        return _Test(attr, "regex", re.compile(arg))
    return None


def _index_values(token_pattern: dict[str, Any], key: str) -> list[int] | None:
    """The values (hashes, or a flag's 0/1) `key` must have for the token to fit (None: the pattern does not say)."""
    value = next((v for k, v in token_pattern.items() if k.upper() == key), None)
    if isinstance(value, bool):
        return [int(value)]
    if isinstance(value, str):
        return [get_string_id(value)]
    if isinstance(value, dict) and list(value) == ["IN"]:
        return [get_string_id(v) for v in value["IN"]]
    return None


_Verdict = tuple[tuple[tuple[int, int], ...], tuple[_Rule, ...]]


class IndexedAttributeRuler(AttributeRuler):
    """AttributeRuler whose `match` looks single-token rules up by tag and word (see the module docstring)."""

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler", *, validate: bool = False) -> None:
        super().__init__(vocab, name, validate=validate)
        self._index: _Index | None = None

    def clear(self) -> None:
        super().clear()
        self._index = None

    def add(self, patterns: Iterable[Any], attrs: dict[str, Any], index: int = 0) -> None:
        super().add(patterns, attrs, index)
        self._index = None

    def __getstate__(self) -> dict[str, Any]:
        # The index holds closures; a copy of the component (pickled for a spawned worker) builds its own.
        state = self.__dict__.copy()
        state["_index"] = None
        return state

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        if self._index is None:
            self._index = _Index(self)
        return self._index.match(doc)


class _Index:
    def __init__(self, ruler: AttributeRuler) -> None:
        self.rest = Matcher(ruler.vocab, validate=ruler.validate)
        self.by_value: dict[str, dict[int, list[_Rule]]] = {key: defaultdict(list) for key in INDEX_KEYS}
        self.always: list[_Rule] = []
        attrs: set[int] = {COLUMNS.get(key) or FLAGS[key] for key in INDEX_KEYS}
        entries: list[dict[str, Any]] = list(ruler.patterns)  # spaCy types these loosely
        for attr_id, entry in enumerate(entries):
            key = str(attr_id)
            patterns: list[list[dict[str, Any]]] = entry["patterns"]
            for pattern in patterns:
                rule = self._rule(attr_id, get_string_id(key), pattern)
                if rule is None:
                    self.rest.add(key, [pattern])
                    continue
                attrs.update(t.attr for tests in rule.tests for t in tests)
                indexed = next((k for k in INDEX_KEYS if _index_values(pattern[0], k) is not None), None)
                if indexed is None:
                    self.always.append(rule)
                else:
                    for value in _index_values(pattern[0], indexed) or []:
                        self.by_value[indexed][value].append(rule)
        self.attrs = sorted(attrs)
        self.indexes = [(COLUMNS.get(key) or FLAGS[key], self.by_value[key]) for key in INDEX_KEYS]
        # What a token matches on its own is a function of its attribute values: asked once per distinct values.
        self.memo: dict[tuple[int, ...], _Verdict] = {}

    @staticmethod
    def _rule(attr_id: int, match_id: int, pattern: list[dict[str, Any]]) -> _Rule | None:
        """The rule, if every token of the pattern is a plain conjunction of conditions the index handles (no
        operators, no other attributes); otherwise the Matcher keeps it."""
        if not pattern or not all(pattern):
            return None
        tokens = [[_test(key.upper(), value) for key, value in token.items()] for token in pattern]
        if any(t is None for tests in tokens for t in tests):
            return None
        return _Rule(attr_id, match_id, tuple(tuple(t for t in tests if t is not None) for tests in tokens))

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        columns: list[int | str] = list(self.attrs)
        values = [tuple(row) for row in doc.to_array(columns).tolist()]
        rows: list[dict[int, int]] | None = None  # built only when a longer rule's first token fits
        text_of = _Texts(doc)
        if len(self.memo) > MEMO_LIMIT:
            self.memo.clear()
        found: list[tuple[int, int, int, int]] = []
        for i, key in enumerate(values):
            verdict = self.memo.get(key)
            if verdict is None:
                verdict = self.memo[key] = self._verdict(dict(zip(self.attrs, key, strict=True)), text_of)
            singles, longer = verdict
            found.extend((attr_id, match_id, i, i + 1) for attr_id, match_id in singles)
            if longer:
                if rows is None:
                    rows = [dict(zip(self.attrs, row, strict=True)) for row in values]
                found.extend(
                    (rule.attr_id, rule.match_id, i, i + len(rule.tests))
                    for rule in longer
                    if rule.fits(rows, i, text_of, first=1)
                )
        if len(self.rest):
            for match_id, start, end in self.rest(doc, allow_missing=True, as_spans=False):
                found.append((int(doc.vocab.strings[match_id]), match_id, start, end))
        # Sorted by rule as AttributeRuler.match sorts: a later rule overrides an earlier one on the same token.
        found.sort()
        return found

    def _verdict(self, row: dict[int, int], text_of: _Texts) -> _Verdict:
        """What a token with these attribute values matches on its own: the one-token rules it fits, and the longer
        rules whose first token it fits (their other tokens are checked in place)."""
        singles: list[tuple[int, int]] = []
        longer: list[_Rule] = []
        groups = [index.get(row[attr]) for attr, index in self.indexes]
        for group in [*groups, self.always]:
            for rule in group or ():
                if rule.fits([row], 0, text_of, last=1):
                    if len(rule.tests) == 1:
                        singles.append((rule.attr_id, rule.match_id))
                    else:
                        longer.append(rule)
        return tuple(singles), tuple(longer)


@Language.factory(INDEXED_RULER, default_config={"validate": False})
def make_indexed_attribute_ruler(nlp: Language, name: str, validate: bool) -> IndexedAttributeRuler:
    return IndexedAttributeRuler(nlp.vocab, name, validate=validate)


def index_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> bool:
    """Swap the pipeline's attribute ruler for the indexed one with the same rules; False if it has none."""
    if name not in nlp.pipe_names or isinstance(nlp.get_pipe(name), IndexedAttributeRuler):
        return False
    ruler = nlp.get_pipe(name)
    if not isinstance(ruler, AttributeRuler):
        return False
    indexed = nlp.replace_pipe(name, INDEXED_RULER, config={"validate": ruler.validate})
    assert isinstance(indexed, IndexedAttributeRuler)
    indexed.add_patterns(ruler.patterns)
    return True

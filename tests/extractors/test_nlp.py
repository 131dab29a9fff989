from __future__ import annotations

from extractors.clean import clean_document
from extractors.nlp import load_model, parse_articles, split_sentences
from schema.config import DEFAULT_MODEL
from schema.records import Article, RawDocument


def test_model_is_loaded_once() -> None:
    assert load_model(DEFAULT_MODEL) is load_model(DEFAULT_MODEL)


def test_paragraph_break_always_starts_a_sentence() -> None:
    # A paragraph without a final full stop (a list item, a quote) must not run into the next paragraph.
    text = "Officials listed three points including trade\n\nThe two sides agreed to meet again in July."
    article = Article(article_id="p", uri="p.txt", text=text)
    [(parsed, doc)] = list(parse_articles(load_model(DEFAULT_MODEL), [article], batch_size=8, n_process=1))
    sentences = split_sentences(parsed, doc)
    assert [s.text for s in sentences] == [
        "Officials listed three points including trade",
        "The two sides agreed to meet again in July.",
    ]
    assert [s.paragraph_index for s in sentences] == [0, 1]


def test_sentence_offsets_index_the_cleaned_text() -> None:
    text = "Japan and China held talks.  They agreed to meet again.\n\nChina said so on Monday."
    article = clean_document(RawDocument(uri="o.txt", text=text), max_chars=10_000)
    [(parsed, doc)] = list(parse_articles(load_model(DEFAULT_MODEL), [article], batch_size=8, n_process=1))
    sentences = split_sentences(parsed, doc)
    assert [s.text for s in sentences] == [
        "Japan and China held talks.",
        "They agreed to meet again.",
        "China said so on Monday.",
    ]
    for s in sentences:
        assert article.text[s.char_start : s.char_end] == s.text
    assert [s.paragraph_index for s in sentences] == [0, 0, 1]
    assert [s.sentence_index for s in sentences] == [0, 1, 2]

"""The indexed attribute ruler (extractors/attribute_index.py) and the memo lemmatizer (extractors/lemma_memo.py) must
annotate exactly as spaCy's own: same tags, POS, morphology, lemmas, parse and entities, token by token, on the seed
and gold articles."""

from __future__ import annotations

import json

import spacy

from extractors.attribute_index import IndexedAttributeRuler, index_attribute_ruler
from extractors.lemma_memo import MemoEnglishLemmatizer, memoize_lemmatizer
from extractors.nlp import load_model
from schema.config import DEFAULT_MODEL, PROJECT_ROOT


def _texts() -> list[str]:
    seeds = sorted((PROJECT_ROOT / "seeds" / "articles").glob("*.txt"))
    gold = PROJECT_ROOT / "tests" / "gold" / "articles.jsonl"
    texts = [path.read_text(encoding="utf-8") for path in seeds]
    texts += [json.loads(line)["text"] for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def test_the_pipeline_uses_the_indexed_ruler_and_the_memo_lemmatizer() -> None:
    stock = spacy.load(DEFAULT_MODEL)
    ours = load_model(DEFAULT_MODEL)
    ruler = ours.get_pipe("attribute_ruler")
    assert isinstance(ruler, IndexedAttributeRuler)
    assert isinstance(ours.get_pipe("lemmatizer"), MemoEnglishLemmatizer)
    assert ruler.patterns == stock.get_pipe("attribute_ruler").patterns


def test_annotations_are_identical_to_spacys_own_components_token_by_token() -> None:
    stock = spacy.load(DEFAULT_MODEL)
    ours = spacy.load(DEFAULT_MODEL)
    assert index_attribute_ruler(ours)
    assert memoize_lemmatizer(ours)
    texts = _texts()
    assert len(texts) > 40
    tokens = 0
    for expected, got in zip(stock.pipe(texts), ours.pipe(texts), strict=True):
        for a, b in zip(expected, got, strict=True):
            assert (a.text, a.tag_, a.pos_, str(a.morph), a.lemma_, a.dep_, a.head.i, a.ent_iob_, a.ent_type_) == (
                b.text,
                b.tag_,
                b.pos_,
                str(b.morph),
                b.lemma_,
                b.dep_,
                b.head.i,
                b.ent_iob_,
                b.ent_type_,
            ), f"token {a.i} {a.text!r} differs"
            tokens += 1
    assert tokens > 5_000

"""The issue's acceptance checks on the five seed articles, coded end to end into a warehouse.

1. No event from the teaser line "Shinzo Abe, friend of Trump and lacking Asian allies, is a true son of modern
   Japan" (a related-story link inside seed 000): it is not news about anyone's action.
2. No event from page furniture: ads, the myNEWS promotion, photo captions, teaser links, video timestamps,
   subscribe pleas, date and outlet header lines. Every mention comes from a sentence of the article body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from extractors.clean import clean_document
from extractors.events import EventCoder
from extractors.nlp import load_model, split_sentences
from flows.pipeline import run_pipeline
from schema.config import DEFAULT_MODEL, PipelineConfig
from schema.records import RawDocument
from tests.conftest import SEEDS
from warehouse.store import Warehouse

Coded = dict[str, list[tuple[Any, ...]]]
ABE_TEASER = "Shinzo Abe, friend of Trump and lacking Asian allies, is a true son of modern Japan"

# Every line of page furniture in the seed files, per file (as it stands in the file, stripped).
FURNITURE: dict[str, list[str]] = {
    "000": [
        "China-Japan relations",
        "Senior Japanese and Chinese officials to meet to discuss Abe and Xi talks",
        "Meeting between the leaders could come at G20 summit in Hamburg in July and would focus on North Korea "
        "threat, sources say",
        "PUBLISHED : Monday, 03 April, 2017, 6:54pm",
        "UPDATED : Monday, 03 April, 2017, 11:31pm",
        ABE_TEASER,
    ],
    "001": [
        "In a time of both misinformation and too much information, quality journalism is more crucial than ever.",
        "By subscribing, you can help us get the story right.",
    ],
    "002": [],  # its furniture is the header prefix " date 2017-04-03 " of the first line (DATE_HEADER)
    "003": [
        "Advertisement",
        "China-Japan relations",
        "Get more with myNEWS",
        "A personalised news feed of stories that matter to you",
        "Learn more",
        "Chinese Foreign Minister Wang Yi and Takeo Akiba, Japan’s top national security advisor, discussed "
        "planning for high-level dialogue between their countries. Photo: Xinhua",
        "Chinese, Japanese diplomats meet ahead of possible Xi-Kishida meeting at Apec summit",
        "• Chinese Foreign Minister Wang Yi meets Takeo Akiba, Japan’s top national security adviser, in Beijing",
        "• Talks between Xi Jinping and Fumio Kishida during the summit in San Francisco are being arranged, "
        "according to reports",
        "Wang Yi calls for nations to reject ‘bloc confrontation’ in swipe at US",
        "Talks between Chinas’ top diplomat and Japan’s top national security adviser lasted 3½ hours on Thursday. "
        "Photo: Chinese Ministry of Foreign Affairs",
        "02:22",
        "G7 calls for ‘immediate repeal’ of Japanese food bans after Chinese curbs",
        "Xi-Biden talks a ‘step closer’ after Wang Yi’s trip, but China still wary",
        "23",
    ],
    "004": [
        "• Kyodo",
        "In a time of both misinformation and too much information, quality journalism is more crucial than ever.",
        "By subscribing, you can help us get the story right.",
    ],
}
DATE_HEADER = {"002": "date 2017-04-03"}
# Words that only page furniture uses; no coded sentence may contain one.
FURNITURE_WORDS = [
    "subscrib",
    "advertis",
    "photo:",
    "mynews",
    "journalism",
    "learn more",
    "published :",
    "updated :",
    "date 2017-04-03",
]


def _prefix(uri: str) -> str:
    return Path(uri).name[:3]


def _raw_lines(prefix: str) -> list[str]:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def coded_seeds(tmp_path_factory: pytest.TempPathFactory) -> Coded:
    """The seeds coded by `eventcoder run` into a fresh warehouse: articles, and every mention with its sentence."""
    warehouse = tmp_path_factory.mktemp("seeds") / "wh"
    run_pipeline(PipelineConfig(inputs=(SEEDS,), warehouse=warehouse))
    with Warehouse.open_read_only(warehouse) as wh:
        _, articles = wh.query("SELECT uri, text FROM articles ORDER BY uri")
        _, mentions = wh.query(
            "SELECT a.uri, s.text, s.char_start, s.char_end, a.text, m.source_actor, m.target_actor, m.event_code "
            "FROM mentions m JOIN articles a USING (article_id) "
            "JOIN sentences s ON s.article_id = m.article_id AND s.sentence_index = m.sentence_index"
        )
    return {"articles": articles, "mentions": mentions}


def test_the_furniture_list_matches_the_seed_files() -> None:
    """The lines listed above really are in the seeds (so the checks below test something)."""
    for prefix, lines in FURNITURE.items():
        raw = _raw_lines(prefix)
        for line in lines:
            assert line in raw, f"{prefix}: {line!r}"
    for prefix, header in DATE_HEADER.items():
        assert _raw_lines(prefix)[0].startswith(header)


def test_seeds_code_into_five_articles_with_events(coded_seeds: Coded) -> None:
    assert [_prefix(uri) for uri, _ in coded_seeds["articles"]] == sorted(FURNITURE)
    assert {_prefix(row[0]) for row in coded_seeds["mentions"]} == set(FURNITURE)


def test_no_event_from_the_shinzo_abe_teaser(coded_seeds: Coded) -> None:
    assert ABE_TEASER in _raw_lines("000")
    for uri, text in coded_seeds["articles"]:
        assert "true son of modern Japan" not in text, uri
    hits = [row for row in coded_seeds["mentions"] if "true son of modern Japan" in row[1]]
    assert hits == []


def test_the_abe_teaser_gives_no_event_even_as_body_text(coder: EventCoder) -> None:
    """Were the teaser kept (here it ends with a full stop, so cleaning keeps it as a paragraph), the coder must
    still find no event in it: it describes a man, it reports no action."""
    [path] = SEEDS.glob("000_*.txt")
    raw = path.read_text(encoding="utf-8").replace(ABE_TEASER, ABE_TEASER + ".")
    article = clean_document(RawDocument(uri=str(path), text=raw), max_chars=1_000_000)
    nlp = load_model(DEFAULT_MODEL)
    doc = nlp(article.text)
    sentences = split_sentences(article, doc)
    [teaser] = [s for s in sentences if ABE_TEASER in s.text]
    mentions = coder.code_article(article, doc, sentences)
    assert any(m.sentence_index != teaser.sentence_index for m in mentions), "the rest of the article gives events"
    from_teaser = [
        (m.source_actor, m.target_actor, m.event_code, m.verb_text)
        for m in mentions
        if m.sentence_index == teaser.sentence_index
    ]
    assert from_teaser == []


@pytest.mark.parametrize("prefix", sorted(FURNITURE))
def test_no_furniture_line_survives_cleaning(prefix: str, coded_seeds: Coded) -> None:
    [text] = [text for uri, text in coded_seeds["articles"] if _prefix(uri) == prefix]
    kept = {line.strip() for line in text.splitlines()}
    for line in FURNITURE[prefix]:
        assert line not in kept, f"{prefix}: furniture line kept: {line!r}"
        if len(line.split()) >= 4:  # a short one ('23', 'Learn more') may occur inside a real sentence
            assert line.lstrip("• ") not in text, f"{prefix}: furniture kept inside the body: {line!r}"
    if prefix in DATE_HEADER:
        assert DATE_HEADER[prefix] not in text


def test_every_mention_comes_from_a_body_sentence(coded_seeds: Coded) -> None:
    assert coded_seeds["mentions"]
    for uri, sentence, start, end, article_text, source, target, code in coded_seeds["mentions"]:
        prefix = _prefix(uri)
        where = f"{prefix}: {source} {target} {code} from {sentence!r}"
        assert article_text[start:end] == sentence, where
        body = [line for line in _raw_lines(prefix) if line not in FURNITURE[prefix]]
        assert any(sentence in line for line in body), where
        assert not any(word in sentence.lower() for word in FURNITURE_WORDS), where

from __future__ import annotations

import datetime as dt

import pytest

from extractors.clean import clean_document, parse_absolute_date
from extractors.load import read_file
from schema.errors import RecordRejected
from schema.records import RawDocument
from tests.conftest import SEEDS

# Lines of the seed articles that are page furniture, not news.
BOILERPLATE = [
    "Advertisement",
    "Get more with myNEWS",
    "A personalised news feed of stories that matter to you",
    "Learn more",
    "PUBLISHED :",
    "UPDATED :",
    "Photo: Xinhua",
    "Photo: Chinese Ministry of Foreign Affairs",
    "02:22",
    "G7 calls for ‘immediate repeal’ of Japanese food bans after Chinese curbs",
    "Wang Yi calls for nations to reject ‘bloc confrontation’ in swipe at US",
    "Xi-Biden talks a ‘step closer’ after Wang Yi’s trip, but China still wary",
    "By subscribing, you can help us get the story right.",
    "quality journalism is more crucial than ever",
    "• Kyodo",
]


def seed(name_prefix: str) -> RawDocument:
    [path] = sorted(SEEDS.glob(f"{name_prefix}_*.txt"))
    [doc] = list(read_file(path))
    assert isinstance(doc, RawDocument)
    return doc


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_no_boilerplate_survives_cleaning(prefix: str) -> None:
    article = clean_document(seed(prefix), max_chars=1_000_000)
    for line in BOILERPLATE:
        assert line not in article.text
    assert not any(line.strip() == "23" for line in article.text.splitlines())


def test_seed_metadata() -> None:
    scmp = clean_document(seed("000"), max_chars=1_000_000)
    assert scmp.published_date == dt.date(2017, 4, 3) and scmp.date_source == "header"
    assert scmp.title == "Senior Japanese and Chinese officials to meet to discuss Abe and Xi talks"
    assert scmp.text.startswith("Chinese and Japanese senior foreign affairs officials would meet in Tokyo")
    kyodo = clean_document(seed("002"), max_chars=1_000_000)
    assert kyodo.published_date == dt.date(2017, 4, 3)
    assert kyodo.text.startswith("Japan and China are arranging a meeting")
    assert clean_document(seed("004"), max_chars=1_000_000).outlet == "Kyodo"
    apec = clean_document(seed("003"), max_chars=1_000_000)
    assert apec.title == "Chinese, Japanese diplomats meet ahead of possible Xi-Kishida meeting at Apec summit"
    # 003 states no date: the file's own date stands in, flagged as such.
    mtime = dt.datetime.fromtimestamp(next(SEEDS.glob("003_*")).stat().st_mtime, tz=dt.UTC).date()
    assert apec.published_date == mtime and apec.date_source == "file"
    assert apec.removed_lines >= 10


def test_publication_date_fallbacks_are_flagged() -> None:
    text = "Japan and China held talks in Tokyo on Tuesday.\n\nThe talks lasted three hours."
    run_day = dt.date(2026, 11, 23)
    stated = clean_document(
        RawDocument(uri="a.txt", text=text, published="2024-02-13", file_date="2024-03-01"),
        max_chars=10_000,
        run_date=run_day,
    )
    assert (stated.published_date, stated.date_source) == (dt.date(2024, 2, 13), "field")
    filed = clean_document(
        RawDocument(uri="a.txt", text=text, file_date="2024-03-01"), max_chars=10_000, run_date=run_day
    )
    assert (filed.published_date, filed.date_source) == (dt.date(2024, 3, 1), "file")
    run = clean_document(RawDocument(uri="a#1", text=text), max_chars=10_000, run_date=run_day)
    assert (run.published_date, run.date_source) == (run_day, "run")
    assert clean_document(RawDocument(uri="a#1", text=text), max_chars=10_000).date_source == "none"


def test_body_paragraphs_are_kept() -> None:
    # 001 has 12 non-blank lines: 10 paragraphs of news and a two-line subscribe plea.
    article = clean_document(seed("001"), max_chars=1_000_000)
    assert len(article.text.split("\n\n")) == 10
    assert article.removed_lines == 2


def test_record_fields_win_over_header() -> None:
    raw = RawDocument(uri="r#1", text=" date 2017-04-03 Japan met China.", published="2020-05-06", outlet="AFP")
    article = clean_document(raw, max_chars=1000)
    assert article.published_date == dt.date(2020, 5, 6) and article.date_source == "field"
    assert article.text == "Japan met China." and article.outlet == "AFP"


def test_article_id_is_content_hash() -> None:
    a = clean_document(RawDocument(uri="a.txt", text="Japan met China.\n"), max_chars=1000)
    b = clean_document(RawDocument(uri="b.txt", text="Japan met China."), max_chars=1000)
    c = clean_document(RawDocument(uri="a.txt", text="Japan met Korea."), max_chars=1000)
    assert a.article_id == b.article_id != c.article_id


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("Advertisement\nLearn more\n", "no body text"),
        ("x" * 5000 + ".", "over max_article_chars"),
    ],
)
def test_unusable_articles_are_rejected(raw: str, reason: str) -> None:
    with pytest.raises(RecordRejected, match=reason):
        clean_document(RawDocument(uri="a.txt", text=raw), max_chars=1000)


def test_bad_published_field_is_rejected() -> None:
    with pytest.raises(RecordRejected, match="not a date"):
        clean_document(RawDocument(uri="a", text="Japan met China.", published="soon"), max_chars=1000)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-04-03", dt.date(2017, 4, 3)),
        ("Monday, 03 April, 2017, 6:54pm", dt.date(2017, 4, 3)),
        ("April 3, 2017", dt.date(2017, 4, 3)),
        ("3rd Sept 2019", dt.date(2019, 9, 3)),
        ("Mon, 03 Apr 2017 18:54:00 +0800", dt.date(2017, 4, 3)),
        # ISO timestamps (HTML metadata, JSON fields): the calendar day where the outlet published, never shifted
        # to UTC, so a Tokyo morning and a New York late evening both stay on the 13th.
        ("2024-02-13T08:30:00+09:00", dt.date(2024, 2, 13)),
        ("2024-02-13T23:30:00-05:00", dt.date(2024, 2, 13)),
        ("2024-02-13T08:30:00Z", dt.date(2024, 2, 13)),
        ("2024-02-13 08:30:00.123456", dt.date(2024, 2, 13)),
        ("next Thursday", None),
        ("2017-02-30", None),
    ],
)
def test_parse_absolute_date(text: str, expected: dt.date | None) -> None:
    assert parse_absolute_date(text) == expected


def test_one_line_record_without_full_stop_is_kept_as_body() -> None:
    raw = RawDocument(uri="r#1", text="The United States will supply arms to Israel")
    article = clean_document(raw, max_chars=1000)
    assert article.text == "The United States will supply arms to Israel"
    assert article.title is None and article.removed_lines == 0

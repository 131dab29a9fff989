from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.clean import clean_document
from extractors.load import decode, discover_inputs, read_file
from schema.errors import InputNotFoundError, RecordRejected
from schema.records import RawDocument


def test_text_file_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("Japan and China held talks in Tokyo on Tuesday.\n", encoding="utf-8")
    [doc] = list(read_file(path))
    assert isinstance(doc, RawDocument)
    assert doc.uri == str(path)
    assert doc.text.startswith("Japan and China")


def test_jsonl_records_keep_fields_and_reject_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        json.dumps(
            {"id": "a1", "text": "Japan met China.", "title": "T", "outlet": "Kyodo", "published": "2020-01-02"}
        ),
        "{not json",
        json.dumps({"id": "a3", "title": "no text here"}),
        "",
        json.dumps({"text": "China met Japan."}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    items = list(read_file(path))
    assert [type(i).__name__ for i in items] == ["RawDocument", "RecordRejected", "RecordRejected", "RawDocument"]
    first, bad_json, no_text, last = items
    assert isinstance(first, RawDocument) and first.uri == f"{path}#a1" and first.outlet == "Kyodo"
    assert first.published == "2020-01-02" and first.title == "T"
    assert isinstance(bad_json, RecordRejected) and bad_json.uri == f"{path}#2" and "malformed JSON" in bad_json.reason
    assert isinstance(no_text, RecordRejected) and "no `text`" in no_text.reason
    assert isinstance(last, RawDocument) and last.uri == f"{path}#5"


def test_json_list_and_csv(tmp_path: Path) -> None:
    jpath = tmp_path / "a.json"
    jpath.write_text(json.dumps([{"text": "One."}, {"text": "Two.", "id": 7}]), encoding="utf-8")
    assert [d.uri for d in read_file(jpath) if isinstance(d, RawDocument)] == [f"{jpath}#0", f"{jpath}#7"]
    cpath = tmp_path / "a.csv"
    cpath.write_text('id,text,outlet\nx1,"Japan, China met.",AFP\nx2,,AFP\n', encoding="utf-8")
    good, bad = list(read_file(cpath))
    assert isinstance(good, RawDocument) and good.text == "Japan, China met." and good.outlet == "AFP"
    assert (isinstance(bad, RecordRejected) and bad.uri == f"{cpath}#x2") or bad.uri == f"{cpath}#3"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        ("latin1.txt", "Café au Président".encode("latin-1"), "UTF-8"),
        ("image.png", b"\x89PNG", "unsupported file type"),
        ("broken.json", b'{"text": ', "malformed JSON"),
        ("nocol.csv", b"a,b\n1,2\n", "`text` column"),
    ],
)
def test_bad_files_become_rejects(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    [item] = list(read_file(path))
    assert isinstance(item, RecordRejected)
    assert reason in item.reason
    assert item.uri == str(path)
    assert item.stage == "load"


def test_missing_input_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="does not exist"):
        discover_inputs([tmp_path / "nope"])


def test_discover_sorts_and_skips_hidden(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.jsonl").write_text("{}")
    assert [p.name for p in discover_inputs([tmp_path])] == ["a.txt", "b.txt", "c.jsonl"]


@given(st.binary(max_size=2000))
def test_decode_never_raises_on_random_bytes(data: bytes) -> None:
    result = decode(data, "random.bin")
    assert isinstance(result, str | RecordRejected)


# --- HTML pages -------------------------------------------------------------------------------------------------

PARA_1 = (
    "Japanese Foreign Minister Yoko Kamikawa met her Chinese counterpart Wang Yi in Tokyo on Tuesday, and the two "
    "agreed to resume high-level economic talks that have been frozen since 2019."
)
PARA_2 = (
    "The ministers also discussed the release of treated water from the Fukushima plant, a Japanese official told "
    "reporters after the meeting, which lasted nearly three hours."
)
BOILERPLATE = """
<header><nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li>
<li><a href="/sport">Sport</a></li></ul></nav></header>
<div class="ad-slot">Advertisement: Buy the new Pixelphone today at our partner store and save big.</div>
"""
FOOTER = """
<footer><p>© 2023 Daily Planet Media Group. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/contact">Contact us</a></li></ul></footer>
"""


def _page(head: str, body_extra: str = "") -> str:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Japan and China agree to resume talks | Daily Planet</title>{head}</head><body>{BOILERPLATE}
<main><article><h1>Japan and China agree to resume talks</h1><p class="byline">By Lois Lane</p>{body_extra}
<p>{PARA_1}</p><div class="advert">Advertisement</div><p>{PARA_2}</p></article></main>{FOOTER}</body></html>"""


META_PAGE = _page(
    # The modification comes first: the loader must still take the publication date.
    '<meta property="article:modified_time" content="2024-02-15T10:00:00Z">'
    '<meta property="article:published_time" content="2024-02-13T08:30:00Z">'
    '<meta property="og:title" content="Japan and China agree to resume talks">'
    '<meta property="og:site_name" content="Daily Planet">'
    '<link rel="canonical" href="https://www.dailyplanet.example/world/japan-china-talks">'
)
JSON_LD_PAGE = _page(
    '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", '
    '"headline": "Japan and China agree to resume talks", "dateModified": "2024-02-15T10:00:00+09:00", '
    '"datePublished": "2024-02-13T08:30:00+09:00", "author": {"@type": "Organization", "name": "Kyodo News"}}'
    "</script>"
)


def _html_doc(tmp_path: Path, html: str, name: str = "page.html") -> RawDocument:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    [doc] = list(read_file(path))
    assert isinstance(doc, RawDocument), doc
    return doc


def test_html_page_keeps_the_article_paragraphs_and_its_metadata(tmp_path: Path) -> None:
    doc = _html_doc(tmp_path, META_PAGE)
    # Paragraphs are blank-line separated blocks, for the cleaner and the paragraph sentence splitter.
    assert f"{PARA_1}\n\n{PARA_2}" in doc.text
    for furniture in ("Home", "World news", "Pixelphone", "Advertisement", "Privacy policy", "All rights reserved"):
        assert furniture not in doc.text
    assert doc.published == "2024-02-13"
    assert doc.title == "Japan and China agree to resume talks"
    assert doc.outlet == "Daily Planet"
    assert doc.url == "https://www.dailyplanet.example/world/japan-china-talks"
    assert doc.file_date is not None and dt.date.fromisoformat(doc.file_date)


def test_html_json_ld_date_published_wins_over_date_modified(tmp_path: Path) -> None:
    doc = _html_doc(tmp_path, JSON_LD_PAGE, name="page.htm")
    assert doc.published == "2024-02-13"
    assert doc.outlet == "Kyodo"  # an organisation named as author, as the cleaner names known wires
    assert PARA_2 in doc.text


@pytest.mark.parametrize(
    ("markup", "published"),
    [
        ('<time datetime="2024-02-13T08:30:00+09:00">13 February 2024</time>', "2024-02-13"),
        (
            '<p>Updated <time class="updated" datetime="2024-02-15T10:00:00Z">15 Feb</time>, first published '
            '<time class="published" datetime="2024-02-13T08:30:00Z">13 Feb</time></p>',
            "2024-02-13",
        ),
        # A page that gives only a modification date states no publication date; its copyright year is no date.
        ('<meta property="article:modified_time" content="2024-02-15T10:00:00Z">', None),
        ('<meta property="og:updated_time" content="2024-02-15T10:00:00Z">', None),
        ("", None),
    ],
)
def test_html_publication_date_never_a_modification(tmp_path: Path, markup: str, published: str | None) -> None:
    head, body = (markup, "") if markup.startswith("<meta") else ("", markup)
    assert _html_doc(tmp_path, _page(head, body)).published == published


@pytest.mark.parametrize(
    ("name", "html", "reason"),
    [
        (
            "nav-only.html",
            '<html><head><title>Daily Planet</title><meta property="article:published_time" '
            f'content="2024-02-13T08:30:00Z"></head><body>{BOILERPLATE}{FOOTER}</body></html>',
            "no article text",
        ),
        (
            "script-only.html",
            f"<html><head><script>var s = '{PARA_1}';</script></head><body></body></html>",
            "no article",
        ),
        ("empty.htm", "  \n", "empty"),
    ],
)
def test_html_page_without_body_text_is_rejected(tmp_path: Path, name: str, html: str, reason: str) -> None:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    [item] = list(read_file(path))
    assert isinstance(item, RecordRejected)
    assert (item.stage, item.uri) == ("load", str(path))
    assert reason in item.reason


def test_html_page_in_its_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "latin.html"
    html = _page('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">').replace(
        "Yoko Kamikawa", "Yoko Kamikawa, in a café,"
    )
    path.write_bytes(html.replace('<meta charset="utf-8">', "").encode("cp1252"))
    [doc] = list(read_file(path))
    assert isinstance(doc, RawDocument) and "in a café," in doc.text


def test_html_page_end_to_end_to_an_article(tmp_path: Path) -> None:
    article = clean_document(_html_doc(tmp_path, META_PAGE), max_chars=100_000, run_date=dt.date(2026, 1, 1))
    assert (article.published_date, article.date_source) == (dt.date(2024, 2, 13), "field")
    assert article.title == "Japan and China agree to resume talks" and article.outlet == "Daily Planet"
    assert article.url == "https://www.dailyplanet.example/world/japan-china-talks"
    assert article.text.split("\n\n") == [PARA_1, PARA_2]
    # A page that states no publication date takes its file's date, flagged.
    undated = clean_document(_html_doc(tmp_path, _page(""), "undated.html"), max_chars=100_000)
    assert undated.date_source == "file"
    assert (
        undated.published_date
        == dt.datetime.fromtimestamp((tmp_path / "undated.html").stat().st_mtime, tz=dt.UTC).date()
    )

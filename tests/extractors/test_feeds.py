"""RSS/Atom feeds: fetched for real from a web site this test serves on 127.0.0.1, entry pages and all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractors.clean import clean_document
from extractors.feeds import MIN_CONTENT_CHARS, read_feed_url
from extractors.fetch import Fetched, UrlFetcher
from extractors.load import read_documents, read_file, split_inputs
from schema.config import PipelineConfig
from schema.errors import FetchError, RecordRejected
from schema.records import RawDocument
from tests.extractors.web_fixtures import FOOTER, NAV, STRIKE, TALKS, Item, Site, article_page, atom, rss, serve

LONG_CONTENT = "".join(f"<p>{p}</p>" for p in STRIKE + TALKS)


@pytest.fixture()
def site() -> Iterator[Site]:
    with serve(Site()) as running:
        yield running


def _docs(items: list[RawDocument | RecordRejected]) -> dict[str, RawDocument | RecordRejected]:
    return {item.uri: item for item in items}


def test_feed_entries_become_articles_read_from_their_pages(site: Site) -> None:
    talks = site.add(
        "/world/talks.html",
        article_page(
            "Japan and China agree to resume talks",
            TALKS,
            published="2024-02-13T08:30:00+09:00",
            canonical="https://dailyplanet.example/world/talks",
        ),
    )
    # A page that names no site: the feed's title names the outlet; no date on the page: the entry's pubDate.
    strike = site.add("/world/strike.html", article_page("Strike on Gaza camp", STRIKE, site_name=None))
    feed = site.add(
        "/feed.rss",
        rss(
            "Planet Wire",
            [
                Item("Japan and China agree to resume talks", talks, published="Tue, 13 Feb 2024 01:00:00 GMT"),
                Item("Strike on Gaza camp", strike, published="Sun, 11 Feb 2024 23:30:00 -0500"),
            ],
        ),
        "application/rss+xml",
    )
    items = list(read_feed_url(feed))
    assert site.hits == ["/feed.rss", "/world/talks.html", "/world/strike.html"]
    assert all(isinstance(item, RawDocument) for item in items), items
    first, second = items
    assert isinstance(first, RawDocument) and isinstance(second, RawDocument)
    assert first.uri == talks and first.url == "https://dailyplanet.example/world/talks"
    assert first.text.endswith("\n\n".join(TALKS)) and "Pixelphone" not in first.text
    assert (first.title, first.outlet, first.published) == (
        "Japan and China agree to resume talks",
        "Daily Planet",
        "2024-02-13",
    )
    assert second.uri == second.url == strike and second.outlet == "Planet Wire"
    # The day as the feed wrote it (23:30 at -05:00 on the 11th), not feedparser's UTC reading (the 12th).
    assert second.published == "2024-02-11" and second.file_date is None
    article = clean_document(second, max_chars=100_000)
    assert (article.published_date, article.date_source) == (dt.date(2024, 2, 11), "field")


def test_entry_without_a_usable_page_falls_back_to_its_own_full_content(site: Site) -> None:
    pdf = site.add("/doc.pdf", b"%PDF-1.4 ...", "application/pdf")
    nav_only = site.add("/nav.html", f"<html><head><title>Daily Planet</title></head><body>{NAV}{FOOTER}</body></html>")
    feed = site.add(
        "/feed.rss",
        rss(
            "Planet Wire",
            [
                Item("Gone", site.url("/gone.html"), content_html=LONG_CONTENT, published="Mon, 12 Feb 2024 10:00 GMT"),
                Item("A PDF", pdf, content_html=LONG_CONTENT),
                Item("Teaser only", site.url("/gone2.html"), summary=STRIKE[0], content_html=f"<p>{STRIKE[0]}</p>"),
                Item("Nav only", nav_only, summary="A teaser."),
                Item("No link at all", None, content_html="<p>Too short.</p>"),
            ],
        ),
    )
    gone, pdf_doc, teaser, nav, no_link = list(read_feed_url(feed))
    for doc in (gone, pdf_doc):
        assert isinstance(doc, RawDocument), doc
        assert doc.text.split("\n\n") == STRIKE + TALKS and doc.outlet == "Planet Wire"
    assert isinstance(gone, RawDocument) and gone.published == "2024-02-12" and gone.title == "Gone"
    assert isinstance(teaser, RecordRejected) and teaser.uri == site.url("/gone2.html")
    assert teaser.reason.startswith("entry's page could not be fetched (HTTP error 404 (Not Found))")
    assert f"under {MIN_CONTENT_CHARS}" in teaser.reason and teaser.payload == STRIKE[0]
    assert isinstance(nav, RecordRejected) and nav.reason.startswith("entry's page has no article text")
    assert isinstance(no_link, RecordRejected) and no_link.uri == f"{feed}#4"
    assert no_link.reason.startswith("entry has no web link, and the entry's own content is no article")


def test_atom_entry_with_only_an_update_time_gets_it_as_the_flagged_fallback_date(site: Site) -> None:
    undated = site.add("/a.html", article_page("Strike on Gaza camp", STRIKE))
    dated = site.add("/b.html", article_page("Talks", TALKS))
    feed = site.add(
        "/atom.xml",
        atom(
            "Planet Atom",
            [
                Item("Strike", undated, updated="2024-02-15T23:00:00-08:00"),
                Item("Talks", dated, published="2024-02-13T08:30:00+09:00", updated="2024-02-20T00:00:00Z"),
            ],
        ),
        "application/atom+xml",
    )
    updated_only, both = list(read_feed_url(feed))
    assert isinstance(updated_only, RawDocument) and isinstance(both, RawDocument)
    assert (updated_only.published, updated_only.file_date) == (None, "2024-02-15")
    article = clean_document(updated_only, max_chars=100_000, run_date=dt.date(2026, 1, 1))
    assert (article.published_date, article.date_source) == (dt.date(2024, 2, 15), "file")
    assert (both.published, both.file_date) == ("2024-02-13", None)


def test_redirects_are_followed_and_the_final_url_kept(site: Site) -> None:
    site.add("/story", article_page("Talks", TALKS, site_name="Daily Planet"))
    moved = site.add("/old-story", b"", status=301, headers={"Location": "/story"})
    site.add("/feed.rss", rss("Planet Wire", [Item("Talks", moved)]), "application/rss+xml")
    feed = site.add("/old-feed", b"", status=302, headers={"Location": "/feed.rss"})
    [doc] = list(read_feed_url(feed))
    assert isinstance(doc, RawDocument)
    assert (doc.uri, doc.url) == (moved, site.url("/story"))


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/feed.rss", "file:///etc/passwd"])
def test_a_redirect_off_the_web_is_not_followed(site: Site, target: str) -> None:
    url = site.add("/feed", b"", status=302, headers={"Location": target})
    [item] = list(read_feed_url(url))
    assert isinstance(item, RecordRejected) and item.reason.startswith("feed could not be fetched")
    assert "ftp" in item.reason or "not allowed" in item.reason, item.reason


@pytest.mark.parametrize(
    ("path", "response", "reason"),
    [
        ("/broken", {"body": b"oops", "status": 500}, "feed could not be fetched: HTTP error 500"),
        ("/page.html", {"body": article_page("Talks", TALKS)}, "not an RSS or Atom feed (served as text/html)"),
        ("/empty.rss", {"body": b"", "content_type": "application/rss+xml"}, "feed is empty"),
        ("/binary.rss", {"body": bytes(range(256)) * 4, "content_type": "application/rss+xml"}, "not an RSS or Atom"),
        (
            "/malformed.rss",
            {"body": rss("W", [Item("a & b", "/x")]).replace(b"a &amp; b", b"a & b")},
            "feed is not well-formed XML (line 2: not well-formed (invalid token))",
        ),
        (
            "/mismatched.rss",
            {"body": rss("W", [Item("t", "/x")]).replace(b"</item>", b"</itm>")},
            "feed is not well-formed XML",
        ),
    ],
)
def test_a_bad_feed_is_one_reject_with_the_reason(site: Site, path: str, response: dict, reason: str) -> None:
    url = site.add(path, **response)
    [item] = list(read_feed_url(url))
    assert isinstance(item, RecordRejected)
    assert (item.stage, item.uri) == ("load", url)
    assert item.reason.startswith(reason), item.reason
    assert site.hits == [path]  # no entry of a rejected feed is fetched


def test_network_failures_are_rejects_not_errors(site: Site, tmp_path: Path) -> None:
    site.add("/slow.rss", rss("W", []), "application/rss+xml", delay=2.0)
    site.add("/big.rss", rss("W", [Item("t" * 5000, None)]), "application/rss+xml")
    fetcher = UrlFetcher(timeout=0.5, max_bytes=4000)
    [slow] = list(read_feed_url(site.url("/slow.rss"), fetcher))
    [big] = list(read_feed_url(site.url("/big.rss"), fetcher))
    # A port nobody listens on: bind one, note it, close it.
    with serve(Site()) as closed:
        dead = closed.url("/feed.rss")
    [refused] = list(read_feed_url(dead, fetcher))
    assert isinstance(slow, RecordRejected) and slow.reason == "feed could not be fetched: timed out after 0.5 s"
    assert isinstance(big, RecordRejected) and big.reason.endswith("response is over the 4000 byte limit")
    assert isinstance(refused, RecordRejected) and refused.reason.startswith("feed could not be fetched: network")
    with pytest.raises(FetchError, match="not an http"):
        UrlFetcher().fetch((tmp_path / "x.rss").as_uri())


def test_a_saved_feed_file_is_read_and_its_entries_fetched(site: Site, tmp_path: Path) -> None:
    page = site.add("/talks.html", article_page("Talks", TALKS))
    saved = tmp_path / "planet.rss"
    saved.write_bytes(rss("Planet Wire", [Item("Talks", page), Item("Relative link", "/relative.html")]))
    doc, relative = list(read_file(saved))
    assert isinstance(doc, RawDocument) and doc.uri == page and doc.text.endswith("\n\n".join(TALKS))
    # A link relative to a file on disk leads nowhere on the web.
    assert isinstance(relative, RecordRejected) and relative.uri == f"{saved}#1"


def test_feed_urls_are_inputs_beside_files(site: Site, tmp_path: Path) -> None:
    page = site.add("/talks.html", article_page("Talks", TALKS))
    feed = site.add("/feed.rss", rss("Planet Wire", [Item("Talks", page)]), "application/rss+xml")
    text = tmp_path / "a.txt"
    text.write_text("\n\n".join(STRIKE), encoding="utf-8")
    paths, feeds = split_inputs([str(text), feed, " HTTPS://example.org/feed "])
    assert paths == (text,) and feeds == (feed, "HTTPS://example.org/feed")
    uris = [item.uri for item in read_documents(paths, feeds[:1])]
    assert uris == [str(text), page]
    assert PipelineConfig(feeds=(f" {feed} ",)).feeds == (feed,)
    with pytest.raises(ValueError, match="not an http"):
        PipelineConfig(feeds=("feeds/planet.rss",))


class FakeFetcher:
    """The fetcher interface without a network: canned responses by URL, a FetchError for anything else."""

    def __init__(self, responses: dict[str, Fetched]) -> None:
        self.responses = responses

    def fetch(self, url: str) -> Fetched:
        if url not in self.responses:
            raise FetchError(url, "HTTP error 404 (Not Found)")
        return self.responses[url]


def test_the_fetcher_is_an_interface() -> None:
    page = article_page("Talks", TALKS, site_name="Kyodo News")
    feed = rss("Planet Wire", [Item("Talks", "https://news.example/talks")])
    fake = FakeFetcher(
        {
            "https://news.example/feed": Fetched("https://news.example/feed", feed, "application/rss+xml"),
            "https://news.example/talks": Fetched("https://news.example/talks", page.encode(), "text/html"),
        }
    )
    [doc] = list(read_feed_url("https://news.example/feed", fake))
    assert isinstance(doc, RawDocument) and doc.outlet == "Kyodo" and doc.url == "https://news.example/talks"

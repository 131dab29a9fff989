"""RSS and Atom feeds into RawDocument records: one per entry, from the article page the entry links to.

For each entry the linked page is fetched and its main text extracted (extractors/webpage.py), as for a saved page.
When the page cannot be fetched or holds no article text, the entry's own full content (RSS `content:encoded`,
Atom `<content>`) stands in if it is article-length; a summary (`<description>`) never does. Whatever cannot be
used is a RecordRejected naming the feed or the entry; nothing here raises for bad input.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import io
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import feedparser

from extractors.clean import KNOWN_OUTLETS
from extractors.decoding import PAYLOAD_CHARS, decode_html, preview
from extractors.fetch import DEFAULT_MAX_BYTES, Fetched, Fetcher, UrlFetcher, is_web_url
from extractors.webpage import read_html_page
from schema.errors import FetchError, RecordRejected
from schema.records import RawDocument

FEED_SUFFIXES = {".rss", ".atom", ".xml"}
HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Below this many characters of text an entry's own content is a teaser, not the article.
MIN_CONTENT_CHARS = 500
# feedparser's warnings that do not make a feed unreadable: a charset label that differs from the bytes, a feed
# served as text/plain or text/html, a namespace prefix used without its declaration.
HARMLESS_BOZO = (
    feedparser.CharacterEncodingOverride,
    feedparser.NonXMLContentType,
    feedparser.UndeclaredNamespace,
)
# Given the keys (guid, link) of each entry of a feed, those read before: a daily run's ledger, asked before any of
# the feed's pages is fetched.
SeenEntries = Callable[[Sequence[tuple[str, ...]]], Collection[str]]


def read_feed_url(
    url: str, fetcher: Fetcher | None = None, seen: SeenEntries | None = None
) -> Iterator[RawDocument | RecordRejected]:
    """Fetch a feed and read every entry's article (but those of the entries `seen` names)."""
    fetcher = fetcher or UrlFetcher()
    try:
        fetched = fetcher.fetch(url)
    except FetchError as exc:
        yield RecordRejected("load", url, f"feed could not be fetched: {exc.reason}", "")
        return
    yield from read_feed(url, fetched, fetcher, seen)


def read_feed_file(
    path: Path, fetcher: Fetcher | None = None, seen: SeenEntries | None = None
) -> Iterator[RawDocument | RecordRejected]:
    """A feed saved to disk (.rss, .atom, .xml); its entries' pages are still fetched from the web."""
    uri = str(path)
    try:
        size = path.stat().st_size
        if size > DEFAULT_MAX_BYTES:
            yield RecordRejected("load", uri, f"file is {size} bytes, over the {DEFAULT_MAX_BYTES} limit", "")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield RecordRejected("load", uri, f"cannot read file ({exc.strerror})", "")
        return
    yield from read_feed(uri, Fetched(url=path.resolve().as_uri(), body=data), fetcher or UrlFetcher(), seen)


def read_feed(
    uri: str, fetched: Fetched, fetcher: Fetcher, seen: SeenEntries | None = None
) -> Iterator[RawDocument | RecordRejected]:
    """The entries of one feed document (`uri` names it in rejects); an entry `seen` knows by its guid or link is
    left out before its page is fetched."""
    if not fetched.body.strip():
        yield RecordRejected("load", uri, "feed is empty", "")
        return
    headers = {"content-location": fetched.url}
    if fetched.content_type:
        charset = f"; charset={fetched.charset}" if fetched.charset else ""
        headers["content-type"] = fetched.content_type + charset
    try:
        # A stream, never bytes or str: given a string, feedparser would fetch it as a URL or open it as a path.
        parsed = feedparser.parse(io.BytesIO(fetched.body), response_headers=headers)
    # feedparser is built never to raise; this keeps a bug in it from stopping a run.
    except Exception as exc:
        yield RecordRejected("load", uri, f"feed could not be parsed ({type(exc).__name__})", preview(fetched.body))
        return
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.get("version"):
        served = f" (served as {fetched.content_type})" if fetched.content_type else ""
        yield RecordRejected(
            "load", uri, f"not an RSS or Atom feed{served}; give the feed's own URL", preview(fetched.body)
        )
        return
    if problem is not None and not isinstance(problem, HARMLESS_BOZO):
        # feedparser would go on with a lenient reading, but in a broken document an entry's text, link or date
        # may belong to its neighbour: the feed is quarantined whole rather than coded from guesses.
        yield RecordRejected(
            "load",
            uri,
            f"feed is not well-formed XML ({_xml_error(problem)}); the publisher must fix it",
            preview(fetched.body),
        )
        return
    feed_title = _text(parsed.feed.get("title"))
    outlet = KNOWN_OUTLETS.get(feed_title.lower(), feed_title) if feed_title else None
    feed_id = _text(parsed.feed.get("link")) or feed_title or uri
    keys = [entry_keys(entry, feed_id) for entry in parsed.entries]
    known = set(seen(keys)) if seen is not None else set()
    for index, entry in enumerate(parsed.entries):
        if known.intersection(keys[index]):
            continue
        yield read_entry(uri, index, entry, outlet, fetcher, keys[index])


def read_entry(
    feed_uri: str,
    index: int,
    entry: Any,
    feed_outlet: str | None,
    fetcher: Fetcher,
    keys: tuple[str, ...] = (),
) -> RawDocument | RecordRejected:
    """One entry: the linked page's article, else the entry's own full content."""
    link = _text(entry.get("link"))
    entry_id = _text(entry.get("id"))
    uri = link if is_web_url(link) else f"{feed_uri}#{entry_id or index}"
    title = _text(entry.get("title")) or None
    page, page_problem = _read_linked_page(link, fetcher) if is_web_url(link) else (None, "entry has no web link")
    if page is None:
        content = _own_content(uri, entry)
        if content is None or len(content.text) < MIN_CONTENT_CHARS:
            size = len(content.text) if content is not None else 0
            return RecordRejected(
                "load",
                uri,
                f"{page_problem}, and the entry's own content is no article ({size} characters, under "
                f"{MIN_CONTENT_CHARS})",
                _text(entry.get("summary"))[:PAYLOAD_CHARS],
            )
        page = content
    published = page.published or _entry_day(entry, "published")
    # Atom requires <updated> and makes <published> optional; RSS's dc:date lands there too. An update time is not
    # a publication date, so it is used only when neither the page nor the entry states one, and then as the
    # flagged fallback date (date_source 'file', as a saved file's date), never as a stated publication date.
    fallback_day = None if published else _entry_day(entry, "updated")
    return RawDocument(
        uri=uri,
        text=page.text,
        title=page.title or title,
        outlet=_outlet(page.outlet, feed_outlet),
        url=page.url or (link if is_web_url(link) else None),
        published=published,
        file_date=fallback_day,
        entry_keys=keys,
    )


def entry_keys(entry: Any, feed_id: str) -> tuple[str, ...]:
    """What names an entry from day to day: its guid (RSS <guid>, Atom <id>), then its link. Either may be missing
    or change (a guid reissued, a link given new tracking parameters), so a daily run knows an entry by both. A
    guid that is no URL or URN ("4711") is unique only within its feed, so it is qualified by the feed's `feed_id`
    (its site link, else its title, else where it was read)."""
    guid = _text(entry.get("id"))
    if guid and ":" not in guid:
        guid = f"{feed_id}#{guid}"
    link = _text(entry.get("link"))
    return tuple(dict.fromkeys(k for k in (guid, link if is_web_url(link) else "") if k))


def _read_linked_page(link: str, fetcher: Fetcher) -> tuple[RawDocument | None, str]:
    """The article on the entry's page, or None and what went wrong."""
    try:
        fetched = fetcher.fetch(link)
    except FetchError as exc:
        return None, f"entry's page could not be fetched ({exc.reason})"
    if fetched.content_type and fetched.content_type not in HTML_TYPES:
        return None, f"entry's page is {fetched.content_type}, not HTML"
    html = decode_html(fetched.body, link, fetched.charset)
    if isinstance(html, RecordRejected):
        return None, f"entry's page is unreadable ({html.reason})"
    page = read_html_page(link, html)
    if isinstance(page, RecordRejected):
        return None, "entry's page has no article text"
    # The canonical URL the page names; else where the fetch ended up after redirects.
    return page.model_copy(update={"url": page.url or fetched.url}), ""


def _own_content(uri: str, entry: Any) -> RawDocument | None:
    """The longest full-content block of the entry, as text (HTML content through the page extractor)."""
    best: RawDocument | None = None
    for block in entry.get("content") or []:
        value = _text(block.get("value"))
        if not value:
            continue
        if "html" in _text(block.get("type")):
            doc = read_html_page(uri, f"<html><body><article>{value}</article></body></html>")
            if isinstance(doc, RecordRejected):
                continue
        else:
            doc = RawDocument(uri=uri, text=value)
        if best is None or len(doc.text) > len(best.text):
            best = doc
    return best


def _entry_day(entry: Any, key: str) -> str | None:
    """The entry's date as an ISO day, read as written: 23:30 -05:00 on the 13th is the 13th, not the UTC 14th.
    feedparser's own `*_parsed` (in UTC) only for a format this cannot read."""
    # dict.get, not entry.get: feedparser answers `updated` with the `published` value when there is no update.
    raw = _text(dict.get(entry, key))
    if not raw:
        return None
    for parse in (_rfc822, _iso):
        day = parse(raw)
        if day is not None:
            return day.isoformat()
    parsed = dict.get(entry, f"{key}_parsed")
    try:
        return dt.date(*parsed[:3]).isoformat() if parsed else None
    except (TypeError, ValueError):
        return None


def _rfc822(raw: str) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(raw).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _iso(raw: str) -> dt.date | None:
    try:
        return dt.datetime.fromisoformat(raw).date()
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def _outlet(page_outlet: str | None, feed_outlet: str | None) -> str | None:
    """The site name the page gives; the feed's title where the page gives only its bare domain, or nothing."""
    if page_outlet and not ("." in page_outlet and " " not in page_outlet):
        return page_outlet
    return feed_outlet or page_outlet


def _xml_error(problem: BaseException) -> str:
    line = getattr(problem, "getLineNumber", None)
    where = f"line {line()}: " if callable(line) else ""
    return f"{where}{getattr(problem, 'getMessage', lambda: str(problem))()}"


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""

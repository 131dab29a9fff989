"""Read one saved HTML page into a RawDocument: the article's main text and its metadata, offline.

Pure: a decoded page in, a record out (the loader does the file I/O). trafilatura finds the main text and the
metadata; htmldate (inside it) finds the publication date in meta tags, JSON-LD, `<time>` elements and the URL.
Nothing is fetched: trafilatura only downloads when given a URL, and it is only ever given the page's text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import trafilatura
from lxml.html import HtmlElement

from extractors.clean import KNOWN_OUTLETS
from schema.errors import RecordRejected
from schema.records import RawDocument

PAYLOAD_CHARS = 2000
# trafilatura warns "discarding data: None" for a page without text; the page's row in `rejects` says it better.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
# htmldate options. original_date: where a page gives both, take the publication date, not the last modification.
# No extensive search: it guesses from free text and turns a footer's "© 2023" into 2023-01-01; a page whose markup
# states no date gets the flagged file-date fallback instead. A date in the URL path ranks below meta tags and JSON-LD.
DATE_PARAMS: dict[str, Any] = {"original_date": True, "extensive_search": False, "deferred_url_extractor": True}
# Blocks of trafilatura's XML body that become blank-line separated paragraphs (the sentence splitter's unit).
BLOCK_TAGS = {"p", "head", "list", "quote", "code", "table"}
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
MODIFIED_KEY = re.compile(r"modif|updat|revis|lastmod|last-mod|edited", re.I)
JSON_LD_DATE = re.compile(r'"(date\w*|uploadDate)"\s*:\s*"([^"]*)"')


def read_html_page(uri: str, html: str) -> RawDocument | RecordRejected:
    """The page's main text as paragraphs, with title, publication date (ISO), outlet and canonical URL."""
    try:
        tree = trafilatura.load_html(html)
        if tree is None:
            return RecordRejected(
                "load",
                uri,
                "HTML page could not be parsed (no HTML markup?); save plain text as .txt",
                html[:PAYLOAD_CHARS],
            )
        modified_only = _modified_only_dates(tree)
        author_organisation = _author_organisation(tree)
        extracted = trafilatura.bare_extraction(
            tree,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            with_metadata=True,
            date_extraction_params=dict(DATE_PARAMS),
        )
    # trafilatura's heuristics run on arbitrary pages; a page that trips them is quarantined, never the run stopped.
    except Exception as exc:
        return RecordRejected(
            "load", uri, f"HTML extraction failed ({type(exc).__name__}: {exc})", html[:PAYLOAD_CHARS]
        )
    body = getattr(extracted, "body", None)
    text = "\n\n".join(_blocks(body)) if body is not None else ""
    if not text.strip():
        return RecordRejected(
            "load",
            uri,
            "HTML page has no article text (only navigation, boilerplate or scripts); save the article page "
            "itself, or paste its text into a .txt file",
            html[:PAYLOAD_CHARS],
        )
    date = getattr(extracted, "date", None)
    if date in modified_only:
        # The page marks this date only as a modification ("dateModified", "og:updated_time"): it is not the
        # publication date, so the article falls back to the flagged file date instead of a wrong stated one.
        date = None
    outlet = _outlet(getattr(extracted, "sitename", None), author_organisation)
    return RawDocument(
        uri=uri,
        text=text,
        title=getattr(extracted, "title", None) or None,
        outlet=outlet,
        url=getattr(extracted, "url", None) or None,
        published=date or None,
    )


def _outlet(sitename: str | None, author_organisation: str | None) -> str | None:
    """The site's name (og:site_name, JSON-LD publisher); else an organisation named as author (a wire: "Reuters");
    else the bare domain, which trafilatura gives as sitename when the page names no site."""
    sitename = (sitename or "").strip()
    if author_organisation and (not sitename or ("." in sitename and " " not in sitename)):
        sitename = author_organisation.strip()
    return KNOWN_OUTLETS.get(sitename.lower(), sitename) if sitename else None


def _author_organisation(tree: HtmlElement) -> str | None:
    """Name of the first JSON-LD author whose @type is an organisation, not a person."""
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                authors = node.get("author")
                for author in authors if isinstance(authors, list) else [authors]:
                    if isinstance(author, dict) and "Organization" in str(author.get("@type", "")):
                        name = author.get("name")
                        if isinstance(name, str) and name.strip():
                            return name
                stack.extend(v for v in node.values() if isinstance(v, dict | list))
    return None


def _blocks(elem: Any) -> Iterator[str]:
    """Paragraph texts of trafilatura's XML body: a list is one block with an item per line; a block that holds
    blocks (a quote of paragraphs) gives each of them."""
    for child in elem:
        if child.tag == "list":
            items = [_inline(item) for item in child.iter("item")]
            block = "\n".join(item for item in items if item)
        elif any(grandchild.tag in BLOCK_TAGS for grandchild in child):
            lead = " ".join((child.text or "").split())
            if lead:
                yield lead
            yield from _blocks(child)
            continue
        elif child.tag in BLOCK_TAGS:
            block = _inline(child)
        else:
            block = ""
        if block:
            yield block


def _inline(elem: Any) -> str:
    """Text of one block, whitespace collapsed; an explicit line break (<lb/>) stays a line break."""
    for lb in elem.iter("lb"):
        lb.tail = "\n" + (lb.tail or "")
    lines = ("".join(elem.itertext())).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def _modified_only_dates(tree: HtmlElement) -> set[str]:
    """ISO days the page's markup gives only as a modification date and never as any other date."""
    modified: set[str] = set()
    other: set[str] = set()
    for key, value in _dated_markup(tree):
        day = ISO_DAY.search(value)
        if day:
            (modified if MODIFIED_KEY.search(key) else other).add(day.group())
    return modified - other


def _dated_markup(tree: HtmlElement) -> Iterator[tuple[str, str]]:
    """(what the markup calls it, its value) for meta tags, itemprop elements, <time> and JSON-LD date fields."""
    for el in tree.iter("meta"):
        key = " ".join(el.get(attr, "") for attr in ("property", "name", "itemprop", "http-equiv"))
        yield key, el.get("content", "")
    for el in tree.xpath("//body//*[@itemprop] | //time"):
        key = " ".join(el.get(attr, "") for attr in ("itemprop", "class", "id"))
        yield key, el.get("datetime") or el.get("content") or el.text_content()
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        for m in JSON_LD_DATE.finditer(script.text or ""):
            yield m[1], m[2]

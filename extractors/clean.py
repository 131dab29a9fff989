"""Turn a RawDocument into an Article: metadata out of the header, boilerplate lines out of the body.

Pure: text in, record out. Lines are judged one at a time; what is removed is counted on the Article so a user can
see how much cleaning happened. Sentence offsets later index into `Article.text`, the cleaned body.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
from dataclasses import dataclass, field

from schema.errors import RecordRejected
from schema.records import Article, DateSource, RawDocument

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
ISO_DATE = re.compile(r"(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})")
DAY_MONTH_YEAR = re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I)
MONTH_DAY_YEAR = re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b", re.I)

LEADING_DATE = re.compile(r"^\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\s+", re.I)
HEADER_DATE_LINE = re.compile(r"^(?P<key>published|updated|posted|last updated|date)\s*:?\s+(?P<value>.+)$", re.I)

# Whole lines that are page furniture, never news (compared lower-cased, without trailing punctuation).
FURNITURE = {
    "advertisement",
    "advertising",
    "sponsored",
    "sponsored content",
    "get more with mynews",
    "a personalised news feed of stories that matter to you",
    "a personalized news feed of stories that matter to you",
    "learn more",
    "read more",
    "read more here",
    "continue reading",
    "more on this story",
    "related",
    "related articles",
    "related stories",
    "recommended",
    "most popular",
    "most read",
    "trending",
    "share",
    "share this article",
    "share this story",
    "tweet",
    "print",
    "email",
    "comments",
    "click here",
    "follow us",
    "sign in",
    "log in",
    "register",
    "topics",
    "tags",
}
SUBSCRIBE = re.compile(
    r"\b(sign up for|newsletter|unlock (this|full) (article|access)|already a subscriber|"
    r"(quality|independent|trusted) journalism|support (our|us|independent)|download (our|the) app)\b"
    r"|\bsubscri(be|bing|ption)\b.*\b(you|your|us|our)\b|\b(you|your|us|our)\b.*\bsubscri(be|bing|ption)\b",
    re.I,
)
CAPTION = re.compile(r"(^|\s)(photo|image|picture|file photo|video)\s*:\s*\S.{0,80}$", re.I)
TIMESTAMP = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?$")
NUMBER_ONLY = re.compile(r"^[\d\s.,%]+$")
BULLET = re.compile(r"^[•·▪●◦\-–*]\s*")
BYLINE = re.compile(r"^(by|from)\s+[A-Z][\w.'’-]*(\s+[A-Z][\w.'’-]*){0,4}(\s*(,|and|in)\s*.*)?$")
SENTENCE_END = (".", "!", "?", "…", '"', "”", "’", "'", ")", "]", ":")
KNOWN_OUTLETS = {
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "reuters": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "xinhua": "Xinhua",
    "bloomberg": "Bloomberg",
    "yonhap": "Yonhap",
    "jiji press": "Jiji Press",
    "tass": "TASS",
    "anadolu agency": "Anadolu Agency",
    "efe": "EFE",
    "dpa": "dpa",
    "pti": "PTI",
    "ani": "ANI",
}
HEADLINE_MAX_WORDS = 25
TITLE_MIN_WORDS = 4


@dataclass
class _Header:
    published: dt.date | None = None
    date_source: DateSource = "none"
    outlet: str | None = None
    title: str | None = None
    removed: int = 0
    paragraphs: list[list[str]] = field(default_factory=list)


def parse_absolute_date(text: str) -> dt.date | None:
    """An absolute calendar date in `text` (ISO, '3 April 2017', 'April 3, 2017', RFC 2822), else None."""
    text = text.strip()
    for pattern in (ISO_DATE, DAY_MONTH_YEAR, MONTH_DAY_YEAR):
        m = pattern.search(text)
        if m:
            month = int(m["mon"]) if "mon" in m.groupdict() else MONTHS[m["month"].lower()]
            try:
                return dt.date(int(m["year"]), month, int(m["day"]))
            except ValueError:
                continue
    try:
        return email.utils.parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        return None


def article_id_for(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def _outlet_in(line: str) -> str | None:
    words = BULLET.sub("", line).strip().strip("()[]—–-").strip()
    words = re.sub(r"^(by|from|source)\s*:?\s+", "", words, flags=re.I)
    return KNOWN_OUTLETS.get(words.lower().rstrip(". "))


def _is_furniture(line: str) -> bool:
    bare = BULLET.sub("", line).strip().rstrip(".:!").strip().lower()
    if bare in FURNITURE:
        return True
    if TIMESTAMP.match(bare) or NUMBER_ONLY.match(bare):
        return True
    if len(line.split()) <= 40 and SUBSCRIBE.search(line):
        return True
    return bool(CAPTION.search(line))


def _is_headline_like(line: str) -> bool:
    """A line with no sentence-final punctuation and few words: headline, kicker, teaser link or summary bullet."""
    return not line.rstrip().endswith(SENTENCE_END) and len(line.split()) <= HEADLINE_MAX_WORDS


def _split_header_and_body(text: str) -> _Header:
    head = _Header()
    m = LEADING_DATE.match(text)
    if m:
        head.published = parse_absolute_date(m["date"])
        head.date_source = "header" if head.published else "none"
        text = text[m.end() :]
    paragraph: list[str] = []
    headline_like: list[str] = []
    body_started = False
    for raw_line in text.split("\n"):
        line = " ".join(raw_line.replace("\u00a0", " ").split())
        if not line:
            if paragraph:
                head.paragraphs.append(paragraph)
                paragraph = []
            continue
        header_date = HEADER_DATE_LINE.match(line)
        if header_date and len(line.split()) <= 12:
            found = parse_absolute_date(header_date["value"])
            if found is not None:
                if head.published is None and header_date["key"].lower() != "updated":
                    head.published, head.date_source = found, "header"
                head.removed += 1
                continue
        outlet = _outlet_in(line)
        if outlet is not None:
            head.outlet = head.outlet or outlet
            head.removed += 1
            continue
        if _is_furniture(line) or (not body_started and BYLINE.match(line) and len(line.split()) <= 8):
            head.removed += 1
            continue
        if _is_headline_like(line):
            if not body_started and head.title is None and len(line.split()) >= TITLE_MIN_WORDS:
                head.title = BULLET.sub("", line)
            head.removed += 1
            headline_like.append(BULLET.sub("", line))
            continue
        body_started = True
        paragraph.append(line)
    if paragraph:
        head.paragraphs.append(paragraph)
    if not head.paragraphs and headline_like:
        # Nothing reads like running text: a one-line record or a headline-only item. Its lines are the news.
        head.paragraphs = [[line] for line in headline_like]
        head.removed -= len(headline_like)
        head.title = None
    return head


def clean_document(doc: RawDocument, *, max_chars: int, run_date: dt.date | None = None) -> Article:
    """Clean one document; raise RecordRejected when nothing codable is left. An article that states no publication
    date takes its file's date, else `run_date`, and says so in `date_source`."""
    text = doc.text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > max_chars:
        raise RecordRejected(
            "clean",
            doc.uri,
            f"article has {len(text)} characters, over max_article_chars={max_chars}",
            text[:2000],
        )
    head = _split_header_and_body(text)
    body = "\n\n".join("\n".join(lines) for lines in head.paragraphs)
    if not body.strip():
        raise RecordRejected("clean", doc.uri, "no body text left after removing boilerplate", text[:2000])
    published, date_source = head.published, head.date_source
    if doc.published:
        field_date = parse_absolute_date(doc.published)
        if field_date is None:
            raise RecordRejected("clean", doc.uri, f"`published` {doc.published!r} is not a date", doc.published)
        published, date_source = field_date, "field"
    if published is None and doc.file_date:
        published, date_source = dt.date.fromisoformat(doc.file_date), "file"
    if published is None and run_date is not None:
        published, date_source = run_date, "run"
    return Article(
        article_id=article_id_for(body),
        uri=doc.uri,
        outlet=doc.outlet or head.outlet,
        url=doc.url,
        title=doc.title or head.title,
        published_date=published,
        date_source=date_source,
        text=body,
        removed_lines=head.removed,
    )

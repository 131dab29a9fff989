"""Real pages, feeds and web archives for the source tests, and a web site the test serves itself on 127.0.0.1."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

# Two short news stories with events the coder finds (a meeting, an attack), as the seed articles have.
TALKS = [
    "Japanese Foreign Minister Yoko Kamikawa met her Chinese counterpart Wang Yi in Tokyo on Tuesday, and the two "
    "agreed to resume high-level economic talks that have been frozen since 2019.",
    "The ministers also discussed the release of treated water from the Fukushima plant, a Japanese official told "
    "reporters after the meeting, which lasted nearly three hours.",
]
STRIKE = [
    "Israeli warplanes struck a refugee camp in the central Gaza Strip on Sunday, killing at least 12 people, "
    "Palestinian health officials said.",
    "Hamas condemned the air strike and accused Israel of targeting civilians, while the Israeli military said it "
    "had hit a militant command post.",
]
NAV = (
    '<header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li></ul></nav></header>'
    '<div class="ad-slot">Advertisement: Buy the new Pixelphone today at our partner store.</div>'
)
FOOTER = "<footer><p>© 2023 Daily Planet Media Group. All rights reserved.</p></footer>"


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    published: str | None = None,
    site_name: str | None = "Daily Planet",
    canonical: str | None = None,
    charset: str = "utf-8",
) -> str:
    head = f'<meta charset="{charset}"><title>{escape(title)}</title>'
    if published:
        head += f'<meta property="article:published_time" content="{published}">'
    if site_name:
        head += f'<meta property="og:site_name" content="{escape(site_name)}">'
    if canonical:
        head += f'<link rel="canonical" href="{escape(canonical)}">'
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang='en'><head>{head}</head><body>{NAV}<main><article><h1>{escape(title)}</h1>"
        f"{body}</article></main>{FOOTER}</body></html>"
    )


@dataclass
class Item:
    """One feed entry, written as RSS 2.0 or Atom."""

    title: str
    link: str | None
    published: str | None = None  # RSS pubDate / Atom <published>, verbatim
    updated: str | None = None  # Atom <updated>
    content_html: str | None = None  # RSS content:encoded / Atom <content type="html">
    summary: str | None = None


def rss(title: str, items: list[Item]) -> bytes:
    parts = []
    for item in items:
        xml = f"<item><title>{escape(item.title)}</title>"
        xml += f"<link>{escape(item.link)}</link>" if item.link else ""
        xml += f"<pubDate>{item.published}</pubDate>" if item.published else ""
        xml += f"<description>{escape(item.summary)}</description>" if item.summary else ""
        xml += f"<content:encoded><![CDATA[{item.content_html}]]></content:encoded>" if item.content_html else ""
        parts.append(xml + "</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>http://127.0.0.1/</link><description>news</description>"
        + "".join(parts)
        + "</channel></rss>"
    ).encode()


def atom(title: str, items: list[Item]) -> bytes:
    parts = []
    for n, item in enumerate(items):
        xml = f"<entry><id>urn:entry:{n}</id><title>{escape(item.title)}</title>"
        xml += f'<link href="{escape(item.link)}"/>' if item.link else ""
        xml += f"<published>{item.published}</published>" if item.published else ""
        xml += f"<updated>{item.updated}</updated>" if item.updated else ""
        xml += f'<content type="html">{escape(item.content_html)}</content>' if item.content_html else ""
        parts.append(xml + "</entry>")
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:feed</id><updated>2024-02-15T00:00:00Z</updated>"
        + "".join(parts)
        + "</feed>"
    ).encode()


@dataclass
class Response:
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Site:
    """What the test server answers: path -> Response (404 for anything else), and the paths it was asked for."""

    base: str = ""
    pages: dict[str, Response] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def add(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = Response(status, content_type, data, headers or {}, delay)
        return self.url(path)


@contextlib.contextmanager
def serve(site: Site) -> Iterator[Site]:
    """Serve `site` on 127.0.0.1 (a free port) in a thread for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            site.hits.append(self.path)
            response = site.pages.get(self.path)
            if response is None:
                self.send_error(404, "Not Found")
                return
            if response.delay:
                time.sleep(response.delay)
            self.send_response(response.status)
            if response.content_type:
                self.send_header("Content-Type", response.content_type)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Capture:
    """One record to archive: an HTTP response (or another WARC record type) for a URL."""

    url: str
    body: bytes
    content_type: str | None = "text/html; charset=utf-8"
    status: str = "200 OK"
    record_type: str = "response"
    date: str = "2024-03-01T12:00:00Z"


def write_warc(path: Path, captures: list[Capture], *, gzip: bool | None = None) -> bytes:
    """A real WARC file written by warcio (gzipped per record for .warc.gz), with a warcinfo record and a request
    record before each response, as a crawler writes them. Returns its bytes."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=path.name.endswith(".gz") if gzip is None else gzip)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "eventcoder tests"}))
    for capture in captures:
        headers = {"WARC-Date": capture.date}
        if capture.record_type == "response":
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
            writer.write_record(
                writer.create_warc_record(
                    capture.url, "request", http_headers=request, warc_headers_dict=headers, payload=io.BytesIO(b"")
                )
            )
            http = [("Content-Type", capture.content_type)] if capture.content_type else []
            record = writer.create_warc_record(
                capture.url,
                "response",
                payload=io.BytesIO(capture.body),
                http_headers=StatusAndHeaders(capture.status, http, protocol="HTTP/1.1"),
                warc_headers_dict=headers,
            )
        else:
            record = writer.create_warc_record(
                capture.url,
                capture.record_type,
                payload=io.BytesIO(capture.body),
                warc_content_type=capture.content_type or "",
                warc_headers_dict=headers,
            )
        writer.write_record(record)
    data = buffer.getvalue()
    path.write_bytes(data)
    return data

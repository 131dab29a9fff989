"""Fetching a feed or an article page over HTTP, behind a one-method interface so tests can pass a fake.

The only network code in eventcoder. Every request has a timeout (for the whole download, not only per socket
read) and a byte cap, only http and https URLs are fetched (also after a redirect), and every failure is a
FetchError with a reason fit for a `rejects` row.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from typing import IO, Protocol

from schema.errors import FetchError

DEFAULT_TIMEOUT_SECONDS = 20.0
# trafilatura's own cap on a downloaded page; a feed or a news page is far smaller.
DEFAULT_MAX_BYTES = 20 * 1000 * 1000
CHUNK_BYTES = 64 * 1024
USER_AGENT = "eventcoder (political event coder)"
WEB_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class Fetched:
    """A successful (2xx) response: the URL it finally came from (after redirects), its media type and charset."""

    url: str
    body: bytes
    content_type: str = ""
    charset: str | None = None


class Fetcher(Protocol):
    def fetch(self, url: str) -> Fetched:
        """The response to a GET of `url`; raises FetchError when there is none to use."""
        ...


def is_web_url(value: str) -> bool:
    return urllib.parse.urlsplit(value.strip()).scheme.lower() in WEB_SCHEMES


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """urllib follows a redirect to ftp:; a feed must not make us read anything but web pages."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        if not is_web_url(newurl):
            raise FetchError(req.full_url, f"redirected to {newurl!r}, which is not an http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class UrlFetcher:
    """GET over urllib (proxies from the environment, as any urllib client)."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT_SECONDS, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._opener = urllib.request.build_opener(_WebOnlyRedirects())

    def fetch(self, url: str) -> Fetched:
        if not is_web_url(url):
            raise FetchError(url, "not an http(s) URL")
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        deadline = time.monotonic() + self.timeout
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = self._read(url, response, deadline)
                headers = response.headers
                return Fetched(
                    url=response.geturl(),
                    body=body,
                    content_type=headers.get_content_type() if headers.get("Content-Type") else "",
                    charset=headers.get_content_charset(),
                )
        except urllib.error.HTTPError as exc:
            raise FetchError(url, f"HTTP error {exc.code} ({exc.reason})") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise FetchError(url, f"timed out after {self.timeout:g} s") from None
            raise FetchError(url, f"network error ({reason})") from None
        except TimeoutError:
            raise FetchError(url, f"timed out after {self.timeout:g} s") from None
        # A server that breaks the protocol or drops the connection mid-body; a URL urllib cannot even parse.
        except (http.client.HTTPException, OSError, ValueError) as exc:
            raise FetchError(url, f"network error ({type(exc).__name__}: {exc})") from None

    def _read(self, url: str, response: IO[bytes], deadline: float) -> bytes:
        """The body, in chunks, so that a server dripping bytes cannot hold the run past the timeout and a huge
        body is cut off at the cap instead of read into memory."""
        chunks: list[bytes] = []
        size = 0
        # read1: whatever one socket read brings, where read(n) would wait for all n bytes of a slow server.
        read = getattr(response, "read1", response.read)
        while chunk := read(CHUNK_BYTES):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, f"response is over the {self.max_bytes} byte limit")
            if time.monotonic() > deadline:
                raise FetchError(url, f"timed out after {self.timeout:g} s")
            chunks.append(chunk)
        return b"".join(chunks)

"""Our own HTTP client for feeds and pages: timeouts, a byte cap, http(s) only, honest User-Agent."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urljoin

from articles.sanitize import safe_url

USER_AGENT = "newsdesk/0.1 (terminal news reader; +https://pypi.org/project/newsdesk/)"


class FetchError(Exception):
    """A fetch that did not produce a usable body; the message says why, for the user.
    `status` is the HTTP status when the server answered with an error (410: gone for good)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits for one fetch; the config file can change them."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a fetch brought back."""

    url: str
    content: bytes
    content_type: str
    status: int
    etag: str | None = None
    last_modified: str | None = None
    permanent_redirect: str | None = None


def fetch(
    url: str,
    settings: FetchSettings | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """GET an http(s) url, following redirects only to http(s), within the settings' limits."""
    import httpx  # imported here: only imports that touch the network pay for it

    settings = settings or FetchSettings()
    current = safe_url(url)
    if current is None:
        raise FetchError("only http:// and https:// urls can be fetched")
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
        "application/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(
        connect=settings.connect_timeout,
        read=settings.read_timeout,
        write=settings.read_timeout,
        pool=settings.connect_timeout,
    )
    deadline = time.monotonic() + settings.total_timeout
    permanent: str | None = None
    all_permanent = True
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=True, headers=headers) as client:
            for _hop in range(settings.max_redirects + 1):
                with client.stream("GET", current) as response:
                    if response.has_redirect_location:  # is_redirect is any 3xx, 304 too
                        target = safe_url(urljoin(current, response.headers.get("location", "")))
                        if target is None:
                            raise FetchError(f"redirect to a non-http(s) location refused ({current})")
                        all_permanent = all_permanent and response.status_code in (301, 308)
                        if all_permanent:
                            permanent = target
                        current = target
                        continue
                    if response.status_code == 304:
                        return Fetched(current, b"", "", 304, etag, last_modified, permanent)
                    if response.status_code >= 400:
                        raise FetchError(
                            f"HTTP {response.status_code} {response.reason_phrase}".strip(), response.status_code
                        )
                    declared = response.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > settings.max_bytes:
                        raise FetchError(f"larger than the {_mb(settings.max_bytes)} limit")
                    body = _read_capped(response, settings.max_bytes, deadline)
                    return Fetched(
                        url=current,
                        content=body,
                        content_type=response.headers.get("content-type", ""),
                        status=response.status_code,
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                        permanent_redirect=permanent,
                    )
            raise FetchError(f"more than {settings.max_redirects} redirects")
    except httpx.TimeoutException as exc:
        raise FetchError(f"timed out ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"network error: {exc}") from exc


def _read_capped(response: object, max_bytes: int, deadline: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():  # type: ignore[attr-defined]
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"larger than the {_mb(max_bytes)} limit")
        if time.monotonic() > deadline:
            raise FetchError("took longer than the total time limit")
        chunks.append(chunk)
    raw = b"".join(chunks)
    encoding = response.headers.get("content-encoding", "").lower()  # type: ignore[attr-defined]
    if encoding in ("gzip", "deflate", "br"):
        raw = _decompress_capped(raw, encoding, max_bytes)
    return raw


def _decompress_capped(raw: bytes, encoding: str, max_bytes: int) -> bytes:
    """Decompress without letting a small bomb expand past the byte cap."""
    import zlib

    if encoding == "br":
        raise FetchError("brotli-compressed responses are not supported")
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    decompressor = zlib.decompressobj(wbits)
    try:
        out = decompressor.decompress(raw, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(f"bad {encoding} data: {exc}") from exc
    if len(out) > max_bytes or decompressor.unconsumed_tail:
        raise FetchError(f"larger than the {_mb(max_bytes)} limit once decompressed")
    return out


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"

"""Our own HTTP client for feeds and pages: timeouts, a byte cap, http(s) only, honest User-Agent.

Every fetch (import, refresh, a teaser feed's pages) goes through `fetch`; a `file://` url the
user gave (`newsdesk import file:///path/feed.xml`, a subscription made so) is read by
`fetch_file`, and nothing a server sends (a redirect) leads to one.  Its total time
limit covers the whole exchange, connecting, the status line and headers included: httpx's
timeouts are per operation (a server sending a byte a second never trips them), so a watchdog
thread shuts the exchange's sockets down at the deadline, which ends a read blocked anywhere,
and each operation's own timeout is cut to the time that is left.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from articles.sanitize import clean_line, safe_url

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
    deadline = time.monotonic() + settings.total_timeout
    watchdog = _Watchdog(settings.total_timeout)
    permanent: str | None = None
    all_permanent = True
    try:
        with httpx.Client(follow_redirects=False, trust_env=True, headers=headers) as client:
            for _hop in range(settings.max_redirects + 1):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise FetchError(_too_long(settings))
                timeout = httpx.Timeout(
                    connect=min(settings.connect_timeout, left),
                    read=min(settings.read_timeout, left),
                    write=min(settings.read_timeout, left),
                    pool=min(settings.connect_timeout, left),
                )
                extensions = {"trace": watchdog.trace}
                with client.stream("GET", current, timeout=timeout, extensions=extensions) as response:
                    if response.has_redirect_location:  # is_redirect is any 3xx, 304 too
                        location = urljoin(current, response.headers.get("location", ""))
                        target = safe_url(location)
                        if target is None:
                            raise FetchError(refused_location(location, f"a redirect from {current}"))
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
                    body = _read_capped(response, settings, deadline, watchdog)
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
    except (httpx.HTTPError, OSError) as exc:
        # A read the watchdog ended, or an operation whose timeout was the time left, fails
        # in whichever way the socket does: the time limit is the reason.
        if watchdog.expired or time.monotonic() >= deadline:
            raise FetchError(_too_long(settings)) from exc
        if isinstance(exc, httpx.TimeoutException):
            raise FetchError(f"timed out ({type(exc).__name__})") from exc
        if isinstance(exc, httpx.HTTPError):
            raise FetchError(f"network error: {exc}") from exc
        raise
    finally:
        watchdog.stop()


def is_file_url(url: object) -> bool:
    """True for a `file:` url (any case, with or without `//`)."""
    return isinstance(url, str) and url.strip().lower().startswith("file:")


def refused_location(url: str, where: str) -> str:
    """Why a url found in `where` (a redirect, an OPML file, a feed) is not followed, naming it."""
    shown = clean_line(url)[:200]
    if is_file_url(url):
        return f"{shown} refused ({where}): a file:// url is read only when you give it to newsdesk import yourself"
    return f"{shown} refused ({where}): only http:// and https:// urls are followed"


def file_url_path(url: str) -> str:
    """The local path a `file://` url names (FetchError when it names none on this machine)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
        raise FetchError("not a file url of this machine (file:///absolute/path)")
    return unquote(parts.path)


def file_url(path: str) -> str:
    """The canonical `file://` url of a local path (absolute, percent-encoded)."""
    from pathlib import Path

    return Path(os.path.abspath(path)).as_uri()


def fetch_file(url: str, max_bytes: int) -> Fetched:
    """Read a local file named by a `file://` url, as `fetch` reads an http(s) one: a regular
    file only (a FIFO or a device would block or never end), refused above `max_bytes`.  Its
    modification time and size stand for the ETag, so that a refresh of an unchanged file is
    "unchanged"."""
    import stat
    from email.utils import formatdate

    path = file_url_path(url)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise FetchError(f"cannot read {clean_line(path)}: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a folder (a plain path imports a folder)" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise FetchError(f"{clean_line(path)} is {kind}")
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > max_bytes:
            raise FetchError(f"{clean_line(path)} is larger than the {_mb(max_bytes)} limit ([import] max_file_bytes)")
        content = handle.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise FetchError(f"{clean_line(path)} is larger than the {_mb(max_bytes)} limit ([import] max_file_bytes)")
    return Fetched(
        url=file_url(path),
        content=content,
        content_type="",
        status=200,
        etag=f'"file-{info.st_mtime_ns}-{info.st_size}"',
        last_modified=formatdate(info.st_mtime, usegmt=True),
    )


def _too_long(settings: FetchSettings) -> str:
    return f"took longer than the total time limit of {settings.total_timeout:g} s ([fetch] total_timeout)"


class _Watchdog:
    """Shuts down every socket of one fetch when its total time is up.

    httpcore reports each connection it opens (and each TLS layer over one) through the
    request's `trace` extension; the socket is taken from there.  shutdown(), not close(): a
    close from another thread does not wake a thread blocked reading the socket, a shutdown
    does (the read sees the end of the stream).  A connection opened after the deadline is shut
    down at once."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._done = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        stream: Any = info.get("return_value")  # an httpcore network stream, or nothing
        if not event.endswith(".complete") or not hasattr(stream, "get_extra_info"):
            return
        sock = stream.get_extra_info("socket")
        if not isinstance(sock, socket.socket):
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut_down(sock)

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut_down(sock)

    def stop(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()


def _shut_down(sock: socket.socket) -> None:
    """The plain socket's shutdown, also under TLS: ssl.SSLSocket.shutdown would drop its
    SSL object under the reading thread's feet."""
    try:
        socket.socket.shutdown(sock, socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


def _read_capped(response: object, settings: FetchSettings, deadline: float, watchdog: _Watchdog) -> bytes:
    max_bytes = settings.max_bytes
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_raw():  # type: ignore[attr-defined]
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"larger than the {_mb(max_bytes)} limit")
        if time.monotonic() > deadline:
            raise FetchError(_too_long(settings))
        chunks.append(chunk)
    if watchdog.expired:  # a body that ends at the connection's end looks whole once shut down
        raise FetchError(_too_long(settings))
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

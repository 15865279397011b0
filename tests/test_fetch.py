"""The HTTP client against a loopback server: limits, redirects, proxies, feed and page urls."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from articles.importers import ImportOptions, Problem, Subscription, read_source
from articles.importers.fetch import FetchError, FetchSettings, fetch
from articles.model import Article

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback News</title><link>http://127.0.0.1/</link>
<item><title>Bridge reopens</title><link>http://127.0.0.1/bridge</link><guid>bridge-1</guid>
<description>&lt;p&gt;The bridge reopened on Monday.&lt;/p&gt;</description>
<pubDate>Wed, 05 Jun 2024 09:00:00 GMT</pubDate></item>
<item><title>Evil link</title><link>javascript:alert(1)</link><description>x</description></item>
</channel></rss>"""
PAGE = (
    b"<html><head><title>Harbour report</title></head><body><article><h1>Harbour report</h1>"
    + b"".join(b"<p>The harbour authority reported record cargo volumes in paragraph %d.</p>" % i for i in range(6))
    + b"</article></body></html>"
)


class Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Handler.seen.append((self.path, self.headers.get("User-Agent", "")))
        path = self.path.split("://", 1)[-1].split("/", 1)[-1]
        path = "/" + path
        if path == "/feed.xml":
            self._send(200, FEED, "application/rss+xml")
        elif path == "/page.html":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif path == "/moved":
            self._redirect(301, "/feed.xml")
        elif path == "/to-file":
            self._redirect(302, "file:///etc/passwd")
        elif path == "/loop":
            self._redirect(302, "/loop")
        elif path == "/missing":
            self._send(404, b"nope", "text/plain")
        elif path == "/big":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            try:
                for _ in range(64):
                    self.wfile.write(b"<!-- padding -->" * 4096)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/gzip-bomb":
            self._send(200, gzip.compress(b"<" + b" " * (8 * 1024 * 1024)), "application/xml", encoding="gzip")
        elif path == "/gzip-feed":
            self._send(200, gzip.compress(FEED), "application/xml", encoding="gzip")
        elif path == "/silent":
            time.sleep(3)
            self._send(200, FEED, "application/xml")
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.1)
            except (BrokenPipeError, ConnectionResetError):
                pass
        else:
            self._send(404, b"", "text/plain")

    def _send(self, status: int, body: bytes, kind: str, encoding: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.seen = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


QUICK = FetchSettings(connect_timeout=2, read_timeout=1, total_timeout=2, max_bytes=256 * 1024)


def test_fetch_sends_user_agent_and_follows_http_redirects(server: str) -> None:
    got = fetch(f"{server}/moved", QUICK)
    assert got.content == FEED
    assert got.permanent_redirect == f"{server}/feed.xml"
    assert all(ua.startswith("newsdesk/") for _, ua in Handler.seen)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/to-file", r"^file:///etc/passwd refused \(a redirect from http://127.0.0.1:\d+/to-file\): a file:// url"),
        ("/loop", "redirects"),
        ("/missing", "HTTP 404"),
        ("/big", r"^larger than the [\d.]+ MB limit$"),  # not the time limit, not once decompressed
        ("/gzip-bomb", "decompressed"),
        ("/silent", "timed out"),
        ("/trickle", "time limit"),
    ],
)
def test_fetch_refuses(server: str, path: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=message):
        fetch(f"{server}{path}", QUICK)
    assert time.monotonic() - started < 20  # hang guard: the limits are 1-2 s


def test_fetch_decompresses_gzip(server: str) -> None:
    assert fetch(f"{server}/gzip-feed", QUICK).content == FEED


def test_only_http_urls() -> None:
    with pytest.raises(FetchError):
        fetch("ftp://127.0.0.1/feed.xml", QUICK)


def test_standard_proxy_variables_are_used(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", server)
    monkeypatch.setenv("NO_PROXY", "")
    got = fetch("http://feeds.invalid/feed.xml", QUICK)
    assert got.content == FEED
    assert Handler.seen[-1][0] == "http://feeds.invalid/feed.xml"  # the proxy saw the absolute url


def test_import_feed_url_subscribes_and_drops_unsafe_links(server: str) -> None:
    items = list(read_source(f"{server}/feed.xml", ImportOptions(fetch=QUICK)))
    subs = [i for i in items if isinstance(i, Subscription)]
    articles = [i for i in items if isinstance(i, Article)]
    assert [s.url for s in subs] == [f"{server}/feed.xml"]
    assert [a.title for a in articles] == ["Bridge reopens", "Evil link"]
    assert articles[0].body == "The bridge reopened on Monday."
    assert articles[0].feed == f"{server}/feed.xml"
    assert articles[0].source == "Loopback News"
    assert articles[1].url is None  # javascript: is never stored


def test_import_page_url(server: str) -> None:
    (article,) = [i for i in read_source(f"{server}/page.html", ImportOptions(fetch=QUICK)) if isinstance(i, Article)]
    assert article.title == "Harbour report"
    assert "record cargo volumes in paragraph 5" in article.body
    assert article.url == f"{server}/page.html"


def test_opml_feeds_are_fetched(server: str, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        f'<opml version="1.0"><body><outline text="Loop" xmlUrl="{server}/feed.xml"/>'
        f'<outline text="Gone" xmlUrl="{server}/missing"/></body></opml>'
    )
    items = list(read_source(str(opml), ImportOptions(fetch=QUICK)))
    assert [i.url for i in items if isinstance(i, Subscription)] == [f"{server}/feed.xml", f"{server}/missing"]
    assert len([i for i in items if isinstance(i, Article)]) == 2
    failures = [i for i in items if isinstance(i, Problem) and i.fatal]
    assert len(failures) == 1 and "404" in failures[0].reason

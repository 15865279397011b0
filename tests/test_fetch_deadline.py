"""The fetch's total time limit covers the whole exchange (issue 15, item 5): a loopback server
that sends its status line and headers a byte at a time is cut off at [fetch] total_timeout,
not after the whole response, in `import URL`, `refresh` and a teaser feed's full-text fetch,
which all go through the one fetch function."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from articles.importers import ImportOptions
from articles.importers.fetch import FetchError, FetchSettings, fetch
from articles.importers.refresh import with_full_text
from articles.model import Article
from tui.cli import main

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Loopback News</title><link>http://127.0.0.1/</link>
<item><title>Bridge reopens</title><link>http://127.0.0.1/bridge</link><guid>bridge-1</guid>
<description>The bridge reopened on Monday.</description>
<pubDate>Wed, 05 Jun 2024 09:00:00 GMT</pubDate></item>
</channel></rss>"""
PACE = 0.2  # seconds between two dribbled bytes
PADDING = 150  # header bytes: dribbled, the headers alone take 30 s
LIMITS = FetchSettings(connect_timeout=5, read_timeout=5, total_timeout=1)
HANG_GUARD = 10.0  # seconds: a generous multiple of the 1 s limit, a third of the dribble


class Server:
    """A loopback HTTP server on a plain socket.  `mode` says how it answers: "fast" (the feed
    at once), "headers" (status line and headers a byte every PACE seconds, then the feed),
    "silent-body" (the headers at once, then nothing for longer than the limits) or
    "close-body" (a body without a length, which ends where the connection does, a byte every
    PACE seconds: cut off, it must not pass for a whole one)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(PACE)
        self.tls = tls
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.listener.getsockname()[1]}"
        self.mode = "fast"
        self.stop = threading.Event()
        self.hung_up = threading.Event()  # a client went away while being answered slowly
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn, self.mode), daemon=True).start()

    def _answer(self, conn: socket.socket, mode: str) -> None:
        if self.tls is not None:
            try:
                conn = self.tls.wrap_socket(conn, server_side=True)
            except OSError:
                return
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                got = conn.recv(4096)
                if not got:
                    return
                request += got
            head = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                + b"X-Padding: "
                + b"p" * PADDING
                + b"\r\nContent-Length: %d\r\n\r\n" % len(FEED)
            )
            unsized = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n"
            # (sent at once, sent a byte every PACE seconds, sent at once after that)
            parts = {
                "fast": (head + FEED, b"", b""),
                "headers": (b"", head, FEED),
                "close-body": (unsized, FEED + b"<!-- " + b"p" * PADDING + b" -->", b""),
            }
            try:
                if mode in parts:
                    at_once, dribbled, rest = parts[mode]
                    conn.sendall(at_once)
                    for i in range(len(dribbled)):
                        conn.sendall(dribbled[i : i + 1])  # fails once the client has hung up
                        if self.stop.wait(PACE):
                            return
                    conn.sendall(rest)
                    return
                # silent-body: a first byte of the body, then nothing for 30 s, unless the
                # client hangs up first (the read sees the end of its stream).
                conn.sendall(head + FEED[:1])
                conn.settimeout(30)
                if conn.recv(1) != b"":
                    return
            except TimeoutError:
                return
            except OSError:
                pass
            self.hung_up.set()

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


def cut_off(server: Server, started: float) -> None:
    """The fetch ended within the hang guard, and it closed its connection (the server's
    dribbling send failed, or the client hung up on it)."""
    assert time.monotonic() - started < HANG_GUARD
    assert server.hung_up.wait(HANG_GUARD)


@pytest.mark.parametrize("mode", ["headers", "silent-body", "close-body"])
def test_the_total_time_limit_covers_headers_and_a_silent_body(server: Server, mode: str) -> None:
    """read_timeout is 5 s and a byte comes every 0.2 s: only the total limit (1 s) can end it."""
    server.mode = mode
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than the total time limit of 1 s \(\[fetch\] total_timeout\)"):
        fetch(f"{server.url}/feed.xml", LIMITS)
    assert time.monotonic() - started >= 0.9  # the limit, not an error of its own
    cut_off(server, started)


@pytest.fixture
def tls_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    """The same server behind TLS, with a certificate for 127.0.0.1 that the client trusts
    (SSL_CERT_FILE): the watchdog must end a read blocked inside the TLS layer too."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed here: it makes the test's certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert)),
            *("-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    running = Server(context)
    yield running
    running.close()


@pytest.mark.parametrize("mode", ["fast", "headers", "silent-body"])
def test_the_total_time_limit_holds_over_tls(tls_server: Server, mode: str) -> None:
    tls_server.mode = mode
    started = time.monotonic()
    if mode == "fast":
        assert fetch(f"{tls_server.url}/feed.xml", LIMITS).content == FEED  # the certificate is trusted
        return
    with pytest.raises(FetchError, match=r"took longer than the total time limit of 1 s"):
        fetch(f"{tls_server.url}/feed.xml", LIMITS)
    cut_off(tls_server, started)


def test_a_fast_server_is_fetched_within_the_same_limits(server: Server) -> None:
    got = fetch(f"{server.url}/feed.xml", LIMITS)
    assert got.content == FEED and got.status == 200


@pytest.fixture
def quick_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "limits.toml"
    config.write_text("[fetch]\nconnect_timeout = 5\nread_timeout = 5\ntotal_timeout = 1\n", encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))


def run(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--store", str(store), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_of_a_url_stops_at_the_time_limit(
    server: Server, quick_config: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.mode = "headers"
    started = time.monotonic()
    code, out, err = run(capsys, tmp_path / "store", "import", "--no-entities", "--json", f"{server.url}/feed.xml")
    cut_off(server, started)
    assert code != 0 and json.loads(out)["failed"] == 1 and json.loads(out)["imported"] == 0
    assert "took longer than the total time limit of 1 s" in err and "Traceback" not in err


def test_refresh_stops_at_the_time_limit(
    server: Server, quick_config: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    code, _out, err = run(capsys, store, "import", "--no-entities", f"{server.url}/feed.xml")
    assert code == 0, err
    server.mode = "headers"
    started = time.monotonic()
    code, out, err = run(capsys, store, "refresh", "--json", "--no-entities")
    cut_off(server, started)
    summary = json.loads(out)
    assert summary["feeds"] == 1 and summary["failed"] == 1 and summary["imported"] == 0, summary
    code, out, _err = run(capsys, store, "feeds", "--json")
    (feed,) = json.loads(out)
    assert "took longer than the total time limit of 1 s" in feed["error"]


def test_a_teaser_feeds_page_fetch_stops_at_the_time_limit(server: Server) -> None:
    server.mode = "headers"
    teaser = Article.create(title="Bridge reopens", body="Short.", url=f"{server.url}/bridge")
    started = time.monotonic()
    article, reason = with_full_text(teaser, ImportOptions(fetch=LIMITS))
    cut_off(server, started)
    assert article == teaser and "took longer than the total time limit of 1 s" in reason

"""`newsdesk serve`: the reader in a browser, loopback only, and nothing without the token —
not the page, not its assets, not the websocket that drives the reader.  With the token a
websocket client (standing in for the browser) gets the real reader's screen."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import REPO
from store import NewsStore
from tui.serve import check_token

pytest.importorskip("textual_serve", reason="textual-serve (the serve extra) is not installed")
aiohttp = pytest.importorskip("aiohttp")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(store: NewsStore) -> Iterator[tuple[int, str]]:
    store.add_articles([Article.create(title="Served story", body="Body.", url="https://serve.example/1")])
    port = free_port()
    env = {**os.environ, "NEWSDESK_CONFIG": "/nonexistent.toml"}
    env.pop("NEWSDESK_HEADLESS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "--store", str(store.root), "serve", "--port", str(port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([A-Za-z0-9_-]+)", line)
        assert match and int(match.group(1)) == port, (line, proc.stderr.read() if proc.poll() is not None else "")
        deadline = time.monotonic() + 30
        while True:  # the address is printed before the server listens: wait for it (hang guard)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "serve did not start listening"
                time.sleep(0.05)
        yield port, match.group(2)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def get(url: str, cookie: str | None = None) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_the_token_is_checked_in_constant_time_both_ways() -> None:
    assert check_token("abc", "abc", None) and check_token("abc", None, "abc")
    assert not check_token("abc", "abd", None) and not check_token("abc", None, None)
    assert not check_token("abc", "", "ab")


def test_nothing_is_served_without_the_token(served: tuple[int, str]) -> None:
    port, token = served
    base = f"http://127.0.0.1:{port}"
    assert get(f"{base}/")[0] == 403
    assert get(f"{base}/?token=wrong")[0] == 403
    assert get(f"{base}/static/js/textual.js")[0] == 403
    assert get(f"{base}/", cookie="newsdesk_token=wrong")[0] == 403
    status, headers = get(f"{base}/?token={token}")
    assert status == 200
    cookie = headers.get("Set-Cookie", "")
    assert f"newsdesk_token={token}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert get(f"{base}/static/js/textual.js", cookie=f"newsdesk_token={token}")[0] == 200  # the page needs it


def test_the_websocket_drives_the_real_reader_only_with_the_token(served: tuple[int, str], store: NewsStore) -> None:
    """Without the token the handshake is refused; with it the client sees the reader's screen,
    its keys reach the reader (`s` stars the article, in the store) and `q` ends the reader,
    which closes the websocket."""
    port, token = served
    (story,) = store.list()

    async def session() -> bytes:
        async with aiohttp.ClientSession() as client:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30")
            assert refused.value.status == 403
            headers = {"Cookie": f"newsdesk_token={token}"}
            async with client.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30", headers=headers) as ws:
                seen = b""
                deadline = time.monotonic() + 60
                while b"Served story" not in seen:
                    assert time.monotonic() < deadline, seen[-2000:]
                    message = await ws.receive(timeout=60)
                    if message.type == aiohttp.WSMsgType.BINARY:
                        seen += message.data
                    elif message.type == aiohttp.WSMsgType.TEXT:
                        seen += message.data.encode()
                    else:
                        raise AssertionError(f"websocket ended: {message!r}; got {seen[-2000:]!r}")
                await ws.send_str('["stdin", "s"]')
                while not store.get(story.id).state.starred:  # type: ignore[union-attr]
                    assert time.monotonic() < deadline, "the reader did not star the article"
                    await asyncio.sleep(0.05)  # a poll with a hang guard, not a pace
                await ws.send_str('["stdin", "q"]')
                while True:  # what follows is the rest of the screen, then the close `q` caused
                    left = deadline - time.monotonic()
                    assert left > 0, "the reader did not quit on q"
                    try:  # (receive's own timeout does not fire here: a hang guard of our own)
                        message = await asyncio.wait_for(ws.receive(), timeout=left)
                    except TimeoutError:
                        raise AssertionError("the reader did not quit on q") from None
                    if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                        break
                    assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
                assert ws.closed
                return seen

    seen = asyncio.run(session())
    assert b"Served story" in seen and b"newsdesk" in seen
    assert store.get(story.id).state.starred  # type: ignore[union-attr]


def test_serve_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    code = (
        "import sys, builtins\n"
        "real = builtins.__import__\n"
        "def fake(name, *a, **k):\n"
        "    if name.startswith('textual_serve'): raise ImportError(name)\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = fake\n"
        "from tui.cli import main\n"
        f"sys.exit(main(['--store', {str(tmp_path / 's')!r}, 'serve']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "newsdesk[serve]" in done.stderr

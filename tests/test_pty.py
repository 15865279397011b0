"""The real reader in a pseudo-terminal: a hung-up SSH session (the pty closed under it) ends
it through its handler, with the change it showed already on disk."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import REPO
from store import NewsStore

pty = pytest.importorskip("pty")


def spawn_reader(root: Path, size: tuple[int, int] = (40, 120)) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal
        import fcntl
        import struct
        import termios

        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "NEWSDESK_STORE": str(root)}
        env.pop("NEWSDESK_HEADLESS", None)
        os.chdir(REPO)
        os.execve(sys.executable, [sys.executable, "-m", "tui.cli"], env)
    return pid, fd


class Screen:
    """What the reader wrote to the terminal, read as it comes (so it never blocks on output)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = b""
        self.closed = False

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.fd)  # for the reader: the SSH connection drops, and the kernel sends SIGHUP

    def pump(self, seconds: float = 0.05) -> None:
        if self.closed:
            time.sleep(seconds)  # only waiting for the child to exit: nothing to read
            return
        ready, _, _ = select.select([self.fd], [], [], seconds)
        if ready:
            with contextlib.suppress(OSError):
                self.data += os.read(self.fd, 65536)

    def wait_for(self, condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout  # a hang guard, not a pace
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; the terminal showed: {self.data[-2000:]!r}")
            self.pump()


def wait_exit(pid: int, screen: Screen, timeout: float = 30.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        screen.pump(0.05)
    os.kill(pid, signal.SIGKILL)
    raise AssertionError("the reader did not exit after the hang-up")


def test_a_hung_up_session_exits_cleanly_with_its_change_saved(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with NewsStore(root) as store:
        store.add_articles(
            [Article.create(title=f"Pty story {n}", body="Body.", url=f"https://p.example/{n}") for n in range(5)]
        )
    pid, fd = spawn_reader(root)
    screen = Screen(fd)
    try:
        screen.wait_for(lambda: b"all articles" in screen.data)
        os.write(fd, b"t")
        screen.wait_for(lambda: b"Tags of" in screen.data)
        os.write(fd, b"saved-before-hangup\r")

        def on_disk() -> bool:
            with NewsStore(root) as store:
                return store.search("tag:saved-before-hangup").count == 1

        screen.wait_for(on_disk)
    finally:
        screen.close()
    status = wait_exit(pid, screen)
    assert os.WIFEXITED(status), "killed by the signal instead of exiting through the handler"
    assert os.WEXITSTATUS(status) == 128 + signal.SIGHUP
    with NewsStore(root) as store:
        assert store.search("tag:saved-before-hangup").count == 1
        assert not list(root.rglob("*.tmp*"))


def test_sigterm_exits_through_the_handler(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with NewsStore(root) as store:
        store.add_articles([Article.create(title="Pty story", body="Body.", url="https://p.example/t")])
    pid, fd = spawn_reader(root)
    screen = Screen(fd)
    try:
        screen.wait_for(lambda: b"all articles" in screen.data)
        os.kill(pid, signal.SIGTERM)
        status = wait_exit(pid, screen)
    finally:
        screen.close()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 128 + signal.SIGTERM


PAYLOADS = {
    "osc52": "\x1b]52;c;cHduZWQ=\x07",
    "osc8": "\x1b]8;;https://evil.example/\x1b\\",
    "osc0": "\x1b]0;owned title\x07",
    "dcs": "\x1bP1$qm\x1b\\",
    "apc": "\x1b_apc payload\x1b\\",
    "csi6n": "\x1b[6n",
    "altscreen": "\x1b[?1049l",
    "reset": "\x1bc",
    "c1csi": "\x9b31m",
    "c1osc": "\x9d0;c1 title\x9c",
    "bidi": "\u202egnp.exe\u202c\u2066x\u2069",
    "nul": "a\x00b",
}


def hostile_feed(path: Path) -> None:
    import json

    items = [
        {
            "id": f"hostile-{name}",
            "url": f"https://h.example/{name}",
            "title": f"@{name}@{payload}@{name}@ headline",
            "content_text": f"Body @{name}@{payload}@{name}@ text.\n\nSecond paragraph {payload}.",
            "authors": [{"name": f"Au{payload}"}],
            "tags": [f"tag{payload}"],
            "date_published": f"2026-06-{index + 1:02d}T10:00:00Z",
        }
        for index, (name, payload) in enumerate(PAYLOADS.items())
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Hostile \x1b]0;x\x07 feed", "items": items}
    path.write_text(json.dumps(feed), encoding="utf-8")


def test_terminal_escapes_in_articles_never_reach_the_terminal(tmp_path: Path) -> None:
    """A feed full of escape sequences, imported and read in the real reader in a pty: the
    terminal receives none of them (only Textual's own output)."""
    from tui.cli import main

    root = tmp_path / "store"
    feed = tmp_path / "hostile.json"
    hostile_feed(feed)
    assert main(["--store", str(root), "import", "--no-entities", str(feed)]) == 0
    with NewsStore(root) as store:
        assert store.count() == len(PAYLOADS)
    pid, fd = spawn_reader(root)
    screen = Screen(fd)
    try:
        screen.wait_for(lambda: b"all articles" in screen.data)
        for _ in range(len(PAYLOADS)):  # each article in turn in the text pane
            shown = len(screen.data)
            os.write(fd, b"j")
            screen.wait_for(lambda shown=shown: len(screen.data) > shown)
        screen.wait_for(lambda: all(f"@{name}@".encode() in screen.data for name in PAYLOADS))
        os.write(fd, b"/")
        # The placeholder "search: words …" (its first letter under the cursor, drawn apart)
        screen.wait_for(lambda: b"earch: words" in screen.data)
        os.write(fd, b"headline\r")  # search: the bar, the top bar and the highlighted titles
        screen.wait_for(lambda: b"search: headline" in screen.data)
        os.write(fd, b"T")  # the tags view lists the hostile tags
        screen.wait_for(lambda: b"unread" in screen.data)
        os.write(fd, b"T")  # close it
        screen.pump(0.2)
        os.write(fd, b"q")
        status = wait_exit(pid, screen)
    finally:
        screen.close()
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    out = screen.data
    for name in PAYLOADS:  # the articles were on screen: their markers are there, as text
        assert f"@{name}@".encode() in out, name
    osc = re.findall(rb"\x1b\]([^\x07\x1b]*)", out)
    pointer = [o for o in osc if o.startswith(b"22;")]  # Textual's own pointer-shape OSC, ended by BEL
    titles = re.findall(rb"\x1b\]2;(newsdesk [^\x07\x1b]*)\x1b\\", out)  # the window title, ended by ST
    assert len(pointer) + len(titles) == len(osc), osc  # nothing else
    assert out.count(b"\x07") == len(pointer)
    for forbidden in (b"\x1bP", b"\x1b_", b"\x1b[6n", b"\x1bc", b"\x00", b"\xc2\x9b", b"\xc2\x9d", b"\xc2\x9c"):
        assert forbidden not in out, forbidden
    for char in "\u202e\u202c\u2066\u2069":
        assert char.encode() not in out, repr(char)
    assert out.count(b"\x1b[?1049l") <= 1  # Textual's own, at exit

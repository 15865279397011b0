"""The view and its unread count in the terminal's title: the App's sub-title, and in a real
terminal (a pty here) the window title set by OSC 2 through the driver, the terminal's own title
pushed first and put back at exit; the text never carries a control character."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import REPO
from store import NewsStore
from tui.screens.terminal_title import POP_TITLE, PUSH_TITLE, TitleSetter, osc_title, terminal_title

pty = pytest.importorskip("pty")


def test_the_title_text_has_no_control_character() -> None:
    assert terminal_title("search: a\x1b]0;owned\x07b", 3) == "search: a]0;ownedb · 3 unread"
    assert osc_title("x\x1b\\\x07\x9cy") == "\x1b]2;x\\y\x1b\\"
    written: list[str] = []
    setter = TitleSetter(written.append)
    setter.set("one")
    setter.set("two")
    setter.restore()
    assert written == [PUSH_TITLE, osc_title("one"), osc_title("two"), POP_TITLE]


def read_until(fd: int, wanted: bytes, seen: bytearray, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout  # a hang guard, not a pace
    while wanted not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {wanted!r}; got {bytes(seen[-1500:])!r}")
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            with contextlib.suppress(OSError):
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise AssertionError(f"the reader closed the terminal before {wanted!r}")
                seen += chunk


def test_a_real_terminal_gets_the_title_and_it_back_at_exit(tmp_path: Path) -> None:
    root = tmp_path / "store"
    with NewsStore(root) as store:
        store.add_articles(
            [Article.create(title=f"Title {n}", body="Body.", url=f"https://t.example/{n}") for n in range(4)]
        )
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal
        import fcntl
        import struct
        import termios

        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "NEWSDESK_STORE": str(root)}
        env.pop("NEWSDESK_HEADLESS", None)
        env.pop("TEXTUAL_DRIVER", None)
        os.chdir(REPO)
        os.execve(sys.executable, [sys.executable, "-m", "tui.cli"], env)
    seen = bytearray()
    try:
        read_until(fd, PUSH_TITLE.encode(), seen)
        read_until(fd, osc_title("newsdesk · all articles · 4 unread").encode(), seen)
        os.write(fd, b"q")
        read_until(fd, POP_TITLE.encode(), seen)
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and os.waitpid(pid, os.WNOHANG)[0] == 0:
            select.select([], [], [], 0.05)
        with contextlib.suppress(ProcessLookupError, ChildProcessError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)

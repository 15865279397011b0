"""The real reader in tmux, read back from tmux's own screen: a 16-colour `TERM=xterm` with
`NO_COLOR=1` (no colour at all, the cursor row in reverse video), and a whole session —
search, tag, quit by keystrokes — checked afterwards through the CLI, in tmux here and over a
real SSH login (sshd on 127.0.0.1 with generated keys).  Skips, saying why, where tmux or
OpenSSH is not installed (.ci/run installs them)."""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import REPO
from store import NewsStore

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed here (.ci/run installs it)")
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])[;m]")
"""An SGR that sets a colour (39 and 49, back to the terminal's default, set none)."""


class Tmux:
    """One private tmux server (its own socket) running one command in an 80x24 window; `via`
    runs every tmux command through another (an ssh login)."""

    def __init__(
        self, command: list[str], env: dict[str, str], size: tuple[int, int] = (80, 24), via: list[str] | None = None
    ) -> None:
        self.socket = f"newsdesk-test-{uuid.uuid4().hex[:8]}"
        self.via = via
        exports = " ".join(f"{k}={_quote(v)}" for k, v in env.items())
        line = f"cd {_quote(str(REPO))} && exec env {exports} " + " ".join(_quote(c) for c in command)
        self.run("new-session", "-d", "-x", str(size[0]), "-y", str(size[1]), line)

    def _argv(self, *args: str) -> list[str]:
        argv = ["tmux", "-L", self.socket, "-f", "/dev/null", *args]
        return [*self.via, shlex.join(argv)] if self.via else [TMUX or "tmux", *argv[1:]]

    def run(self, *args: str) -> str:
        done = subprocess.run(self._argv(*args), capture_output=True, text=True, timeout=60)
        return done.stdout

    def screen(self, *, escapes: bool = False) -> str:
        return self.run("capture-pane", "-p", *(["-e"] if escapes else []))

    def keys(self, *keys: str) -> None:
        self.run("send-keys", *keys)

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 30.0) -> str:
        """Poll the screen until `condition` holds: a hang guard, not a pace."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"screen after {timeout} s:\n{text}")
            time.sleep(0.05)

    def alive(self) -> bool:
        return subprocess.run(self._argv("has-session"), capture_output=True, timeout=60).returncode == 0

    def kill(self) -> None:
        subprocess.run(self._argv("kill-server"), capture_output=True, timeout=60)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


@pytest.fixture
def filled(store: NewsStore) -> NewsStore:
    store.add_articles(
        [
            Article.create(
                title=f"Harbour bridge story {n}" if n % 2 else f"Tram budget story {n}",
                body=f"Body of story {n}.",
                url=f"https://term.example/{n}",
                published=f"2026-02-{n + 1:02d}T09:00:00+00:00",
            )
            for n in range(8)
        ]
    )
    return store


@pytest.fixture
def session(filled: NewsStore) -> Iterator[Callable[[dict[str, str]], Tmux]]:
    started: list[Tmux] = []

    def start(env: dict[str, str]) -> Tmux:
        base = {"HOME": os.environ.get("HOME", "/tmp"), "PATH": os.environ.get("PATH", ""), "TZ": "UTC"}
        base.update({"NEWSDESK_STORE": str(filled.root), "NEWSDESK_CONFIG": "/nonexistent.toml"})
        tmux = Tmux([sys.executable, "-m", "tui.cli"], {**base, **env})
        started.append(tmux)
        return tmux

    yield start
    for tmux in started:
        tmux.kill()


def test_no_color_on_a_16_colour_terminal_is_readable_without_colour(session) -> None:  # type: ignore[no-untyped-def]
    tmux = session({"TERM": "xterm", "NO_COLOR": "1"})
    tmux.wait_for(lambda s: "Harbour bridge story 7" in s and "newsdesk" in s)
    painted = tmux.screen(escapes=True)
    assert not COLOUR_SGR.findall(painted), COLOUR_SGR.findall(painted)[:5]  # not one colour
    rows = painted.splitlines()
    cursor = next(r for r in rows if "Harbour bridge story 7" in r)
    assert re.search(r"\x1b\[[0-9;]*\b7[;m]", cursor), repr(cursor)  # the cursor row: reverse video
    tmux.keys("q")


def drive_a_session(tmux: Tmux, root: Path) -> None:
    """Search, tag and quit by keystrokes, typed as one burst (what a fast typist or one SSH
    packet delivers); then the store, read through the CLI, has the tag."""
    tmux.wait_for(lambda s: "Harbour bridge story 7" in s)
    tmux.keys("/tram", "Enter", "ttransport", "Enter")
    tmux.wait_for(lambda s: "#transport" in s and "4 matches" in s)
    tmux.keys("q")
    deadline = time.monotonic() + 30
    while tmux.alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not tmux.alive(), "the reader did not quit"
    found = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(root), "search", "--json", "tag:transport"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr
    assert '"Tram budget story 6"' in found.stdout and found.stdout.count('"id"') == 1


def test_a_whole_session_in_tmux_searches_tags_and_quits(session, filled: NewsStore) -> None:  # type: ignore[no-untyped-def]
    drive_a_session(session({"TERM": "screen-256color"}), filled.root)


@contextlib.contextmanager
def cpu_hogs(seconds: float = 150.0) -> Iterator[None]:
    """A busy loop on every core (bounded in time, and killed on the way out): the busy CI
    machine on which type-ahead used to lose keys."""
    loop = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass"
    hogs = [subprocess.Popen([sys.executable, "-c", loop]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(timeout=30)


def test_type_ahead_in_one_burst_under_load_twenty_times(session, filled: NewsStore) -> None:  # type: ignore[no-untyped-def]
    """Issue 14, item 18: `/`, `tram`, Enter, `t` once left `tramt · 0 matches` in the search bar
    on a busy machine.  Twenty times in a row, beside a busy loop on every core, each round typed
    as one burst: the search, Enter, `t`, a tag and Enter.  Every key lands where the keys
    before it left the focus: the tag on the first result, the query `tram`."""
    tmux = session({"TERM": "screen-256color"})
    tmux.wait_for(lambda s: "Harbour bridge story 7" in s)
    target = next(i for i in filled.search("tram").items if i.title == "Tram budget story 6")
    rounds = 20
    with cpu_hogs():
        for n in range(rounds):
            tmux.keys("/tram", "Enter", f"tround-{n}", "Enter")
            deadline = time.monotonic() + 30
            while f"round-{n}" not in (filled.get(target.id).state.tags):  # type: ignore[union-attr]
                screen = tmux.screen()
                assert time.monotonic() < deadline, f"round {n}: no tag round-{n}; the screen:\n{screen}"
                time.sleep(0.05)
            tmux.wait_for(lambda s: "search: tram · 4 matches" in s and "Tags of" not in s)
            tmux.keys("Escape")  # back to every article, for the next round
            tmux.wait_for(lambda s: "all articles" in s)
    tagged = {item.title: item.tags for item in filled.search("").items if item.tags}
    assert list(tagged) == ["Tram budget story 6"], tagged
    assert sorted(tagged["Tram budget story 6"]) == sorted(f"round-{n}" for n in range(rounds))
    assert filled.search_history()[-1] == "tram"  # no `tramt`, no `tramtround-…`
    assert all(query == "tram" for query in filled.search_history())


SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)


@pytest.fixture
def ssh_login(tmp_path: Path) -> Iterator[list[str]]:
    """sshd on 127.0.0.1 with a generated host key and user key; yields the ssh command that
    logs in as this user and runs one command."""
    if SSHD is None or shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        pytest.skip("openssh-server and openssh-client are not installed here (.ci/run installs them)")
    keys = tmp_path / "ssh"
    keys.mkdir(mode=0o700)
    for name in ("host", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True)
    (keys / "authorized_keys").write_text((keys / "user.pub").read_text())
    (keys / "authorized_keys").chmod(0o600)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = keys / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPidFile {keys / 'sshd.pid'}\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        "PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nPrintMotd no\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation directory
    server = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True)
    login = [
        "ssh", "-i", str(keys / "user"), "-p", str(port), "-o", "BatchMode=yes",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
        f"{getpass.getuser()}@127.0.0.1",
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while subprocess.run([*login, "true"], capture_output=True, timeout=60).returncode != 0:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"sshd did not let us in: {server.communicate()[1][-2000:]}")
            time.sleep(0.1)
        yield login
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_over_ssh_in_tmux_at_80x24(ssh_login: list[str], filled: NewsStore) -> None:
    """The real thing: log in over SSH, run newsdesk in tmux at 80x24, search, tag and quit by
    keystrokes, then check the store through the CLI."""
    env = {
        "HOME": os.environ.get("HOME", "/tmp"),
        "TERM": "screen-256color",
        "TZ": "UTC",
        "NEWSDESK_STORE": str(filled.root),
        "NEWSDESK_CONFIG": "/nonexistent.toml",
    }
    tmux = Tmux([sys.executable, "-m", "tui.cli"], env, via=ssh_login)
    try:
        assert "80 24" in tmux.run("display-message", "-p", "#{window_width} #{window_height}")
        drive_a_session(tmux, filled.root)
    finally:
        tmux.kill()

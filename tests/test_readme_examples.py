"""Every command example in README.md runs (issue 14): each `newsdesk ...` line of its shell code
blocks, and each inline `newsdesk ...` span, is run by bash as a real process against a store made
from ../shared/data, with the example urls (https://example.org/...) pointed at a loopback server
serving the shared feed files. An example fails on a traceback, on an exit code the README does
not promise, or on empty output (stdout, or the file it redirects stdout to).

The examples are found, not listed: a new example in README is run without touching this file.
Placeholders (ID, URL, DEST, QUERY, TAG, FOLDER) become a real article id, a subscribed feed url, a
new directory, a query and a tag that match, and the shared Wikinews folder.
What cannot run here is in SKIPPED, each with its reason; keep that list small."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsdesk_testing import REPO, SHARED_DATA, shared_path

README = REPO / "README.md"

SKIPPED = {
    "newsdesk": "opens the reader (tests/test_reader*.py drive it)",
    "newsdesk --demo": "opens the reader on the demo store (tests/test_readme.py, test_snapshots.py)",
    "newsdesk serve": "serves until stopped (tests/test_serve.py)",
    "newsdesk [--store DIR] [--config FILE] COMMAND [ARGS]": "the synopsis, not an example",
    "newsdesk import": "the command's name in prose (it needs a SOURCE)",
    "newsdesk tag": "the command's name in prose (it needs tags and a query)",
}
"""Example (as written in README, prompt and comment removed) -> why it is not run here."""

EXIT_PROMISED: dict[str, int] = {}
"""Example -> the non-zero exit code README promises for it (none so far)."""

GOOD_FEEDS = (
    "feedrs__rss_2.0_bbc.xml",
    "feedrs__rss_2.0_nbcny.xml",
    "feedrs__rss_2.0_spiegel.xml",
    "feedrs__rss_2.0_wirecutter.xml",
    "feedrs__atom_mediarss_youtube_1.xml",
)
"""Well-formed shared feeds the loopback server hands out for example urls."""

EXAMPLE_HOST = re.compile(r"https?://(?:www\.)?example\.(?:org|com|net)")
CRON = r"^(?:[0-9*/,\-]+\s+){5}"
COMMAND = re.compile(rf"(?:^|[;&|(]\s*|\$\(\s*|{CRON})newsdesk(?=\s|$|\))")
"""`newsdesk` as a command word: at the start, after a pipe, `&&`, `$(`, or five cron fields."""
SHELL_FENCES = ("", "sh", "bash", "shell", "console")


@dataclass(frozen=True)
class Example:
    text: str  # as written in README
    line: int

    @property
    def id(self) -> str:
        return f"README:{self.line}: {self.text}"[:90]


def readme_examples() -> list[Example]:
    """Every `newsdesk` command line of README's shell code blocks and inline code, in order."""
    text = README.read_text(encoding="utf-8")
    found: list[tuple[int, str]] = []
    for block in re.finditer(r"^```([^\n]*)\n(.*?)^```", text, re.S | re.M):
        if block.group(1).strip() not in SHELL_FENCES:
            continue
        first = text.count("\n", 0, block.start(2)) + 1
        lines = block.group(2).splitlines()
        prompted = any(line.startswith("$ ") for line in lines)
        for offset, line in enumerate(lines):
            if prompted and not line.startswith("$ "):
                continue  # a shown session: only the prompted lines are commands
            command = line.removeprefix("$ ").strip()
            if COMMAND.search(command):
                found.append((first + offset, command))
    fenced = {m.span() for m in re.finditer(r"^```.*?^```", text, re.S | re.M)}
    for span in re.finditer(r"(?<!`)`([^`\n]+)`(?!`)", text):
        if any(start <= span.start() < end for start, end in fenced):
            continue
        command = span.group(1).strip()
        if COMMAND.search(command) and not command.startswith("newsdesk:"):
            found.append((text.count("\n", 0, span.start()) + 1, command))
    examples, seen = [], set()
    for line, command in sorted(found):
        if command not in seen:
            seen.add(command)
            examples.append(Example(command, line))
    return examples


def without_comment(command: str) -> str:
    return re.sub(r"\s+#\s.*$", "", command).strip()


# -- the world the examples run in ------------------------------------------------------------------
class _Feeds(BaseHTTPRequestHandler):
    folder: Path = SHARED_DATA / "feeds"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        name = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if not (self.folder / name).is_file():  # any other example url: one good feed, always the same
            name = GOOD_FEEDS[zlib.crc32(self.path.encode()) % len(GOOD_FEEDS)]
        body = (self.folder / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json" if name.endswith(".json") else "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class World:
    home: Path
    work: Path
    env: dict[str, str]
    base: str  # the loopback server's url
    ids: list[str]
    feed: str  # a subscribed feed's url
    dests: int = 0

    def prepare(self, command: str) -> str:
        """The example with its urls pointed at the loopback server and its placeholders filled."""
        command = EXAMPLE_HOST.sub(self.base, without_comment(command))
        command = re.sub(CRON + r"(?=newsdesk\s)", "", command)  # a crontab line: its command
        self.dests += 1
        values = {
            "ID": self.ids[0],
            "URL": self.feed,
            "DEST": str(self.home / f"dest-{self.dests}"),
            "QUERY": "flood",
            "TAG": "climate",
            "FOLDER": str(SHARED_DATA / "wikinews"),
        }
        if command.startswith("newsdesk undelete"):  # each undelete example finds the kelp article trashed
            values["QUERY"] = "kelp"
            command = "newsdesk delete -- kelp >/dev/null; " + command
        return re.sub(r"(?<![\w.-])(ID|URL|DEST|QUERY|TAG|FOLDER)(?![\w.-])", lambda m: values[m.group(1)], command)

    def run(self, command: str) -> subprocess.CompletedProcess[str]:
        preamble = (
            "set -o pipefail\n"
            'newsdesk() { "$NEWSDESK_TEST_PYTHON" -m tui.cli "$@"; }\n'
            'fpath=("$HOME/.zfunc" "$HOME/.zfunc")\n'  # zsh's function path, for the completion example
        )
        return subprocess.run(
            ["bash", "-c", preamble + command],
            cwd=self.work,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )


def _records(now: datetime) -> list[dict[str, object]]:
    """A few articles the examples' queries find (flood after:7d, "city council", source:reuters
    after:2024-06-01, tags), beside the shared Wikinews corpus whose dates end in 2023."""
    return [
        {
            "title": "River flood closes the harbour road",
            "body": "Mayor Anna Berg said the flooding closed the harbour road. Anna Berg asked the "
            "city council for a barrier.",
            "url": "https://news.test/flood",
            "source": "Harbour Post",
            "date": (now - timedelta(days=1)).isoformat(),
            "tags": ["climate", "later"],
        },
        {
            "title": "City council votes on the tram",
            "body": 'The "city council" of Lyon voted for the new tram line, said Jean Dupont.',
            "url": "https://news.test/tram",
            "source": "Reuters",
            "date": "2024-06-10T09:00:00+00:00",
            "tags": ["later"],
        },
        {
            "title": "Drought in the valley",
            "body": "The drought went on, said farmer Maria Lopez of Valencia.",
            "url": "https://news.test/drought",
            "source": "Reuters",
            "date": (now - timedelta(days=2)).isoformat(),
        },
        {  # deleted below, so that the trash examples find something
            "title": "Kelp forests return to the bay",
            "body": "Divers counted kelp along the bay for the first time in a decade.",
            "url": "https://news.test/kelp",
            "source": "Reuters",
            "date": (now - timedelta(days=3)).isoformat(),
            "tags": ["ocean"],
        },
    ]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    wikinews = shared_path("wikinews", "articles.jsonl")
    seed = shared_path("seed")
    feeds = shared_path("feeds")
    root = tmp_path_factory.mktemp("readme")
    home, work = root / "home", root / "work"
    for folder in (home / "news", home / "feeds", home / ".config" / "newsdesk", home / ".zfunc", work):
        folder.mkdir(parents=True)
    shutil.copy(feeds / GOOD_FEEDS[0], home / "feeds" / "parish.xml")  # a local feed (file:// examples)
    shutil.copy(wikinews, home / "news" / "wikinews.jsonl")  # a copy in a temporary folder
    for path in seed.iterdir():
        shutil.copy(path, home / "news" / path.name)
    now = datetime.now(UTC)
    recent = "".join(json.dumps(r) + "\n" for r in _records(now))
    (work / "recent.jsonl").write_text(recent, encoding="utf-8")
    (work / "export.jsonl").write_text(recent, encoding="utf-8")
    (work / "story.md").write_text(
        "---\ntitle: Tram tests begin\ndate: 2024-06-12\nauthor: R. Vogel\n---\n\nThe first tram ran at night.\n",
        encoding="utf-8",
    )
    (work / "page.html").write_text(
        "<html><head><title>Ferry strike ends</title></head><body><article><h1>Ferry strike ends</h1>"
        + "<p>The ferry crews went back to work on Monday after a week on strike over pay.</p>" * 4
        + "</article></body></html>",
        encoding="utf-8",
    )

    _Feeds.folder = feeds
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feeds)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (work / "feeds.opml").write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        f'<outline type="rss" text="BBC" xmlUrl="{base}/feedrs__rss_2.0_bbc.xml"/>'
        f'<outline type="rss" text="NBC" xmlUrl="{base}/feedrs__rss_2.0_nbcny.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONPATH": str(REPO),
        "NEWSDESK_TEST_PYTHON": sys.executable,
        "NEWSDESK_STORE": str(root / "store"),
        "NEWSDESK_CONFIG": str(home / ".config" / "newsdesk" / "config.toml"),  # `config print >` writes it
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "NO_PROXY": "127.0.0.1,localhost",
    }
    made = World(home, work, env, base, [], f"{base}/feed.xml")
    for setup in (
        f"newsdesk import --no-entities {home / 'news'}",
        f"newsdesk import {work / 'recent.jsonl'}",  # with entities: the entity examples list them
        f"newsdesk import --no-entities {made.feed}",  # a subscription
        "newsdesk delete -- kelp",  # something in the trash for `trash` (and each `undelete` trashes it again)
    ):
        done = made.run(setup)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (setup, done.stdout, done.stderr)
    listed = made.run("newsdesk list --json")
    made.ids = [item["id"] for item in json.loads(listed.stdout)]
    try:
        yield made
    finally:
        server.shutdown()
        server.server_close()


EXAMPLES = readme_examples()


def test_readme_has_examples_to_run() -> None:
    texts = [e.text for e in EXAMPLES]
    assert len(texts) >= 15, texts
    assert any("| jq" in t for t in texts) and any(t.startswith("curl") for t in texts)
    assert set(SKIPPED) <= {without_comment(t) for t in texts}, "a SKIPPED example is no longer in README"


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_readme_example_runs(world: World, example: Example) -> None:
    written = without_comment(example.text)
    if written in SKIPPED:
        pytest.skip(SKIPPED[written])
    command = world.prepare(example.text)
    done = world.run(command)
    said = f"README line {example.line}: {example.text}\nran: {command}\nexit {done.returncode}\n{done.stderr}"
    assert "Traceback" not in done.stderr, said
    assert done.returncode == EXIT_PROMISED.get(written, 0), said
    redirected = re.search(r"(?<![0-9&])>\s*(\S+)\s*$", command)
    if redirected:  # stdout went to a file: the file holds the output
        named = world.run(f"printf %s {redirected.group(1)}").stdout  # as bash expands it (~, $(...))
        target = world.work / named  # relative to where the example ran; an absolute path stays
        assert target.is_file() and target.stat().st_size > 0, said
    elif not command.startswith("eval "):  # eval runs what it printed: no output of its own
        assert done.stdout.strip(), said + "\n(no output)"


def test_the_readme_sample_config_has_no_problems(tmp_path: Path) -> None:
    """The README's sample config loads with no warning, as the reader and `config print` check."""
    from tui.config import load_settings
    from tui.config_check import config_warnings

    text = README.read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"^```toml\n(.*?)^```", text, re.S | re.M) if "[reader]" in b]
    assert blocks, "README has no sample config"
    path = tmp_path / "config.toml"
    path.write_text(blocks[0], encoding="utf-8")
    settings = load_settings(path)
    assert config_warnings(settings)[1] == []

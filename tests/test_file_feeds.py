"""Local feed files (issue 19): `newsdesk import file:///path/feed.xml` subscribes to the file as
to an http feed, `refresh` reads it again (unchanged when the file is), a plain path imports once;
a file:// url met inside an OPML file, a feed or a redirect is refused, naming it.  Real files,
real processes, a loopback server for the redirect, and the reader's import dialog."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from textual.widgets import Input

from newsdesk_testing import newsdesk, settle, wait_until
from store import NewsStore


def feed(path: Path, *items: str, link: str = "https://local.test/") -> Path:
    entries = "".join(
        f"<item><title>{title}</title><link>https://local.test/{n}</link><guid>g{n}</guid>"
        f"<description>{title}, in a few words.</description></item>"
        for n, title in enumerate(items)
    )
    path.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Parish news</title><link>{link}</link>'
        f"{entries}</channel></rss>",
        encoding="utf-8",
    )
    return path


def test_a_file_url_subscribes_and_refresh_reads_the_file_again(tmp_path: Path) -> None:
    folder = tmp_path / "my feeds"  # a space: the url is percent-encoded
    folder.mkdir()
    path = feed(folder / "parish.xml", "Fete on Saturday")
    url = path.as_uri()
    assert "%20" in url
    root = tmp_path / "store"
    done = newsdesk(root, "import", "--no-entities", "--json", url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["imported"] == 1 and json.loads(done.stdout)["feeds"] == 1
    feeds = json.loads(newsdesk(root, "feeds", "--json").stdout)
    assert [(f["url"], f["title"], f["articles"]) for f in feeds] == [(url, "Parish news", 1)]
    first = json.loads(newsdesk(root, "refresh", "--no-entities", "--json").stdout)
    assert (first["unchanged"], first["duplicates"]) == (1, 0)  # the import read it: not read again

    feed(path, "Fete on Saturday", "Bell ringers wanted")
    done = newsdesk(root, "refresh", "--no-entities", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["new"], summary["imported"], summary["duplicates"]) == (1, 1, 1)
    again = json.loads(newsdesk(root, "refresh", "--no-entities", "--json").stdout)
    assert (again["unchanged"], again["imported"]) == (1, 0)  # the same file: nothing read
    shown = json.loads(newsdesk(root, "search", "--json", "bell").stdout)
    assert [a["title"] for a in shown] == ["Bell ringers wanted"]

    path.unlink()
    gone = newsdesk(root, "refresh", "--no-entities")
    assert gone.returncode == 1 and "No such file or directory" in gone.stderr
    assert json.loads(newsdesk(root, "feeds", "--json").stdout)[0]["error"].startswith("cannot read")


def test_a_plain_path_imports_once(tmp_path: Path) -> None:
    path = feed(tmp_path / "once.xml", "Only once")
    root = tmp_path / "store"
    done = newsdesk(root, "import", "--no-entities", "--json", str(path))
    assert done.returncode == 0 and json.loads(done.stdout)["feeds"] == 0
    assert json.loads(newsdesk(root, "feeds", "--json").stdout) == []


def test_file_urls_that_are_not_files_are_named(tmp_path: Path) -> None:
    root = tmp_path / "store"
    done = newsdesk(
        root, "import", "--no-entities", (tmp_path / "missing.xml").as_uri(), "file://elsewhere/feed.xml",
        tmp_path.as_uri(), "file:///dev/zero",
    )  # fmt: skip
    assert done.returncode == 1
    assert "missing.xml: No such file or directory" in done.stderr
    assert "file://elsewhere/feed.xml: not a file url of this machine" in done.stderr
    assert "is a folder (a plain path imports a folder)" in done.stderr
    assert "file:///dev/zero: /dev/zero is not a regular file" in done.stderr


def test_a_file_url_in_an_opml_file_or_a_feed_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    feed(secret, "Private")
    opml = tmp_path / "list.opml"
    opml.write_text(
        f'<?xml version="1.0"?><opml version="2.0"><body><outline text="Mine" xmlUrl="{secret.as_uri()}"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    root = tmp_path / "store"
    done = newsdesk(root, "import", "--no-entities", str(opml))
    assert done.returncode == 1
    assert f"{secret.as_uri()} refused (in the OPML outline 'Mine'): a file:// url is read only" in done.stderr
    assert json.loads(newsdesk(root, "feeds", "--json").stdout) == []

    linking = feed(tmp_path / "linking.xml", "Look here", link="file:///etc/passwd")
    done = newsdesk(root, "import", "--no-entities", str(linking))
    assert done.returncode == 0
    assert "warning: file://" in done.stderr and "refused (a link in the feed)" in done.stderr
    assert "Private" not in newsdesk(root, "list").stdout


class _Redirect(BaseHTTPRequestHandler):
    target = ""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(301)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def redirecting() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_redirect_to_a_file_url_is_refused(tmp_path: Path, redirecting: str) -> None:
    secret = feed(tmp_path / "secret.xml", "Private")
    _Redirect.target = secret.as_uri()
    root = tmp_path / "store"
    done = newsdesk(root, "import", "--no-entities", f"{redirecting}/feed.xml")
    assert done.returncode == 1
    assert f"{secret.as_uri()} refused (a redirect from {redirecting}/feed.xml)" in done.stderr
    assert json.loads(newsdesk(root, "feeds", "--json").stdout) == []


async def test_the_import_dialog_subscribes_to_a_file_url(store: NewsStore, tmp_path: Path) -> None:
    from tui.app import NewsdeskApp
    from tui.screens.import_dialog import ImportScreen
    from tui.screens.main import MainScreen

    path = feed(tmp_path / "dialog.xml", "From the dialog")
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ImportScreen))
        app.screen.query_one("#import-input", Input).value = path.as_uri()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), timeout=120)
        await wait_until(pilot, lambda: store.count() == 1 and app.background_status == "", timeout=120)
    assert [f["url"] for f in store.subscriptions()] == [path.as_uri()]


def test_rules_and_the_post_import_hook_run_at_refresh(tmp_path: Path) -> None:
    path = feed(tmp_path / "parish.xml", "Fete on Saturday")
    got = tmp_path / "hook.txt"
    hook = tmp_path / "hook.sh"
    hook.write_text(f'#!/bin/sh\ncat >> "{got}"\n', encoding="utf-8")
    hook.chmod(0o700)
    config = tmp_path / "config.toml"
    config.write_text(f"[hooks]\npost_import = '{hook}'\n", encoding="utf-8")
    root = tmp_path / "store"
    env_config = ("--config", str(config))
    assert newsdesk(root, *env_config, "import", "--no-entities", path.as_uri()).returncode == 0
    assert newsdesk(root, "rules", "add", "--action", "star", "--", "bell").returncode == 0
    feed(path, "Fete on Saturday", "Bell ringers wanted")
    done = newsdesk(root, *env_config, "refresh", "--no-entities")
    assert done.returncode == 0, done.stderr
    listed = {a["title"]: a for a in json.loads(newsdesk(root, "list", "--json").stdout)}
    assert listed["Bell ringers wanted"]["starred"] and not listed["Fete on Saturday"]["starred"]
    assert got.read_text(encoding="utf-8").split() == [listed["Fete on Saturday"]["id"], listed["Bell ringers wanted"]["id"]]

"""`y` copies the article's link through the terminal, `o` opens it with [reader] open_command
(the url one argument, no shell); an article without an http(s) link says so."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.config import parse_settings

URL = "https://links.example/a?x=1&y=$(touch%20pwned);b"


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles(
        [
            Article.create(title="Linked", body="Body.", url=URL, published="2026-01-02T00:00:00+00:00"),
            Article.create(
                title="Unlinked", body="Body.", url="javascript:alert(1)", published="2026-01-01T00:00:00+00:00"
            ),
        ]
    )
    return store


async def test_y_copies_the_link_through_the_terminal(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == URL
        await pilot.press("j", "y")  # the article whose javascript: url was dropped at import
        await settle(pilot)
        assert app.clipboard == URL
        assert any("no web link" in n.message for n in app._notifications)


async def test_o_runs_the_open_command_with_the_url_as_one_argument(news: NewsStore, tmp_path: Path) -> None:
    out = tmp_path / "opened.txt"
    # Written aside, then renamed: the file exists only once it is complete.
    script = (
        f"import pathlib, sys; t = pathlib.Path({str(out) + '.part'!r}); t.write_text(repr(sys.argv[1:]));"
        f" t.rename({str(out)!r})"
    )
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}"
    settings = parse_settings({"reader": {"open_command": command}}, Path("c.toml"))
    app = NewsdeskApp(news, settings=settings)
    async with app.run_test(
        size=(100, 30),
    ) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await wait_until(pilot, out.exists)
    opened = out.read_text()
    assert opened == repr([URL])  # one argument, exactly the url: no shell saw it
    assert not (Path.cwd() / "pwned").exists()


async def test_o_without_a_command_or_a_desktop_asks_for_one(news: NewsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert any("open_command" in n.message for n in app._notifications)

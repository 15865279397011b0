"""The reader's import dialog (`i`): sources run in the background, the list updates as articles
arrive, problems are named, and entities are extracted by a low-priority worker process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input

from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.screens.import_dialog import ImportScreen, split_sources
from tui.screens.main import MainScreen
from tui.screens.welcome import WelcomeScreen


def records(path: Path, count: int) -> Path:
    lines = [
        json.dumps(
            {
                "title": f"Harbour story {n}",
                "body": f"Mayor Anna Lindqvist of Calderwick opened the new harbour bridge, story {n}.",
                "url": f"https://import.example/{n}",
                "published": f"2026-03-0{n + 1}T08:00:00+00:00",
                "language": "en",
            }
        )
        for n in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_sources_split_like_a_shell_and_expand_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/home/reader")
    assert split_sources('~/news "my file.md" https://x.example/feed') == [
        "/home/reader/news",
        "my file.md",
        "https://x.example/feed",
    ]
    with pytest.raises(ValueError):
        split_sources('"unbalanced')


async def test_import_dialog_imports_in_the_background(store: NewsStore, tmp_path: Path) -> None:
    first = records(tmp_path / "first.jsonl", 1)
    source = records(tmp_path / "items.jsonl", 4)
    missing = tmp_path / "no such file.xml"
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)  # an empty store: import from the welcome
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ImportScreen))
        app.screen.query_one("#import-input", Input).value = str(first)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen), timeout=120)
        main = app.screen
        assert isinstance(main, MainScreen)
        await wait_until(pilot, lambda: app.background_status == "", timeout=120)
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ImportScreen))
        app.screen.query_one("#import-input", Input).value = f'{source} "{missing}"'
        await pilot.press("enter")
        await wait_until(pilot, lambda: main.article_list.total == 4 and app.background_status == "", timeout=120)
        said = [(n.title, n.message) for n in app._notifications]
        assert any(title == "Imported" and "3 new" in message for title, message in said), said  # 1 known
        assert any(str(missing) in message for _title, message in said), said
    assert store.count() == 4


async def test_imported_articles_get_entities_in_the_background(store: NewsStore, tmp_path: Path) -> None:
    from articles.entities.extract import model_available

    if not model_available():
        pytest.skip("no spaCy model installed: extraction cannot run here")
    source = records(tmp_path / "items.jsonl", 2)
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.ingest("import", [str(source)])
        await wait_until(pilot, lambda: app.background_status == "" and store.count() == 2, timeout=180)
    assert store.count_matching("has:entities") == 2
    assert store.count_matching('person:"Anna Lindqvist"') == 2

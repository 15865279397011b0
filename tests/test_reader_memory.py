"""The reader does not keep what it no longer shows (issue 18, item 1): search after search, the
widgets it removed are freed.  Textual's Footer bound each key it made to its own `compact` and
forgot removed keys only when `compact` changed, so every search (a focus change that changes the
keys) kept a footer's worth of widgets alive: about 1 MiB per two searches, never returned."""

from __future__ import annotations

import gc

from textual.widget import Widget

from articles.model import Article
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.screens.main import MainScreen


def live_widgets() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Widget))


async def test_searches_leave_no_widgets_behind(store: NewsStore) -> None:
    store.add_articles(
        [
            Article.create(title=f"Harbour story {n}", body=f"The harbour said so on day {n}.", url=f"https://m.example/{n}")
            for n in range(40)
        ]
    )
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)

        async def search_and_back(query: str) -> None:
            await pilot.press("slash", *query, "enter")
            await wait_until(pilot, lambda: f"search: {query}" in str(main.query_one("#topbar").render()))
            await settle(pilot)
            await pilot.press("escape")
            await wait_until(pilot, lambda: "search:" not in str(main.query_one("#topbar").render()))
            await settle(pilot)

        for _ in range(3):  # caches fill, the first of each kind of widget is made
            await search_and_back("said")
        before = live_widgets()
        for n in range(20):
            await search_and_back("said" if n % 2 else "harbour")
        after = live_widgets()
        # 20 searches kept about 500 footer keys before; a few widgets more or less is noise
        assert after - before < 20, f"{after - before} more widgets alive after 20 searches"

"""The reader does not keep what it no longer shows (issue 18, item 1): 200 search cycles in the
real app leave no growing objects behind — no widgets, no cached rows or lines, no type of
object whose count grows with the searches.  Textual's Footer once bound each key it made to its
own `compact` and forgot removed keys only when `compact` changed, so every search (a focus
change that changes the keys) kept a footer's worth of widgets alive: about 1 MiB per two
searches, never returned (tui/widgets/footer.py)."""

from __future__ import annotations

import gc
import weakref
from collections import Counter

import pytest
from textual.widget import Widget

from articles.model import Article
from newsdesk_testing import wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.screens.main import MainScreen
from tui.widgets.article_list import KEEP_PAGES, LINE_CACHE, ArticleList
from tui.widgets.search_bar import SearchBar

CYCLES = 200
WARM_UP = 40
"""Cycles before the first count: the first of each kind of widget is made, and bounded caches
fill (Textual keeps the styles of the last 1,024 widgets drawn, removed ones too, in an LRU)."""


def is_lru_link(o: object) -> bool:
    """A link of an LRU cache's ring, [previous, next, key, value] (Textual's LRUCache; functools'):
    each DOM node's query_one cache, bounded at 1,024 entries, is keyed by the DOM's update count,
    so it fills by a few links a search until it is full.  The caches themselves are counted."""
    return type(o) is list and len(o) == 4 and type(o[0]) is list and type(o[1]) is list


def is_dead_weakref(o: object) -> bool:
    """A weak reference whose object is gone: what a WeakSet or WeakKeyDictionary (Textual's signals
    and DOM node sets) keeps in its list of pending removals while it is being iterated, swept at
    its next change. Seen: 79 of 118 weak references made over 80 cycles were dead, held by lists;
    their number follows the timing of the loop, not the searches."""
    return type(o) is weakref.ReferenceType and o() is None


def object_counts() -> Counter[str]:
    """Live objects (those the collector tracks) by type; the links of bounded LRU caches and dead
    weak references apart."""
    gc.collect()
    return Counter(
        "lru link" if is_lru_link(o) else "dead weakref" if is_dead_weakref(o) else type(o).__qualname__
        for o in gc.get_objects()
    )


def live_widgets() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, Widget))


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a hang guard: 400 searches through the real app take minutes on a busy machine
async def test_search_cycles_leave_no_growing_objects(store: NewsStore) -> None:
    store.add_articles(
        [
            Article.create(title=f"Harbour story {n}", body=f"The harbour said so on day {n}.", url=f"https://m.example/{n}")
            for n in range(40)
        ]
    )
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        topbar = main.query_one("#topbar")
        await wait_until(pilot, lambda: "all articles" in str(topbar.render()))

        async def search_and_back(query: str) -> None:
            await pilot.press("slash", *query, "enter")
            await wait_until(pilot, lambda: f"search: {query}" in str(topbar.render()))
            await pilot.press("escape")
            await wait_until(pilot, lambda: "search:" not in str(topbar.render()))

        for n in range(WARM_UP):
            await search_and_back("said" if n % 2 else "harbour")
        widgets, objects = live_widgets(), object_counts()
        for n in range(CYCLES - WARM_UP):
            await search_and_back("said" if n % 2 else "harbour")
        grown = {kind: count - objects[kind] for kind, count in object_counts().items() if count - objects[kind] > 0}

        cycles = CYCLES - WARM_UP
        # A leak keeps at least one object a search, two a cycle.  What fills a bounded cache
        # grows slower and stops (functools' LRU links are lists: about one a three searches).
        bounded = ("lru link", "dead weakref")
        growing = {kind: more for kind, more in grown.items() if more >= cycles and kind not in bounded}
        assert not growing, f"objects that grow with the searches: {growing}"
        assert grown.get("dead weakref", 0) < 4 * cycles, grown  # swept, not kept: far fewer than the keys sent
        assert live_widgets() - widgets < 20, f"{live_widgets() - widgets} more widgets after {cycles} searches"
        pages, lines = main.query_one(ArticleList).held
        assert pages <= KEEP_PAGES and lines <= LINE_CACHE
        assert len(main.previous) <= 1 and len(main.query_one(SearchBar).history) <= 200


def footer_keys(screen: MainScreen) -> list[tuple[str, str]]:
    """The keys the footer shows, in order: (key, description)."""
    from tui.widgets.footer import KeyFooter

    footer = screen.query_one(KeyFooter)
    rows = [row for row in footer.children if row.display]
    return [(getattr(key, "key", ""), getattr(key, "description", "")) for row in rows for key in row.children]


async def test_the_footer_switches_its_keys_in_place(store: NewsStore) -> None:
    """Opening and closing the search bar shows the bar's keys, then the list's again, as a
    fresh footer would; from the second time on no key widget is made or removed (the footer
    keeps each set of keys it made)."""
    from tui.widgets.footer import KeyFooter

    store.add_articles([Article.create(title="Harbour story", body="The harbour.", url="https://m.example/f")])
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        footer = main.query_one(KeyFooter)
        await wait_until(pilot, lambda: bool(footer_keys(main)))
        listing_keys = footer_keys(main)
        assert listing_keys[0][1] == "Help" or listing_keys[0][0] == "question_mark", listing_keys
        await pilot.press("slash")
        await wait_until(pilot, lambda: footer_keys(main) != listing_keys)
        bar_keys = footer_keys(main)
        assert ("ctrl+s", "Save view") in bar_keys and ("ctrl+s", "Save view") not in listing_keys
        await pilot.press("escape")
        await wait_until(pilot, lambda: footer_keys(main) == listing_keys)
        made = {id(key) for key in footer.query("*")}
        for _ in range(3):
            await pilot.press("slash")
            await wait_until(pilot, lambda: footer_keys(main) == bar_keys)
            await pilot.press("escape")
            await wait_until(pilot, lambda: footer_keys(main) == listing_keys)
        assert {id(key) for key in footer.query("*")} == made

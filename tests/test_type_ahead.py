"""Keys typed ahead, in one burst: each is handled in the order typed, by whatever has the focus
when its turn comes (issue 14, items 17 and 18).  A burst is posted to the app all at once, as a
terminal delivers a fast typist's keys or an SSH packet: no pause between keys."""

from __future__ import annotations

import re
import time
import unicodedata

import pytest
from textual import events

from articles.model import Article
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.screens.main import MainScreen
from tui.screens.tag_editor import TagEditorScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.search_bar import SearchBar

NAMES = {"\r": "enter", "\x1b": "escape", "\t": "tab", "/": "slash", " ": "space", '"': "quotation_mark", ":": "colon"}


def story(n: int, title: str) -> Article:
    return Article.create(
        title=title, body=f"Body of {title}.", url=f"https://t.example/{n}", published=f"2026-05-{n:02d}T08:00:00Z"
    )


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles(
        [story(n, f"Tram budget story {n}" if n % 2 == 0 else f"Harbour bridge story {n}") for n in range(1, 9)]
    )
    return store


def burst(app: NewsdeskApp, text: str) -> None:
    """Every key of `text` posted at once, as the terminal's reader thread posts what it read
    (\\r is Enter, \\x1b Escape, \\t Tab, <down> or <ctrl+u> a key by its name)."""
    assert app._driver is not None
    for named, ch in re.findall(r"<([a-z_+]+)>|(.)", text, flags=re.DOTALL):
        if named:
            app._driver.send_message(events.Key(named, None))
            continue
        key = NAMES.get(ch, ch)
        char = None if ch in "\r\x1b\t" else ch
        if char is None and len(key) > 1 and key not in ("enter", "escape", "tab"):
            char = unicodedata.lookup(key.replace("_", " ").upper())
        app._driver.send_message(events.Key(key, char))


async def test_search_enter_and_t_in_one_burst_tag_the_first_result(news: NewsStore) -> None:
    """`/`, `tram`, Enter, `t`, a tag and Enter in one burst: the query is `tram`, the key after
    Enter reached the list (the tag editor opened on the first result, not `tramt` in the bar),
    and the keys after `t` reached the editor."""
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        burst(app, "/tram\rttransport\r")
        await wait_until(pilot, lambda: app.screen is screen and not screen.search_flow.is_open)
        await wait_until(pilot, lambda: "transport" in news.get(story(8, "").id).state.tags)  # type: ignore[union-attr]
        assert screen.listing.query == "tram" and screen.query_one(SearchBar).value == "tram"
        tagged = news.search("tag:transport").items
        assert [item.title for item in tagged] == ["Tram budget story 8"]


@pytest.mark.parametrize("before", ["", "\r", "\t\t", "z"], ids=["list", "text", "sidebar", "zen"])
async def test_keys_right_after_slash_all_reach_the_bar(news: NewsStore, before: str) -> None:
    """Issue 14, item 17: a query typed right after `/` lost its first letter; from whichever
    pane had the focus."""
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, before)
        await settle(pilot)
        burst(app, '/title:"harbour bridge"')
        bar = app.screen.query_one(SearchBar)
        await wait_until(pilot, lambda: bar.value == 'title:"harbour bridge"')
        await wait_until(pilot, lambda: app.screen.listing.query == 'title:"harbour bridge"')  # type: ignore[attr-defined]


async def test_the_key_after_enter_moves_in_the_results(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        burst(app, "/harbour\rjj")
        listing = screen.query_one(ArticleList)
        await wait_until(pilot, lambda: screen.listing.query == "harbour" and listing.cursor == 2)
        assert screen.query_one(SearchBar).value == "harbour" and listing.has_focus
        assert listing.current is not None and listing.current.title == "Harbour bridge story 3"


async def test_escape_in_the_editor_then_keys_for_the_list(news: NewsStore) -> None:
    """`t`, a few letters, Escape, `j`: the letters went into the editor, Escape closed it, `j`
    moved the list (it was neither typed into the editor nor lost)."""
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        burst(app, "tabc\x1bjj")
        listing = screen.query_one(ArticleList)
        await wait_until(pilot, lambda: app.screen is screen and listing.cursor == 2)
        assert news.search("tag:abc").count == 0


async def test_burst_over_a_slow_open_of_the_editor_keeps_order(news: NewsStore) -> None:
    """Many rounds of `t`, a tag, Enter in one burst: every tag lands, in order, none in the list."""
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        burst(app, "".join(f"tround{n}\rj" for n in range(5)))
        listing = screen.query_one(ArticleList)
        await wait_until(pilot, lambda: app.screen is screen and listing.cursor == 5)
        await settle(pilot)
        for n in range(5):
            found = news.search(f"tag:round{n}").items
            assert [item.title for item in found] == [listing.item_at(n).title], n  # type: ignore[union-attr]


async def test_keys_after_slash_extend_the_query_shown(news: NewsStore) -> None:
    """`/` in a search view shows its query with the cursor at the end: the keys typed right
    behind `/` extend it.  The bar's focus used to select the whole query once it arrived, so
    whichever key came after that replaced it (the lost first letter of item 17)."""
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        burst(app, "/tram\r")
        await wait_until(pilot, lambda: screen.listing.query == "tram" and not screen.search_flow.is_open)
        burst(app, "/ OR harbour")
        bar = screen.query_one(SearchBar)
        await wait_until(pilot, lambda: screen.listing.query == "tram OR harbour")
        assert bar.value == "tram OR harbour"


async def test_keys_behind_r_wait_for_the_related_articles(store: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`r`, down, Enter in one burst: the related list loads in a worker; the keys typed behind
    `r` wait for its rows (they went to the empty list and were lost).  The store's answer is
    held back until every key that could go out has gone out (a slow store, a busy machine)."""
    import threading

    from tui.demo import fill_demo_store
    from tui.screens.related import RelatedScreen
    from tui.widgets.article_text import ArticleText

    fill_demo_store(store)
    answer = threading.Event()
    real_related = store.related

    def slow_related(article_id: str, limit: int = 30):  # type: ignore[no-untyped-def]
        answer.wait(30)
        return real_related(article_id, limit)

    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        view = screen.query_one(ArticleText)
        assert view.article is not None
        related = store.related(view.article.article.id)
        assert len(related) >= 2
        monkeypatch.setattr(store, "related", slow_related)
        burst(app, "r<down>\r")
        deadline = time.monotonic() + 10  # (not wait_until: its settle would wait for the held worker)
        while not (isinstance(app.screen, RelatedScreen) and app._key_trail is None):
            assert time.monotonic() < deadline, "the related screen did not open"
            await pilot.pause(0.01)
        answer.set()  # every key has gone out, or waits for the rows
        await wait_until(pilot, lambda: app.screen is screen and view.article.article.id == related[1][0].id)


# -- the pop-up lists whose rows a worker loads: the keys typed behind the key that opened one ----
def hold_back(monkeypatch, store: NewsStore, method: str):  # type: ignore[no-untyped-def]
    """The store's `method` answers only once the returned event is set (a slow store)."""
    import threading

    answer = threading.Event()
    real = getattr(store, method)

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        answer.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, method, slow)
    return answer


async def answer_once_the_keys_are_out(pilot, app: NewsdeskApp, screen_type: type, answer) -> None:  # type: ignore[no-untyped-def]
    """Lets the held-back answer go once the pop-up is up and every key typed has gone out or
    waits, held (not wait_until: its settle would wait for the held worker); after 5 s in any
    case (the keys went elsewhere: the test's own assertions say where)."""
    deadline = time.monotonic() + 5
    while not (
        isinstance(app.screen, screen_type)
        and app.screen.is_mounted
        and app._key_trail is None
        and (not app._keys_waiting or app._held())
    ) and time.monotonic() < deadline:
        await pilot.pause(0.01)
    answer.set()


async def test_keys_behind_T_rename_the_third_tag(news: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`T j j r`, a new name and Enter in one burst: the third tag is renamed (the keys reached
    the empty table before its rows and were lost)."""
    from tui.screens.tags import TagsScreen

    for n, tag in enumerate(["alpha", "bravo", "charlie", "delta"], start=1):
        news.update_state([story(n, "").id], add_tags=[tag])
    before = [entry["tag"] for entry in news.tag_counts()]
    answer = hold_back(monkeypatch, news, "tag_counts")
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        burst(app, "Tjjr<ctrl+u>renamed\r")
        await answer_once_the_keys_are_out(pilot, app, TagsScreen, answer)
        await wait_until(pilot, lambda: "renamed" in [entry["tag"] for entry in news.tag_counts()])
        after = [entry["tag"] for entry in news.tag_counts()]
        assert sorted(after) == sorted([*before[:2], "renamed", *before[3:]])
        assert app.screen is not screen and isinstance(app.screen, TagsScreen)


async def test_keys_behind_V_delete_the_third_view(news: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tui.screens.saved_views import SavedViewsScreen

    for name in ("one", "two", "three", "four"):
        news.save_view(name, f"story {name}")
    names = [view.name for view in news.saved_views()]
    answer = hold_back(monkeypatch, news, "saved_views")
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "Vjjd")
        await answer_once_the_keys_are_out(pilot, app, SavedViewsScreen, answer)
        await wait_until(pilot, lambda: len(news.saved_views()) == 3)
        assert [view.name for view in news.saved_views()] == [*names[:2], *names[3:]]


async def test_keys_behind_F_pause_the_third_feed(news: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from articles.importers import Subscription
    from tui.screens.feeds import FeedsScreen

    news.add_subscriptions([Subscription(f"https://feeds.example/{n}.xml", title=f"Feed {n}") for n in range(4)])
    urls = [feed["url"] for feed in news.feed_counts()]
    answer = hold_back(monkeypatch, news, "feed_counts")
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "Fjjp")
        await answer_once_the_keys_are_out(pilot, app, FeedsScreen, answer)
        await wait_until(pilot, lambda: any(feed.get("paused") for feed in news.subscriptions()))
        assert [feed["url"] for feed in news.subscriptions() if feed.get("paused")] == [urls[2]]


def people_store(store: NewsStore) -> NewsStore:
    from articles.model import Entity

    people = [Entity(f"Person {letter}", "person", 1) for letter in "ABCDE"]
    store.add_articles(
        [
            Article.create(
                title=f"Story {n}",
                body="Body.",
                url=f"https://e.example/{n}",
                published=f"2026-05-{n:02d}T08:00:00Z",
                entities=tuple(people[: n + 1]),
            )
            for n in range(1, 5)
        ]
    )
    return store


async def test_keys_behind_E_open_the_third_entity(store: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tui.screens.entities import EntitiesScreen

    people_store(store)
    third = store.entity_counts(limit=500)[2]["name"]
    answer = hold_back(monkeypatch, store, "entity_counts")
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        burst(app, "E<down><down>\r")
        await answer_once_the_keys_are_out(pilot, app, EntitiesScreen, answer)
        await wait_until(pilot, lambda: app.screen is screen and third in screen.listing.query)


async def test_enter_right_behind_the_entity_filter_opens_what_it_finds(store: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A filter and Enter in one burst open the first entity the filter finds, not the first of
    the list shown before the filter's rows came in."""
    from tui.screens.entities import EntitiesScreen

    people_store(store)
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        burst(app, "E")
        await wait_until(pilot, lambda: isinstance(app.screen, EntitiesScreen) and len(app.screen.entities) == 5)
        answer = hold_back(monkeypatch, store, "entity_counts")
        burst(app, "son D\r")
        await answer_once_the_keys_are_out(pilot, app, EntitiesScreen, answer)
        await wait_until(pilot, lambda: app.screen is screen)
        assert "Person D" in screen.listing.query


async def test_keys_right_behind_the_trash_undelete_the_third_entry(news: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tui.screens.trash import TrashScreen

    for n in range(1, 5):
        news.delete_articles([story(n, "").id])
    entries = [entry.id for entry in news.trash()]
    answer = hold_back(monkeypatch, news, "trash")
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.action_trash()  # as the palette's "Trash" does
        burst(app, "jju")
        await answer_once_the_keys_are_out(pilot, app, TrashScreen, answer)
        await wait_until(pilot, lambda: news.get(entries[2]) is not None)
        assert [entry.id for entry in news.trash()] == [*entries[:2], *entries[3:]]


async def test_tab_right_behind_t_completes_from_the_stores_tags(news: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`t`, `tr`, Tab, Enter in one burst: the tags for completion come from a worker; the keys
    behind `t` wait for them, so Tab completes `tr` to `transport` (it found nothing to complete
    and the article was tagged `tr`)."""
    news.update_state([story(1, "").id], add_tags=["transport"])
    answer = hold_back(monkeypatch, news, "tag_counts")
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        current = screen.query_one(ArticleList).current
        assert current is not None and current.id != story(1, "").id
        burst(app, "ttr\t\r")
        await answer_once_the_keys_are_out(pilot, app, TagEditorScreen, answer)
        await wait_until(pilot, lambda: app.screen is screen)
        await wait_until(pilot, lambda: news.get(current.id).state.tags != ())  # type: ignore[union-attr]
        assert news.get(current.id).state.tags == ("transport",)  # type: ignore[union-attr]


# -- many searches typed without a pause, over a slow store (issue 18: "harbo" in a tmux run) -------
def slow_reads(monkeypatch, store: NewsStore, seconds: float) -> None:  # type: ignore[no-untyped-def]
    """The store's searches take `seconds` more (a loaded disk): each listing the keys start is
    still loading when the next keys come.  (A slow store, in the worker's thread; not a wait
    of the test's.)"""
    real = store.search

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(seconds)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "search", slow)


def record_submitted(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The queries the search bar submitted (Enter), in order."""
    from tui.screens.main_search import SearchFlow

    submitted: list[str] = []
    real = SearchFlow.submitted

    def recording(self: SearchFlow, text: str) -> None:
        submitted.append(text)
        real(self, text)

    monkeypatch.setattr(SearchFlow, "submitted", recording)
    return submitted


QUERIES = [f"{word} {n}" for n in range(12) for word in ("harbour", "tram")]


@pytest.mark.parametrize("debounce", [0.0, 0.05], ids=["search-every-key", "debounce"])
async def test_many_searches_in_one_burst_over_slow_reads(news: NewsStore, monkeypatch, debounce: float) -> None:  # type: ignore[no-untyped-def]
    """24 rounds of `/`, a query, Enter and Escape in one burst, over slow reads (each key's
    search, the listing Enter keeps, the listing Escape returns to): every query reaches the
    bar whole and in order."""
    from tui.screens import main_search

    monkeypatch.setattr(main_search, "DEBOUNCE", debounce)
    slow_reads(monkeypatch, news, 0.005)
    submitted = record_submitted(monkeypatch)
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        burst(app, "".join(f"/{query}\r\x1b" for query in QUERIES))
        await wait_until(pilot, lambda: len(submitted) == len(QUERIES) and not app._keys_waiting, timeout=120)
        await wait_until(pilot, lambda: screen.listing.query == "" and not screen.search_flow.is_open)
        assert submitted == QUERIES


async def test_keys_arriving_while_the_bar_opens_and_the_list_reloads(news: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`/`, the letters and Enter arriving a key at a time at varied points of the app's work
    (between message-loop turns: the bar opening, the trail of the key before, a listing's rows
    coming in), every key a search, over slow reads: each query arrives whole, in order."""
    import asyncio
    import random

    from tui.screens import main_search

    monkeypatch.setattr(main_search, "DEBOUNCE", 0.0)
    slow_reads(monkeypatch, news, 0.005)
    submitted = record_submitted(monkeypatch)
    turns = random.Random(18)
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        for query in QUERIES:
            for key in f"/{query}\r":
                burst(app, key)
                for _ in range(turns.choice([0, 0, 1, 2, 5, 20])):
                    await asyncio.sleep(0)  # one turn of the event loop: lets the app's work go on
            await wait_until(pilot, lambda: screen.listing.query == query and not screen.search_flow.is_open)
            burst(app, "\x1b")
            await wait_until(pilot, lambda: screen.listing.query == "" and not app._keys_waiting)
        assert submitted == QUERIES

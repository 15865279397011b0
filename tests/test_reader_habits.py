"""The reader's habits from newsboat and notmuch, driven by keys with Pilot: `H` hides the read
articles of a view (remembered per view; an article read while shown stays), `w` saves whatever
view is shown, `M` catches up a view, a feed, a tag or a saved view (asking first over 100
articles; `u` undoes), `|` pipes the article to a configured command."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from articles.importers.base import Subscription
from articles.model import Article
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.config import parse_settings
from tui.screens.main import MainScreen
from tui.screens.pipe import PagerScreen, PipeChooser
from tui.screens.prompt import PromptScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.top_bar import TopBar

FEED = "https://feeds.example/rss"


def article(n: int, **changes: object) -> Article:
    fields: dict[str, object] = {
        "title": f"Story number {n}",
        "body": f"Paragraph one of story {n}, about the harbour.",
        "url": f"https://news.example/{n}",
        "published": f"2026-11-{n % 28 + 1:02d}T{n % 24:02d}:{n % 60:02d}:00+00:00",
        "source": "Example Times",
        "author": "Ana Lima",
    }
    fields.update(changes)
    return Article.create(**fields)  # type: ignore[arg-type]


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles([article(n) for n in range(1, 6)])
    ids = [a.id for a in (article(1), article(2))]
    store.change_states(ids, read=True)
    return store


def listed(app: NewsdeskApp) -> int:
    return app.screen.query_one(ArticleList).total


def top_bar(app: NewsdeskApp) -> str:
    return str(app.screen.query_one(TopBar).render())


def notices(app: NewsdeskApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_H_hides_read_articles_per_view_and_remembers(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert listed(app) == 5
        await pilot.press("H")
        await settle(pilot)
        assert listed(app) == 3 and "read hidden" in top_bar(app)
        assert "3 unread" in top_bar(app) and "3 unread" in app.sub_title
        assert news.preferences()["hide_read"] == {"": True}
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("j", "enter")  # read while shown: it stays, the cursor with it
        await settle(pilot)
        cursor_id = screen.article_list.current.id if screen.article_list.current else None
        assert listed(app) == 3 and screen.article_list.cursor == 1
        screen.poll()  # the change feed says it is read now
        await settle(pilot)
        assert listed(app) == 3 and screen.article_list.current is not None
        assert screen.article_list.current.id == cursor_id and "2 unread" in top_bar(app)
        await pilot.press("slash", *"harbour", "enter")  # another view: shows all (its own setting)
        await settle(pilot)
        assert listed(app) == 5
        await pilot.press("escape")  # back, loaded again: the article read meanwhile is hidden now
        await settle(pilot)
        assert listed(app) == 2

    again = NewsdeskApp(news, read_delay=3600)
    async with again.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert listed(again) == 2  # remembered
        await pilot.press("H")
        await settle(pilot)
        assert listed(again) == 5 and news.preferences()["hide_read"] == {}


async def test_w_saves_a_search_and_an_entity_view(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("w")  # every article: nothing to save, said
        await settle(pilot)
        assert news.saved_views() == []
        await pilot.press("slash", *"harbour", "enter", "w")
        await settle(pilot)
        assert [(v.name, v.query) for v in news.saved_views()] == [("harbour", "harbour")]
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.open_entity("person", "Ying Yong")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        views = {v.name: v.query for v in news.saved_views()}
        assert views["Ying Yong"] == 'person:"Ying Yong" sort:new'
        assert "ctrl+s" not in {b.key for b in screen.BINDINGS if hasattr(b, "key")}  # the search bar's only


async def test_w_saves_the_related_articles(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        (view,) = news.saved_views()
        assert view.name.startswith("related: Story number") and view.query.startswith("id:")


async def test_M_asks_first_over_100_articles_and_u_undoes(store: NewsStore) -> None:
    store.add_articles([article(n) for n in range(1, 131)])
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("escape")  # not confirmed: nothing marked
        await settle(pilot)
        assert store.count_matching("is:unread") == 130
        await pilot.press("M", "y", "enter")
        await wait_until(pilot, lambda: store.count_matching("is:unread") == 0)
        await pilot.press("u")
        await wait_until(pilot, lambda: store.count_matching("is:unread") == 130)


async def test_M_catches_up_a_feed_a_tag_and_a_saved_view(store: NewsStore) -> None:
    store.add_articles([article(n, feed=FEED if n <= 3 else None) for n in range(1, 10)])
    store.add_subscriptions([Subscription(FEED, title="Example feed")])
    store.change_states([article(n).id for n in (4, 5)], add_tags=("later",))
    store.save_view("eight", "number 8")
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("F", "M")
        await wait_until(pilot, lambda: store.count_matching(f'feed:"{FEED}" is:unread') == 0)
        await pilot.press("escape", "T", "M")
        await wait_until(pilot, lambda: store.count_matching("tag:later is:unread") == 0)
        await pilot.press("escape", "V", "M")
        await wait_until(pilot, lambda: store.count_matching("is:unread") == 3)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("u")  # the saved view's catch-up
        await wait_until(pilot, lambda: store.count_matching("is:unread") == 4)
        await pilot.press("u", "u")
        await wait_until(pilot, lambda: store.count_matching("is:unread") == 9)


def pipe_settings(tmp_path: Path, commands: dict[str, object]) -> object:
    return parse_settings({"reader": {"read_after": 3600, "pipe": commands}}, tmp_path / "c.toml")


async def test_pipe_sends_the_article_and_shows_the_output_literally(news: NewsStore, tmp_path: Path) -> None:
    hostile = "import sys; sys.stdin.read(); print('[bold]loud[/bold] \\x1b[31mred\\x1b]0;owned\\x07')"
    words = "import sys; print(len(sys.stdin.read().split()), 'words')"
    as_json = "import sys, json; r = json.load(sys.stdin); print(r['title'], r['read'])"
    settings = pipe_settings(
        tmp_path,
        {
            "words": [sys.executable, "-c", words],
            "json": {"command": [sys.executable, "-c", as_json], "input": "json"},
            "hostile": [sys.executable, "-c", hostile],
            "long": {"command": [sys.executable, "-c", "print('line\\n' * 50)"], "show": "notice"},
        },
    )
    app = NewsdeskApp(news, settings=settings)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("vertical_line")
        await settle(pilot)
        assert isinstance(app.screen, PipeChooser)
        await pilot.press("enter")  # the first: words
        await wait_until(pilot, lambda: any("words" in m for m in notices(app)))
        await pilot.press("vertical_line", "down", "enter")
        await wait_until(pilot, lambda: "Story number 5 False" in notices(app))
        await pilot.press("vertical_line", "down", "down", "enter")
        await wait_until(pilot, lambda: any("loud" in m for m in notices(app)))
        shown = next(m for m in notices(app) if "loud" in m)
        assert shown == "[bold]loud[/bold] [31mred]0;owned"  # literal, no control character
        await pilot.press("vertical_line", "down", "down", "down", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, PagerScreen))  # too long for a notice
        await pilot.press("escape")


async def test_pipe_time_limit_and_failures_are_said(news: NewsStore, tmp_path: Path) -> None:
    settings = pipe_settings(
        tmp_path,
        {"slow": {"command": [sys.executable, "-c", "import time; time.sleep(60)"], "timeout": 0.5}},
    )
    app = NewsdeskApp(news, settings=settings)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("vertical_line")  # one command: run at once
        await wait_until(pilot, lambda: any(n.title == "slow: stopped after 0.5 s" for n in app._notifications))
    missing = pipe_settings(tmp_path, {"nothing": str(tmp_path / "no-such-command")})
    app = NewsdeskApp(news, settings=missing)  # type: ignore[arg-type]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("vertical_line")
        await wait_until(pilot, lambda: any("could not run" in (n.title or "") for n in app._notifications))


def test_pipe_config_is_checked() -> None:
    settings = parse_settings({"reader": {"pipe": {"bad": {"command": [], "input": "xml"}}}}, Path("c.toml"))
    assert settings.reader.pipe == {} and "pipe" in settings.warnings[0]


async def test_w_in_the_sidebar_follows_the_entity_under_its_cursor(store: NewsStore) -> None:
    from articles.model import Entity

    store.add_articles([article(1, entities=(Entity("Ying Yong", "person", 3), Entity("Shanghai", "place", 1)))])
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "tab", "w")  # list, text, sidebar: its first entity
        await settle(pilot)
        assert [(v.name, v.query) for v in store.saved_views()] == [("Ying Yong", 'person:"Ying Yong" sort:new')]


async def test_H_keeps_the_cursor_on_its_article(store: NewsStore) -> None:
    store.add_articles([article(n) for n in range(1, 6)])
    store.change_states([article(4).id, article(5).id], read=True)  # the two newest
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("j", "j")
        await settle(pilot)
        assert screen.article_list.current is not None and screen.article_list.current.title == "Story number 3"
        await pilot.press("H")
        await settle(pilot)
        assert listed(app) == 3 and screen.article_list.cursor == 0
        assert screen.article_list.current is not None and screen.article_list.current.title == "Story number 3"
        await pilot.press("H")
        await settle(pilot)
        assert listed(app) == 5 and screen.article_list.cursor == 2


async def test_M_in_the_tags_list_asks_first_over_100_articles(store: NewsStore) -> None:
    store.add_articles([article(n) for n in range(1, 121)])
    store.change_states([article(n).id for n in range(1, 121)], add_tags=("backlog",))
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("T", "M")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("y", "enter")
        await wait_until(pilot, lambda: store.count_matching("tag:backlog is:unread") == 0)
        await pilot.press("escape", "u")
        await wait_until(pilot, lambda: store.count_matching("tag:backlog is:unread") == 120)

"""The reader's search: the bar, results as you type, highlighting, n/N, history, saved views."""

from __future__ import annotations

import pytest

from articles.model import Article
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.screens.main import MainScreen
from tui.screens.prompt import PromptScreen
from tui.screens.saved_views import SavedViewsScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText
from tui.widgets.search_bar import SearchBar

FLOOD_BODY = "\n\n".join(
    [f"Paragraph {i}: the river rose overnight." for i in range(1, 40)]
    + ["Engineers inspected the Flood barrier at dawn."]
    + [f"Paragraph {i}: residents waited." for i in range(41, 80)]
    + ["A second flood warning followed; the FLOOD season is here."]
)


def article(n: int, title: str, body: str, **changes: object) -> Article:
    fields: dict[str, object] = {
        "title": title,
        "body": body,
        "url": f"https://news.example/{n}",
        "published": f"2026-11-{n:02d}T08:00:00+00:00",
        "source": "Example Times",
    }
    fields.update(changes)
    return Article.create(**fields)  # type: ignore[arg-type]


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles(
        [
            article(1, "Flood barrier finished at last", FLOOD_BODY),
            article(2, "Tram line approved", "The council approved the tram line to Eastfield."),
            article(3, "Zürich bank opens office", "A bank from Zürich opened an office in the harbour."),
            article(4, "Harbour festival returns", "The festival returns to the harbour this summer."),
            article(5, "Tram depot floods after storm", "Water entered the tram depot."),
        ]
    )
    return store


def titles(app: NewsdeskApp) -> list[str]:
    listing = app.screen.query_one(ArticleList)
    return [item.title for i in range(listing.total) if (item := listing.item_at(i)) is not None]


async def open_search(pilot) -> SearchBar:  # type: ignore[no-untyped-def]
    await pilot.press("slash")
    await settle(pilot)
    bar = pilot.app.screen.query_one(SearchBar)
    assert bar.has_focus
    return bar


async def test_results_follow_typing_and_escape_returns(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("j", "j")  # the cursor on the 3rd newest article
        bar = await open_search(pilot)
        await pilot.press(*"tram")
        assert bar.value == "tram"
        await wait_until(pilot, lambda: screen.listing.query == "tram")
        assert sorted(titles(app)) == ["Tram depot floods after storm", "Tram line approved"]
        topbar = str(screen.query_one("#topbar").render())
        assert "search: tram" in topbar and "2 matches" in topbar
        await pilot.press("escape")
        await settle(pilot)
        assert screen.listing.query == "" and screen.query_one(ArticleList).total == 5
        assert screen.query_one(ArticleList).cursor == 2  # back where it was
        assert not screen.search_flow.is_open


async def test_malformed_query_keeps_results_and_points_at_the_problem(news: NewsStore) -> None:
    app = NewsdeskApp(news)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await open_search(pilot)
        await pilot.press(*"harbour")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one(ArticleList).total == 2
        await pilot.press("slash", *' "festival')
        await wait_until(pilot, lambda: "unbalanced quote" in str(screen.query_one("#search-status").render()))
        assert screen.query_one(ArticleList).total == 2  # the last good results stay
        await pilot.press("enter")  # Enter on it: the bar stays open with the reason, to mend the query
        await settle(pilot)
        assert screen.search_flow.is_open and isinstance(app.focused, SearchBar)
        assert "unbalanced quote" in str(screen.query_one("#search-status").render())
        await pilot.press('"', "enter")  # mended: harbour "festival"
        await settle(pilot)
        assert not screen.search_flow.is_open and screen.query_one(ArticleList).total == 1
        await pilot.press("slash", *' "x', "enter", "escape")  # a failed Enter, then escape:
        await settle(pilot)
        assert not screen.search_flow.is_open and screen.query_one(ArticleList).total == 1  # back where it opened


async def test_enter_keeps_results_escape_then_leaves_the_view(news: NewsStore) -> None:
    app = NewsdeskApp(news)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await open_search(pilot)
        await pilot.press(*"zurich", "enter")
        await settle(pilot)
        assert titles(app) == ["Zürich bank opens office"]
        assert screen.query_one(ArticleList).has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert screen.listing.query == "" and len(titles(app)) == 5


async def test_matches_are_highlighted_and_n_jumps_between_them(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        await open_search(pilot)
        await pilot.press(*"flood", "enter")
        await settle(pilot)
        listing = screen.query_one(ArticleList)
        # the title in the list carries the match style on the word only
        row = listing.row_text(listing.item_at(0), 80)
        match = listing.get_component_rich_style("article-list--match")
        marked = [row.plain[s.start : s.end] for s in row.spans if s.style == match]
        assert marked and all(m.lower().startswith("flood") for m in marked)
        # the barrier article (body has three matches far apart)
        while listing.current.title != "Flood barrier finished at last":
            await pilot.press("j")
            await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        view = screen.query_one(ArticleText)
        assert view.has_focus and view.match_lines[0] == 0  # the title

        def shown_match() -> str:
            line = view.current_match
            assert line is not None and round(view.scroll_y) <= line < round(view.scroll_y) + view.size.height
            return view.plain_lines()[line]

        await pilot.press("n")
        await settle(pilot)
        assert "Flood barrier at dawn" in shown_match()
        assert round(view.scroll_y) == view.current_match - ArticleText.MATCH_CONTEXT
        await pilot.press("n")
        await settle(pilot)
        assert "second flood warning" in shown_match()
        await pilot.press("n")  # no further match: stays
        await settle(pilot)
        assert "second flood warning" in shown_match()
        await pilot.press("N")
        await settle(pilot)
        assert "Flood barrier at dawn" in shown_match()
        await pilot.press("N")
        await settle(pilot)
        assert view.current_match == 0


async def test_history_is_kept_in_the_store_and_browsable(news: NewsStore) -> None:
    app = NewsdeskApp(news)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for query in ("tram", "harbour"):
            await open_search(pilot)
            await pilot.press("ctrl+u", *query, "enter")
            await settle(pilot)
    assert news.search_history()[-2:] == ["tram", "harbour"]
    app = NewsdeskApp(news)  # a new session sees it
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        bar = await open_search(pilot)
        await settle(pilot)
        await pilot.press("up")
        assert bar.value == "harbour"
        await pilot.press("up")
        assert bar.value == "tram"
        await pilot.press("down", "down")
        assert bar.value == ""


async def test_saved_views_save_list_open_rename_delete(news: NewsStore) -> None:
    news.update_state([news.search("tram").items[0].id], read=True)
    app = NewsdeskApp(news)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        await open_search(pilot)
        await pilot.press(*"tram", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"Trams", "enter")
        await settle(pilot)
        assert [v.name for v in news.saved_views()] == ["Trams"]
        await pilot.press("escape")  # close the bar: back to all articles
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        views = app.screen
        assert isinstance(views, SavedViewsScreen)
        table = views.query_one("#views-table")
        assert [str(c) for c in table.get_row_at(0)[:3]] == ["Trams", "2", "1"]
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("ctrl+u", *"Tram lines", "enter")
        await settle(pilot)
        assert [v.name for v in news.saved_views()] == ["Tram lines"]
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen and screen.listing.name == "Tram lines"
        assert sorted(titles(app)) == ["Tram depot floods after storm", "Tram line approved"]
        assert "view: Tram lines" in str(screen.query_one("#topbar").render())
        await pilot.press("V")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert news.saved_views() == []


async def test_a_state_change_keeps_the_reading_position(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        await pilot.press("G")  # the oldest: the long flood article
        await settle(pilot)
        assert listing.current.title == "Flood barrier finished at last"
        await pilot.press("enter", "space", "space")
        await settle(pilot)
        view = app.screen.query_one(ArticleText)
        scrolled = round(view.scroll_y)
        assert scrolled > 0
        await pilot.press("s")  # star it: the row and the article are refreshed
        await settle(pilot)
        assert news.search("is:starred").count == 1
        assert round(view.scroll_y) == scrolled


async def test_search_results_are_not_read_by_being_under_the_cursor(store: NewsStore) -> None:
    """Issue 14, item 3: `/kelp`, a wait, escape: the top result had lost its ●.  A search puts
    its first result in the text pane, but only the user's choice reads an article."""
    added = [
        article(1, "Kelp forests recover", "Divers counted kelp along the coast."),
        article(2, "Kelp farm opens", "A kelp farm opened in the bay."),
        article(3, "Harbour festival returns", "The festival returns to the harbour."),
    ]
    store.add_articles(added)
    app = NewsdeskApp(store, read_delay=0)  # read the moment it is chosen and shown
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await open_search(pilot)
        await pilot.press(*"kelp")
        await wait_until(pilot, lambda: screen.listing.query == "kelp" and len(titles(app)) == 2)
        shown = screen.query_one(ArticleText)
        await wait_until(pilot, lambda: shown.article is not None and shown.article.article.title == titles(app)[0])
        await pilot.press("escape")
        await settle(pilot)
        assert [store.get(a.id).state.read for a in added] == [False, False, False]  # type: ignore[union-attr]
        listing = screen.query_one(ArticleList)
        assert not any(listing.item_at(i).read for i in range(listing.total))  # type: ignore[union-attr]

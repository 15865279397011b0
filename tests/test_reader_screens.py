"""The reader's screens for a new user: completion in the tag editor, the same movement keys in
every list, the help and the palette without duplicates, the footer at 80 columns, the search
bar's note on a mistyped field, and the import problems that do not fit in a notice."""

from __future__ import annotations

import pytest

from articles.model import Article
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.screens.main import MainScreen
from tui.screens.tag_editor import TagEditorScreen


def story(n: int, title: str = "") -> Article:
    return Article.create(
        title=title or f"Story {n}",
        body=f"Body {n}.",
        url=f"https://r.example/{n}",
        published=f"2026-05-{n:02d}T08:00:00Z",
    )


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles([story(n) for n in range(1, 9)])
    store.update_state([story(1).id], add_tags=["follow-up"])
    return store


def tags_of(store: NewsStore, n: int) -> tuple[str, ...]:
    got = store.get(story(n).id)
    assert got is not None
    return got.state.tags


def screen_lines(app: NewsdeskApp) -> list[str]:
    """The screen as the terminal shows it, one string a row."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


# -- 12: tab completes in the tag editor ------------------------------------------------------------
async def test_tab_accepts_the_tag_completion(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagEditorScreen)
        await pilot.press(*"fol", "tab", "enter")  # no wait for the suggestion to show
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert tags_of(news, 8) == ("follow-up",)


async def test_tab_completes_the_last_tag_and_keeps_a_sign(news: NewsStore) -> None:
    news.update_state([story(8).id], add_tags=["follow-up", "later"])
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t", *"urgent, -FOL", "tab")
        await settle(pilot)
        field = app.screen.query_one("#tag-input")
        assert field.value == "urgent, -follow-up"
        await pilot.press("tab")  # nothing left to complete: the text stays as it is
        assert field.value == "urgent, -follow-up"
        await pilot.press("enter")
        await settle(pilot)
        assert tags_of(news, 8) == ("later", "urgent")


# -- 17: a cut title shows that it is cut ---------------------------------------------------------
async def test_tag_editor_ends_a_cut_title_with_an_ellipsis(store: NewsStore) -> None:
    long_title = "A very long headline about the harbour works " + "and what the council said " * 4
    store.add_articles([story(1, long_title)])
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        heading = str(app.screen.query_one("#tag-heading").render())
        assert heading.startswith("Tags of “A very long headline")
        assert heading.endswith("…”"), heading

"""The reader's tagging: the tag editor, marks and bulk tagging, undo/redo (that keeps another
session's edits), the tags view, unread navigation and marking a view read."""

from __future__ import annotations

import pytest

from articles.model import Article
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.screens.main import MainScreen
from tui.screens.prompt import PromptScreen
from tui.screens.tag_editor import TagEditorScreen, parse_tag_edit
from tui.screens.tags import TagsScreen
from tui.widgets.article_list import ArticleList


def story(n: int) -> Article:
    return Article.create(
        title=f"Story {n}", body=f"Body {n}.", url=f"https://r.example/{n}", published=f"2026-05-{n:02d}T08:00:00Z"
    )


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles([story(n) for n in range(1, 9)])
    store.update_state([story(8).id], add_tags=["Existing tag"])
    return store


def tags_of(store: NewsStore, n: int) -> tuple[str, ...]:
    got = store.get(story(n).id)
    assert got is not None
    return got.state.tags


def test_parse_tag_edit() -> None:
    assert parse_tag_edit("climate, -later, +to read,,") == (["climate", "to read"], ["later"])


async def test_editor_adds_with_completion_and_undo_redo(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, TagEditorScreen)
        await pilot.press(*"exi")
        await wait_until(pilot, lambda: app.screen.query_one("#tag-input")._suggestion == "Existing tag")
        await pilot.press("right", *", urgent", "enter")  # accept the completion, then another tag
        await settle(pilot)
        assert app.screen is screen
        assert tags_of(news, 8) == ("Existing tag", "urgent")  # the newest article is current
        assert screen.query_one(ArticleList).current.tags == ("Existing tag", "urgent")
        await pilot.press("u")
        await settle(pilot)
        assert tags_of(news, 8) == ("Existing tag",)  # "Existing tag" was already there: kept
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert tags_of(news, 8) == ("Existing tag", "urgent")


async def test_bad_tag_is_refused_with_a_message(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*("a" * 101), "enter")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, TagEditorScreen)  # still open, nothing written
        assert "at most 100" in str(editor.query_one("#tag-error").render())
        assert tags_of(news, 8) == ("Existing tag",)


async def test_marks_bulk_tag_and_undo_after_another_sessions_edit(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        await pilot.press("x", "x")  # rows 0 and 1 (x moves down)
        await pilot.press("j", "X")  # a range from the last mark (row 1) to row 3
        await settle(pilot)
        assert listing.marked == {story(n).id for n in (8, 7, 6, 5)}
        await pilot.press("t", *"batch", "enter")
        await settle(pilot)
        assert news.search("tag:batch").count == 4
        # another session tags one of them, and removes nothing
        other = NewsStore(news.root)
        other.update_state([story(7).id], add_tags=["theirs"])
        await pilot.press("u")
        await settle(pilot)
        assert news.search("tag:batch").count == 0
        assert tags_of(news, 7) == ("theirs",)  # undo removed only what we added
        await pilot.press("escape")  # clears the marks
        await settle(pilot)
        assert listing.marked == set()
        await pilot.press("asterisk")
        await wait_until(pilot, lambda: len(listing.marked) == 8)
        other.close()


async def test_unread_navigation_and_marking_the_view_read(news: NewsStore) -> None:
    news.update_state([story(n).id for n in (8, 7, 5)], read=True)
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        await pilot.press("right_square_bracket")
        assert listing.current.title == "Story 6"
        await pilot.press("right_square_bracket")
        assert listing.current.title == "Story 4"
        await pilot.press("left_square_bracket")
        assert listing.current.title == "Story 6"
        await pilot.press("M")
        await settle(pilot)
        assert news.search("is:unread").count == 0
        await pilot.press("u")
        await settle(pilot)
        assert {i.title for i in news.search("is:unread").items} == {f"Story {n}" for n in (1, 2, 3, 4, 6)}


async def test_tags_view_open_rename_merge_delete_undo(news: NewsStore) -> None:
    news.update_state([story(1).id, story(2).id], add_tags=["later"])
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        await pilot.press("T")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, TagsScreen)
        assert [(t["tag"], t["articles"]) for t in view.tags] == [("later", 2), ("Existing tag", 1)]
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u", *"existing TAG", "enter")  # onto an existing tag: a merge
        await settle(pilot)
        assert [(t["tag"], t["articles"]) for t in view.tags] == [("Existing tag", 3)]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y", "enter")
        await settle(pilot)
        assert view.tags == [] and news.tag_counts() == []
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is main
        assert len(main.undo.undoable) == 2, main.undo.undoable  # the merge, then the delete
        await pilot.press("u")  # undo the delete
        await settle(pilot)
        assert [(t["tag"], t["articles"]) for t in news.tag_counts()] == [("Existing tag", 3)]
        await pilot.press("T")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert main.listing.name == "#Existing tag" and main.query_one(ArticleList).total == 3


async def test_two_readers_on_one_store_see_each_others_tags(news: NewsStore) -> None:
    """Two sessions (two SSH logins) on one store: a tag added in one shows in the other within
    the poll interval, without moving the other's cursor."""
    first_store, second_store = news, NewsStore(news.root)
    first, second = NewsdeskApp(first_store, read_delay=3600), NewsdeskApp(second_store, read_delay=3600)
    async with first.run_test(size=(120, 40)) as one, second.run_test(size=(120, 40)) as two:
        await settle(one)
        await settle(two)
        other_list = second.screen.query_one(ArticleList)
        await two.press("j", "j", "j")
        await settle(two)
        assert other_list.cursor == 3
        await one.press("t", *"shared", "enter")  # the first session tags its current (newest) article
        await settle(one)
        assert tags_of(news, 8) == ("Existing tag", "shared")

        def seen() -> bool:
            item = other_list.item_at(0)
            return item is not None and "shared" in item.tags

        await wait_until(two, seen, timeout=15)  # the poll runs every 1.5 s
        assert other_list.cursor == 3  # the other user's cursor did not move
        await two.press("t", *"second", "enter")  # and back the other way
        await settle(two)
        await wait_until(one, lambda: "second" in (first.screen.query_one(ArticleList).item_at(3).tags), timeout=15)
    second_store.close()


async def test_a_read_only_store_says_so_and_refuses_changes(news: NewsStore) -> None:
    readonly = NewsStore(news.root, readonly=True)
    app = NewsdeskApp(readonly, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "read-only" in str(app.screen.query_one("#topbar").render())
        await pilot.press("s")  # star: refused with a message, nothing written
        await settle(pilot)
        assert any("read-only" in n.message for n in app._notifications)
    assert news.search("is:starred").count == 0
    readonly.close()


async def test_delete_with_undo_and_redo(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        await pilot.press("x", "x", "D")  # mark the two newest, delete them
        await settle(pilot)
        assert news.count() == 6 and listing.total == 6 and listing.marked == set()
        assert listing.item_at(0).title == "Story 6"
        await pilot.press("u")
        await settle(pilot)
        assert news.count() == 8 and listing.total == 8
        assert tags_of(news, 8) == ("Existing tag",)  # back with its tags
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert news.count() == 6

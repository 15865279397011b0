"""The reader's screens for a new user: completion in the tag editor, the same movement keys in
every list, the help and the palette without duplicates, the footer at 80 columns, the search
bar's note on a mistyped field, and the import problems that do not fit in a notice."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Input, OptionList

from articles.importers import Subscription
from articles.model import Article, Entity
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.config import Settings
from tui.screens.entities import EntitiesScreen
from tui.screens.feeds import FeedsScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.prompt import PromptScreen
from tui.screens.related import RelatedScreen
from tui.screens.report import ReportScreen
from tui.screens.tag_editor import TagEditorScreen
from tui.screens.tags import TagsScreen
from tui.screens.saved_views import SavedViewsScreen


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


# -- 13: every list moves with the main list's keys -----------------------------------------------
async def test_tags_view_moves_with_j_k_g_G_and_renames_the_row_under_the_cursor(news: NewsStore) -> None:
    for n, tag in ((2, "alpha"), (3, "beta"), (4, "gamma"), (5, "delta")):
        news.update_state([story(n).id], add_tags=[tag])
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        tags_screen = app.screen
        assert isinstance(tags_screen, TagsScreen)
        table = tags_screen.query_one(DataTable)
        names = [entry["tag"] for entry in tags_screen.tags]
        assert len(names) == 5
        await pilot.press("G")
        assert table.cursor_row == 4
        await pilot.press("g", "j", "j", "j", "k")
        assert table.cursor_row == 2
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("ctrl+u", *"renamed", "enter")
        await settle(pilot)
        assert sorted(entry["tag"] for entry in tags_screen.tags) == sorted([*names[:2], "renamed", *names[3:]])


async def test_views_view_moves_with_j_and_deletes_the_row_under_the_cursor(news: NewsStore) -> None:
    for name in ("one", "two", "three"):
        news.save_view(name, f"story {name}")
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        views_screen = app.screen
        assert isinstance(views_screen, SavedViewsScreen)
        names = [view.name for view in views_screen.views]
        await pilot.press("j", "j", "d")
        await settle(pilot)
        assert [view.name for view in news.saved_views()] == names[:2]


async def test_feeds_view_moves_with_j_k_g_G(news: NewsStore) -> None:
    news.add_subscriptions([Subscription(f"https://feeds.example/{n}.xml", title=f"Feed {n}") for n in range(4)])
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        assert isinstance(app.screen, FeedsScreen)
        table = app.screen.query_one(DataTable)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("G")
        assert table.cursor_row == 3
        await pilot.press("k", "g")
        assert table.cursor_row == 0


async def test_entity_browser_filter_keeps_its_letters_and_the_list_moves_with_j_k(store: NewsStore) -> None:
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
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, EntitiesScreen)
        options = browser.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 5)
        await pilot.press("down", "down")  # the arrows move the list from the filter box
        assert options.highlighted == 2
        await pilot.press("j", "k")  # letters are the filter's
        assert browser.query_one(Input).value == "jk"
        await pilot.press("backspace", "backspace")
        await wait_until(pilot, lambda: options.option_count == 5)
        await pilot.press("tab")
        assert options.has_focus
        await pilot.press("G")
        assert options.highlighted == 4
        await pilot.press("g", "j", "j", "j", "k")
        assert options.highlighted == 2
        name = browser.entities[2]["name"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert name in app.screen.listing.query


async def test_help_scrolls_with_j_k_g_G(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        scroller = app.screen.query_one(VerticalScroll)
        assert scroller.max_scroll_y > 10
        await pilot.press("j", "j", "j")
        assert scroller.scroll_y == 3
        await pilot.press("k")
        assert scroller.scroll_y == 2
        await pilot.press("G")
        assert scroller.scroll_y == scroller.max_scroll_y
        await pilot.press("g")
        assert scroller.scroll_y == 0
        await pilot.press("space")
        assert scroller.scroll_y > 10


async def test_related_articles_move_with_j_and_open_with_l(store: NewsStore) -> None:
    shared = (Entity("Ana Lima", "person", 1),)
    store.add_articles(
        [
            Article.create(
                title=f"Story {n}",
                body="Body.",
                url=f"https://e.example/{n}",
                published=f"2026-05-{n:02d}T08:00:00Z",
                entities=shared,
            )
            for n in range(1, 5)
        ]
    )
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        related = app.screen
        assert isinstance(related, RelatedScreen)
        options = related.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 3)
        await pilot.press("G", "k")
        assert options.highlighted == 1
        chosen = related.related[1][0].id
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.screen.article_text.article is not None
        assert app.screen.article_text.article.article.id == chosen


async def test_entity_filter_keeps_its_letters_when_the_keymap_names_them(store: NewsStore) -> None:
    """A [keys] entry copied from `config print` ("list.down" = "j,down") binds j on the browser
    too: the filter box still gets the letter."""
    store.add_articles([Article.create(title="One", body="Body.", entities=(Entity("Jon", "person", 1),))])
    app = NewsdeskApp(store, read_delay=3600, settings=Settings(keys={"list.down": "j,down", "list.up": "k,up"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("j", "o", "k")
        assert app.screen.query_one(Input).value == "jok"


# -- 16: the search bar's note on a mistyped field -------------------------------------------------
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("persn:", "unknown field 'persn:', did you mean person:?"),
        ('persn:"Ana Lima"', "unknown field 'persn:', did you mean person:?"),
        ("flood tags:x", "unknown field 'tags:', did you mean tag:?"),
        ("entities:Haifa", "unknown field 'entities:', did you mean entity:?"),
    ],
)
def test_a_mistyped_field_gets_a_guess(query: str, message: str) -> None:
    from store.search.query import QueryError, parse_query

    with pytest.raises(QueryError) as raised:
        parse_query(query)
    assert raised.value.message == message


@pytest.mark.parametrize("query", ["Breaking: news", "a Update: b", "Note:", "data: x"])
def test_a_word_ending_in_a_colon_is_still_a_word(query: str) -> None:
    from store.search.query import parse_query

    parse_query(query)  # no error: no field is that close


async def test_search_bar_note_fits_on_one_line_at_80_columns(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"persn:")
        status = app.screen.query_one("#search-status")
        await wait_until(pilot, lambda: "did you mean" in str(status.render()))
        assert status.size.height == 1
        row = screen_lines(app)[status.region.y]
        assert "did you mean person:? (at 1)" in row, row
        await pilot.press("ctrl+u", *"flood colour:red")
        await wait_until(pilot, lambda: "colour" in str(status.render()))
        row = screen_lines(app)[status.region.y]
        assert "unknown field 'colour:'" in row and row.rstrip().endswith("…"), row  # cut, visibly


# -- 16: the help and the palette list each key and command once, the footer keeps ? Help ----------
async def test_help_lists_each_key_once_and_every_row_has_an_id(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "escape")  # the search bar (an Input, with ctrl+c copy) was shown
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = app.screen.rows
        assert all(binding_id for _where, _keys, binding_id, _does in rows), [r for r in rows if not r[2]]
        keys = [key.strip() for _where, shown, _id, _does in rows for key in shown.split(",")]
        assert keys.count("^c") == 1 and keys.count("^q") == 1
        quits = {binding_id for _where, shown, binding_id, _does in rows if "^c" in shown or "^q" in shown}
        assert quits == {"app.quit_ctrl_c"}


async def test_help_shows_the_keys_the_keymap_set(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600, settings=Settings(keys={"article.toggle_star": "S,f5"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        star = [shown for _where, shown, binding_id, _does in app.screen.rows if binding_id == "article.toggle_star"]
        assert star == ["S, f5"]


async def test_palette_has_one_quit(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles.count("Quit") == 1
        assert len(titles) == len(set(titles))


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_footer_keeps_help_at_80_columns_and_below(news: NewsStore, size: tuple[int, int]) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        footer = screen_lines(app)[-1]
        assert "? Help" in footer, footer


async def test_question_mark_lists_the_keys_of_a_pop_up_list(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        assert "? Help" in screen_lines(app)[-1]
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {binding_id for _where, _keys, binding_id, _does in app.screen.rows}
        assert {"list.down", "list.top", "tags.rename", "app.back", "app.quit_ctrl_c"} <= ids
        assert "app.quit" not in ids  # q does not quit from the tags view: not listed there
        await pilot.press("escape")
        assert isinstance(app.screen, TagsScreen)


# -- 17: the problems a notice has no room for are one command away -------------------------------
async def test_import_problems_beyond_the_notice_are_in_the_import_report(news: NewsStore, tmp_path: Path) -> None:
    missing = [tmp_path / f"missing-{n}.xml" for n in range(7)]
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.ingest("import", [str(path) for path in missing])
        await wait_until(pilot, lambda: app.ingest_report is not None and app.background_status == "", timeout=60)
        notice = next(n.message for n in app._notifications if n.title == "Problems")
        assert "… and 2 more: ctrl+p, “Import report”, lists them all" in notice
        assert str(missing[6]) not in notice
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"import report", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ReportScreen))
        shown = str(app.screen.query_one("#report-problems").render())
        assert all(str(path) in shown for path in missing), shown
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


def test_the_command_line_gets_the_same_guess(news: NewsStore, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    code = main(["--store", str(news.root), "search", "flood", "persn:Ana"])
    err = capsys.readouterr().err
    assert code == 2
    assert "unknown field 'persn:', did you mean person:?" in err
    assert err.splitlines()[1:3] == ["  flood persn:Ana", "        ^"]

"""The reader driven by keys with Pilot: panes, movement, opening, read state, help, palette."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.command import CommandPalette

from articles.model import Article, Entity
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.demo import DEMO_ARTICLES, fill_demo_store
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.welcome import WelcomeScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText
from tui.widgets.entity_sidebar import EntitySidebar


def article(n: int, **changes: object) -> Article:
    fields: dict[str, object] = {
        "title": f"Story number {n}",
        "body": f"Paragraph one of story {n}.\n\nParagraph two of story {n}.",
        "url": f"https://news.example/{n}",
        "published": f"2026-11-{n:02d}T08:00:00+00:00",
        "source": "Example Times",
        "author": "Ana Lima",
    }
    fields.update(changes)
    return Article.create(**fields)  # type: ignore[arg-type]


@pytest.fixture
def filled(store: NewsStore) -> NewsStore:
    store.add_articles([article(n) for n in range(1, 21)])
    return store


def visible_title(app: NewsdeskApp) -> str:
    lines = app.screen.query_one(ArticleText).plain_lines()
    return lines[0] if lines else ""


async def test_opens_on_the_newest_article_with_three_panes(filled: NewsStore) -> None:
    app = NewsdeskApp(filled)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        listing = screen.query_one(ArticleList)
        assert listing.has_focus and listing.total == 20 and listing.cursor == 0
        assert visible_title(app) == "Story number 20"
        assert screen.query_one(EntitySidebar).option_count == 1  # "not extracted yet"
        assert "not extracted yet" in str(screen.query_one(EntitySidebar).get_option_at_index(0).prompt)


async def test_moving_follows_in_the_text_pane(filled: NewsStore) -> None:
    app = NewsdeskApp(filled)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "down")
        await settle(pilot)
        assert app.screen.query_one(ArticleList).cursor == 3
        assert visible_title(app) == "Story number 17"
        await pilot.press("k")
        await pilot.press("G")
        await settle(pilot)
        assert visible_title(app) == "Story number 1"
        await pilot.press("g")
        await settle(pilot)
        assert visible_title(app) == "Story number 20"
        await pilot.press("pagedown")
        await settle(pilot)
        assert app.screen.query_one(ArticleList).cursor > 5


async def test_enter_opens_marks_read_and_focuses_the_text(filled: NewsStore) -> None:
    app = NewsdeskApp(filled, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert app.screen.query_one(ArticleText).has_focus
        opened = article(19).id
        assert filled.get(opened).state.read  # type: ignore[union-attr]
        assert not filled.get(article(20).id).state.read  # type: ignore[union-attr]
        assert app.screen.query_one(ArticleList).item_at(1).read  # the list shows it read


def is_read(store: NewsStore, n: int) -> bool:
    stored = store.get(article(n).id)
    assert stored is not None
    return stored.state.read


async def test_an_article_the_user_chose_counts_as_read_once_shown(filled: NewsStore) -> None:
    """read_after = 0: a key or a click that puts an article in the text pane reads it at once;
    the article the reader starts on was put there by no one, and stays unread."""
    app = NewsdeskApp(filled, read_delay=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert visible_title(app) == "Story number 20" and not is_read(filled, 20)
        await pilot.press("j")
        await settle(pilot)
        assert is_read(filled, 19) and not is_read(filled, 20)
        await pilot.click(ArticleList, offset=(10, 4))
        await settle(pilot)
        assert visible_title(app) == "Story number 16" and is_read(filled, 16)
        await pilot.press("left_square_bracket")  # the previous unread
        await settle(pilot)
        assert visible_title(app) == "Story number 17" and is_read(filled, 17)
        assert not is_read(filled, 20)


async def test_m_keeps_an_article_unread_whatever_the_timer(filled: NewsStore) -> None:
    """Issue 14, item 2: `m` on a read article made it unread, then the read timer (restarted
    when the changed article was shown again) read it again.  `m` wins until another article
    is chosen."""
    app = NewsdeskApp(filled, read_delay=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert is_read(filled, 19)
        await pilot.press("m")
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        assert not is_read(filled, 19) and not listing.item_at(1).read  # type: ignore[union-attr]
        await pilot.press("j", "k")  # another article, then back to this one: chosen again
        await settle(pilot)
        assert is_read(filled, 18) and is_read(filled, 19)


async def test_m_wins_over_a_running_read_timer(filled: NewsStore) -> None:
    """With a real delay: `m` during the timer, or after it fired, leaves no timer behind, and
    once the delay has passed (twice over) the article is still unread."""
    delay = 0.2
    app = NewsdeskApp(filled, read_delay=delay)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await pilot.press("j")
        await wait_until(pilot, lambda: is_read(filled, 19))  # the timer fired for the chosen article
        await pilot.press("m")
        await wait_until(pilot, lambda: not is_read(filled, 19))
        assert screen._read_timer is None and screen._to_read is None
        passed = time.monotonic() + 2 * delay
        await wait_until(pilot, lambda: time.monotonic() > passed)  # what would have fired, has
        assert not is_read(filled, 19) and screen._read_timer is None


async def test_another_sessions_change_under_the_cursor_is_not_read(filled: NewsStore) -> None:
    """Issue 14, item 3: only the user's choice reads an article; another session deleting the
    article under the cursor puts the next one there, unread it stays."""
    app = NewsdeskApp(filled, read_delay=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = NewsStore(filled.root)
        other.delete_articles([article(20).id])
        other.close()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.poll()  # what the 1.5 s interval does
        await wait_until(pilot, lambda: visible_title(app) == "Story number 19")
        assert not is_read(filled, 19)


async def test_toggle_read_and_star(filled: NewsStore) -> None:
    app = NewsdeskApp(filled, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("m", "s")
        await settle(pilot)
        state = filled.get(article(20).id).state  # type: ignore[union-attr]
        assert state.read and state.starred
        item = app.screen.query_one(ArticleList).item_at(0)
        assert item is not None and item.read and item.starred
        await pilot.press("m")
        await settle(pilot)
        assert not filled.get(article(20).id).state.read  # type: ignore[union-attr]


async def test_tab_cycles_panes_and_escape_returns(filled: NewsStore) -> None:
    app = NewsdeskApp(filled)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        assert isinstance(app.focused, ArticleText)
        await pilot.press("tab")
        assert isinstance(app.focused, EntitySidebar)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ArticleText)
        await pilot.press("escape")
        assert isinstance(app.focused, ArticleList)


async def test_text_pane_scrolls(store: NewsStore) -> None:
    long_body = "\n\n".join(f"Paragraph {i} " + "word " * 40 for i in range(60))
    store.add_articles([article(1, body=long_body)])
    app = NewsdeskApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        view = app.screen.query_one(ArticleText)
        await pilot.press("j", "j")
        assert view.scroll_y == 2
        await pilot.press("space")
        assert view.scroll_y > 10
        await pilot.press("b")
        assert view.scroll_y < 10


async def test_zen_hides_list_and_sidebar(filled: NewsStore) -> None:
    app = NewsdeskApp(filled)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("z")
        screen = app.screen
        assert not screen.query_one(ArticleList).display
        assert not screen.query_one(EntitySidebar).display
        assert screen.query_one(ArticleText).has_focus
        await pilot.press("z")
        assert screen.query_one(ArticleList).display and screen.query_one(EntitySidebar).display


async def test_help_lists_every_binding_id_of_the_screen(filled: NewsStore) -> None:
    app = NewsdeskApp(filled)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        ids = {row[2] for row in app.screen.rows}
        assert {
            "app.help",
            "app.quit",
            "pane.next",
            "pane.zen",
            "list.down",
            "list.open",
            "text.page_down",
            "article.toggle_read",
            "article.toggle_star",
        } <= ids
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_palette_offers_the_actions(filled: NewsStore) -> None:
    app = NewsdeskApp(filled)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Open article", "Toggle read", "Toggle star", "Zen mode", "Help: keys", "Quit"} <= titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"zen mode")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.screen.zen


async def test_mouse_click_selects_a_row(filled: NewsStore) -> None:
    app = NewsdeskApp(filled)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click(ArticleList, offset=(10, 4))
        await settle(pilot)
        assert app.screen.query_one(ArticleList).cursor == 4
        assert visible_title(app) == "Story number 16"


async def test_q_quits(filled: NewsStore) -> None:
    app = NewsdeskApp(filled)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_sidebar_groups_entities_by_type_with_counts(store: NewsStore) -> None:
    entities = (
        Entity("Ying Yong", "person", 9),
        Entity("Haifa", "place", 5),
        Entity("Eli Cohen", "person", 3),
        Entity("Mobileye", "org", 1),
    )
    store.add_articles([article(1, entities=entities)])
    app = NewsdeskApp(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(EntitySidebar)
        prompts = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert prompts == [
            "People",
            "Ying Yong  9",
            "Eli Cohen  3",
            "Organisations",
            "Mobileye  1",
            "Places",
            "Haifa  5",
        ]


async def test_empty_store_shows_the_welcome_screen(store: NewsStore) -> None:
    app = NewsdeskApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        text = str(app.screen.query_one("#welcome").render())
        assert "newsdesk import" in text and "--demo" in text
        store.add_articles([article(1)])  # an import from another terminal
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)


async def test_a_10mb_body_opens_without_freezing(store: NewsStore) -> None:
    huge = "\n\n".join(("Lorem ipsum dolor sit amet " * 40).strip() for _ in range(9_500))
    assert len(huge) > 10_000_000
    store.add_articles([Article.create(title="Huge", body=huge, url="https://news.example/huge")])
    app = NewsdeskApp(store)
    async with app.run_test(size=(100, 30)) as pilot:
        started = time.monotonic()
        await settle(pilot)
        view = app.screen.query_one(ArticleText)
        assert view.plain_lines()[0] == "Huge"
        assert not view.fully_wrapped and len(view.plain_lines()) < 2000  # wrapped in pages
        await pilot.press("tab", "space", "space", "space")
        assert view.scroll_y > 40
        assert time.monotonic() - started < 60  # hang guard; bench has the real figure


async def test_demo_store_has_the_seed_and_samples(store: NewsStore) -> None:
    """The seed article and every fictional sample shipped in tui/demo/articles/samples.jsonl (one a
    line), from several sources, with tags, stars and read articles to show."""
    fill_demo_store(store)
    items = store.list()
    titles = [i.title for i in items]
    assert "Shanghai mayor visits Israel to deepen cooperation in innovation and key industries" in titles
    samples = (DEMO_ARTICLES / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    assert 20 <= len(samples) <= 30 and len(items) == 1 + len(samples)
    assert len({i.source for i in items}) >= 5
    assert any(i.tags for i in items) and any(i.starred for i in items) and any(i.read for i in items)


def test_reader_start_path_imports_no_heavy_module(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = "import tui.cli, tui.app, store; from tui.app import NewsdeskApp"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    heavy = {
        "spacy",
        "numpy",
        "torch",
        "thinc",
        "feedparser",
        "httpx",
        "trafilatura",
        "lxml",
        "yaml",
        "charset_normalizer",
    }  # tantivy is on the start path (the store searches with it): its import takes 2.5 ms
    assert imported & heavy == set()
    assert "textual" in imported  # the check does see the start path


async def test_another_sessions_change_appears_and_the_cursor_keeps_its_article(filled: NewsStore) -> None:
    app = NewsdeskApp(filled, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        await settle(pilot)
        other = NewsStore(filled.root)  # a second SSH session, or a cron job
        other.update_state([article(20).id], starred=True, add_tags=["from-elsewhere"])
        other.add_articles([article(25)])
        other.close()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        screen.poll()  # what the 1.5 s interval does
        await settle(pilot)
        listing = screen.query_one(ArticleList)
        assert listing.total == 21
        assert listing.cursor == 3  # one article arrived above: the cursor moved with its article
        assert listing.current is not None and listing.current.id == article(18).id
        assert visible_title(app) == "Story number 18"
        starred = [listing.item_at(i) for i in range(4)]
        assert any(i is not None and i.starred and i.tags == ("from-elsewhere",) for i in starred)


async def test_a_bulk_change_elsewhere_refetches_the_window(filled: NewsStore, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tui.screens import main_workers as main_module

    monkeypatch.setattr(main_module, "MAX_PATCHED_ROWS", 3)
    app = NewsdeskApp(filled, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = NewsStore(filled.root)
        other.update_state([article(n).id for n in range(1, 21)], read=True)
        other.close()
        app.screen.poll()  # type: ignore[attr-defined]
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        assert all(listing.item_at(i).read for i in range(20))  # type: ignore[union-attr]


def topbar(app: NewsdeskApp) -> str:
    return str(app.screen.query_one("#topbar").render())


async def test_the_top_bar_counts_the_unread_articles_of_the_view(filled: NewsStore) -> None:
    """Issue 14, item 17: the header said how many articles, never how many were unread."""
    filled.update_state([article(n).id for n in (1, 2, 3)], read=True)
    app = NewsdeskApp(filled, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "20 articles · 17 unread" in topbar(app)
        await pilot.press("m")  # the top article read: the count follows
        await wait_until(pilot, lambda: "16 unread" in topbar(app))
        other = NewsStore(filled.root)  # another session's change follows too
        other.update_state([article(n).id for n in (4, 5)], read=True)
        other.close()
        app.screen.poll()  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: "14 unread" in topbar(app))
        await pilot.press("slash", *"is:read OR 19")  # a search: its own unread count
        await wait_until(pilot, lambda: "search: is:read OR 19 · 7 matches · 1 unread" in topbar(app))


async def test_a_marked_row_under_the_cursor_still_looks_marked(filled: NewsStore) -> None:
    """Issue 14, item 17: the cursor's background hid the mark of the row it was on."""
    app = NewsdeskApp(filled, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)

        def looks(row: int) -> set[object]:
            return {segment.style.bgcolor for segment in listing.render_line(row) if segment.style}

        await pilot.press("x", "x", "k")  # rows 0 and 1 marked, the cursor back on row 1
        await settle(pilot)
        assert listing.cursor == 1 and len(listing.marked) == 2
        marked_cursor, marked = looks(1), looks(0)
        await pilot.press("x", "k")  # unmark row 1 (the cursor moves on), back to it
        await settle(pilot)
        assert listing.cursor == 1 and len(listing.marked) == 1
        plain_cursor = looks(1)
        assert marked_cursor != plain_cursor  # the mark shows under the cursor
        assert marked_cursor != marked  # and the cursor on the mark

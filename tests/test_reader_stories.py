"""Stories in the reader, driven by keys with Pilot on a small store with a story of three
articles (two of them copies of one text) and two articles of their own: `S` groups the list by
story (remembered per view), `enter` opens the story, `]` skips to the next unread story,
opening an article marks its copies read ([reader] story_read: its whole story), and `r` puts
the article's own story first."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Sparkline, Static

from articles.model import Article, Entity
from newsdesk_testing import REPO, settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.config import ReaderSettings, Settings, parse_settings
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.related import RelatedScreen
from tui.screens.stories import StoryScreen, coverage, shared_names
from tui.screens.stories_group import group
from tui.widgets.article_list import ArticleList
from tui.widgets.lists import ListTable
from tui.widgets.top_bar import TopBar

BODY = (
    "The city council of Calderwick voted on Tuesday to approve the Crosstown tram line, a project "
    "linking Harbourside and Eastfield. Mayor Ana Ribeiro said construction would begin next spring "
    "and that the line would carry forty thousand passengers a day. Opponents on the council warned "
    "about the cost of the Eastfield depot and asked for a review of the budget before any contract "
    "is signed. The vote was twelve to seven."
)
RETOLD = (
    "Calderwick council approved the Crosstown tram line linking Harbourside and Eastfield by twelve "
    "votes to seven on Tuesday. Mayor Ana Ribeiro welcomed the vote; opponents said the Eastfield depot "
    "costs too much and want the budget reviewed."
)


def article(title: str, body: str, source: str, n: int) -> Article:
    names = ("Ana Ribeiro", "Calderwick") if "Calderwick" in body else ()
    return Article.create(
        title=title,
        body=body,
        url=f"https://{source.split()[0].lower()}.example/{n}",
        published=f"2026-11-0{n}T0{n}:00:00+00:00",
        source=source,
        entities=tuple(Entity(name, "person" if " " in name else "place") for name in names),
    )


ORIGINAL = article("Council backs tram", BODY, "Alpha Post", 1)
REPRINT = "CALDERWICK (Wire) — " + BODY.replace(". ", ".\n\n") + "\n\n© Wire"
COPY = article("UPDATE: Tram line approved", REPRINT, "Beta Daily", 2)
RETELLING = article("Tram vote splits council", RETOLD, "Gamma News", 3)
KELP = article("Kelp forests recover", "Kelp forests off the estuary are recovering fast, divers say.", "Alpha Post", 4)
HARBOUR = article("Harbour ferry returns", "The harbour ferry to the islands runs again after repairs.", "Delta", 5)


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles([ORIGINAL, COPY, RETELLING, KELP, HARBOUR])
    store.stories.assign()
    links = store.stories.all_links()
    assert links[COPY.id] == (ORIGINAL.id, ORIGINAL.id) and links[RETELLING.id][0] == ORIGINAL.id
    assert links[KELP.id][0] == KELP.id
    return store


def main_screen(app: NewsdeskApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


def rows(app: NewsdeskApp) -> list[str]:
    article_list = app.screen.query_one(ArticleList)
    return [item.id for i in range(article_list.total) if (item := article_list.item_at(i)) is not None]


def test_groups_keep_the_listing_order_and_name_copies() -> None:
    links = {"c": ("a", "a"), "a": ("a", None), "b": ("a", None), "k": ("k", None)}
    assert group(["k", "c", "b", "a", "x"], links) == [
        ("k", ("k",), False),
        ("a", ("c", "b", "a"), False),
        ("x", ("x",), False),
    ]
    assert group(["c", "a"], links) == [("a", ("c", "a"), True)]
    assert coverage(["2026-11-01T00:00:00+00:00", None]) == [2]
    bars = coverage(["2026-11-01T00:00:00+00:00", "2026-11-01T12:00:00+00:00", "2026-11-02T00:00:00+00:00"])
    assert len(bars) == 24 and sum(bars) == 3 and bars[0] == 1 and bars[-1] == 1


def test_shared_names_count_a_name_once_an_article_whatever_its_type() -> None:
    """The recogniser may call a town an organisation in one article and a place in the next: it
    is still shared, shown with the type most articles give; the most shared and most salient
    first, the same order whatever the hash seed."""
    kessford = [Entity("Kessford", "org", 3, (), 0.9), Entity("Kessford", "place", 2, (), 0.6),
                Entity("kessford", "place", 1, (), 0.4)]
    river = [Entity("River Sallow", "place", 2, (), 0.5)] * 2
    once = Entity("Lowther Bridge", "place", 1, (), 1.0)
    shared = shared_names([[kessford[0], river[0], once], [kessford[1], river[1]], [kessford[2]]])
    assert shared == [("place", "Kessford", 3), ("place", "River Sallow", 2)]


async def test_S_groups_the_list_by_story_per_view_and_remembers(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert len(rows(app)) == 5
        await pilot.press("S")
        await settle(pilot)
        screen = main_screen(app)
        assert rows(app) == [HARBOUR.id, KELP.id, RETELLING.id]  # the story under its newest article
        story = screen.article_list.story_rows[RETELLING.id]
        assert story.story == ORIGINAL.id and story.sources == 3 and len(story.unread) == 3 and story.is_story
        bar = str(app.screen.query_one(TopBar).render())  # counts of articles, as the CLI's
        assert "by story" in bar and "5 articles" in bar and "5 unread" in bar
        line = "".join(s.text for s in screen.article_list.render_line(2))
        assert "Tram vote" in line and line.rstrip().endswith("(3 sources · 3 unread)")
        assert news.preferences()["group_stories"] == {"": True}
        await pilot.press("slash", *"tram", "enter")  # another view: its own setting
        await settle(pilot)
        assert len(rows(app)) == 3 and not screen.article_list.story_rows
    again = NewsdeskApp(news, read_delay=3600)
    async with again.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert len(rows(again)) == 3  # remembered
        await pilot.press("S")
        await settle(pilot)
        assert len(rows(again)) == 5 and news.preferences()["group_stories"] == {}


async def test_enter_opens_the_story_and_its_article(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=0)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        story = app.screen
        assert isinstance(story, StoryScreen)
        table = story.query_one(ListTable)
        assert [table.coordinate_to_cell_key((r, 0)).row_key.value for r in range(table.row_count)] == [
            ORIGINAL.id,
            COPY.id,
            RETELLING.id,
        ]  # earliest first, each with its source and time
        assert sum(story.query_one(Sparkline).data or []) == 3
        assert "3 sources" in str(story.query_one("#story-title", Static).render())
        shared = str(story.query_one("#story-shared", Static).render())
        assert "Ana Ribeiro (person, 3)" in shared and "Calderwick (place, 3)" in shared
        await pilot.press("question_mark")  # its keys
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and "list.open" in {r[2] for r in app.screen.rows}
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is story
        await pilot.press("j", "enter")  # the copy, in the text pane; read with its original
        await settle(pilot)
        assert main_screen(app).shown_id == COPY.id
        assert news.get(COPY.id).state.read and news.get(ORIGINAL.id).state.read  # type: ignore[union-attr]


async def test_the_story_table_fits_its_titles_to_the_screen(store: NewsStore) -> None:
    """Long titles and sources are cut with an ellipsis so every row ends inside the table (no
    horizontal scrolling), at the first size and after the terminal is resized."""
    long = "Tram vote splits council " + "after a very long night of argument about depots " * 4
    source = "The Extraordinarily Long-Named Evening Gazette of Calderwick"
    first = article("Council backs tram", BODY, source, 1)
    second = article(long, RETOLD, "Gamma News", 3)
    store.add_articles([first, second])
    store.stories.assign()
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        story = app.screen
        assert isinstance(story, StoryScreen)
        table = story.query_one(ListTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        titles = [str(table.get_cell_at((r, 2))) for r in range(2)]
        assert any(title.endswith("…") for title in titles) and str(table.get_cell_at((0, 1))).endswith("…")
        assert table.virtual_size.width <= table.size.width, (table.virtual_size, table.size)
        await pilot.resize_terminal(90, 40)
        await wait_until(pilot, lambda: table.virtual_size.width <= table.size.width)
        await pilot.resize_terminal(160, 40)
        await wait_until(pilot, lambda: len(str(table.get_cell_at((1, 2)))) > len(titles[1]))
        assert table.virtual_size.width <= table.size.width


async def test_opening_an_article_marks_its_copies_read(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        index = rows(app).index(COPY.id)
        for _ in range(index):
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        read = {i for i in (ORIGINAL.id, COPY.id, RETELLING.id) if news.get(i).state.read}  # type: ignore[union-attr]
        assert read == {ORIGINAL.id, COPY.id}  # the same text, read once; the retelling is news


async def test_story_read_marks_the_whole_story_read(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600, settings=Settings(reader=ReaderSettings(story_read=True)))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        index = rows(app).index(RETELLING.id)
        for _ in range(index):
            await pilot.press("j")
        await pilot.press("enter")
        await settle(pilot)
        assert all(news.get(i).state.read for i in (ORIGINAL.id, COPY.id, RETELLING.id))  # type: ignore[union-attr]
        assert not news.get(KELP.id).state.read  # type: ignore[union-attr]


async def test_m_and_D_on_a_story_row_take_its_articles(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    story = (ORIGINAL.id, COPY.id, RETELLING.id)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        await pilot.press("j", "j", "m")  # the story row: every article of it read
        await settle(pilot)
        assert all(news.get(i).state.read for i in story)  # type: ignore[union-attr]
        assert not main_screen(app).article_list.story_rows[RETELLING.id].unread
        await pilot.press("m")  # and unread again
        await settle(pilot)
        assert not any(news.get(i).state.read for i in story)  # type: ignore[union-attr]
        await pilot.press("D")  # the story to the trash, all of it
        await settle(pilot)
        assert all(news.get(i) is None for i in story) and rows(app) == [HARBOUR.id, KELP.id]


async def test_the_grouped_list_groups_again_when_a_background_import_ends(store: NewsStore) -> None:
    from tui.messages import BackgroundStatus

    store.add_articles([ORIGINAL, KELP, HARBOUR])
    store.stories.assign()
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        screen = main_screen(app)
        screen.post_message(BackgroundStatus("importing… 2 articles"))
        store.add_articles([COPY, RETELLING])  # the import, then its stories placed
        store.stories.assign()
        screen.post_message(BackgroundStatus(""))
        await settle(pilot)
        assert rows(app) == [HARBOUR.id, KELP.id, RETELLING.id]
        assert len(screen.article_list.story_rows[RETELLING.id].members) == 3


def test_story_read_is_a_reader_setting(tmp_path: Path) -> None:
    settings = parse_settings({"reader": {"story_read": True}}, tmp_path / "c.toml")
    assert settings.reader.story_read and not ReaderSettings().story_read
    wrong = parse_settings({"reader": {"story_read": "yes"}}, tmp_path / "c.toml")
    assert not wrong.reader.story_read and "story_read" in wrong.warnings[0]


async def test_next_unread_skips_to_the_next_unread_story(news: NewsStore) -> None:
    news.change_states([KELP.id], read=True)
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("S")
        await settle(pilot)
        screen = main_screen(app)
        await pilot.press("right_square_bracket")  # over the read article to the story
        assert screen.article_list.cursor == 2
        news.change_states([ORIGINAL.id, COPY.id, RETELLING.id], read=True)
        screen.poll()  # another session read the story: its row is read now
        await settle(pilot)
        assert not screen.article_list.story_rows[RETELLING.id].unread
        await pilot.press("g", "right_square_bracket")
        assert screen.article_list.cursor == 0  # no unread story that way
        await pilot.press("S")  # not grouped: `]` goes article by article
        await settle(pilot)
        await pilot.press("g", "right_square_bracket")
        assert screen.article_list.cursor == 0


async def test_related_puts_the_articles_own_story_first(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        index = rows(app).index(RETELLING.id)
        for _ in range(index):
            await pilot.press("j")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        related = app.screen
        assert isinstance(related, RelatedScreen)
        assert [item.id for item, _score in related.related[:2]] == [ORIGINAL.id, COPY.id]


def test_the_story_screen_keys_mean_one_thing(monkeypatch: pytest.MonkeyPatch) -> None:
    import test_reader_habits_keys as keys

    monkeypatch.setattr(keys, "SCREENS", {StoryScreen: (ListTable,)})
    assert keys.conflicts({}) == []


async def test_S_is_in_the_help_the_palette_and_the_docs(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert "view.group_stories" in {binding_id for _w, _k, binding_id, _d in help_screen.rows}
        await pilot.press("escape")
        assert "Group by story" in {command.title for command in app.get_system_commands(app.screen)}
    for doc in (REPO / "README.md", REPO / "docs" / "keymap.md"):
        assert "| view.group_stories |" in doc.read_text(encoding="utf-8")

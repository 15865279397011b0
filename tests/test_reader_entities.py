"""The reader's entities: sidebar -> marks in the text -> the entity's articles -> back; the
entity browser; related articles.  On the demo store, whose entities ship precomputed."""

from __future__ import annotations

import pytest

from textual.widgets import OptionList

from articles.model import Article, Entity
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.demo import fill_demo_store
from tui.screens.entities import EntitiesScreen
from tui.screens.main import MainScreen
from tui.widgets.top_bar import sparkline
from tui.screens.related import RelatedScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText
from tui.widgets.entity_sidebar import EntitySidebar

SEED_TITLE = "Shanghai mayor visits Israel to deepen cooperation in innovation and key industries"


@pytest.fixture
def demo(store: NewsStore) -> NewsStore:
    fill_demo_store(store)
    return store


def marked_lines(view: ArticleText) -> list[str]:
    lines = view.plain_lines()
    return [lines[i] for i in view.match_lines]


async def test_sidebar_marks_mentions_opens_the_entity_and_escape_returns(demo: NewsStore) -> None:
    app = NewsdeskApp(demo, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_one(ArticleText).article.article.title == SEED_TITLE
        await pilot.press("tab", "tab")  # list -> text -> sidebar
        await settle(pilot)
        sidebar = screen.query_one(EntitySidebar)
        assert sidebar.has_focus
        assert sidebar.current_entity().name == "Ying Yong"
        view = screen.query_one(ArticleText)
        marked = marked_lines(view)
        assert marked and all("Ying" in line for line in marked)
        await pilot.press("down")  # the next person
        await settle(pilot)
        second = sidebar.current_entity()
        assert second.name != "Ying Yong" and second.type == "person"
        surname = second.name.split()[-1]
        assert marked_lines(view) and all(surname in line for line in marked_lines(view))
        await pilot.press("enter")
        await settle(pilot)
        listing = screen.query_one(ArticleList)
        assert screen.listing.entity and screen.listing.name == second.name
        assert listing.has_focus and listing.total == demo.search(f'person:"{second.name}"').count >= 1
        topbar = str(screen.query_one("#topbar").render())
        assert f"entity: {second.name}" in topbar
        assert any(bar in topbar for bar in "▁▂▃▄▅▆▇█"), topbar  # the sparkline of its articles
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.listing.entity and listing.total == 27
        await pilot.press("tab", "tab")  # into the sidebar: its first entity is marked in the text
        await settle(pilot)
        assert sidebar.has_focus and view.match_lines
        await pilot.press("tab")  # leaving the sidebar restores the search's marks: none here
        await settle(pilot)
        assert not sidebar.has_focus and view.match_lines == []


async def test_entity_browser_filters_by_name_and_type_and_opens(demo: NewsStore) -> None:
    app = NewsdeskApp(demo, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        await pilot.press("E")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, EntitiesScreen)
        everything = len(browser.entities)
        assert everything > 30
        counts = [e["articles"] for e in browser.entities]
        assert counts == sorted(counts, reverse=True)
        await pilot.press(*"cohen")
        await wait_until(pilot, lambda: [e["name"] for e in browser.entities] == ["Eli Cohen"])
        await pilot.press("ctrl+u", "ctrl+t")  # people only
        await wait_until(pilot, lambda: len(browser.entities) > 1)
        assert browser.kind == "person" and {e["type"] for e in browser.entities} == {"person"}
        assert browser.entities[0]["name"] == "Hollis Brennan"  # the most covered person
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is main and main.listing.entity and main.listing.name == "Hollis Brennan"
        assert main.query_one(ArticleList).total == demo.entity_counts(kind="person")[0]["articles"]


async def test_entity_browser_counts_merged_names_once(store: NewsStore) -> None:
    made = [
        Article.create(title=f"Trade {i}", body="Tariffs.", url=f"https://e.example/us{i}", published=f"2026-01-0{i}")
        for i in range(1, 4)
    ]
    store.add_articles(made)
    store.set_entities(
        {
            made[0].id: [Entity("U.S.", "place", 2), Entity("US", "place", 1)],  # one article, two names
            made[1].id: [Entity("United States", "place", 1)],
            made[2].id: [Entity("US", "place", 1)],
        }
    )
    store.merge_entity("U.S.", "United States")
    store.merge_entity("US", "United States")
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        main = app.screen
        await pilot.press("E")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, EntitiesScreen)
        await wait_until(pilot, lambda: [e["name"] for e in browser.entities] == ["United States"])
        shown = str(browser.query_one(OptionList).get_option_at_index(0).prompt)
        assert shown.endswith("place · 3"), shown
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is main and main.query_one(ArticleList).total == 3


LONG_NAME = "Ministry of Economy and Industry of Israel"


def sidebar_text(sidebar: EntitySidebar) -> str:
    """Every line the sidebar shows, top to bottom (scrolled through), as one spaced string."""
    lines: list[str] = []
    for top in range(0, max(sidebar.virtual_size.height, 1), sidebar.size.height):
        sidebar.scroll_to(y=top, animate=False, immediate=True)
        lines += [sidebar.render_line(y).text.strip() for y in range(sidebar.size.height)]
    return " ".join(" ".join(lines).split())


@pytest.mark.parametrize("size", [(80, 24), (96, 30), (150, 30)])
async def test_the_sidebar_keeps_the_count_of_a_name_that_wraps(store: NewsStore, size: tuple[int, int]) -> None:
    few = Article.create(title="Short", body="Ana.", url="https://e.example/few", published="2026-01-02")
    many = Article.create(title="Long", body="Many.", url="https://e.example/many", published="2026-01-01")
    store.add_articles([few, many])
    people = [Entity(f"Person {i:02d}", "person", 1) for i in range(30)]
    store.set_entities({few.id: people, many.id: [*people, Entity(LONG_NAME, "org", 3)]})
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(EntitySidebar)
        assert "Person 29 1" in sidebar_text(sidebar)
        await pilot.press("j")  # the next article: its names replace these, all of them again too many to fit
        await wait_until(pilot, lambda: app.screen.query_one(ArticleText).article.article.id == many.id)
        shown = sidebar_text(sidebar)
        assert f"{LONG_NAME} 3" in shown, shown
        assert "Person 29 1" in shown


async def test_the_entity_browser_keeps_the_count_of_a_name_that_wraps(store: NewsStore) -> None:
    made = [
        Article.create(title=f"Port {i}", body="Ports.", url=f"https://e.example/p{i}", published=f"2026-01-{i:02d}")
        for i in range(1, 4)
    ]
    store.add_articles(made)
    people = [Entity(f"Person {i:02d}", "person", 1) for i in range(40)]
    store.set_entities({made[0].id: people})
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 40 and options.show_vertical_scrollbar)
        width = options.scrollable_content_region.width  # with the scrollbar
        await pilot.press("escape")
        # a name that fills two lines exactly two columns wider (the list without its scrollbar)
        # and needs a third at the width the list has
        longest = "A" * (width + 2) + " " + "B" * (width - 7)
        store.set_entities({made[1].id: [*people, Entity(longest, "org", 2)], made[2].id: [Entity(longest, "org", 1)]})
        await pilot.press("E")
        await settle(pilot)
        browser = app.screen
        assert isinstance(browser, EntitiesScreen)
        options = browser.query_one(OptionList)
        await wait_until(pilot, lambda: len(browser.entities) == 41 and options.show_vertical_scrollbar)
        assert browser.entities[0]["name"] == longest
        lines = [options.render_line(y).text.strip() for y in range(options.size.height)]
        shown = "".join(" ".join(lines).split())
        expected = longest.replace(" ", "") + "org·2Person00"  # the count is not cut off
        assert expected in shown, lines[:4]


async def test_related_articles_share_names_rare_ones_first(demo: NewsStore) -> None:
    app = NewsdeskApp(demo, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        related = app.screen
        assert isinstance(related, RelatedScreen)
        assert related.related, "the seed shares names (Shanghai, Israel) with other demo articles"
        scores = [score for _, score in related.related]
        assert scores == sorted(scores, reverse=True)
        first_id = related.related[0][0].id
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen.query_one(ArticleText)
        assert view.article.article.id == first_id and view.has_focus


async def test_related_keeps_the_last_line_of_a_title_that_wraps(store: NewsStore) -> None:
    made = [
        Article.create(title=f"Lima {i}", body="Ana Lima.", source="Src", url=f"https://e.example/r{i}", published=day)
        for i, day in enumerate(f"2025-12-{d:02d}" for d in range(1, 31))
    ]
    store.add_articles(made)
    store.set_entities({a.id: [Entity("Ana Lima", "person", 1)] for a in made})
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 29 and options.show_vertical_scrollbar)
        width = options.scrollable_content_region.width  # with the scrollbar
        await pilot.press("escape")
        # "2026-01-10  AAA… BBB…  Src": two full lines two columns wider, more at this width
        title = "A" * (width + 2 - 12) + " " + "B" * (width - 3)
        newest = Article.create(
            title=title, body="Ana Lima.", source="Src", url="https://e.example/long", published="2026-01-10"
        )
        store.add_articles([newest])
        store.set_entities({newest.id: [Entity("Ana Lima", "person", 1)]})
        await pilot.press("r")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 30 and options.show_vertical_scrollbar)
        assert options.get_option_at_index(0).id == newest.id
        lines = [options.render_line(y).text.strip() for y in range(6)]
        shown = "".join(" ".join(lines).split())
        assert title.replace(" ", "") + "Src" in shown, lines  # all of the title, and the source after it


def test_sparkline_fills_gaps_and_scales() -> None:
    assert sparkline([]) == ""
    assert sparkline([("2025-11", 1), ("2026-01", 4)]) == "2025-11 ▂ █ 2026-01"
    six_years = [("2018-01", 1), ("2019-06", 2), ("2021-03", 1), ("2024-01", 1)]  # 73 months
    wide = sparkline(six_years, width=30)
    assert len(wide) == 30 and wide.startswith("2018-01 ") and wide.endswith(" 2024-01")
    bars = wide[len("2018-01 ") : -len(" 2024-01")]
    assert len(bars) == 14 and bars[0] != " " and bars[-1] != " " and bars.count(" ") == 14 - 4
    assert max(bars) == "█"  # the bucket holding 2019-06
    narrow = sparkline(six_years, width=20)
    assert narrow.startswith("2018 ") and narrow.endswith(" 2024") and len(narrow) == 20
    bare = sparkline(six_years, width=9)  # no room for labels: the bars alone
    assert len(bare) == 9 and bare[0] != " " and bare[-1] != " " and not any(c.isdigit() for c in bare)
    assert sparkline(six_years, width=5) == ""
    monthly = sparkline([(f"2020-{m:02d}", m) for m in range(1, 13)], width=100)
    assert monthly == "2020-01 ▁▂▂▃▄▄▅▆▆▇██ 2020-12"  # a bar a month when there is room


async def test_the_entity_view_sparkline_covers_the_whole_span(store: NewsStore) -> None:
    dates = ["2018-01-15", "2019-06-01", "2019-06-20", "2021-03-01", "2024-01-20"]
    made = [
        Article.create(title=f"Lima {d}", body="Ana Lima.", url=f"https://e.example/l{d}", published=f"{d}T12:00:00Z")
        for d in dates
    ]
    store.add_articles(made)
    store.set_entities({a.id: [Entity("Ana Lima", "person", 1)] for a in made})
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen)
        main.open_entity("person", "Ana Lima")
        topbar = main.query_one("#topbar")
        await wait_until(pilot, lambda: "2018-01 " in str(topbar.render()))
        shown = str(topbar.render())
        assert "5 matches · 5 unread  2018-01 " in shown and shown.rstrip().endswith(" 2024-01"), shown
        bars = shown.split("2018-01 ", 1)[1].rsplit(" 2024-01", 1)[0]
        assert bars[0] != " " and bars[-1] != " " and len(bars) > 20, shown  # both ends have articles
        assert len(shown.rstrip()) <= 100
        await pilot.resize_terminal(80, 30)  # less room: fewer, wider buckets, still the whole span
        await wait_until(pilot, lambda: len(str(topbar.render()).rstrip()) <= 80)
        narrower = str(topbar.render())
        assert "2018" in narrower and "2024" in narrower, narrower


async def test_the_sidebar_lists_the_names_the_story_is_about_first(store: NewsStore) -> None:
    """Salience first (title, lede, share of mentions), mentions second; a stored entity without
    a salience (extracted before it existed) counts as 0."""
    article = Article.create(title="Ana Lima wins", body="Ana Lima. Bo Diaz, Bo Diaz, Bo Diaz.", url="https://e.example/s")
    store.add_articles([article])
    store.set_entities(
        {
            article.id: [
                Entity("Bo Diaz", "person", 3, salience=0.3),
                Entity("Ana Lima", "person", 1, salience=0.8),
                Entity("Cy Old", "person", 5),
            ]
        }
    )
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(EntitySidebar)
        await wait_until(pilot, lambda: sidebar.option_count == 4)
        names = [str(sidebar.get_option_at_index(i).prompt).rsplit("  ", 1)[0] for i in range(1, 4)]
        assert names == ["Ana Lima", "Bo Diaz", "Cy Old"]


async def test_the_sidebar_says_why_an_article_has_no_names(store: NewsStore) -> None:
    french = Article.create(
        title="Le maire de Lyon visite la gare",
        body=(
            "Le maire de la ville a visité la nouvelle gare ce matin avec les élus de la région. "
            "Il a dit que les travaux seraient terminés avant la fin de l'année et que les trains "
            "arriveraient plus souvent dans les villages du nord, ce qui est une bonne nouvelle pour les habitants."
        ),
        url="https://e.example/fr",
    )
    store.add_articles([french])  # entities None: never extracted
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sidebar = app.screen.query_one(EntitySidebar)
        await wait_until(pilot, lambda: "not extracted" in str(sidebar.get_option_at_index(0).prompt))
        assert str(sidebar.get_option_at_index(0).prompt) == "not extracted: language “fr”"

"""A story (`enter` on a story row of the grouped list): its articles side by side by source and
time, the names they share in the sidebar, and a sparkline of its coverage over time.  The story
is read in a worker (store.stories.members, the articles' list rows and their entities); the
screen returns the id of the article opened."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Sparkline, Static

from articles.dates import local_display, to_timestamp
from tui.literal import literal, one_line
from tui.screens.list_screen import ListScreen
from tui.screens.popup import PopupScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListTable

if TYPE_CHECKING:
    from articles.model import Entity
    from store import ListItem, NewsStore

BUCKETS = 24
"""The sparkline's bars: the story's first to last article in equal spans of time."""
SHARED = 30
"""Names listed in the sidebar at most."""
COLUMNS = ("When", "Source", "Title")
SOURCE_WIDTH = 28
"""The source column's cells at most (longer names are cut with an ellipsis)."""


def column_room(table_width: int, widest_source: int) -> tuple[int, int]:
    """The cells the source and title columns can take in a table `table_width` wide, so that no
    row runs past the table's right edge (longer cells are cut with an ellipsis): what is left
    after the time column (a mark and `YYYY-MM-DD HH:MM`, 18 cells), two cells of padding a column
    and the scrollbar's cell; the source takes at most a third of it."""
    left = max(0, table_width - 18 - 3 * 2 - 1)
    source = max(6, min(widest_source, SOURCE_WIDTH, left // 3))
    return source, max(6, left - source)


@dataclass(frozen=True, slots=True)
class StoryView:
    """What the story screen shows: its articles (earliest first), the names two articles or more
    share ((type, name, articles), the most shared first) and its coverage over time."""

    articles: list[ListItem]
    shared: list[tuple[str, str, int]]
    coverage: list[int]


def coverage(published: list[str | None], buckets: int = BUCKETS) -> list[int]:
    """How many articles fell in each of `buckets` equal spans from the first date to the last
    (one bar holding them all when fewer than two are dated)."""
    moments = sorted(t for t in (to_timestamp(p) if p else None for p in published) if t is not None)
    if len(moments) < 2 or moments[-1] == moments[0]:
        return [len(published)]
    span = (moments[-1] - moments[0]) / buckets
    bars = [0] * buckets
    for moment in moments:
        bars[min(int((moment - moments[0]) / span), buckets - 1)] += 1
    return bars


def read_story(store: NewsStore, story: str) -> StoryView:
    """In a worker: the story's articles, the names they share and its coverage."""
    ids = store.stories.members(story)
    items = store.list_items(ids)
    articles = [items[i] for i in ids if i in items]
    stored = (store.get(item.id) for item in articles)
    shared = shared_names([s.article.entities or () for s in stored if s is not None])
    return StoryView(articles, shared, coverage([a.published for a in articles]))


def shared_names(per_article: Iterable[Iterable[Entity]]) -> list[tuple[str, str, int]]:
    """(type, name, articles) of the names two articles or more mention: the most shared first,
    then the most salient over those articles, then by name.  A name counts once per article
    whatever type each gives it (the recogniser may call a town an organisation in one and a
    place in the next); it shows the type most of them give, and the spelling most use."""
    count: Counter[str] = Counter()
    weight: dict[str, float] = {}
    kinds: dict[str, dict[str, float]] = {}  # type -> articles giving it, a tie to the more salient
    spellings: dict[str, dict[str, float]] = {}
    for entities in per_article:
        best: dict[str, Entity] = {}
        for e in entities:
            key = e.name.casefold()
            if key not in best or (e.salience or 0.0) > (best[key].salience or 0.0):
                best[key] = e
        for key, e in best.items():
            count[key] += 1
            weight[key] = weight.get(key, 0.0) + (e.salience or 0.0)
            votes = kinds.setdefault(key, {})
            votes[e.type] = votes.get(e.type, 0.0) + 1 + (e.salience or 0.0) / 1000
            names = spellings.setdefault(key, {})
            names[e.name] = names.get(e.name, 0.0) + 1
    ranked = sorted((k for k, n in count.items() if n > 1), key=lambda k: (-count[k], -weight[k], k))
    return [(_most(kinds[k]), _most(spellings[k]), count[k]) for k in ranked[:SHARED]]


def _most(votes: Mapping[str, float]) -> str:
    """The most voted, ties by value (the same answer whatever the hash seed)."""
    return min(votes, key=lambda v: (-votes[v], v))


class StoryScreen(ListScreen[str | None, StoryView], PopupScreen[str | None]):
    """One story's articles; returns the id of the one opened.

    | Key | id | Does |
    |---|---|---|
    | `enter` `l` | list.open | show the article in the text pane |
    | `j` `k` `g` `G` … | list.* | move, as in the main list (ListTable) |
    | `escape` | app.back | close |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,l", "open", "Open", id="list.open"),
        Binding("escape", "close", "Close", id="app.back"),
    ]

    DEFAULT_CSS = """
    StoryScreen { align: center middle; }
    StoryScreen > Vertical { width: 95%; height: 85%; border: round $accent; background: $panel; }
    StoryScreen #story-title { padding: 0 1; text-style: bold; height: auto; }
    StoryScreen #story-coverage { height: 2; margin: 0 1; }
    StoryScreen #story-table { width: 1fr; height: 1fr; }
    StoryScreen #story-shared { width: 32; height: 1fr; padding: 0 1; border-left: solid $accent; }
    """

    NAME = "story"

    def __init__(self, store: NewsStore, story: str, title: str) -> None:
        super().__init__(store)
        self.story = story
        self.story_title = title
        self.view: StoryView | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(f"Story: “{one_line(self.story_title)}”"), id="story-title")
            yield Sparkline([], id="story-coverage")
            with Horizontal():
                yield ListTable(cursor_type="row", zebra_stripes=True, id="story-table")
                yield Static("", id="story-shared")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(ListTable)
        table.add_columns(*COLUMNS)
        table.focus()
        self.keys_wait_for_rows()
        self.load()

    def fetch(self) -> list[StoryView]:
        return [read_story(self.store, self.story)]

    def show_rows(self, rows: list[StoryView]) -> None:
        view = rows[0]
        self.view = view
        table = self.query_one(ListTable)
        cursor = table.cursor_row
        table.clear(columns=True)  # a column keeps the widest cell it ever held
        table.add_columns(*COLUMNS)
        cells = [literal(one_line(item.source)) for item in view.articles]
        widest = max((cell.cell_len for cell in cells), default=0)
        source_room, room = column_room(table.size.width, widest)
        for cell in cells:
            cell.truncate(source_room, overflow="ellipsis")
        for item, source in zip(view.articles, cells, strict=True):
            when = local_display(item.published, "%Y-%m-%d %H:%M", date_only=item.date_only) or "—"
            mark = "  " if item.read else "● "
            title = literal(one_line(item.title))
            title.truncate(room, overflow="ellipsis")
            table.add_row(Text(mark + when), source, title, key=item.id)
        table.move_cursor(row=cursor)
        sources = len({item.source for item in view.articles})
        heading = f"Story: “{one_line(self.story_title)}” · {len(view.articles)} articles · {sources} sources"
        self.query_one("#story-title", Static).update(literal(heading))
        self.query_one(Sparkline).data = view.coverage
        shared = Text("Shared names\n", style="bold", end="")
        for kind, name, count in view.shared:
            shared.append_text(literal(f"{one_line(name)} ({kind}, {count})\n"))
        if not view.shared:
            shared.append("none yet (names are extracted after import)", style="dim")
        self.query_one("#story-shared", Static).update(shared)

    def on_resize(self) -> None:
        if self.view is not None:
            self.call_after_refresh(self.show_rows, [self.view])

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            self.dismiss(key)

    def action_close(self) -> None:
        self.dismiss(None)

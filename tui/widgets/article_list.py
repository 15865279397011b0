"""A virtual article list: draws only the visible rows of a window of results (Line API)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from articles.dates import date_part, local_moment
from tui.literal import literal, one_line, tag_chips
from tui.widgets.story_row import StoryRow, badge, is_unread, with_changes

if TYPE_CHECKING:
    from store import Highlighter, ListItem

PAGE = 200
KEEP_PAGES = 24
LINE_CACHE = 256
"""Drawn rows kept for redrawing (an LRU cache)."""


class ArticleList(ScrollView, can_focus=True):
    """The article list of the current listing.

    | Key | id | Does |
    |---|---|---|
    | `j` `down` / `k` `up` | list.down / list.up | move |
    | `g` `home` / `G` `end` | list.top / list.bottom | jump |
    | `pagedown` / `pageup` | list.page_down / list.page_up | page |
    | `enter` `l` | list.open | open in the text pane (marks read) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "cursor_top", "Top", show=False, id="list.top"),
        Binding("G,end", "cursor_bottom", "Bottom", show=False, id="list.bottom"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("enter,l", "open", "Open", id="list.open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--unread",
        "article-list--read",
        "article-list--cursor",
        "article-list--meta",
        "article-list--star",
        "article-list--placeholder",
        "article-list--match",
        "article-list--marked",
        "article-list--cursor-marked",
    }

    DEFAULT_CSS = """
    ArticleList { background: $surface; overflow-x: hidden; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    ArticleList > .article-list--unread { text-style: bold; }
    ArticleList > .article-list--read { color: $text-muted; }
    ArticleList > .article-list--meta { color: $text-muted; }
    ArticleList > .article-list--star { color: $warning; }
    ArticleList > .article-list--placeholder { color: $text-disabled; }
    ArticleList > .article-list--cursor { background: $surface-lighten-2; }
    ArticleList > .article-list--marked { background: $secondary 35%; }
    ArticleList > .article-list--match { color: $text-warning; text-style: bold underline; }
    ArticleList:focus > .article-list--cursor { background: $accent 40%; }
    ArticleList > .article-list--cursor-marked { background: $secondary 65%; text-style: underline; }
    ArticleList:focus > .article-list--cursor-marked { background: $secondary 85%; text-style: underline; }
    ArticleList:nocolor > .article-list--cursor { text-style: reverse; }
    ArticleList:nocolor > .article-list--marked { text-style: underline; }
    ArticleList:nocolor > .article-list--cursor-marked { text-style: reverse underline; }
    ArticleList:nocolor > .article-list--match { text-style: bold underline; }
    """

    cursor: reactive[int] = reactive(0, always_update=False)
    """Index of the highlighted row in the listing."""

    @dataclass
    class Highlighted(Message):
        """The cursor moved to a row (item None while its page is still loading).  `chosen`: the
        user put it there (a key or a click), not a new listing, a refresh or another session's
        change that moved the rows under the cursor."""

        index: int
        item: ListItem | None
        chosen: bool = False

    @dataclass
    class Opened(Message):
        """The user opened the highlighted article."""

        index: int
        item: ListItem

    @dataclass
    class RowsWanted(Message):
        """Rows [offset, offset+limit) are needed to draw; the screen fetches them."""

        offset: int
        limit: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self._rows: dict[int, dict[int, ListItem]] = {}
        self._requested: set[int] = set()
        self._line_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(LINE_CACHE)
        self._generation = 0
        self.highlighter: Highlighter | None = None
        self.date_format = ""
        """A strftime format for the date column ([reader] date_format); "" adapts to the width."""
        """Marks the search's words in titles (set before reset())."""
        self.marked: set[str] = set()
        """Ids marked for bulk work (x, X, *)."""
        self.last_mark: int | None = None
        self._chosen = False  # whether the user put the cursor where it is (see Highlighted)
        self.story_rows: dict[str, StoryRow] = {}
        """A grouped listing's (`S`) groups of more than one article, by the id of their row."""

    # -- data -----------------------------------------------------------------------------------
    def reset(self, total: int, offset: int = 0, rows: list[ListItem] | None = None, cursor: int = 0) -> None:
        """A new listing: its size and (optionally) its first rows."""
        self.total = total
        self._rows.clear()
        self._requested.clear()
        self._line_cache.clear()
        self._generation += 1
        if rows:
            self._store_rows(offset, rows)
        self.virtual_size = Size(self.size.width, total)
        self.set_reactive(ArticleList.cursor, min(max(cursor, 0), max(total - 1, 0)))
        self._chosen = False  # the program put the cursor here, not the user
        if cursor == 0:
            self.scroll_to(y=0, animate=False, immediate=True)
        else:
            self._keep_cursor_visible()
        self.refresh()
        self._announce()

    def add_rows(self, offset: int, rows: list[ListItem]) -> None:
        """Rows fetched for a RowsWanted request."""
        self._store_rows(offset, rows)
        self._requested.discard(offset // PAGE)
        self._line_cache.clear()
        self.refresh()
        if offset <= self.cursor < offset + len(rows):
            self._announce()

    def update_items(self, items: dict[str, ListItem]) -> None:
        """Replace rows whose article changed (state, title) without moving anything."""
        changed = False
        if (rows := with_changes(self.story_rows, items)) is not None:
            self.story_rows, changed = rows, True
        for page in self._rows.values():
            for index, item in page.items():
                if item.id in items:
                    page[index] = items[item.id]
                    changed = True
        if changed:
            self._line_cache.clear()
            self.refresh()

    def set_marked(self, ids: set[str]) -> None:
        self.marked = ids
        if not ids:
            self.last_mark = None
        self._line_cache.clear()
        self.refresh()

    def loaded_ids(self, start: int, stop: int) -> list[str]:
        """Ids of the rows in [start, stop] that are loaded."""
        low, high = sorted((start, stop))
        return [item.id for i in range(low, high + 1) if (item := self.item_at(i)) is not None]

    def find_row(self, start: int, step: int, wanted: Callable[[ListItem], bool]) -> int | None:
        """The next loaded row from `start` (exclusive) in direction `step` whose item is wanted."""
        index = start + step
        while 0 <= index < self.total:
            item = self.item_at(index)
            if item is None:
                return None  # past what is loaded: the caller asks the store
            if wanted(item):
                return index
            index += step
        return None

    @property
    def held(self) -> tuple[int, int]:
        """What the list keeps between listings: pages of rows (at most KEEP_PAGES) and drawn
        lines (at most LINE_CACHE)."""
        return len(self._rows), len(self._line_cache)

    def item_at(self, index: int) -> ListItem | None:
        return self._rows.get(index // PAGE, {}).get(index)

    @property
    def current(self) -> ListItem | None:
        return self.item_at(self.cursor) if self.total else None

    def _store_rows(self, offset: int, rows: list[ListItem]) -> None:
        for index, item in enumerate(rows, start=offset):
            self._rows.setdefault(index // PAGE, {})[index] = item
        if len(self._rows) > KEEP_PAGES:
            centre = self.cursor // PAGE
            for page in sorted(self._rows, key=lambda p: abs(p - centre), reverse=True)[: len(self._rows) - KEEP_PAGES]:
                del self._rows[page]

    def _want(self, index: int) -> None:
        page = index // PAGE
        if 0 <= index < self.total and page not in self._rows and page not in self._requested:
            self._requested.add(page)
            self.post_message(self.RowsWanted(page * PAGE, PAGE))

    # -- cursor ---------------------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return min(max(value, 0), max(self.total - 1, 0))

    def watch_cursor(self, old: int, new: int) -> None:
        self._chosen = True  # only the user's keys and clicks set the cursor (reset() does not)
        self._line_cache.clear()
        self.refresh()
        self._keep_cursor_visible()
        self._announce()

    def _announce(self) -> None:
        self._want(self.cursor)
        self.post_message(self.Highlighted(self.cursor, self.current, self._chosen))

    def _keep_cursor_visible(self) -> None:
        height = max(self.scrollable_content_region.height, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_top(self) -> None:
        self.cursor = 0

    def action_cursor_bottom(self) -> None:
        self.cursor = self.total - 1

    def action_page_down(self) -> None:
        self.cursor += max(self.scrollable_content_region.height - 1, 1)

    def action_page_up(self) -> None:
        self.cursor -= max(self.scrollable_content_region.height - 1, 1)

    def action_open(self) -> None:
        item = self.current
        if item is not None:
            self.post_message(self.Opened(self.cursor, item))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if 0 <= index < self.total:
            if index == self.cursor and event.chain >= 2:
                self.action_open()
            self.cursor = index

    # -- drawing --------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total)
        self._line_cache.clear()

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if index >= self.total:
            return Strip.blank(width, self.rich_style)
        item = self.item_at(index)
        if item is None:
            self._want(index)
        marked = item is not None and item.id in self.marked
        group = self.story_rows.get(item.id) if item is not None else None
        key = (self._generation, index, width, index == self.cursor, self.has_focus, item, marked, group)
        cached = self._line_cache.get(key)
        if cached is not None:
            return cached
        strip = self._render_row(item, index, width)
        self._line_cache[key] = strip
        return strip

    def _render_row(self, item: ListItem | None, index: int, width: int) -> Strip:
        base = self.rich_style
        if item is None:
            text = literal("  …", self.get_component_rich_style("article-list--placeholder"))
        else:
            text = self.row_text(item, width)
        marked = item is not None and item.id in self.marked
        if marked and index == self.cursor:
            # Its own style: the cursor's background would hide the mark.
            text.stylize(self.get_component_rich_style("article-list--cursor-marked"))
        elif marked:
            text.stylize(self.get_component_rich_style("article-list--marked"))
        elif index == self.cursor:
            text.stylize(self.get_component_rich_style("article-list--cursor"))
        text.truncate(width, overflow="ellipsis", pad=True)
        segments = [Segment(s.text, base + s.style if s.style else base) for s in text.render(self.app.console)]
        return Strip(segments, width).adjust_cell_length(width, base)

    def row_text(self, item: ListItem, width: int) -> Text:
        """unread mark, star, date, source, title, tags: one row, every part literal."""
        meta = self.get_component_rich_style("article-list--meta")
        read = not is_unread(self.story_rows, item)
        weight = self.get_component_rich_style("article-list--read" if read else "article-list--unread")
        text = Text(end="", no_wrap=True)
        text.append(
            "● " if not read else "  ",
            style=self.get_component_rich_style("article-list--star") if not read else meta,
        )
        text.append("★ " if item.starred else "  ", style=self.get_component_rich_style("article-list--star"))
        dates, source_width = _columns(width)
        if self.date_format:
            dates = _DateColumn(self.date_format, self.date_format)
        text.append_text(_cell(dates.text(item.published, item.date_only), dates.cells, meta))
        text.append(" ")
        if source_width:
            text.append_text(_cell(one_line(item.source), source_width, meta))
            text.append(" ")
        title = literal(one_line(item.title), weight)
        if self.highlighter is not None:
            match = self.get_component_rich_style("article-list--match")
            for start, end in self.highlighter.spans(title.plain):
                title.stylize(match, start, end)
        group = self.story_rows.get(item.id)
        if item.tags or group is not None:
            # Tags and a story's counts are markers the reader scans for: the title gives way.
            chips = tag_chips(item.tags)
            chips.truncate(max(width // 3, 8), overflow="ellipsis")
            chips = badge(group, meta) + chips if group is not None else chips
            room = width - text.cell_len - chips.cell_len - 1
            if title.cell_len > room > 8:
                title.truncate(room, overflow="ellipsis")
            title.append(" ")
            title.append_text(chips)
        text.append_text(title)
        return text


@dataclass(frozen=True, slots=True)
class _DateColumn:
    """The date column: one format for this year's dates, one that shows the year for any other
    (`Dec 17` of a past year reads as a coming date), as `ls -l` does.  A date-only article shows
    its calendar day, without a time, in every zone."""

    this_year: str
    other_years: str

    def text(self, published: str | None, date_only: bool) -> str:
        moment = local_moment(published, date_only=date_only)
        if moment is None:
            return "—"
        this_year = moment.year == datetime.now().astimezone().year
        fmt = self.this_year if this_year else self.other_years
        return moment.strftime(date_part(fmt) if date_only else fmt)

    @property
    def cells(self) -> int:
        sample = datetime(2026, 12, 31, 23, 59)  # noqa: DTZ001 - only its width counts
        return max(len(sample.strftime(self.this_year)), len(sample.strftime(self.other_years)))


def _columns(width: int) -> tuple[_DateColumn, int]:
    """Date formats and source column width for a list this wide (0: no source column)."""
    if width >= 110:
        return _DateColumn("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M"), 18
    if width >= 80:
        return _DateColumn("%b %d %H:%M", "%b %d  %Y"), 14
    if width >= 60:
        return _DateColumn("%b %d", "%b %d %Y"), 12
    return _DateColumn("%b %d", "%b %d %Y"), 0


def _cell(value: str, cells: int, style: Style) -> Text:
    """A fixed-width column, cell-aware (CJK is two cells wide), cut with an ellipsis."""
    text = literal(value, style)
    text.truncate(cells, overflow="ellipsis", pad=True)
    return text

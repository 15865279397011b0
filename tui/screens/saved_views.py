"""Saved views: each a named query, listed with its total and unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.key_order import KeysWaitForRows
from tui.literal import literal, one_line
from tui.screens.popup import PopupScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListTable

if TYPE_CHECKING:
    from store import NewsStore, SavedView


@dataclass
class SavedViewsLoaded(Message):
    views: list[SavedView]
    counts: dict[str, tuple[int, int] | None]  # name -> (total, unread); None: the query no longer parses


@dataclass
class SavedViewsFailed(Message):
    text: str


class SavedViewsScreen(KeysWaitForRows, PopupScreen[tuple[str, str] | None]):
    """The saved views; returns (name, query) of the one opened.

    | Key | id | Does |
    |---|---|---|
    | `j` `k` `g` `G` … | list.* | move, as in the main list (ListTable) |
    | `enter` | views.open | open the view |
    | `r` | views.rename | rename |
    | `d` `delete` | views.delete | delete |
    | `escape` | app.back | close |
    | `V` | views.show | close (the key that opened it) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="views.open", priority=True),
        Binding("r", "rename", "Rename", id="views.rename"),
        Binding("d,delete", "delete", "Delete", id="views.delete"),
        Binding("escape", "close", "Close", id="app.back"),
        Binding("V", "close", "Close", show=False, id="views.show"),
    ]

    DEFAULT_CSS = """
    SavedViewsScreen { align: center middle; }
    SavedViewsScreen > Vertical { width: 90%; max-width: 110; height: 70%; border: round $accent; background: $panel; }
    SavedViewsScreen #views-title { padding: 0 1; text-style: bold; }
    SavedViewsScreen #views-note { padding: 0 1; color: $text-muted; }
    SavedViewsScreen DataTable { height: 1fr; }
    """

    def __init__(self, store: NewsStore) -> None:
        super().__init__()
        self.store = store
        self.views: list[SavedView] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Saved views", id="views-title")
            yield ListTable(cursor_type="row", zebra_stripes=True, id="views-table")
            yield Static("", id="views-note")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("name", "total", "unread", "query")
        table.focus()
        self.keys_wait_for_rows()  # `V j j d` in one burst: j, j and d are for the rows
        self.load()

    @work(thread=True, exclusive=True, group="views", exit_on_error=False)
    def load(self) -> None:
        from store import QueryError, parse_query
        from store.query import narrowed

        try:
            views = self.store.saved_views()
            counts: dict[str, tuple[int, int] | None] = {}
            for view in views:
                try:
                    query = parse_query(view.query)
                    unread = narrowed(query, "is:unread")
                except QueryError:
                    counts[view.name] = None
                    continue
                counts[view.name] = (self.store.count_matching(query), self.store.count_matching(unread))
        except Exception as exc:
            self.post_message(SavedViewsFailed(str(exc)))
            return
        self.post_message(SavedViewsLoaded(views, counts))

    @on(SavedViewsLoaded)
    def show_views(self, message: SavedViewsLoaded) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.views = message.views
        for view in message.views:
            count = message.counts.get(view.name)
            total, unread = (str(count[0]), str(count[1])) if count else ("?", "?")
            table.add_row(literal(one_line(view.name)), total, unread, literal(one_line(view.query)), key=view.name)
        if message.views:
            table.move_cursor(row=min(keep, len(message.views) - 1))
        note = "enter open · r rename · d delete · esc close"
        if not message.views:
            note = "No saved views yet: search with / and press ctrl+s to save the query as a view."
        self.query_one("#views-note", Static).update(Text(note))
        self.keys_go_on()

    @on(SavedViewsFailed)
    def failed(self, message: SavedViewsFailed) -> None:
        self.notify(message.text, title="Store error", severity="error", markup=False)
        self.keys_go_on()

    def _selected(self) -> SavedView | None:
        table = self.query_one(DataTable)
        if not self.views or table.cursor_row < 0 or table.cursor_row >= len(self.views):
            return None
        return self.views[table.cursor_row]

    def action_open(self) -> None:
        view = self._selected()
        if view is not None:
            self.dismiss((view.name, view.query))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_rename(self) -> None:
        view = self._selected()
        if view is None:
            return

        def renamed(name: str | None) -> None:
            if name:
                self.keys_wait_for_rows()  # the keys behind Enter: for the rows as renamed
                self.rename(view.name, name)

        self.app.push_screen(PromptScreen(f"Rename the view “{one_line(view.name)}” to:", view.name), renamed)

    @work(thread=True, group="views-write", exit_on_error=False)
    def rename(self, old: str, new: str) -> None:
        try:
            self.store.rename_view(old, new)
        except Exception as exc:
            self.post_message(SavedViewsFailed(str(exc)))
            return
        self.app.call_from_thread(self.load)

    def action_delete(self) -> None:
        view = self._selected()
        if view is not None:
            self.keys_wait_for_rows()
            self.delete(view.name)

    @work(thread=True, group="views-write", exit_on_error=False)
    def delete(self, name: str) -> None:
        try:
            self.store.delete_view(name)
        except Exception as exc:
            self.post_message(SavedViewsFailed(str(exc)))
            return
        self.app.call_from_thread(self.notify, f"Deleted the view “{one_line(name)}”", markup=False)
        self.app.call_from_thread(self.load)

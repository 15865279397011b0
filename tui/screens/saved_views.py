"""Saved views: each a named query, listed with its total and unread counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from tui.literal import literal, one_line
from tui.screens.catch_up import catch_up_row
from tui.screens.list_screen import TableScreen
from tui.screens.popup import PopupScreen
from tui.screens.prompt import PromptScreen

if TYPE_CHECKING:
    from store import SavedView

SavedViewRow = tuple["SavedView", "tuple[int, int] | None"]
"""A saved view and its (total, unread) counts; None: its query no longer parses."""


class SavedViewsScreen(TableScreen[tuple[str, str] | None, SavedViewRow], PopupScreen[tuple[str, str] | None]):
    """The saved views; returns (name, query) of the one opened.

    | Key | id | Does |
    |---|---|---|
    | `j` `k` `g` `G` … | list.* | move, as in the main list (ListTable) |
    | `enter` | views.open | open the view |
    | `r` | views.rename | rename |
    | `d` `delete` | views.delete | delete |
    | `M` | view.mark_all_read | mark the view's articles read (over 100 unread: asks first; `u` undoes) |
    | `escape` | app.back | close |
    | `V` | views.show | close (the key that opened it) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="views.open", priority=True),
        Binding("r", "rename", "Rename", id="views.rename"),
        Binding("d,delete", "delete", "Delete", id="views.delete"),
        Binding("M", "catch_up", "Mark read", id="view.mark_all_read"),
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

    NAME = "views"
    HEADING = "Saved views"
    COLUMNS = ("name", "total", "unread", "query")
    NOTE = "enter open · r rename · d delete · M mark read · esc close"
    EMPTY = "No saved views yet: search with / (ctrl+s saves the query), or press w on any view."
    NOTE_WHILE_LOADING = False

    @property
    def views(self) -> list[SavedView]:
        """The saved views listed."""
        return [view for view, _counts in self.rows]

    def fetch(self) -> list[SavedViewRow]:
        from store import QueryError, parse_query
        from store import narrowed

        rows: list[SavedViewRow] = []
        for view in self.store.saved_views():
            try:
                query = parse_query(view.query)
                unread = narrowed(query, "is:unread")
            except QueryError:
                rows.append((view, None))
                continue
            rows.append((view, (self.store.count_matching(query), self.store.count_matching(unread))))
        return rows

    def cells(self, row: SavedViewRow) -> tuple[str | Text, ...]:
        view, count = row
        total, unread = (str(count[0]), str(count[1])) if count else ("?", "?")
        return literal(one_line(view.name)), total, unread, literal(one_line(view.query))

    def row_key(self, row: SavedViewRow) -> str:
        return row[0].name

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.dismiss((row[0].name, row[0].query))

    def action_catch_up(self) -> None:
        row = self.selected()
        if row is not None and row[1] is not None:
            catch_up_row(self, row[0].query, row[0].name, row[1][1])

    def action_rename(self) -> None:
        row = self.selected()
        if row is None:
            return
        old = row[0].name

        def renamed(name: str | None) -> None:
            if name:  # the keys behind Enter: for the rows as renamed
                self.write(lambda: self._rename(old, name))

        self.app.push_screen(PromptScreen(f"Rename the view “{one_line(old)}” to:", old), renamed)

    def _rename(self, old: str, new: str) -> None:
        self.store.rename_view(old, new)

    def action_delete(self) -> None:
        row = self.selected()
        if row is not None:
            name = row[0].name

            def delete() -> str:
                self.store.delete_view(name)
                return f"Deleted the view “{one_line(name)}”"

            self.write(delete)

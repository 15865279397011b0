"""The trash: what delete (`D`, `newsdesk delete`) and retention removed, most recent first;
`u` or `enter` brings the highlighted article back with its tags and state (store.care.trash)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer

from articles.dates import local_display
from tui.literal import literal, one_line
from tui.screens.list_screen import TableScreen

if TYPE_CHECKING:
    from store import NewsStore, TrashEntry


class TrashScreen(TableScreen[bool, "TrashEntry"]):
    """The trash; returns True when something was brought back (the list reloads).

    | Key | id | Does |
    |---|---|---|
    | `u` `enter` | trash.undelete | bring the highlighted article back, with its tags and state |
    | `j` `k` | list.down / list.up | move |
    | `escape` | app.back | close |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u,enter", "undelete", "Undelete", id="trash.undelete", priority=True),
        Binding("j", "down", "Down", show=False, id="list.down"),
        Binding("k", "up", "Up", show=False, id="list.up"),
        Binding("escape", "close", "Close", id="app.back"),
    ]

    DEFAULT_CSS = """
    TrashScreen { align: center middle; }
    TrashScreen > Vertical { width: 90%; max-width: 120; height: 70%; border: round $accent; background: $panel; }
    TrashScreen #trash-title { padding: 0 1; text-style: bold; }
    TrashScreen #trash-note { padding: 0 1; color: $text-muted; }
    TrashScreen DataTable { height: 1fr; }
    """

    NAME = "trash"
    HEADING = "Trash"
    COLUMNS = ("deleted", "why", "title")
    NOTE = "u or enter undelete · esc close"
    EMPTY = "The trash is empty: what D, `newsdesk delete` and retention remove is kept here."
    NOTE_WHILE_LOADING = False
    TABLE = DataTable
    FOOTER = Footer

    def __init__(self, store: NewsStore) -> None:
        super().__init__(store)
        self.restored = 0
        """Articles brought back so far (the list reloads when there are any)."""

    @property
    def entries(self) -> list[TrashEntry]:
        return self.rows

    def fetch(self) -> list[TrashEntry]:
        return self.store.trash()

    def cells(self, row: TrashEntry) -> tuple[str | Text, ...]:
        return literal(local_display(row.deleted) or ""), literal(one_line(row.why)), literal(one_line(row.title))

    def row_key(self, row: TrashEntry) -> str:
        return row.id

    def action_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_undelete(self) -> None:
        entry = self.selected()
        if entry is not None:  # `u j u`: the second u is for the rows without the first
            self.write(lambda: self._undelete(entry.id))

    def _undelete(self, article_id: str) -> str | None:
        back = self.store.undelete(f"id:{article_id}")
        if not back:
            return None
        self.app.call_from_thread(self._restored, len(back))
        return f"Brought back “{one_line(back[0].title)[:60]}”"

    def _restored(self, count: int) -> None:
        self.restored += count

    def action_close(self) -> None:
        self.dismiss(self.restored > 0)

"""The trash: what delete (`D`, `newsdesk delete`) and retention removed, most recent first;
`u` or `enter` brings the highlighted article back with its tags and state (store.trash)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from articles.dates import local_display
from tui.key_order import KeysWaitForRows
from tui.literal import literal, one_line

if TYPE_CHECKING:
    from store import NewsStore, TrashEntry


@dataclass
class TrashLoaded(Message):
    entries: list[TrashEntry]


@dataclass
class TrashFailed(Message):
    text: str


class TrashScreen(KeysWaitForRows, ModalScreen[bool]):
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

    def __init__(self, store: NewsStore) -> None:
        super().__init__()
        self.store = store
        self.entries: list[TrashEntry] = []
        self.restored = 0

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Trash", id="trash-title")
            yield DataTable(cursor_type="row", zebra_stripes=True, id="trash-table")
            yield Static("", id="trash-note")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("deleted", "why", "title")
        table.focus()
        self.keys_wait_for_rows()  # `j j u` typed right behind: for the rows
        self.load()

    @work(thread=True, exclusive=True, group="trash", exit_on_error=False)
    def load(self) -> None:
        try:
            entries = self.store.trash()
        except Exception as exc:
            self.post_message(TrashFailed(str(exc)))
            return
        self.post_message(TrashLoaded(entries))

    @on(TrashLoaded)
    def show_entries(self, message: TrashLoaded) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.entries = message.entries
        for entry in message.entries:
            title = literal(one_line(entry.title))
            when = literal(local_display(entry.deleted) or "")
            table.add_row(when, literal(one_line(entry.why)), title, key=entry.id)
        if message.entries:
            table.move_cursor(row=min(max(keep, 0), len(message.entries) - 1))
        note = "u or enter undelete · esc close"
        if not message.entries:
            note = "The trash is empty: what D, `newsdesk delete` and retention remove is kept here."
        self.query_one("#trash-note", Static).update(Text(note))
        self.keys_go_on()

    @on(TrashFailed)
    def failed(self, message: TrashFailed) -> None:
        self.notify(message.text, title="Store error", severity="error", markup=False)
        self.keys_go_on()

    def action_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()

    def action_undelete(self) -> None:
        table = self.query_one(DataTable)
        if not self.entries or not 0 <= table.cursor_row < len(self.entries):
            return
        self.keys_wait_for_rows()  # `u j u`: the second u is for the rows without the first
        self.undelete(self.entries[table.cursor_row].id)

    @work(thread=True, group="trash-write", exit_on_error=False)
    def undelete(self, article_id: str) -> None:
        try:
            back = self.store.undelete(f"id:{article_id}")
        except Exception as exc:
            self.post_message(TrashFailed(str(exc)))
            return
        if back:
            self.restored += len(back)
            title = one_line(back[0].title)[:60]
            self.app.call_from_thread(self.notify, f"Brought back “{title}”", markup=False)
        self.app.call_from_thread(self.load)

    def action_close(self) -> None:
        self.dismiss(self.restored > 0)

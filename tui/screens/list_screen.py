"""The pop-up list screens' one skeleton: rows of the store loaded in a worker (the keys typed
behind the one that opened the screen waiting for them), shown, acted on by the keys, written
back in a worker and loaded again.  TableScreen shows the rows in a table (saved views, tags,
feeds, the trash); the entity browser shows them in a filtered option list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, ScreenResultType
from textual.widgets import DataTable, Footer, Static

from tui.key_order import KeysWaitForRows
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListTable

if TYPE_CHECKING:
    from store import NewsStore

Row = TypeVar("Row")


@dataclass
class ListLoaded(Message):
    """The rows a list screen's worker read (`generation`: the load they answer)."""

    rows: list[Any]
    generation: int = 0


@dataclass
class ListFailed(Message):
    """A list screen's read or write failed: said, and the keys go on."""

    text: str
    title: str = "Store error"
    generation: int = 0


class ListScreen(KeysWaitForRows, ModalScreen[ScreenResultType], Generic[ScreenResultType, Row]):
    """A modal screen over rows of the store.  Subclasses say how to read the rows (`fetch`, in
    a worker) and how to show them (`show_rows`)."""

    NAME: ClassVar[str] = "list"
    """The worker groups and the widget ids ("views": views-table, views-note...)."""

    def __init__(self, store: NewsStore) -> None:
        super().__init__()
        self.store = store
        self.rows: list[Row] = []
        self.generation = 0
        """Numbers the loads: rows of an older one are ignored."""

    def fetch(self) -> list[Row]:
        """The rows, read from the store (in a worker)."""
        raise NotImplementedError

    def show_rows(self, rows: list[Row]) -> None:
        """Show the rows just loaded (they are `self.rows` already)."""
        raise NotImplementedError

    def fetcher(self) -> Callable[[], list[Row]]:
        """The read for the worker, with what it needs from the screen taken now (on the UI thread)."""
        return self.fetch

    def load(self) -> None:
        """Read the rows afresh in a worker (a newer load cancels an older one)."""
        self.generation += 1
        generation, fetch = self.generation, self.fetcher()
        work = partial(self._load, generation, fetch)
        self.run_worker(work, group=self.NAME, exclusive=True, thread=True, exit_on_error=False)

    def _load(self, generation: int, fetch: Callable[[], list[Row]]) -> None:
        try:
            rows = fetch()
        except Exception as exc:
            self.post_message(ListFailed(str(exc), generation=generation))
            return
        self.post_message(ListLoaded(rows, generation))

    @on(ListLoaded)
    def list_loaded(self, message: ListLoaded) -> None:
        if message.generation != self.generation:
            return
        self.rows = message.rows
        self.show_rows(message.rows)
        self.keys_go_on()

    @on(ListFailed)
    def list_failed(self, message: ListFailed) -> None:
        self.notify(message.text, title=message.title, severity="error", markup=False)
        self.rows_failed(message.generation)
        self.keys_go_on()

    def rows_failed(self, generation: int) -> None:
        """A load (generation > 0) or a write (0) failed; the rows stay as they were."""

    def write(self, change: Callable[[], str | None], *, title: str = "Store error", wait: bool = True) -> None:
        """Run `change` (a store write) in a worker, then load the rows again; the text it
        returns, if any, is said.  `wait`: the keys typed behind wait for the rows as changed."""
        if wait:
            self.keys_wait_for_rows()
        work = partial(self._write, change, title)
        self.run_worker(work, group=f"{self.NAME}-write", thread=True, exit_on_error=False)

    def _write(self, change: Callable[[], str | None], title: str) -> None:
        try:
            said = change()
        except Exception as exc:
            self.post_message(ListFailed(str(exc), title))
            return
        if said:
            self.app.call_from_thread(self.notify, said, markup=False)
        self.app.call_from_thread(self.load)


class TableScreen(ListScreen[ScreenResultType, Row]):
    """A list screen whose rows are in a table, under a title and over a note."""

    HEADING: ClassVar[str] = ""
    COLUMNS: ClassVar[tuple[str, ...]] = ()
    NOTE: ClassVar[str] = ""
    """What the keys do, under the rows."""
    EMPTY: ClassVar[str] = ""
    """The note when there are no rows."""
    NOTE_WHILE_LOADING: ClassVar[bool] = True
    """The note shows before the rows are in (else it is empty until then)."""
    TABLE: ClassVar[type[DataTable[Any]]] = ListTable
    FOOTER: ClassVar[type[Footer]] = KeyFooter

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.HEADING, id=f"{self.NAME}-title")
            yield self.TABLE(cursor_type="row", zebra_stripes=True, id=f"{self.NAME}-table")
            yield Static(self.NOTE if self.NOTE_WHILE_LOADING else "", id=f"{self.NAME}-note")
        yield self.FOOTER()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*self.COLUMNS)
        table.focus()
        self.keys_wait_for_rows()  # `T j j r` in one burst: j, j and r are for the rows
        self.load()

    def cells(self, row: Row) -> tuple[str | Text, ...]:
        """The row's cells, one a column."""
        raise NotImplementedError

    def row_key(self, row: Row) -> str | None:
        return None

    def show_rows(self, rows: list[Row]) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(*self.cells(row), key=self.row_key(row))
        if rows:
            table.move_cursor(row=min(max(keep, 0), len(rows) - 1))
        self.query_one(f"#{self.NAME}-note", Static).update(Text(self.NOTE if rows else self.EMPTY))

    def selected(self) -> Row | None:
        """The row under the cursor."""
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if self.rows and 0 <= row < len(self.rows) else None

    def action_close(self) -> None:
        self.dismiss(None)

"""The tags view: every tag with total and unread counts; open, rename (onto another: merge),
delete (confirmed).  Changes are undoable from the main screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

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
    from store import NewsStore


@dataclass
class TagsLoaded(Message):
    tags: list[dict[str, Any]]


class TagsScreen(KeysWaitForRows, PopupScreen[str | None]):
    """Returns the tag to open, or None.

    | Key | id | Does |
    |---|---|---|
    | `j` `k` `g` `G` … | list.* | move, as in the main list (ListTable) |
    | `enter` | tags.open | the tag's articles |
    | `r` | tags.rename | rename; onto an existing tag it merges |
    | `d` `delete` | tags.delete | delete from every article (asks first; `u` undoes) |
    | `escape` | app.back | close |
    | `T` | tags.show | close (the key that opened it) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="tags.open", priority=True),
        Binding("r", "rename", "Rename/merge", id="tags.rename"),
        Binding("d,delete", "delete", "Delete", id="tags.delete"),
        Binding("escape", "close", "Close", id="app.back"),
        Binding("T", "close", "Close", show=False, id="tags.show"),
    ]

    DEFAULT_CSS = """
    TagsScreen { align: center middle; }
    TagsScreen > Vertical { width: 80%; max-width: 90; height: 70%; border: round $accent; background: $panel; }
    TagsScreen #tags-title { padding: 0 1; text-style: bold; }
    TagsScreen #tags-note { padding: 0 1; color: $text-muted; }
    TagsScreen DataTable { height: 1fr; }
    """

    def __init__(self, store: NewsStore, on_change: Callable[[dict[str, Any]], None]) -> None:
        super().__init__()
        self.store = store
        self.record_change = on_change  # the main screen's undo stack and refresh
        self.tags: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Tags", id="tags-title")
            yield ListTable(cursor_type="row", zebra_stripes=True, id="tags-table")
            yield Static("enter open · r rename/merge · d delete · esc close", id="tags-note")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("tag", "articles", "unread")
        table.focus()
        self.keys_wait_for_rows()  # `T j j r` in one burst: j, j and r are for the rows
        self.load()

    @work(thread=True, exclusive=True, group="tags", exit_on_error=False)
    def load(self) -> None:
        try:
            tags = self.store.tag_counts()
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Store error", severity="error", markup=False)
            self.app.call_from_thread(self.keys_go_on)
            return
        self.post_message(TagsLoaded(tags))

    @on(TagsLoaded)
    def show_tags(self, message: TagsLoaded) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.tags = message.tags
        for entry in message.tags:
            table.add_row(literal(one_line(entry["tag"])), str(entry["articles"]), str(entry["unread"]))
        if message.tags:
            table.move_cursor(row=min(keep, len(message.tags) - 1))
        else:
            self.query_one("#tags-note", Static).update(Text("No tags yet: press t on an article to tag it."))
        self.keys_go_on()

    def _selected(self) -> str | None:
        row = self.query_one(DataTable).cursor_row
        return self.tags[row]["tag"] if self.tags and 0 <= row < len(self.tags) else None

    def action_open(self) -> None:
        tag = self._selected()
        if tag is not None:
            self.dismiss(tag)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_rename(self) -> None:
        tag = self._selected()
        if tag is None:
            return

        def renamed(name: str | None) -> None:
            if name:
                self.keys_wait_for_rows()  # the keys behind Enter: for the rows as renamed
                self.write("rename", tag, name)

        self.app.push_screen(PromptScreen(f"Rename “{one_line(tag)}” to (an existing tag merges):", tag), renamed)

    def action_delete(self) -> None:
        tag = self._selected()
        if tag is None:
            return

        def confirmed(answer: str | None) -> None:
            if answer and answer.strip().lower() in ("y", "yes"):
                self.keys_wait_for_rows()
                self.write("delete", tag)

        count = next(t["articles"] for t in self.tags if t["tag"] == tag)
        title = f"Delete “{one_line(tag)}” from {count} article{'s' if count != 1 else ''}? Type y to confirm:"
        self.app.push_screen(PromptScreen(title), confirmed)

    @work(thread=True, group="tags-write", exit_on_error=False)
    def write(self, verb: str, tag: str, new: str = "") -> None:
        try:
            if verb == "rename":
                changes = self.store.rename_tag_changes(tag, new)
            else:
                changes = self.store.delete_tag_changes(tag)
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Tags", severity="error", markup=False)
            self.app.call_from_thread(self.keys_go_on)
            return
        self.app.call_from_thread(self.record_change, changes)
        self.app.call_from_thread(self.load)

"""The tags list: every tag with total and unread counts; open, rename (onto another: merge),
delete (confirmed).  Changes are undoable from the main screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from tui.literal import literal, one_line
from tui.screens.catch_up import catch_up_row, phrase
from tui.screens.list_screen import TableScreen
from tui.screens.popup import PopupScreen
from tui.screens.prompt import PromptScreen

if TYPE_CHECKING:
    from store import NewsStore


class TagsScreen(TableScreen[str | None, dict[str, Any]], PopupScreen[str | None]):
    """Returns the tag to open, or None.

    | Key | id | Does |
    |---|---|---|
    | `j` `k` `g` `G` … | list.* | move, as in the main list (ListTable) |
    | `enter` | tags.open | the tag's articles |
    | `r` | tags.rename | rename; onto an existing tag it merges |
    | `d` `delete` | tags.delete | delete from every article (asks first; `u` undoes) |
    | `M` | view.mark_all_read | mark the tag's articles read (over 100 unread: asks first; `u` undoes) |
    | `escape` | app.back | close |
    | `T` | tags.show | close (the key that opened it) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="tags.open", priority=True),
        Binding("r", "rename", "Rename/merge", id="tags.rename"),
        Binding("d,delete", "delete", "Delete", id="tags.delete"),
        Binding("M", "catch_up", "Mark read", id="view.mark_all_read"),
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

    NAME = "tags"
    HEADING = "Tags"
    COLUMNS = ("tag", "articles", "unread")
    NOTE = "enter open · r rename/merge · d delete · M mark read · esc close"
    EMPTY = "No tags yet: press t on an article to tag it."

    def __init__(self, store: NewsStore, on_change: Callable[[dict[str, Any]], None]) -> None:
        """`on_change` gets each change written (the main screen's undo stack and reload)."""
        super().__init__(store)
        self.record_change = on_change

    @property
    def tags(self) -> list[dict[str, Any]]:
        """The tags listed: {"tag", "articles", "unread"}."""
        return self.rows

    def fetch(self) -> list[dict[str, Any]]:
        return self.store.tag_counts()

    def cells(self, row: dict[str, Any]) -> tuple[str | Text, ...]:
        return literal(one_line(row["tag"])), str(row["articles"]), str(row["unread"])

    def _selected_tag(self) -> str | None:
        row = self.selected()
        return row["tag"] if row is not None else None

    def action_open(self) -> None:
        tag = self._selected_tag()
        if tag is not None:
            self.dismiss(tag)

    def action_rename(self) -> None:
        tag = self._selected_tag()
        if tag is None:
            return

        def renamed(name: str | None) -> None:
            if name:  # the keys behind Enter: for the rows as renamed
                self.write(lambda: self._recorded(self.store.rename_tag_changes(tag, name)), title="Tags")

        self.app.push_screen(PromptScreen(f"Rename “{one_line(tag)}” to (an existing tag merges):", tag), renamed)

    def action_delete(self) -> None:
        tag = self._selected_tag()
        if tag is None:
            return

        def confirmed(answer: str | None) -> None:
            if answer and answer.strip().lower() in ("y", "yes"):
                self.write(lambda: self._recorded(self.store.delete_tag_changes(tag)), title="Tags")

        count = next(t["articles"] for t in self.tags if t["tag"] == tag)
        title = f"Delete “{one_line(tag)}” from {count} article{'s' if count != 1 else ''}? Type y to confirm:"
        self.app.push_screen(PromptScreen(title), confirmed)

    def action_catch_up(self) -> None:
        row = self.selected()
        if row is not None:
            tag = str(row["tag"])
            catch_up_row(self, f'tag:"{phrase(tag)}"', f"#{tag}", int(row["unread"]))

    def _recorded(self, changes: dict[str, Any]) -> None:
        """(in the write's worker) the change goes to the main screen before the rows reload."""
        self.app.call_from_thread(self.record_change, changes)

"""The search bar: an input with the search history on up/down.  It only posts messages; the
screen debounces, searches in a worker and saves the query as a saved view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message

from tui.widgets.field import Field

PLACEHOLDER = 'search: words "a phrase" tag:x is:unread after:7d OR NOT … · ↑ history · ctrl+s save · esc back'


class SearchBar(Field):
    """Type a query; results follow as you type.

    | Key | id | Does |
    |---|---|---|
    | `enter` | search.submit | keep the results and go to the list |
    | `escape` | app.back | close the bar and return to the previous listing |
    | `up` / `down` | search.history_prev / search.history_next | browse the search history |
    | `ctrl+s` | search.save | save the query as a view |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="app.back"),
        Binding("up", "history(-1)", "Older search", show=False, id="search.history_prev"),
        Binding("down", "history(1)", "Newer search", show=False, id="search.history_next"),
        Binding("ctrl+s", "save", "Save view", id="search.save"),
    ]

    @dataclass
    class Cancelled(Message):
        """Escape: close the bar, back to the listing it opened over."""

    @dataclass
    class SaveRequested(Message):
        query: str

    def __init__(self, *, id: str | None = None) -> None:
        # The query shown stays as it is on focus, the cursor at its end (open()): keys typed
        # behind `/` extend it.  Selecting it all on focus made the next key replace it.
        super().__init__(
            placeholder='search: words "a phrase" tag:x is:unread after:7d … (? for the language)',
            id=id,
            select_on_focus=False,
        )
        self.history: list[str] = []
        self._browsing: int | None = None  # index into history while browsing
        self._draft = ""

    def open(self, text: str, history: list[str]) -> None:
        """Show the bar with `text`, and the history to browse."""
        self.history = list(history)
        self._browsing = None
        self.value = text
        self.cursor_position = len(text)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def action_save(self) -> None:
        self.post_message(self.SaveRequested(self.value))

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        if self._browsing is None:
            if step > 0:
                return
            self._draft = self.value
            index = len(self.history) - 1
        else:
            index = self._browsing + step
        if index >= len(self.history):
            self._browsing = None
            self.value = self._draft
        else:
            self._browsing = max(index, 0)
            self.value = self.history[self._browsing]
        self.cursor_position = len(self.value)

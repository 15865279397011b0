"""A one-line prompt in a dialog (saved view and tag names): returns the text, or None on escape."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.literal import literal
from tui.widgets.field import Field


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text.

    | Key | id | Does |
    |---|---|---|
    | `enter` | prompt.accept | accept |
    | `escape` | app.back | cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="app.back")]

    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical { width: 64; height: auto; padding: 1 2; border: round $accent; background: $panel; }
    PromptScreen #prompt-error { color: $error; height: auto; }
    """

    def __init__(self, title: str, value: str = "", *, placeholder: str = "") -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(literal(self._title))
            yield Field(self._value, placeholder=self._placeholder, id="prompt-input")
            yield Static(id="prompt-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def accept(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.dismiss(event.value)

    def show_error(self, text: str) -> None:
        self.query_one("#prompt-error", Static).update(literal(text))

    def action_cancel(self) -> None:
        self.dismiss(None)

"""The import dialog (`i`): paths and urls to import, the same sources `newsdesk import` takes.
Returns the list of sources; the import itself runs in the background (NewsdeskApp.ingest)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tui.literal import literal
from tui.widgets.field import Field


def split_sources(text: str) -> list[str]:
    """Sources separated by spaces; quotes keep a path with spaces whole; ~ is expanded."""
    words = shlex.split(text)
    return [str(Path(w).expanduser()) if w.startswith("~") else w for w in words]


class ImportScreen(ModalScreen["list[str] | None"]):
    """Paths (files, folders), http(s) urls (feeds, pages, OPML) and file:// urls (a local feed,
    subscribed to as an http one is) to import.

    | Key | id | Does |
    |---|---|---|
    | `enter` | (the field) | import them in the background |
    | `escape` | app.back | cancel |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="app.back")]

    DEFAULT_CSS = """
    ImportScreen { align: center middle; }
    ImportScreen > Vertical { width: 80; max-width: 100%; height: auto; padding: 1 2;
        border: round $accent; background: $panel; }
    ImportScreen #import-help { color: $text-muted; margin-top: 1; }
    ImportScreen #import-error { color: $error; height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Import: files, folders, feed or page urls, OPML", id="import-title")
            yield Field(placeholder="~/news/ https://example.org/feed.xml", id="import-input")
            yield Static(id="import-error")
            yield Static(
                "Separate sources with spaces; quote a path with spaces. A feed url subscribes "
                "(file:///path/feed.xml too: refresh reads the file again; a plain path imports once). "
                "Enter imports in the background; the list updates as articles arrive.",
                id="import-help",
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def start(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            sources = split_sources(event.value)
        except ValueError as exc:
            self.query_one("#import-error", Static).update(literal(f"Cannot read that: {exc}"))
            return
        if sources:
            self.dismiss(sources)

    def action_cancel(self) -> None:
        self.dismiss(None)

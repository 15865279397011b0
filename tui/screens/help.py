"""The help screen: every key of the screen it was opened from, with binding ids."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static


def binding_rows(screen: Screen[object]) -> list[tuple[str, str, str, str]]:
    """(where, keys, id, description) for the app, the screen and each widget on it."""
    app = screen.app
    sources: list[tuple[str, type[object] | object]] = [("anywhere", app), ("screen", screen)]
    seen_types: set[type] = set()
    for widget in screen.query(Widget):
        kind = type(widget)
        if kind in seen_types or not getattr(kind, "BINDINGS", None):
            continue
        seen_types.add(kind)
        sources.append((kind.__name__, widget))
    rows: list[tuple[str, str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    for where, node in sources:
        for binding in getattr(node, "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.id:
                continue
            keys = ", ".join(app.get_key_display(Binding(k.strip(), binding.action)) for k in binding.key.split(","))
            if (where, binding.id) in seen:
                continue
            seen.add((where, binding.id))
            rows.append((where, keys, binding.id, binding.description or binding.action))
    return rows


class HelpScreen(ModalScreen[None]):
    """Keys of the screen below; Esc or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $accent;
                                  background: $panel; padding: 0 1; }
    """

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.rows = binding_rows(under)

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", expand=True, show_edge=False, box=None, padding=(0, 1))
        table.add_column("where", style="dim", no_wrap=True)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        table.add_column("id", style="dim", no_wrap=True)
        for where, keys, binding_id, description in self.rows:
            table.add_row(Text(where), Text(keys), Text(description), Text(binding_id))
        with VerticalScroll():
            yield Static(table)
            yield Static(
                Text("Esc closes this help. Every action is also in the command palette (ctrl+p).", style="dim")
            )

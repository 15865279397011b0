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

WHERE = {
    "NewsdeskApp": "anywhere",
    "MainScreen": "main screen",
    "ArticleList": "list",
    "ArticleView": "text",
    "EntitySidebar": "sidebar",
    "WelcomeScreen": "welcome",
    "SearchBar": "search bar",
    "ViewsScreen": "views",
    "TrashScreen": "trash",
}


def search_language() -> Text:
    """The query language, from the parser's own documentation."""
    from store import query

    doc = (query.__doc__ or "").split("\n", 1)[1].strip("\n")
    return Text(doc.rstrip() + "\n", no_wrap=False)


def binding_rows(screen: Screen[object]) -> list[tuple[str, str, str, str]]:
    """(where, keys, id, description) of every key that works on the screen: the app's, the
    screen's and each focusable widget's effective bindings (user keymap applied), id first."""
    app = screen.app
    nodes: list[object] = [app, screen]
    seen_types: set[type] = set()
    for widget in screen.query(Widget):
        if widget.focusable and type(widget) not in seen_types:
            seen_types.add(type(widget))
            nodes.append(widget)
    rows: list[tuple[str, str, str, str]] = []
    for node in nodes:
        where = WHERE.get(type(node).__name__, type(node).__name__)
        keys_of: dict[tuple[str, str], list[str]] = {}
        described: dict[tuple[str, str], Binding] = {}
        for key, bindings in node._bindings.key_to_bindings.items():  # type: ignore[attr-defined]
            for binding in bindings:
                if binding.system:
                    continue
                ident = (binding.id or "", binding.action)
                keys_of.setdefault(ident, []).append(app.get_key_display(Binding(key, binding.action)))
                described[ident] = binding
        for ident, keys in sorted(keys_of.items(), key=lambda item: (not item[0][0], item[0])):
            binding = described[ident]
            rows.append((where, ", ".join(keys), ident[0], binding.description or binding.action.replace("_", " ")))
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
            yield Static(Text("\nSearch (/)", style="bold"))
            yield Static(search_language())
            yield Static(
                Text("Esc closes this help. Every action is also in the command palette (ctrl+p).", style="dim")
            )

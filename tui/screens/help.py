"""The help screen: every key of the screen it was opened from, with binding ids."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Static

from tui.screens.popup import SCROLLING

WHERE = {
    "NewsdeskApp": "anywhere",
    "MainScreen": "main screen",
    "ArticleList": "list",
    "ArticleText": "text",
    "EntitySidebar": "sidebar",
    "WelcomeScreen": "welcome",
    "SearchBar": "search bar",
    "SavedViewsScreen": "views",
    "TagsScreen": "tags",
    "FeedsScreen": "feeds",
    "EntitiesScreen": "entities",
    "RelatedScreen": "related",
    "ListTable": "list",
    "ListOptions": "list",
    "Field": "filter",
    "TrashScreen": "trash",
    "PipeChooser": "pipe",
    "PagerScreen": "pipe output",
}


def search_language() -> Text:
    """The query language, from the parser's own documentation."""
    from store import query

    doc = (query.__doc__ or "").split("\n", 1)[1].strip("\n")
    return Text(doc.rstrip() + "\n", no_wrap=False)


def own_bindings(cls: type[DOMNode]) -> BindingsMap:
    """The bindings of a node of `cls`: the BINDINGS of its classes merged down the class
    hierarchy as Textual merges them (a subclass's binding of a key replaces its base's, in the
    base's place); a class made with inherit_bindings=False says so with OWN_KEYS_ONLY."""
    keys: dict[str, list[Binding]] = {}
    for base in reversed(cls.__mro__):
        if issubclass(base, DOMNode):
            if base.__dict__.get("OWN_KEYS_ONLY", False):
                keys.clear()
            keys.update(BindingsMap(base.__dict__.get("BINDINGS", [])).key_to_bindings)
    return BindingsMap.from_keys(keys)


def binding_rows(screen: Screen[object], keymap: dict[str, str] | None = None) -> list[tuple[str, str, str, str]]:
    """(where, keys, id, description) of every key that works on the screen: the app's, the
    screen's and each focusable widget's effective bindings (`keymap`: the user's [keys], in
    Textual's long key names, applied), id first.

    Left out: the app's keys that a modal screen cuts off (`q` in the tags list), a key that a
    priority binding of the app or screen takes first (Input's ctrl+c copy never runs while
    ctrl+c quits), and the editing and scrolling keys Textual's own widgets bring without an id
    (they cannot be remapped; the help sums them up in a line)."""
    app = screen.app
    nodes: list[DOMNode] = [app, screen]
    seen_types: set[type] = set()
    for widget in screen.query(Widget):
        if widget.focusable and type(widget) not in seen_types:
            seen_types.add(type(widget))
            nodes.append(widget)
    effective: dict[int, BindingsMap] = {}
    for node in nodes:
        bindings_map = own_bindings(type(node))
        if keymap:  # what the user's [keys] made of them, as Textual applies it to each key press
            bindings_map.apply_keymap(keymap)
        effective[id(node)] = bindings_map
    taken = {
        key
        for node in (app, screen)
        for key, bindings in effective[id(node)].key_to_bindings.items()
        if any(binding.priority for binding in bindings)
    }
    rows: list[tuple[str, str, str, str]] = []
    for node in nodes:
        where = WHERE.get(type(node).__name__, type(node).__name__)
        keys_of: dict[tuple[str, str], list[str]] = {}
        described: dict[tuple[str, str], Binding] = {}
        for key, bindings in effective[id(node)].key_to_bindings.items():
            for binding in bindings:
                if binding.system or not binding.id or (key in taken and not binding.priority):
                    continue
                if node is app and screen.is_modal and not binding.priority:
                    continue  # a modal screen (a pop-up list) cuts off all but the app's priority keys
                ident = (binding.id or "", binding.action)
                keys_of.setdefault(ident, []).append(app.get_key_display(Binding(key, binding.action)))
                described[ident] = binding
        for ident, keys in sorted(keys_of.items()):
            binding = described[ident]
            rows.append((where, ", ".join(keys), ident[0], binding.description or binding.action.replace("_", " ")))
    return rows


class HelpScreen(ModalScreen[None]):
    """Keys of the screen below; Esc or ? closes it.  It scrolls with the text pane's keys.

    | Key | id | Does |
    |---|---|---|
    | `escape` `?` `q` | help.close | close |
    | `j` `down` / `k` `up` | text.down / text.up | scroll |
    | `space` `pagedown` / `b` `pageup` | text.page_down / text.page_up | page |
    | `g` `home` / `G` `end` | text.top / text.bottom | jump |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
        *SCROLLING,
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90%; max-width: 100; height: 90%; border: round $accent;
                                  background: $panel; padding: 0 1; }
    """

    def __init__(self, under: Screen[object], keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.rows = binding_rows(under, keymap)

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
                Text(
                    "Text fields also edit with the usual keys (← → home end, ctrl+w ctrl+u ctrl+k, "
                    "→ at the end takes a suggestion), and the mouse wheel scrolls every pane.\n"
                    "Esc closes this help. Every action is also in the command palette (ctrl+p).",
                    style="dim",
                )
            )

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one(VerticalScroll), f"action_{how}")()

"""The entity browser: the store's entities with article counts, filtered as you type and by type."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.literal import literal, one_line
from tui.screens.list_screen import ListScreen
from tui.screens.popup import PopupScreen
from tui.widgets.field import Field
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListOptions

if TYPE_CHECKING:
    from store import NewsStore

TYPES = (None, "person", "org", "place", "other")
LIMIT = 500
"""Entities listed at once: the most-covered first; typing narrows the list."""


class EntitiesScreen(ListScreen[tuple[str, str] | None, dict[str, Any]], PopupScreen[tuple[str, str] | None]):
    """Every entity of the store by the number of articles that name it; returns (type, name).

    | Key | id | Does |
    |---|---|---|
    | `enter` | entities.open | the entity's articles |
    | `down` `up` `pagedown` `pageup` | list.* | move, from the filter box |
    | `tab` | (focus) | the list, where `j` `k` `g` `G` move too (ListOptions) |
    | `ctrl+t` | entities.type | all, people, organisations, places, other |
    | `escape` | app.back | close |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+t", "next_type", "Type", id="entities.type"),
        Binding("escape", "close", "Close", id="app.back"),
        # While the filter box has focus it keeps its letters: only the arrows and page keys
        # move the list; with the list focused (tab) it takes j/k/g/G too (ListOptions).
        Binding("down", "move(1)", "Down", show=False, id="list.down"),
        Binding("up", "move(-1)", "Up", show=False, id="list.up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="list.page_up"),
    ]

    DEFAULT_CSS = """
    EntitiesScreen { align: center middle; }
    EntitiesScreen > Vertical { width: 90%; max-width: 100; height: 80%; border: round $accent; background: $panel; }
    EntitiesScreen #entities-filter { border: none; height: 1; padding: 0 1; }
    EntitiesScreen #entities-note { padding: 0 1; color: $text-muted; height: 1; }
    EntitiesScreen OptionList { height: 1fr; border: none; scrollbar-gutter: stable; }
    """

    NAME = "entities"

    def __init__(self, store: NewsStore) -> None:
        super().__init__(store)
        self.kind: str | None = None
        self._debounce: Timer | None = None
        self._shown = 0
        self._after_rows: list[Callable[[], None]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Field(placeholder="filter names… (ctrl+t: type, enter: open, esc: close)", id="entities-filter")
            yield Static("", id="entities-note")
            yield ListOptions(id="entities-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self.keys_wait_for_rows()  # `E` then down, Enter in one burst: they are for the rows
        self.reload()

    @property
    def entities(self) -> list[dict[str, Any]]:
        """The entities listed: {"name", "type", "articles"}."""
        return self.rows

    def reload(self) -> None:
        self._debounce = None
        self.load()

    def fetcher(self) -> Callable[[], list[dict[str, Any]]]:
        text, kind, store = self.query_one(Input).value.strip(), self.kind, self.store
        return lambda: store.entity_counts(kind=kind, contains=text, limit=LIMIT)

    def rows_failed(self, generation: int) -> None:
        if generation == self.generation:
            self._shown = generation  # the rows stay as they were: the keys act on them
        self._after_rows.clear()  # what waited for the rows: there are none to act on

    def show_rows(self, rows: list[dict[str, Any]]) -> None:
        self._shown = self.generation
        options = self.query_one(OptionList)
        options.clear_options()
        for entity in rows:
            prompt = literal(one_line(entity["name"]))
            prompt.append(f"  {entity['type']} · {entity['articles']}", style="dim")
            options.add_option(Option(prompt))
        if rows:
            options.highlighted = 0
        kind = {None: "all types", "person": "people", "org": "organisations", "place": "places"}.get(
            self.kind, self.kind or ""
        )
        shown = len(rows)
        more = f" (the first {LIMIT})" if shown == LIMIT else ""
        self.query_one("#entities-note", Static).update(Text(f"{kind} · {shown} entities{more}"))
        after, self._after_rows = self._after_rows, []
        for action in after:
            action()

    def _when_rows_are_in(self, action: Callable[[], None]) -> None:
        """`action` now, or, while the rows for the filter or type just changed are still to come
        (`harb` then Enter in one burst), once they are in, the keys behind it waiting too."""
        if self._debounce is None and self._shown == self.generation:
            action()
            return
        self._after_rows.append(action)
        self.keys_wait_for_rows()

    @on(Input.Changed, "#entities-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
        self._debounce = self.set_timer(0.1, self.reload)

    @on(Input.Submitted, "#entities-filter")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._when_rows_are_in(lambda: self._open(self.query_one(OptionList).highlighted))

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open(event.option_index)

    def _open(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.entities):
            entity = self.entities[index]
            self.dismiss((entity["type"], entity["name"]))

    def action_move(self, step: int) -> None:
        self._when_rows_are_in(lambda: self._move(step))

    def _move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted or 0
            options.highlighted = min(max(current + step, 0), options.option_count - 1)

    def action_page(self, step: int) -> None:
        self._when_rows_are_in(lambda: self._page(step))

    def _page(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_page_down()
        else:
            options.action_page_up()

    def action_next_type(self) -> None:
        self.kind = TYPES[(TYPES.index(self.kind) + 1) % len(TYPES)]
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)

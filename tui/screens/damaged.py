"""A damaged store file: what happened, where a copy was kept, and the offer to restore it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.literal import literal

if TYPE_CHECKING:
    from store import Damage


class DamagedScreen(ModalScreen[bool]):
    """Dismissed with True to apply the remedy, False to leave the file as it is.

    | Key | id | Does |
    |---|---|---|
    | `r` | damaged.repair | restore the newest good backup (or rebuild it, or start it afresh) |
    | `escape` | app.back | leave the file as it is |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "repair", "Restore", id="damaged.repair"),
        Binding("escape", "leave", "Leave as is", id="app.back"),
    ]

    DEFAULT_CSS = """
    DamagedScreen { align: center middle; }
    DamagedScreen > Vertical { width: 76; max-width: 100%; height: auto; max-height: 100%;
        padding: 1 2; border: heavy $error; background: $panel; }
    DamagedScreen #damaged-title { text-style: bold; color: $error; }
    DamagedScreen #damaged-keys { margin-top: 1; color: $text-muted; }
    """

    def __init__(self, damage: Damage, *, store_open: bool = True) -> None:
        super().__init__()
        self.damage = damage
        self._store_open = store_open

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("A store file is damaged", id="damaged-title")
            yield Static(literal(self.damage.describe()), id="damaged-text")
            yield Static(literal(self._keys()), id="damaged-keys")

    def _keys(self) -> str:
        leave = "Esc: leave it as it is" + ("" if self._store_open else " and quit")
        if self.damage.remedy == "restore":
            return f"r: restore the backup    {leave}"
        if self.damage.remedy == "rebuild":
            return f"r: rebuild it    {leave}"
        if self.damage.remedy == "afresh":
            return f"r: start it afresh, losing what is said above    {leave}"
        return "Esc: close" + ("" if self._store_open else " and quit")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return bool(self.damage.remedy) if action == "repair" else True

    def action_repair(self) -> None:
        self.dismiss(True)

    def action_leave(self) -> None:
        self.dismiss(False)

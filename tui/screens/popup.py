"""The pop-up lists (tags, saved views, feeds, entities, related) share one thing with the main screen:
`?` lists their keys.  A modal screen cuts the app's own bindings off, so it binds `?` itself."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, ScreenResultType


SCROLLING: list[BindingType] = [
    Binding("j,down", "scroll('scroll_down')", "Scroll down", show=False, id="text.down"),
    Binding("k,up", "scroll('scroll_up')", "Scroll up", show=False, id="text.up"),
    Binding("space,pagedown", "scroll('page_down')", "Page down", show=False, id="text.page_down"),
    Binding("b,pageup", "scroll('page_up')", "Page up", show=False, id="text.page_up"),
    Binding("g,home", "scroll('scroll_home')", "Top", show=False, id="text.top"),
    Binding("G,end", "scroll('scroll_end')", "Bottom", show=False, id="text.bottom"),
]
"""The text pane's keys for a screen that scrolls (help, the import report): each screen's
`action_scroll(how)` calls the `action_<how>` of its scrolling container."""


class PopupScreen(ModalScreen[ScreenResultType]):
    """A modal list with `?` for its keys.

    | Key | id | Does |
    |---|---|---|
    | `?` | app.help | the keys of this screen |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark", "app.help", "Help", id="app.help")]

"""The view and its unread count in the terminal's title: the App's sub-title (Textual's
`App.sub_title`) and, where the reader drives a real terminal, the terminal's window title (OSC 2,
written through the driver's own `write`, the way Textual writes OSC 52 for the clipboard).  The
title is feed data, so control characters are stripped and it is cut short; the terminal's own
title is pushed on its title stack first and put back when the reader stops (xterm's CSI 22/23 t;
a terminal without the stack ignores them)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.literal import clip

if TYPE_CHECKING:
    from textual.driver import Driver

MAX_TITLE = 80
"""Cells of the title at most."""
PUSH_TITLE, POP_TITLE = "\x1b[22;0t", "\x1b[23;0t"


def terminal_title(view: str, unread: int | None) -> str:
    """`view · N unread` (the count once known), without control characters."""
    counted = f" · {unread} unread" if unread is not None else ""
    return clip(f"{view}{counted}", MAX_TITLE)


def osc_title(text: str) -> str:
    """The sequence that sets the window title to `text` (controls stripped: never an escape)."""
    return f"\x1b]2;{clip(text, MAX_TITLE)}\x1b\\"


class TitleSetter:
    """What a titled driver gives the App: `set(text)` writes the title."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write
        self.pushed = False

    def set(self, text: str) -> None:
        if not self.pushed:
            self.write(PUSH_TITLE)
            self.pushed = True
        self.write(osc_title(text))

    def restore(self) -> None:
        if self.pushed:
            self.write(POP_TITLE)
            self.pushed = False


def titled(driver_class: type[Driver]) -> type[Driver]:
    """`driver_class` that hands the App (through its `title_setter` attribute) a TitleSetter
    over its own `write`, and puts the terminal's title back when application mode stops.  A
    driver chosen by TEXTUAL_DRIVER (the web server's) is left as it is."""
    if os.environ.get("TEXTUAL_DRIVER"):
        return driver_class

    class TitledDriver(driver_class):  # type: ignore[valid-type, misc]
        def __init__(self, app: Any, **kwargs: Any) -> None:
            super().__init__(app, **kwargs)
            self.title_setter = TitleSetter(self.write)
            if hasattr(app, "title_setter"):
                app.title_setter = self.title_setter

        def stop_application_mode(self) -> None:
            self.title_setter.restore()
            super().stop_application_mode()

    TitledDriver.__name__ = TitledDriver.__qualname__ = f"Titled{driver_class.__name__}"
    return TitledDriver

"""The pop-up lists (tags, views, feeds, entities, related) share one thing with the main screen:
`?` lists their keys.  A modal screen cuts the app's own bindings off, so it binds `?` itself."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, ScreenResultType


class PopupScreen(ModalScreen[ScreenResultType]):
    """A modal list with `?` for its keys.

    | Key | id | Does |
    |---|---|---|
    | `?` | app.help | the keys of this screen |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("question_mark", "app.help", "Help", id="app.help")]

"""A text field that does not blink: a blinking cursor redraws twice a second, forever, which
over SSH is bandwidth spent on nothing (nothing in newsdesk animates)."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Input


class Field(Input):
    cursor_blink = reactive(False, init=False)

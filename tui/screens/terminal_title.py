"""The view and its unread count as one line for the App's sub-title (Textual's `App.sub_title`,
what a title-aware front end such as the web server shows): feed data, so control characters
are stripped and the line is cut short."""

from __future__ import annotations

from tui.literal import clip

MAX_TITLE = 80
"""Cells of the title at most."""


def terminal_title(view: str, unread: int | None) -> str:
    """`view · N unread` (the count once known), without control characters."""
    counted = f" · {unread} unread" if unread is not None else ""
    return clip(f"{view}{counted}", MAX_TITLE)

"""Article-derived text made safe for the screen: always Rich Text (never markup), never a
control character, with stable colours for tags."""

from __future__ import annotations

import hashlib

from rich.style import Style
from rich.text import Text

from articles.sanitize import strip_controls

# Readable on dark and light themes, and distinct in 256 colours.
TAG_COLOURS = ("#e5a50a", "#57a773", "#4c9be8", "#c061cb", "#e66100", "#2ec27e", "#f66151", "#99c1f1")


def literal(value: object, style: str | Style = "") -> Text:
    """A Text that shows exactly the characters given (minus control codes), no markup parsed."""
    return Text(strip_controls("" if value is None else str(value)), style=style, end="")


def one_line(value: object) -> str:
    """A single display line: controls removed, whitespace folded."""
    return " ".join(strip_controls("" if value is None else str(value)).split())


def clip(value: object, width: int) -> str:
    """one_line(value) in at most `width` cells: a cut text ends in "…", so the cut shows."""
    from rich.cells import cell_len, set_cell_size

    line = one_line(value)
    if cell_len(line) <= width:
        return line
    return set_cell_size(line, max(width - 1, 0)).rstrip() + "…"


def tag_colour(tag: str) -> str:
    """The same tag gets the same colour in every session."""
    digest = hashlib.sha256(tag.casefold().encode("utf-8")).digest()
    return TAG_COLOURS[digest[0] % len(TAG_COLOURS)]


def tag_chips(tags: tuple[str, ...] | list[str]) -> Text:
    """Tags as coloured chips, each literal."""
    text = Text(end="")
    for index, tag in enumerate(tags):
        if index:
            text.append(" ")
        text.append(f"#{one_line(tag)}", style=Style(color=tag_colour(tag), bold=True))
    return text

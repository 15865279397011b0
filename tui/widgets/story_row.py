"""A story row of the grouped article list (`S`): the plain values the list shows for a group of
articles (a story, or copies of one text) under its newest article, and their badge."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:
    from rich.style import Style

    from store import ListItem


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A group of the listing's articles shown as one row: `story` its story id, `members` its
    articles in the listing (newest first; the first is the row's), `sources` how many outlets,
    `unread` the members not read, `copies` whether they are all copies of one text."""

    story: str
    members: tuple[str, ...]
    sources: int
    unread: frozenset[str]
    copies: bool = False

    @property
    def is_story(self) -> bool:
        """Whether `enter` opens the story (more than copies of one text)."""
        return not self.copies and len(self.members) > 1


def badge(row: StoryRow, style: Style) -> Text:
    """`(2 sources · 1 unread)`, or `(2 copies)` for copies of one text (after the title)."""
    if row.copies:
        text = f"({len(row.members)} copies)"
    else:
        text = f"({row.sources} source{'s' if row.sources != 1 else ''} · {len(row.unread)} unread)"
    return Text(text + " ", style=style, end="")


def is_unread(rows: dict[str, StoryRow], item: ListItem) -> bool:
    """Whether the list row of `item` has an unread article (its group's, when it heads one)."""
    row = rows.get(item.id)
    return bool(row.unread) if row is not None else not item.read


def with_changes(rows: dict[str, StoryRow], items: dict[str, ListItem]) -> dict[str, StoryRow] | None:
    """`rows` with the read state of changed `items` counted (None: no row has a changed member)."""
    changed = False
    updated = dict(rows)
    for key, row in rows.items():
        touched = [i for i in row.members if i in items]
        if touched:
            read = {i for i in touched if items[i].read}
            unread = {i for i in touched if not items[i].read}
            updated[key] = replace(row, unread=frozenset((row.unread - read) | unread))
            changed = True
    return updated if changed else None

"""Messages that workers post to screens: results of store I/O, delivered on the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from store import ListItem, StoredArticle


@dataclass
class ViewLoaded(Message):
    """The size of the current view and its first rows."""

    total: int
    rows: list[ListItem]
    generation: int
    ranked: bool = False
    """Ordered by relevance (else by date)."""
    cursor: int = 0
    """The row to put the cursor on (returning to a previous view)."""


@dataclass
class SearchFailed(Message):
    """The query being typed is malformed: the message says where."""

    text: str
    generation: int


@dataclass
class RowsLoaded(Message):
    """Rows fetched for the list's window."""

    offset: int
    rows: list[ListItem]
    generation: int


@dataclass
class ArticleLoaded(Message):
    """The full article for the text pane and sidebar (None: it vanished meanwhile)."""

    article_id: str
    stored: StoredArticle | None


@dataclass
class ItemsChanged(Message):
    """Rows whose state or content changed (our writes or another session's)."""

    items: dict[str, ListItem]
    total: int | None = None
    reload: bool = False
    cursor_id: str | None = None
    """The article under the cursor when the poll started, and its row now (to keep it there)."""
    cursor_row: int | None = None


@dataclass
class StoreFailed(Message):
    """A store operation failed; the text is for the user (shown literally).  `error` is the
    exception, so a damaged file (StoreCorrupt) can be offered a repair."""

    text: str
    error: Exception | None = None

"""Messages between the reader's parts: store I/O results that workers post to the main screen
(each carries what it answers: the load's generation, the query, the change-feed position), and
the requests and news that the App and its screens send each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from store import ListItem, Query, StoreCorrupt, StoredArticle
    from tui.screens.undo import UndoEntry


# -- results of the main screen's workers ---------------------------------------------------------
@dataclass
class ListingLoaded(Message):
    """The size of the listing asked for and its first rows."""

    total: int
    rows: list[ListItem]
    generation: int
    query: Query
    """The query parsed (with [reader] sort applied): what the list's rows now answer."""
    seq: int
    """The store's change-feed position the rows were read at."""
    ranked: bool = False
    """Ordered by relevance (else by date)."""
    cursor: int = 0
    """The row to put the cursor on (returning to a previous listing)."""


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
    """The full article for the text pane and sidebar (None: it vanished meanwhile), and why its
    names were not extracted when they were not (None: they were, or they are still to come)."""

    article_id: str
    stored: StoredArticle | None
    not_extracted: str | None = None


@dataclass
class ChangesSeen(Message):
    """The change feed moved from `since` to `seq` (the changes themselves follow in ItemsChanged)."""

    since: int
    seq: int


@dataclass
class ItemsChanged(Message):
    """Rows whose state or content changed (our writes or another session's)."""

    items: dict[str, ListItem]
    total: int | None = None
    reload: bool = False
    cursor_id: str | None = None
    """The article under the cursor when the poll started, and its row now (to keep it there)."""
    cursor_row: int | None = None
    generation: int | None = None
    """The listing load whose query `total` counts (None: no count)."""


@dataclass
class UnreadCounted(Message):
    """The unread articles of the listing, for the top bar; `asked` numbers the request."""

    asked: int
    count: int


@dataclass
class HistogramLoaded(Message):
    """An entity listing's articles by month ('YYYY-MM', count), for the top bar's sparkline."""

    generation: int
    months: list[tuple[str, int]]


@dataclass
class HistoryLoaded(Message):
    """The search history, oldest first, for the search bar's up/down."""

    history: list[str]


@dataclass
class MatchesMarked(Message):
    """Every article of the listing, to mark (`*`)."""

    ids: set[str]


@dataclass
class Undoable(Message):
    """A change the reader made, for the undo stack."""

    entry: UndoEntry


@dataclass
class Undone(Message):
    """An undo (or redo) is written: `inverse` is what undoes it in turn."""

    inverse: UndoEntry
    redo: bool


@dataclass
class TagNamesLoaded(Message):
    """The store's tags, for the tag editor's completion."""

    names: list[str]


@dataclass
class StoreFailed(Message):
    """A store operation failed; the text is for the user (shown literally).  `error` is the
    exception, so a damaged file (StoreCorrupt) can be offered a repair."""

    text: str
    error: Exception | None = None


# -- between the App and its screens --------------------------------------------------------------
@dataclass
class StoreDamaged(Message):
    """To the App: a store file was found damaged; offer the repair (once per file)."""

    error: StoreCorrupt


@dataclass
class StoreRepaired(Message):
    """To the main screen: the store was repaired; load the listing and the article afresh."""


@dataclass
class BackgroundStatus(Message):
    """To the main screen: what a background import or refresh is doing ("" when none runs)."""

    text: str


@dataclass
class RefreshRequested(Message):
    """To the App: refresh the feeds in the background; `on_done` runs when it is over."""

    on_done: Callable[[], object] | None = None


@dataclass
class ImportRequested(Message):
    """To the App: import `sources` in the background; `on_done` runs when it is over."""

    sources: list[str] = field(default_factory=list)
    on_done: Callable[[], object] | None = None


@dataclass
class ArticlesArrived(Message):
    """To the App, from the welcome screen: the store has articles now; show the main screen."""

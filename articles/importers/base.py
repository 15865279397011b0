"""What importers yield besides articles: problems and subscriptions, and the options they share."""

from __future__ import annotations

from dataclasses import dataclass, field

from articles.importers.fetch import FetchSettings
from articles.sanitize import clean_line


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in a source that could not be imported.  `fatal` means the whole source failed;
    otherwise one item was skipped and the rest went on.  A `warning` lost nothing (a feed that
    parsed with errors, an unknown file skipped in a folder) and does not count as a failure."""

    source: str
    reason: str
    fatal: bool = False
    warning: bool = False

    def __str__(self) -> str:
        return f"{clean_line(self.source)}: {clean_line(self.reason)}"


@dataclass(frozen=True, slots=True)
class Subscription:
    """A feed to remember (from OPML, or a feed URL given to import)."""

    url: str
    title: str = ""
    category: str = ""
    origin: str = ""
    error: str | None = None
    """What fetching it during the import said: "" it worked, a reason it failed, None it was
    not fetched (recorded on the subscription, as a refresh records it)."""
    checked: str = ""
    """When it was fetched (RFC 3339), if it was."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Knobs shared by every importer."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    max_file_bytes: int = 50 * 1024 * 1024
    """Feeds, pages and text files larger than this are refused (JSON/JSONL exports stream)."""
    max_items_per_feed: int = 20_000
    fetch_workers: int = 4


class ImportFailure(Exception):
    """A source that failed as a whole; the message is for the user."""

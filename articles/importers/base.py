"""What importers yield besides articles: problems and subscriptions, and the options they share."""

from __future__ import annotations

from dataclasses import dataclass, field

from articles.importers.fetch import FetchSettings
from articles.model import Article
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
    count: int = 1
    """How many failures this one stands for: the bad records past the first ones a source
    lists one by one are summed up in one Problem ("and 48,999 more, lines 1,001-50,000")."""

    def __str__(self) -> str:
        return f"{clean_line(self.source)}: {clean_line(self.reason)}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file a folder import passed over on purpose, losing nothing the user named: a link that
    leads out of the folder (`outside`: not followed), or a file that is not an article (text
    that does not read like one, a format newsdesk does not read, not a regular file).  Not a
    failure: counted in the summary, and named one by one with `import --verbose`."""

    source: str
    reason: str
    outside: bool = False
    folder: str = ""
    """The folder the walk started from (notes about skipped files are made per folder)."""

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
    etag: str | None = None
    last_modified: str | None = None
    """The validators of the fetch that read all of it (None: not fetched, or not read whole), kept
    on the subscription so that the first refresh asks "changed since?" rather than reading again."""


MAX_FILE_BYTES = 50 * 1024 * 1024
"""[import] max_file_bytes: the default size cap of one file, or of stdin."""
MAX_BODY_CHARS = 1_000_000
"""[import] max_body_chars: the default length cap of one article's body."""


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Knobs shared by every importer."""

    fetch: FetchSettings = field(default_factory=FetchSettings)
    max_file_bytes: int = MAX_FILE_BYTES
    """A file or stdin larger than this is refused before it is read (its type is told from its
    first bytes); a JSON Lines source streams instead, each line held to this size."""
    max_body_chars: int = MAX_BODY_CHARS
    """An article body (or summary) longer than this is cut at a paragraph, with a note saying so."""
    max_items_per_feed: int = 20_000
    fetch_workers: int = 4


class ImportFailure(Exception):
    """A source that failed as a whole; the message is for the user."""


Item = Article | Problem | Skipped | Subscription
"""What an importer yields: articles, and beside them problems, skipped files and subscriptions."""

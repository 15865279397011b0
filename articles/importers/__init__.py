"""Read any source newsdesk understands (files, folders, http(s) urls, stdin) into articles.

The modules, by job: `local` (stdin, files, folders), `formats` (bytes of a known format, and
urls fetched), `detect` (telling a format from its first bytes), one module per format (`feeds`,
`records`, `opml`, `pages`, `text`), `fetch` (HTTP, and the file:// urls the user gives),
`file_urls` (importing those), `caps` (size caps of one article), `refresh` (one subscription
refreshed), `base` (what importers yield, and their options)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from articles.dates import format_rfc3339, now_utc
from articles.importers.base import ImportFailure, ImportOptions, Item, Problem, Skipped, Subscription
from articles.importers.fetch import FetchError, FetchSettings

if TYPE_CHECKING:
    from articles.importers.formats import read_bytes
    from articles.importers.local import bounded_lines

_LAZY = {"read_bytes": "articles.importers.formats", "bounded_lines": "articles.importers.local"}
"""The readers of every format load on first use: a command that only reads the settings
(`FetchSettings`, `ImportOptions`) does not pay for them."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'articles.importers' has no attribute {name!r}")


__all__ = [
    "FetchError",
    "FetchSettings",
    "ImportFailure",
    "ImportOptions",
    "Item",
    "Problem",
    "Skipped",
    "Subscription",
    "bounded_lines",
    "read_bytes",
    "read_source",
    "read_sources",
]


def read_sources(sources: Iterable[str], options: ImportOptions | None = None) -> Iterator[Item]:
    """Every item of every source, in order; failures come as Problems and the rest goes on."""
    options = options or ImportOptions()
    for source in sources:
        yield from read_source(source, options)


def read_source(source: str, options: ImportOptions | None = None) -> Iterator[Item]:
    """One source: '-' for stdin, an http(s) url, a file:// url (a feed in it subscribed to), a
    folder (recursively) or a file.  Every article comes out within the size caps of `options`
    (caps.cap_article), a cut said as a warning naming the article."""
    from articles.importers.caps import capped

    options = options or ImportOptions()
    yield from capped(_read_source(source, options), options, source)


def _read_source(source: str, options: ImportOptions) -> Iterator[Item]:
    from articles.importers.file_urls import read_file_url
    from articles.importers.formats import read_url
    from articles.importers.local import read_path, read_stdin

    fetched = format_rfc3339(now_utc())
    if source == "-":
        yield from read_stdin(options, fetched)
        return
    if source.lower().startswith(("http://", "https://")):
        yield from read_url(source, options, fetched)
        return
    if source.lower().startswith("file://"):
        yield from read_file_url(source, options, fetched)
        return
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source) and not os.path.exists(source):
        yield Problem(source, "only http:// and https:// urls can be imported", fatal=True)
        return
    yield from read_path(source, options, fetched)

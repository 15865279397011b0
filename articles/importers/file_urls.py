"""`file://` urls the user gives (`newsdesk import file:///path/feed.xml`, the reader's import
dialog): the file is read as a fetched url is, so a feed in it becomes a subscription that
`refresh` reads again, as newsboat's `file://` urls.  A plain path is imported once instead
(articles.importers.local).  No file:// url met in what was read — an OPML outline, a feed's
links, a redirect — is ever followed (fetch.refused_location says so, naming it)."""

from __future__ import annotations

from collections.abc import Iterator

from articles.importers.base import ImportOptions, Item, Problem
from articles.importers.fetch import FetchError, fetch_file
from articles.importers.formats import from_response


def read_file_url(url: str, options: ImportOptions, fetched: str) -> Iterator[Item]:
    """The items of the file a `file://` url names; a feed in it is subscribed to by its
    canonical file:// url."""
    try:
        response = fetch_file(url, options.max_file_bytes)
    except FetchError as exc:
        yield Problem(url, str(exc), fatal=True)
        return
    yield from from_response(response.url, response, options, fetched, subscribe=True)

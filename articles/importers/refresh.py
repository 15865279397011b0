"""Refreshing one subscription: a conditional GET (ETag, Last-Modified), then the feed parsed.

What the server said decides what the store records: 304 nothing new; a permanent redirect
(301/308 all the way) the feed's new url; 410 the feed is gone (paused with a note); any other
failure an error kept on the subscription, which is tried again next time.  A `file://`
subscription (one the user made with `newsdesk import file:///...`) is read from its file, its
modification time and size standing for the ETag."""

from __future__ import annotations

from dataclasses import dataclass, field

from articles.dates import format_rfc3339, now_utc
from articles.importers.base import ImportOptions, Item, Problem
from articles.importers.caps import cap_article, capped
from articles.importers.fetch import FetchError, fetch, fetch_file, is_file_url
from articles.importers.formats import from_response
from articles.model import Article
from articles.sanitize import safe_url


@dataclass(slots=True)
class Refreshed:
    url: str
    """The subscription's url as stored (the key to update it by)."""
    status: str
    """"new" (fetched and parsed), "unchanged" (304), "gone" (410) or "failed"."""
    items: list[Item] = field(default_factory=list)
    new_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str = ""

    @property
    def articles(self) -> list[Article]:
        return [i for i in self.items if isinstance(i, Article)]


def refresh_feed(
    url: str, options: ImportOptions, *, etag: str | None = None, last_modified: str | None = None
) -> Refreshed:
    checked = url if is_file_url(url) else safe_url(url)
    if checked is None:
        return Refreshed(url, "failed", error="not a valid http(s) url")
    try:
        if is_file_url(checked):  # a local feed the user subscribed to (newsdesk import file:///...)
            response = fetch_file(checked, options.max_file_bytes)
            if etag and response.etag == etag:  # the same modification time and size: unchanged
                return Refreshed(url, "unchanged", etag=etag, last_modified=last_modified)
        else:
            response = fetch(checked, options.fetch, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        return Refreshed(url, "gone" if exc.status == 410 else "failed", error=str(exc))
    moved = response.permanent_redirect if response.permanent_redirect not in (None, checked) else None
    if response.status == 304:
        return Refreshed(url, "unchanged", new_url=moved, etag=etag, last_modified=last_modified)
    read = from_response(checked, response, options, format_rfc3339(now_utc()), subscribe=False)
    items = list(capped(read, options, url))
    fatal = [i for i in items if isinstance(i, Problem) and i.fatal]
    if fatal and not any(isinstance(i, Article) for i in items):
        return Refreshed(url, "failed", items=items, new_url=moved, error=fatal[0].reason)
    return Refreshed(
        url,
        "new",
        items=items,
        new_url=moved,
        etag=response.etag,
        last_modified=response.last_modified,
    )


def with_full_text(article: Article, options: ImportOptions) -> tuple[Article, str]:
    """A teaser feed's item with the text of its page (trafilatura), when the page has more to
    say; else the item as it was, with the reason ("" when the page was used)."""
    from dataclasses import replace

    from articles.importers.pages import decode_html, parse_page

    url = safe_url(article.url)
    if url is None:
        return article, "no http(s) link"
    try:
        response = fetch(url, options.fetch)
    except FetchError as exc:
        return article, str(exc)
    content_type = response.content_type.lower()
    charset = content_type.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in content_type else None
    pages = parse_page(
        decode_html(response.content, charset), source_name=url, url=response.url, fetched=article.fetched or ""
    )
    page = next((p for p in pages if isinstance(p, Article)), None)
    if page is None or len(page.body) <= len(article.body):
        return article, "the page has no more text than the feed"
    full = replace(article, body=page.body, links=page.links, author=article.author or page.author)
    return cap_article(full, options.max_body_chars)[0], ""  # a cut body says so at its end

"""Bytes of a known format into items (feeds, JSON, JSON Lines, OPML, pages, text, Markdown),
and http(s) urls fetched and read the same way.  The two are one module because each leads to
the other: a fetched url may be an OPML list, and an OPML list is urls to fetch."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from articles.dates import format_rfc3339, now_utc
from articles.importers import detect
from articles.importers.base import ImportOptions, Item, Problem, Skipped, Subscription
from articles.importers.feeds import parse_feed, parse_json_feed
from articles.importers.fetch import FetchError, fetch
from articles.importers.opml import parse_opml
from articles.importers.pages import decode_html, parse_page
from articles.importers.records import json_records, jsonl_records, lone_record_not_news, parse_records
from articles.importers.text import notes_file, parse_markdown, parse_plain_text, why_not_an_article
from articles.model import Article
from articles.sanitize import safe_url


def read_bytes(
    data: bytes, name: str, options: ImportOptions, *, fetched: str, url: str | None = None
) -> Iterator[Item]:
    """Parse bytes whose format is recognised by content."""
    kind = detect.sniff(data, name)
    if kind is None:
        yield Problem(name, "not a format newsdesk reads", fatal=True)
        return
    yield from parse_content(data, kind, name, options, fetched, url=url)


def parse_content(
    data: bytes,
    kind: str,
    name: str,
    options: ImportOptions,
    fetched: str,
    *,
    url: str | None,
    folder: str | None = None,
) -> Iterator[Item]:
    """`folder`: the file was found by a walk of that folder, so text that is not an article is
    skipped."""
    if kind == detect.FEED:
        yield from parse_feed(
            data, source_name=name, feed_url=url, fetched=fetched, max_items=options.max_items_per_feed
        )
    elif kind in (detect.JSON, detect.JSONFEED):
        records = json_records(data, name)
        if isinstance(records, Problem):
            yield records
            return
        if kind == detect.JSONFEED:
            import orjson

            yield from parse_json_feed(
                orjson.loads(data),
                source_name=name,
                feed_url=url,
                fetched=fetched,
                max_items=options.max_items_per_feed,
            )
        else:
            listed = list(records)
            why = lone_record_not_news(listed) if folder is not None else None
            if why:
                yield Skipped(name, f"not an article: {why}", folder=folder or "")
                return
            yield from parse_records(listed, source_name=name, fetched=fetched)
    elif kind == detect.JSONL:
        yield from parse_records(jsonl_records(data.splitlines()), source_name=name, fetched=fetched)
    elif kind == detect.OPML:
        yield from _read_opml(data, name, options)
    elif (feed := _embedded_feed(data, name, options, fetched, url)) is not None:
        yield from feed
    elif kind == detect.HTML:
        yield from parse_page(decode_html(data), source_name=name, url=url, fetched=fetched)
    else:
        text = _decode_text(data)
        if folder is not None:
            why = why_not_an_article(text, name) if kind == detect.TEXT else notes_file(name)
            if why:
                yield Skipped(name, f"not an article: {why}", folder=folder)
                return
        if kind == detect.MARKDOWN:
            yield from parse_markdown(text, source_name=name, fetched=fetched)
        else:
            yield from parse_plain_text(text, source_name=name, fetched=fetched)


def _embedded_feed(data: bytes, name: str, options: ImportOptions, fetched: str, url: str | None) -> list[Item] | None:
    """A page or text that holds a feed root element (an XHTML document wrapping an Atom feed)
    is tried as a feed first: its items when the feed parser finds any, else None (the document
    is read as what it looked like).  The feed element alone is tried first, so that the page's
    own <title> is not taken for the feed's."""
    fragment = detect.embedded_feed(data)
    if fragment is None:
        return None
    for candidate in (fragment, data):
        items: list[Item] = list(
            parse_feed(candidate, source_name=name, feed_url=url, fetched=fetched, max_items=options.max_items_per_feed)
        )
        if any(isinstance(i, Article) for i in items):
            return items
    return None


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", errors="replace")


def read_url(url: str, options: ImportOptions, fetched: str, *, subscribe: bool = True) -> Iterator[Item]:
    checked = safe_url(url)
    if checked is None:
        yield Problem(url, "not a valid http(s) url", fatal=True)
        return
    try:
        response = fetch(checked, options.fetch)
    except FetchError as exc:
        yield Problem(url, str(exc), fatal=True)
        return
    yield from from_response(checked, response, options, fetched, subscribe=subscribe)


def from_response(
    url: str, response: object, options: ImportOptions, fetched: str, *, subscribe: bool
) -> Iterator[Item]:
    final_url = response.permanent_redirect or url  # type: ignore[attr-defined]
    content: bytes = response.content  # type: ignore[attr-defined]
    content_type = response.content_type.lower()  # type: ignore[attr-defined]
    kind = detect.sniff(content, url)
    embedded = None
    if kind in (None, detect.HTML, detect.TEXT, detect.MARKDOWN):
        embedded = _embedded_feed(content, url, options, fetched, final_url)
    if embedded is not None:
        kind, items = detect.FEED, embedded  # a feed inside a page: subscribed to as a feed
    elif kind == detect.HTML or (kind in (None, detect.TEXT) and "html" in content_type):
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in content_type else None
        yield from parse_page(decode_html(content, charset), source_name=url, url=response.url, fetched=fetched)  # type: ignore[attr-defined]
        return
    elif kind is None:
        yield Problem(url, f"not a format newsdesk reads ({content_type or 'no content type'})", fatal=True)
        return
    else:
        items = list(parse_content(content, kind, url, options, fetched, url=final_url))
    got_articles = any(isinstance(i, Article) for i in items)
    if (
        subscribe
        and kind in (detect.FEED, detect.JSONFEED)
        and (got_articles or not any(isinstance(i, Problem) and i.fatal for i in items))
    ):
        title = next((i.source for i in items if isinstance(i, Article) and i.source), "")
        whole = not any(isinstance(i, Problem) for i in items)  # else the first refresh reads it again
        yield Subscription(
            url=final_url,
            title=title,
            origin=url,
            etag=getattr(response, "etag", None) if whole else None,
            last_modified=getattr(response, "last_modified", None) if whole else None,
        )
    yield from items


def _read_opml(data: bytes, name: str, options: ImportOptions) -> Iterator[Item]:
    """The OPML's subscriptions, each fetched: its articles, and the fetch's outcome on the
    subscription (its error, so that `feeds` shows a failing feed before the first refresh)."""
    subscriptions: list[Subscription] = []
    for item in parse_opml(data, source_name=name):
        if isinstance(item, Subscription):
            subscriptions.append(item)
        else:
            yield item
    if not subscriptions:
        return
    fetched = format_rfc3339(now_utc())

    def load(sub: Subscription) -> list[Item]:
        return [i for i in read_url(sub.url, options, fetched, subscribe=False)]

    with ThreadPoolExecutor(max_workers=max(1, options.fetch_workers)) as pool:
        for sub, results in zip(subscriptions, pool.map(load, subscriptions), strict=True):
            fatal = [i for i in results if isinstance(i, Problem) and i.fatal]
            failed = bool(fatal) and not any(isinstance(i, Article) for i in results)
            yield replace(sub, error=fatal[0].reason if failed else "", checked=fetched)
            yield from results

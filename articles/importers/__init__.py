"""Read any source newsdesk understands (files, folders, http(s) urls, stdin) into articles."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from articles.dates import format_rfc3339, now_utc
from articles.importers import detect
from articles.importers.base import ImportFailure, ImportOptions, Problem, Subscription
from articles.importers.feeds import parse_feed, parse_json_feed
from articles.importers.fetch import FetchError, FetchSettings, fetch
from articles.importers.opml import parse_opml
from articles.importers.pages import decode_html, parse_page
from articles.importers.records import json_records, jsonl_records, parse_records
from articles.importers.text import parse_markdown, parse_plain_text
from articles.model import Article
from articles.sanitize import safe_url

Item = Article | Problem | Subscription

__all__ = [
    "FetchError",
    "FetchSettings",
    "ImportFailure",
    "ImportOptions",
    "Item",
    "Problem",
    "Subscription",
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
    """One source: '-' for stdin, an http(s) url, a folder (recursively) or a file."""
    options = options or ImportOptions()
    fetched = format_rfc3339(now_utc())
    if source == "-":
        yield from read_bytes(sys.stdin.buffer.read(), "<stdin>", options, fetched=fetched)
        return
    if source.lower().startswith(("http://", "https://")):
        yield from _read_url(source, options, fetched)
        return
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source) and not os.path.exists(source):
        yield Problem(source, "only http:// and https:// urls can be imported", fatal=True)
        return
    path = Path(source)
    if path.is_dir():
        yield from _read_folder(path, options, fetched)
    elif path.is_file():
        yield from _read_file(path, options, fetched, explicit=True)
    elif path.exists():
        yield Problem(source, "not a regular file or folder", fatal=True)
    else:
        yield Problem(source, "no such file or folder", fatal=True)


def _read_folder(root: Path, options: ImportOptions, fetched: str) -> Iterator[Item]:
    any_file = False
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            any_file = True
            yield from _read_file(Path(folder) / name, options, fetched, explicit=False)
    if not any_file:
        yield Problem(str(root), "the folder holds no files", warning=True)


def _read_file(path: Path, options: ImportOptions, fetched: str, *, explicit: bool) -> Iterator[Item]:
    name = str(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(65536)
            kind = detect.sniff(head, name)
            if kind == detect.JSONL:
                handle.seek(0)
                yield from parse_records(jsonl_records(handle), source_name=name, fetched=fetched)
                return
            if kind is not None and kind != detect.JSON and size > options.max_file_bytes:
                yield Problem(name, f"larger than the {options.max_file_bytes // (1024 * 1024)} MB limit", fatal=True)
                return
            data = head + handle.read()
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}", fatal=True)
        return
    if kind is None:
        if explicit:
            yield Problem(name, "not a format newsdesk reads (feeds, OPML, HTML, text, Markdown, JSON)", fatal=True)
        else:
            yield Problem(name, "skipped: not a format newsdesk reads", warning=True)
        return
    yield from _parse(data, kind, name, options, fetched, url=None)


def read_bytes(
    data: bytes, name: str, options: ImportOptions, *, fetched: str, url: str | None = None
) -> Iterator[Item]:
    """Parse bytes whose format is recognised by content."""
    kind = detect.sniff(data, name)
    if kind is None:
        yield Problem(name, "not a format newsdesk reads", fatal=True)
        return
    yield from _parse(data, kind, name, options, fetched, url=url)


def _parse(
    data: bytes, kind: str, name: str, options: ImportOptions, fetched: str, *, url: str | None
) -> Iterator[Item]:
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
            yield from parse_records(records, source_name=name, fetched=fetched)
    elif kind == detect.JSONL:
        yield from parse_records(jsonl_records(data.splitlines()), source_name=name, fetched=fetched)
    elif kind == detect.OPML:
        yield from _read_opml(data, name, options)
    elif kind == detect.HTML:
        yield from parse_page(decode_html(data), source_name=name, url=url, fetched=fetched)
    else:
        text = _decode_text(data)
        if kind == detect.MARKDOWN:
            yield from parse_markdown(text, source_name=name, fetched=fetched)
        else:
            yield from parse_plain_text(text, source_name=name, fetched=fetched)


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        return str(best) if best is not None else data.decode("utf-8", errors="replace")


def _read_url(url: str, options: ImportOptions, fetched: str, *, subscribe: bool = True) -> Iterator[Item]:
    checked = safe_url(url)
    if checked is None:
        yield Problem(url, "not a valid http(s) url", fatal=True)
        return
    try:
        response = fetch(checked, options.fetch)
    except FetchError as exc:
        yield Problem(url, str(exc), fatal=True)
        return
    yield from _from_response(checked, response, options, fetched, subscribe=subscribe)


def _from_response(
    url: str, response: object, options: ImportOptions, fetched: str, *, subscribe: bool
) -> Iterator[Item]:
    final_url = response.permanent_redirect or url  # type: ignore[attr-defined]
    content: bytes = response.content  # type: ignore[attr-defined]
    content_type = response.content_type.lower()  # type: ignore[attr-defined]
    kind = detect.sniff(content, url)
    if kind == detect.HTML or (kind in (None, detect.TEXT) and "html" in content_type):
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip() if "charset=" in content_type else None
        yield from parse_page(decode_html(content, charset), source_name=url, url=response.url, fetched=fetched)  # type: ignore[attr-defined]
        return
    if kind is None:
        yield Problem(url, f"not a format newsdesk reads ({content_type or 'no content type'})", fatal=True)
        return
    items = list(_parse(content, kind, url, options, fetched, url=final_url))
    got_articles = any(isinstance(i, Article) for i in items)
    if (
        subscribe
        and kind in (detect.FEED, detect.JSONFEED)
        and (got_articles or not any(isinstance(i, Problem) and i.fatal for i in items))
    ):
        title = next((i.source for i in items if isinstance(i, Article) and i.source), "")
        yield Subscription(url=final_url, title=title, origin=url)
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
        return [i for i in _read_url(sub.url, options, fetched, subscribe=False)]

    with ThreadPoolExecutor(max_workers=max(1, options.fetch_workers)) as pool:
        for sub, results in zip(subscriptions, pool.map(load, subscriptions), strict=True):
            fatal = [i for i in results if isinstance(i, Problem) and i.fatal]
            failed = bool(fatal) and not any(isinstance(i, Article) for i in results)
            yield replace(sub, error=fatal[0].reason if failed else "", checked=fetched)
            yield from results

"""Read any source newsdesk understands (files, folders, http(s) urls, stdin) into articles."""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from articles.dates import format_rfc3339, now_utc
from articles.importers import detect
from articles.importers.base import ImportFailure, ImportOptions, Problem, Skipped, Subscription
from articles.importers.caps import cap_article
from articles.importers.feeds import parse_feed, parse_json_feed
from articles.importers.fetch import FetchError, FetchSettings, fetch
from articles.importers.opml import parse_opml
from articles.importers.pages import decode_html, parse_page
from articles.importers.records import json_records, jsonl_records, lone_record_not_news, parse_records
from articles.importers.text import notes_file, parse_markdown, parse_plain_text, why_not_an_article
from articles.model import Article
from articles.sanitize import safe_url

Item = Article | Problem | Skipped | Subscription

__all__ = [
    "FetchError",
    "FetchSettings",
    "ImportFailure",
    "ImportOptions",
    "Item",
    "Problem",
    "Skipped",
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
    """One source: '-' for stdin, an http(s) url, a folder (recursively) or a file.  Every
    article comes out within the size caps of `options` (caps.cap_article), a cut said as a
    warning naming the article."""
    options = options or ImportOptions()
    yield from _capped(_read_source(source, options), options, source)


def _capped(items: Iterable[Item], options: ImportOptions, source: str) -> Iterator[Item]:
    """`items` with each article cut to the caps, a cut said as a warning naming the article."""
    for item in items:
        if isinstance(item, Article):
            item, cut = cap_article(item, options.max_body_chars)
            if cut:
                title = item.title if len(item.title) <= 60 else item.title[:59] + "…"
                yield Problem(source, f"article {item.id} ({title}): {cut}", warning=True)
        yield item


def _read_source(source: str, options: ImportOptions) -> Iterator[Item]:
    fetched = format_rfc3339(now_utc())
    if source == "-":
        stdin = sys.stdin.buffer
        try:  # stdin redirected from a file: its size is known before anything is read
            info = os.fstat(stdin.fileno())
            size = info.st_size if stat.S_ISREG(info.st_mode) else None
        except (OSError, ValueError):
            size = None
        yield from _read_stream(stdin, "<stdin>", size, options, fetched, explicit=True)
        return
    if source.lower().startswith(("http://", "https://")):
        yield from _read_url(source, options, fetched)
        return
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source) and not os.path.exists(source):
        yield Problem(source, "only http:// and https:// urls can be imported", fatal=True)
        return
    path = Path(source)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        yield Problem(source, "no such file or folder", fatal=True)
        return
    except (OSError, RuntimeError) as exc:
        yield Problem(source, f"cannot read: {getattr(exc, 'strerror', None) or exc}", fatal=True)
        return
    if stat.S_ISDIR(mode):
        yield from _read_folder(path, options, fetched)
    elif stat.S_ISREG(mode):
        yield from _read_file(path, options, fetched, explicit=True)
    else:
        yield Problem(source, f"{_kind_of(mode)}, not a regular file: {_NOT_REGULAR}", fatal=True)


_NOT_REGULAR = (
    "newsdesk imports regular files, folders and http(s) urls (and '-' for stdin: `newsdesk import - < SOURCE`)"
)


def _kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _read_folder(root: Path, options: ImportOptions, fetched: str) -> Iterator[Item]:
    """Every file under `root`, recursively, in name order; hidden names are left out.  A link
    is followed only when its target is inside the folder (a link to /etc/passwd is not, and
    says so as a Skipped item); each folder and file is read once however many links lead to it,
    so a link loop ends.  Only regular files are opened."""
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        yield Problem(str(root), f"cannot read: {getattr(exc, 'strerror', None) or exc}", fatal=True)
        return
    folders_seen = {real_root}
    files_seen: set[tuple[int, int]] = set()
    any_file = False
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            yield Problem(str(folder), f"cannot read: {exc.strerror or exc}", fatal=True)
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            target = path
            if entry.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):  # missing target, or a loop of links
                    yield Skipped(str(path), "a broken link", folder=str(root))
                    continue
                if not target.is_relative_to(real_root):
                    why = f"a link to {target}, outside the folder: not followed"
                    yield Skipped(str(path), why, outside=True, folder=str(root))
                    continue
            try:
                info = target.stat()
            except OSError as exc:
                yield Problem(str(path), f"cannot read: {exc.strerror or exc}", fatal=True)
                continue
            if stat.S_ISDIR(info.st_mode):
                real = target.resolve()
                if real not in folders_seen:
                    folders_seen.add(real)
                    subfolders.append(path)
            elif stat.S_ISREG(info.st_mode):
                any_file = True
                if (info.st_dev, info.st_ino) not in files_seen:  # the same file by another name
                    files_seen.add((info.st_dev, info.st_ino))
                    yield from _read_file(path, options, fetched, explicit=False, target=target, folder=str(root))
            else:
                any_file = True
                yield Skipped(str(path), "not a regular file", folder=str(root))
        stack.extend(reversed(subfolders))
    if not any_file:
        yield Problem(str(root), "the folder holds no files", warning=True)


def _open_regular(path: Path, *, follow: bool) -> BinaryIO:
    """`path` opened for reading, refused unless it is a regular file (a FIFO or a device would
    block or never end); `follow=False` refuses a link put in its place since it was looked at."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_file(
    path: Path,
    options: ImportOptions,
    fetched: str,
    *,
    explicit: bool,
    target: Path | None = None,
    folder: str = "",
) -> Iterator[Item]:
    """One file.  `explicit`: named by the user (a format it does not read fails); otherwise
    found in `folder` (`target`: its resolved path, checked to lie inside), where what is not an
    article is skipped."""
    name = str(path)
    try:
        handle = _open_regular(target or path, follow=explicit)
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}", fatal=True)
        return
    with handle:
        size = os.fstat(handle.fileno()).st_size
        yield from _read_stream(handle, name, size, options, fetched, explicit=explicit, folder=folder)


_HEAD_BYTES = 65536
"""How much of a source is read to tell its type, before anything else is read."""


def _read_stream(
    handle: BinaryIO,
    name: str,
    size: int | None,
    options: ImportOptions,
    fetched: str,
    *,
    explicit: bool,
    folder: str = "",
) -> Iterator[Item]:
    """A regular file (`size`: its size) or stdin (`size` None: unknown until read).  The type
    is told from the first bytes; a source of no known type is not read further, one larger than
    `options.max_file_bytes` is refused before it is read (stdin: as soon as it passes the cap),
    and JSON Lines stream, one line at a time, each held to the cap."""
    limit = options.max_file_bytes
    try:
        head = handle.read(_HEAD_BYTES)
        kind = detect.sniff(head, name)
        if kind is None:
            if explicit:
                yield Problem(name, "not a format newsdesk reads (feeds, OPML, HTML, text, Markdown, JSON)", fatal=True)
            else:
                yield Skipped(name, "not a format newsdesk reads", folder=folder)
            return
        if kind == detect.JSONL:
            lines = bounded_lines(head, handle, limit)
            yield from parse_records(jsonl_records(lines, limit), source_name=name, fetched=fetched)
            return
        too_big = f"larger than the {_mb(limit)} limit ([import] max_file_bytes)" + (
            "; a JSON export streams as JSON Lines (export --format jsonl)" if kind == detect.JSON else ""
        )
        if size is not None and size > limit:
            yield Problem(name, too_big, fatal=True)
            return
        rest = handle.read(max(0, limit + 1 - len(head)))  # a file may grow, and /proc says 0
        if len(head) + len(rest) > limit:
            yield Problem(name, too_big, fatal=True)
            return
        data = head + rest
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}", fatal=True)
        return
    yield from _parse(data, kind, name, options, fetched, url=None, folder=None if explicit else folder)


def bounded_lines(head: bytes, handle: BinaryIO, limit: int, chunk: int = 1 << 20) -> Iterator[bytes | None]:
    """The lines of `head` followed by the rest of `handle`, read a chunk at a time.  A line
    longer than `limit` bytes comes as None and ends the reading: memory stays within `limit`
    plus a chunk, and time within what comes before it, whatever the input (a file with no
    newline at all, `cat /dev/zero`)."""
    buffer = bytearray(head)
    while True:
        start = 0
        while (end := buffer.find(b"\n", start)) >= 0:
            if end + 1 - start > limit:
                yield None
                return
            yield bytes(buffer[start : end + 1])
            start = end + 1
        del buffer[:start]
        if len(buffer) > limit:
            yield None
            return
        more = handle.read(chunk)
        if not more:
            break
        buffer += more
    if buffer:
        yield bytes(buffer)


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
            records = list(records)
            why = lone_record_not_news(records) if folder is not None else None
            if why:
                yield Skipped(name, f"not an article: {why}", folder=folder or "")
                return
            yield from parse_records(records, source_name=name, fetched=fetched)
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

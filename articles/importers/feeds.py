"""RSS 0.9x/1.0/2.0 and Atom through feedparser; JSON Feed by hand (feedparser does not read it)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from articles.dates import from_struct_time, is_date_only, parse_published
from articles.importers.base import Problem
from articles.importers.fetch import is_file_url, refused_location
from articles.language import detect_language
from articles.model import Article
from articles.sanitize import (
    clean_line,
    line_from_markup,
    safe_url,
    text_and_links_from_markup,
    text_from_markup,
    without_link_marks,
)

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.I)
_XML_DECL_ENCODING = re.compile(rb"^\s*<\?xml[^>]*encoding=", re.I)


def _language(value: object) -> str | None:
    """'en-US' and 'en_us' are English: keep the primary subtag."""
    text = clean_line(value).lower()
    primary = re.split(r"[-_]", text, maxsplit=1)[0] if text else ""
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def _guess_encoding(data: bytes) -> bytes:
    """Feeds with no declared encoding that are not UTF-8: transcode using a detector."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or _XML_DECL_ENCODING.match(data):
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - it comes with trafilatura
        return data
    best = from_bytes(data).best()
    if best is None or not best.encoding:
        return data
    return str(best).encode("utf-8")


_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|RDF|channel)\b", re.I)


def _prolog(data: bytes) -> bytes:
    """Everything before the root element, where a DOCTYPE may declare entities — however much
    comment padding comes first (a fixed-size head could be pushed past)."""
    root = _ROOT.search(data)
    return data[: root.start()] if root else data


def parse_feed(
    data: bytes, *, source_name: str, feed_url: str | None, fetched: str, max_items: int
) -> Iterator[Article | Problem]:
    """Parse an XML feed; every entry with a title, text or link becomes an article."""
    if _ENTITY_DECL.search(_prolog(data)):
        yield Problem(source_name, "refused: the document declares XML entities", fatal=True)
        return
    import feedparser

    parsed = feedparser.parse(_guess_encoding(data), sanitize_html=True, resolve_relative_uris=True)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo") or not parsed.get("version"):
            exc = parsed.get("bozo_exception")
            why = f"not a readable feed ({_describe(exc)})" if exc else "not a feed"
            yield Problem(source_name, f"{why}; no items could be recovered", fatal=True)
        return  # a valid feed with no items imports nothing and is fine
    feed = parsed.get("feed") or {}
    source = line_from_markup(feed.get("title")) or (safe_url(feed.get("link")) or "")
    self_link = feed_url or _self_link(feed)
    feed_language = _language(feed.get("language") or parsed.get("headers", {}).get("content-language"))
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        yield Problem(source_name, f"parsed with errors: {_describe(exc)}", warning=True)
    made = 0
    skipped: list[Problem] = []
    for index, entry in enumerate(entries[:max_items], start=1):
        article = _entry_article(entry, source, self_link, feed_language, fetched)
        if article is None:
            skipped.append(Problem(source_name, f"item {index}: no title, text or link"))
            continue
        made += 1
        yield article
    if len(entries) > max_items:
        yield Problem(source_name, f"only the first {max_items} of {len(entries)} items were read", warning=True)
    yield from _local_links(source_name, feed, entries[:max_items])
    yield from finish_items(source_name, made, skipped)


def finish_items(source_name: str, made: int, skipped: list[Problem]) -> Iterator[Problem]:
    """Per-item problems when some items worked; one file-level failure when none did."""
    if made or not skipped:
        yield from skipped
    else:
        reason = skipped[0].reason.split(": ", 1)[-1]
        yield Problem(source_name, f"no item could be recovered ({reason})", fatal=True)


def _describe(exc: object) -> str:
    """An XML error as people read it: "unclosed token at line 7, column 0"."""
    text = clean_line(exc) or type(exc).__name__
    match = re.match(r"^<unknown>:(\d+):(\d+):\s*(.*)$", text)
    if match:
        return f"{match.group(3)} at line {match.group(1)}, column {match.group(2)}"
    return text


def _local_links(source_name: str, feed: Mapping[str, Any], entries: list[Any]) -> Iterator[Problem]:
    """One warning naming the first file:// link of a feed (its own or an item's), which is
    never followed nor kept: a feed does not lead to the files of the machine reading it."""
    links = [feed.get("link"), *(link.get("href") for link in feed.get("links") or [])]
    for entry in entries:
        links += [entry.get("link"), *(link.get("href") for link in entry.get("links") or [])]
    local = list(dict.fromkeys(link for link in links if is_file_url(link)))
    if local:
        more = f" (and {len(local) - 1} more)" if len(local) > 1 else ""
        yield Problem(source_name, refused_location(local[0], "a link in the feed") + more, warning=True)


def _self_link(feed: Mapping[str, Any]) -> str | None:
    for link in feed.get("links") or []:
        if link.get("rel") == "self":
            return safe_url(link.get("href"))
    return None


def _entry_article(
    entry: dict[str, Any], source: str, feed_url: str | None, feed_language: str | None, fetched: str
) -> Article | None:
    """One feedparser entry (a dict subclass) as an Article; None when it has no title, text or link."""
    title = line_from_markup(entry.get("title"))
    contents = [c for c in entry.get("content") or [] if c.get("value")]
    content = max(contents, key=lambda c: len(c.get("value", "")), default=None)
    link = safe_url(entry.get("link"))
    summary = text_from_markup(entry.get("summary"))  # shown above the body: its links unnumbered
    body, links = text_and_links_from_markup(content.get("value") if content else entry.get("summary"), link)
    if without_link_marks(body) == summary:
        summary = ""
    if not (title or body or link):
        return None
    # dict.get: feedparser's own get() maps updated->published with a DeprecationWarning.
    published, date_only = None, False
    for name in ("published", "updated", "created"):
        published = from_struct_time(dict.get(entry, f"{name}_parsed"))
        if published:
            # feedparser gives "2011-10-06" (RSS dc:date) as midnight UTC: it is a calendar day.
            date_only = is_date_only(dict.get(entry, name))
            break
    language = _language(entry.get("language") or (content or {}).get("language")) or feed_language
    return Article.create(
        title=title,
        body=body,
        summary=summary,
        author=line_from_markup(entry.get("author")),
        source=source,
        url=link,
        guid=entry.get("id") or entry.get("guid"),
        published=published,
        date_only=date_only,
        language=language or detect_language(f"{title}\n{body or summary}"),
        feed=feed_url,
        fetched=fetched,
        links=links,
    )


def parse_json_feed(
    document: Mapping[str, Any], *, source_name: str, feed_url: str | None, fetched: str, max_items: int
) -> Iterator[Article | Problem]:
    """JSON Feed 1.0/1.1 (jsonfeed.org)."""
    items = document.get("items")
    if not isinstance(items, list):
        yield Problem(source_name, "JSON Feed without an items list", fatal=True)
        return
    source = line_from_markup(document.get("title"))
    feed_url = feed_url or safe_url(document.get("feed_url"))
    feed_language = _language(document.get("language"))
    feed_authors = _authors(document)
    made = 0
    skipped: list[Problem] = []
    for index, item in enumerate(items[:max_items], start=1):
        if not isinstance(item, Mapping):
            skipped.append(Problem(source_name, f"item {index}: not an object"))
            continue
        title = line_from_markup(item.get("title"))
        link = safe_url(item.get("url")) or safe_url(item.get("external_url"))
        body, links = text_and_links_from_markup(item.get("content_html") or item.get("content_text"), link)
        summary = text_from_markup(item.get("summary"))
        if not (title or body or summary or link):
            skipped.append(Problem(source_name, f"item {index}: no title, text or link"))
            continue
        made += 1
        published = parse_published(item.get("date_published") or item.get("date_modified"))
        yield Article.create(
            title=title,
            body=body or summary,
            summary=summary if body else "",
            author=_authors(item) or feed_authors,
            source=source,
            url=link,
            guid=str(item["id"]) if item.get("id") is not None else None,
            published=published.value,
            date_only=published.date_only,
            language=_language(item.get("language")) or feed_language or detect_language(f"{title}\n{body or summary}"),
            feed=feed_url,
            fetched=fetched,
            links=links,
        )
    yield from finish_items(source_name, made, skipped)


def _authors(obj: Mapping[str, Any]) -> str:
    authors = obj.get("authors")
    if not isinstance(authors, list):
        single = obj.get("author")
        authors = [single] if single else []
    names = [clean_line(a.get("name")) for a in authors if isinstance(a, Mapping)]
    return ", ".join(n for n in names if n)

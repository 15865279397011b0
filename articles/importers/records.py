"""JSON and JSONL: newsdesk's own export records, and plain records with title/body/url/date fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson

from articles.dates import parse_date, parse_published
from articles.importers.base import Problem
from articles.language import detect_language
from articles.model import EXPORT_FORMAT, Article, Entity, is_article_id
from articles.sanitize import (
    clean_line,
    clean_text,
    line_from_markup,
    safe_links,
    text_and_links_from_markup,
    text_from_markup,
)

_TITLE = ("title", "headline", "name", "subject")
_BODY = ("body", "content", "text", "article", "content_text", "content_html", "articleBody", "html")
_SUMMARY = ("summary", "description", "abstract", "excerpt", "lead", "dek")
_URL = ("url", "link", "href", "permalink", "canonical_url", "external_url")
_DATE = (
    "published",
    "date",
    "pubDate",
    "datePublished",
    "date_published",
    "published_at",
    "publishedAt",
    "created",
    "created_at",
    "createdAt",
    "updated",
    "updated_at",
    "date_modified",
    "timestamp",
    "time",
)
_AUTHOR = ("author", "authors", "byline", "creator", "by")
_SOURCE = ("source", "site", "site_name", "publisher", "feed_title", "outlet", "domain")
_LIST_KEYS = ("items", "articles", "entries", "records", "data", "results", "posts", "stories")


def _first(record: Mapping[str, Any], names: Iterable[str]) -> Any:
    for name in names:
        value = record.get(name)
        if value not in (None, "", [], {}):
            return value
    return None


def _name_of(value: Any) -> str:
    """A person or publisher given as a string, an object with a name, or a list of either."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return str(value.get("name") or value.get("title") or "")
    if isinstance(value, list):
        return ", ".join(n for n in (_name_of(v) for v in value) if n)
    return ""


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        return [t for t in (p.strip() for p in value.split(",")) if t]
    if isinstance(value, list):
        return [str(t) for t in value if isinstance(t, (str, int)) and not isinstance(t, bool)]
    return []


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def record_to_article(record: Mapping[str, Any], *, fetched: str) -> Article | None:
    """One JSON record as an article, or None when it has no title, text or url."""
    own = record.get("newsdesk") == EXPORT_FORMAT
    title = line_from_markup(_first(record, _TITLE))
    url = _first(record, _URL)
    body, links = text_and_links_from_markup(_first(record, _BODY), url if isinstance(url, str) else None)
    if own and not links:
        links = safe_links(record.get("links"))  # our own export: the body is text, its links beside it
    summary = text_from_markup(_first(record, _SUMMARY))
    if body == summary:
        summary = ""
    if not (title or body or summary or isinstance(url, str)):
        return None
    language = record.get("language") or record.get("lang")
    entities = record.get("entities") if own else None
    published = parse_published(_first(record, _DATE))
    article = Article.create(
        title=title,
        body=body or summary,
        summary=summary if body else "",
        author=_name_of(_first(record, _AUTHOR)),
        source=_name_of(_first(record, _SOURCE)),
        url=url if isinstance(url, str) else None,
        guid=clean_line(record.get("guid")) or None,
        published=published.value,
        # A day without a time, or our own export of one (midnight UTC, flagged).
        date_only=published.date_only or record.get("date_only") is True,
        language=language if isinstance(language, str) else detect_language(f"{title}\n{body}"),
        feed=record.get("feed") if isinstance(record.get("feed"), str) else None,
        fetched=parse_date(record.get("fetched")) if own and record.get("fetched") else fetched,
        tags=_tags(record.get("tags")),
        read=_bool(record.get("read")),
        starred=_bool(record.get("starred")),
        entities=tuple(Entity.from_dict(e) for e in entities if isinstance(e, Mapping))
        if isinstance(entities, list)
        else None,
        links=links,
    )
    teaser = record.get("teaser")
    if own and isinstance(teaser, str) and teaser.strip():
        article = article.with_changes(teaser=clean_text(teaser))
    key = record.get("key")
    if own and isinstance(key, str) and key and is_article_id(record.get("id")):
        # Our own export: keep the identity it was stored under, so ids survive the round trip.
        article = article.with_changes(key=clean_line(key) or article.key, id=record["id"])
    return article


HELD_PROBLEMS = 1000
"""Bad records listed one by one before a source's first good record; the rest before it are
summed up in one Problem that counts them all."""


def parse_records(
    records: Iterable[tuple[int | str, Any]], *, source_name: str, fetched: str
) -> Iterator[Article | Problem]:
    """Records labelled by where they are: a JSONL line number (reported as `FILE:LINE: reason`)
    or a JSON path such as `.items[6]` (reported as `FILE: .items[6]: reason`).  Bad records are
    reported and skipped, every one counted; when no record at all works, the source fails once
    instead.  Until the first good record the problems are held (the first HELD_PROBLEMS of them,
    and a count of the rest), so memory stays bounded however many bad records come first."""
    made = 0
    held: list[Problem] = []  # the first problems before the first good record
    more = 0  # and how many more there were
    more_labels: list[int | str] = []  # the first and the last of those
    for label, record in records:
        problem: Problem | None = None
        article = None
        if isinstance(record, _BadLine):
            problem = _at(source_name, label, f"invalid JSON ({record})")
        elif not isinstance(record, Mapping):
            problem = _at(source_name, label, "not a JSON object")
        else:
            article = record_to_article(record, fetched=fetched)
            if article is None:
                problem = _at(source_name, label, "no title, text or url")
        if problem is not None:
            if made:
                yield problem
            elif len(held) < HELD_PROBLEMS:
                held.append(problem)
            else:
                more += 1
                if more_labels:
                    more_labels[1] = label
                else:
                    more_labels = [label, label]
            continue
        if not made:
            yield from held
            held.clear()
            if more:
                yield Problem(source_name, f"{more:,} more bad records {_span(more_labels)}", count=more)
        made += 1
        yield article  # type: ignore[misc]
    if held:
        first = held[0]
        where = first.source[len(source_name) + 1 :] if first.source != source_name else ""
        reason = f"line {where}: {first.reason}" if where else first.reason
        total = len(held) + more
        every = f"; all {total:,} records are bad" if total > 1 else ""
        yield Problem(source_name, f"no record could be imported ({reason}{every})", fatal=True)


def _span(labels: list[int | str]) -> str:
    """Where the records summed up in one Problem were: `lines 1,001-50,000` (JSONL), or
    `.[1000] to .[49999]` (JSON)."""
    first, last = labels[0], labels[-1]
    if isinstance(first, int) and isinstance(last, int):
        return f"on line {first:,}" if first == last else f"on lines {first:,}-{last:,}"
    return f"at {first}" if first == last else f"from {first} to {last}"


def _at(source_name: str, label: int | str, reason: str) -> Problem:
    """A record's problem, named as compilers name a place: FILE:LINE for a JSONL line."""
    if isinstance(label, int):
        return Problem(f"{source_name}:{label}", reason)
    return Problem(source_name, f"{label}: {reason}")


def json_records(data: bytes, source_name: str) -> Iterator[tuple[int | str, Any]] | Problem:
    """The records of one JSON document: a list, an object holding a list, or a single record;
    each labelled with its JSON path as jq writes it (`.[0]`, `.items[6]`; "the record" alone)."""
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return Problem(source_name, f"invalid JSON: {exc}", fatal=True)
    path = ""
    if isinstance(document, Mapping):
        for key in _LIST_KEYS:
            if isinstance(document.get(key), list):
                document, path = document[key], f".{key}"
                break
        else:
            return iter([("the record", document)])
    if not isinstance(document, list):
        return Problem(source_name, "JSON is neither a record nor a list of records", fatal=True)
    return ((f"{path or '.'}[{i}]", r) for i, r in enumerate(document))


def lone_record_not_news(records: list[tuple[int | str, Any]]) -> str | None:
    """Why a JSON document found in a folder is not news, or None: a lone object (not a list of
    records) with no title, text or url of an article — a package.json's "name" and
    "description", a tsconfig.json — is a project's file, skipped rather than imported or failed."""
    if len(records) != 1 or records[0][0] != "the record" or not isinstance(records[0][1], Mapping):
        return None
    record = records[0][1]
    if record.get("newsdesk") == EXPORT_FORMAT:
        return None
    title = _first(record, [n for n in _TITLE if n != "name"])
    if title or _first(record, _BODY) or isinstance(_first(record, _URL), str):
        return None
    return "a JSON document with no article title, text or url"


_ORJSON_WHERE = re.compile(r":\s*line \d+ column (\d+) \(char \d+\)$")


def jsonl_records(lines: Iterable[bytes | None], limit: int | None = None) -> Iterator[tuple[int | str, Any]]:
    """JSON Lines, streamed and labelled by line number; a bad line is reported and the rest goes
    on.  A None line is one longer than `limit` bytes (bounded_lines): it and the rest are not read."""
    for number, line in enumerate(lines, start=1):
        if line is None:
            yield number, _BadLine(
                f"a line longer than the {limit or 0:,}-byte limit ([import] max_file_bytes); the rest was not read"
            )
            return
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield number, _BadLine(_ORJSON_WHERE.sub(r" at column \1", str(exc)))


class _BadLine(str):
    """A JSONL line that did not parse (not a Mapping, so parse_records reports it)."""


def export_record(article: Article, tags: list[str], read: bool, starred: bool) -> dict[str, Any]:
    """newsdesk's own JSON/JSONL record: the CLI's show record plus key and fetched time.
    `added` is this store's; an import of the record ignores it (the importing store sets its own)."""
    return {
        "newsdesk": EXPORT_FORMAT,
        "id": article.id,
        "key": article.key,
        "title": article.title,
        "source": article.source,
        "url": article.url,
        "published": article.published,
        **({"date_only": True} if article.date_only else {}),
        "tags": tags,
        "read": read,
        "starred": starred,
        "author": article.author,
        "language": article.language,
        "feed": article.feed,
        "fetched": article.fetched,
        "added": article.added,
        "summary": article.summary,
        "body": article.body,
        "links": list(article.links),
        **({"teaser": article.teaser} if article.teaser else {}),
        "entities": None if article.entities is None else [e.to_dict() for e in article.entities],
    }

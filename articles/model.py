"""What a news item is: the Article and Entity values, their ids and their record form."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from articles.dates import calendar_day
from articles.sanitize import clean_line, clean_text, safe_file_url, safe_links, safe_url, without_link_marks

ENTITY_TYPES = ("person", "org", "place", "other")
EXPORT_FORMAT = 1
"""Version of newsdesk's own JSON/JSONL record format (the `newsdesk` field of each record)."""

_ID_RE = re.compile(r"^[0-9a-f]{12}$")
# Query parameters that track the reader rather than name the article.
_TRACKING = re.compile(r"^(utm_[a-z_]+|fbclid|gclid|dclid|mc_cid|mc_eid|igshid|_hsenc|_hsmi)$", re.I)


def is_article_id(value: object) -> bool:
    """True for 12 lowercase hex characters."""
    return isinstance(value, str) and bool(_ID_RE.match(value))


def canonical_url(url: str) -> str:
    """The form of a url used for identity: scheme-less, host lowercased, no default port,
    no fragment, no tracking parameters, no trailing slash on a non-root path."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit(("", netloc, path, query, "")).lstrip("/")


def article_key(guid: str | None, url: str | None, title: str, body: str) -> str:
    """The identity of an item (docs/cli.md): its guid, else its canonical url, else title and body.
    A guid that is itself an http(s) url is treated as that url, so the same story reached
    through a feed and through its page is one article."""
    if guid:
        guid = clean_line(guid)
    if guid:
        as_url = safe_url(guid)
        if as_url:
            return "url:" + canonical_url(as_url)
        return "guid:" + guid
    if url:
        return "url:" + canonical_url(url)
    folded = " ".join(title.casefold().split()) + "\n" + " ".join(body.casefold().split())
    return "text:" + folded


def article_id(key: str) -> str:
    """12 hex characters of the SHA-256 of the key: the same item has the same id in every store."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation, place or other named thing an article mentions."""

    name: str
    type: str
    mentions: int = 1
    aliases: tuple[str, ...] = ()
    """Other names the article uses for it ("Obama" for "Barack Obama"); search matches them too."""
    salience: float | None = None
    """How much the article is about it, 0 to 1: named in the title, in the lede, and its share of
    the mentions (articles.entities.consolidate.salience). None: extracted before salience existed."""

    def to_dict(self) -> dict[str, Any]:
        data = {"name": self.name, "type": self.type, "mentions": self.mentions, "aliases": list(self.aliases)}
        if self.salience is not None:
            data["salience"] = self.salience
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Entity:
        kind = str(data.get("type", "other"))
        mentions = data.get("mentions", 1)
        salience = data.get("salience")
        return cls(
            name=clean_line(data.get("name")),
            type=kind if kind in ENTITY_TYPES else "other",
            mentions=mentions if isinstance(mentions, int) and mentions > 0 else 1,
            aliases=tuple(dict.fromkeys(a for a in (clean_line(x) for x in _list(data.get("aliases"))) if a)),
            salience=float(salience)
            if isinstance(salience, int | float) and not isinstance(salience, bool) and 0 <= salience <= 1
            else None,
        )


def _list(value: Any) -> list[Any]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


_CUT_MARK = re.compile(r"\s*(?:…|\.\.\.|\[…\]|\[\.\.\.\])\s*$")
"""How a feed marks a description it cut short: a trailing ellipsis, "[…]" or "[...]"."""

# Fields whose change means "the source changed the article" (state and bookkeeping excluded).
CONTENT_FIELDS = ("title", "body", "summary", "author", "source", "url", "published", "language", "feed")


@dataclass(frozen=True, slots=True)
class Article:
    """One news item.  Text fields are already sanitised; `tags`, `read` and `starred` are the
    state a record carried into an import (None: the record said nothing about it)."""

    id: str
    key: str
    title: str
    body: str = ""
    summary: str = ""
    author: str = ""
    source: str = ""
    url: str | None = None
    published: str | None = None
    language: str | None = None
    feed: str | None = None
    fetched: str | None = None
    entities: tuple[Entity, ...] | None = None
    tags: tuple[str, ...] = field(default=())
    date_only: bool = False
    """The source gave a day without a time: `published` is midnight UTC of that calendar day,
    shown and matched as that day in every zone (docs/cli.md)."""
    read: bool | None = None
    starred: bool | None = None
    added: str | None = None
    """When the article first entered this store (RFC 3339): set only by the store, never by an
    importer (an imported record's own `added` is ignored); None outside a store."""
    links: tuple[str, ...] = ()
    """The body's links in order (http, https, mailto): link N is marked `[N]` in the body."""
    teaser: str = ""
    """The body the source gave, when the reader replaced it with the page's full text (`f`):
    a refresh bringing this teaser again keeps the full text.  "" otherwise."""

    @classmethod
    def create(
        cls,
        *,
        title: str,
        body: str = "",
        summary: str = "",
        author: str = "",
        source: str = "",
        url: str | None = None,
        guid: str | None = None,
        published: str | None = None,
        date_only: bool = False,
        language: str | None = None,
        feed: str | None = None,
        fetched: str | None = None,
        tags: Iterable[str] = (),
        read: bool | None = None,
        starred: bool | None = None,
        entities: tuple[Entity, ...] | None = None,
        links: Iterable[str] = (),
    ) -> Article:
        """Build an article from raw values: sanitises every field and derives key and id."""
        title = clean_line(title)
        body = clean_text(body)
        summary = clean_text(summary)
        url = safe_url(url)
        if not title:
            title = _title_from(body or summary, url)
        key = article_key(guid, url, title, body or summary)
        date_only, published = _day(date_only, published)
        return cls(
            id=article_id(key),
            key=key,
            title=title,
            body=body,
            summary=summary,
            author=clean_line(author),
            source=clean_line(source),
            url=url,
            published=published,
            date_only=date_only,
            language=clean_line(language).lower() or None if language else None,
            feed=(safe_url(feed) or safe_file_url(feed)) if feed else None,  # file://: a local feed
            fetched=fetched,
            entities=entities,
            tags=tuple(t for t in (clean_line(t) for t in tags) if t),
            read=read,
            starred=starred,
            links=safe_links(list(links)),
        )

    def content_hash(self) -> str:
        """A digest of the content fields: equal hashes mean the source did not change the item."""
        values: list[Any] = [getattr(self, name) for name in CONTENT_FIELDS]
        if self.date_only:  # only then: the hashes of all other articles stay as they were
            values.append({"date_only": True})
        payload = orjson.dumps(values)
        return hashlib.sha256(payload).hexdigest()[:16]

    def with_changes(self, **changes: Any) -> Article:
        return replace(self, **changes)

    def standfirst(self) -> str:
        """The summary as a reader shows it above the body: nothing when the body already opens
        with it (a text file's standfirst repeated as the first paragraph's first sentence, a
        feed's description cut from the start of its content, or the same text as the body with
        only the body's link numbers `[1]` between them).  The stored summary is kept: it
        is what lists, exports and search see."""
        summary = " ".join(self.summary.split())
        if not summary:
            return ""
        lead = _CUT_MARK.sub("", summary)
        opening = without_link_marks(self.body[: len(self.summary) * 2 + 100])
        if lead and " ".join(opening.split()).startswith(lead):
            return ""
        return self.summary

    def to_record(self) -> dict[str, Any]:
        """The stored form (no state): what the store keeps in its article table.  `date_only`
        is there only when true, so records made before it read the same."""
        record: dict[str, Any] = {
            "id": self.id,
            "key": self.key,
            "title": self.title,
            "body": self.body,
            "summary": self.summary,
            "author": self.author,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "language": self.language,
            "feed": self.feed,
            "fetched": self.fetched,
            "entities": None if self.entities is None else [e.to_dict() for e in self.entities],
            "hash": self.content_hash(),
            "added": self.added,
        }
        if self.date_only:
            record["date_only"] = True
        if self.links:
            record["links"] = list(self.links)
        if self.teaser:
            record["teaser"] = self.teaser
        return record

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Article:
        """Read the stored form back; unknown fields are ignored."""
        entities = record.get("entities")
        date_only, published = _day(record.get("date_only") is True, record.get("published") or None)
        return cls(
            id=str(record["id"]),
            key=str(record.get("key") or ""),
            title=str(record.get("title") or ""),
            body=str(record.get("body") or ""),
            summary=str(record.get("summary") or ""),
            author=str(record.get("author") or ""),
            source=str(record.get("source") or ""),
            url=record.get("url") or None,
            published=published,
            date_only=date_only,
            language=record.get("language") or None,
            feed=record.get("feed") or None,
            fetched=record.get("fetched") or None,
            added=record.get("added") or None,
            links=tuple(str(link) for link in record.get("links") or ()),
            teaser=str(record.get("teaser") or ""),
            entities=None
            if entities is None
            else tuple(Entity.from_dict(e) for e in entities if isinstance(e, Mapping)),
        )


def _day(date_only: bool, published: str | None) -> tuple[bool, str | None]:
    """A date-only flag holds only with a date, which is then midnight UTC of its day."""
    if not (date_only and published):
        return False, published
    try:
        return True, calendar_day(published)
    except ValueError:
        return False, published


def _title_from(text: str, url: str | None) -> str:
    """A title for an item that has none: its first words, else its url."""
    first = text.split("\n", 1)[0].strip()
    if first:
        return first if len(first) <= 90 else first[:89].rsplit(" ", 1)[0] + "…"
    return url or "(untitled)"

"""What the catalogue (store.disk.catalogue) keeps of one article, and what the full-text index
needs from it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from articles.dates import to_timestamp
from store.search.text_fields import sort_time


@dataclass(frozen=True, slots=True)
class CatalogueRow:
    """What the index keeps of one article (no body)."""

    id: str
    seg: int
    hash: str
    published: str | None
    fetched: str | None
    title: str
    source: str
    url: str | None
    feed: str | None
    author: str
    language: str | None
    has_entities: bool
    ent_hash: str
    date_only: bool = False
    added: str | None = None
    record: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The whole record, for the full-text index."""

    @classmethod
    def from_record(cls, record: dict[str, Any], seg: int) -> CatalogueRow:
        return cls(
            id=record["id"],
            seg=seg,
            hash=record.get("hash") or "",
            published=record.get("published"),
            fetched=record.get("fetched"),
            title=record.get("title") or "",
            source=record.get("source") or "",
            url=record.get("url"),
            feed=record.get("feed"),
            author=record.get("author") or "",
            language=record.get("language"),
            has_entities=record.get("entities") is not None,
            ent_hash=entities_hash(record),
            date_only=record.get("date_only") is True and bool(record.get("published")),
            added=record.get("added") or None,
            record=record,
        )

    def sort_ts(self) -> float:
        published = to_timestamp(self.published)
        if published is not None:
            return sort_time(published, self.date_only)
        return to_timestamp(self.fetched) or 0.0


@dataclass(frozen=True, slots=True)
class TextRow:
    """An article as the full-text index needs it from here (store.search.text_sync)."""

    id: str
    n: int
    seg: int
    tags: list[str]
    read: bool
    starred: bool
    has_entities: bool
    version: str  # content hash and entities hash: when either changes, the text must be read again


def entities_hash(record: dict[str, Any]) -> str:
    """A short digest of a record's entities ('' when not extracted)."""
    entities = record.get("entities")
    if entities is None:
        return ""
    return hashlib.blake2b(orjson.dumps(entities, option=orjson.OPT_SORT_KEYS), digest_size=8).hexdigest()

"""Plain values the store hands out: list rows, stored articles, import counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from articles.model import Article


@dataclass(frozen=True, slots=True)
class State:
    tags: tuple[str, ...] = ()
    read: bool = False
    starred: bool = False

    @classmethod
    def from_doc(cls, doc: dict[str, Any] | None) -> State:
        if not doc:
            return DEFAULT_STATE
        tags = doc.get("tags") or []
        return cls(
            tags=tuple(t for t in tags if isinstance(t, str)),
            read=bool(doc.get("read")),
            starred=bool(doc.get("starred")),
        )

    def to_doc(self) -> dict[str, Any]:
        return {"tags": list(self.tags), "read": self.read, "starred": self.starred}

    @property
    def is_default(self) -> bool:
        return not self.tags and not self.read and not self.starred


DEFAULT_STATE = State()


@dataclass(frozen=True, slots=True)
class ListItem:
    """A row of the article list (docs/cli.md's list record)."""

    id: str
    title: str
    source: str
    url: str | None
    published: str | None
    tags: tuple[str, ...]
    read: bool
    starred: bool
    date_only: bool = False
    """`published` is a calendar day (docs/cli.md): shown as that day in every zone."""
    added: str | None = None
    """When the article first entered this store (None: stored before newsdesk recorded it)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            **_date_only(self.date_only),
            "tags": list(self.tags),
            "read": self.read,
            "starred": self.starred,
            "added": self.added,
        }


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article with its state, as `show` returns it."""

    article: Article
    state: State

    def to_json(self) -> dict[str, Any]:
        a = self.article
        return {
            "id": a.id,
            "title": a.title,
            "source": a.source,
            "url": a.url,
            "published": a.published,
            **_date_only(a.date_only),
            "tags": list(self.state.tags),
            "read": self.state.read,
            "starred": self.state.starred,
            "body": a.body,
            "links": list(a.links),
            **({"teaser": a.teaser} if a.teaser else {}),
            "summary": a.summary,
            "author": a.author,
            "language": a.language,
            "feed": a.feed,
            "entities": None if a.entities is None else [e.to_dict() for e in a.entities],
            "added": a.added,
        }


@dataclass(frozen=True, slots=True)
class SearchResult:
    """One page of a search: the exact count of matches, the items in order, and whether that
    order is relevance (BM25: sort:rel, the default for a query with words) or by date."""

    count: int
    items: list[ListItem]
    sort: str
    ranked: bool


@dataclass(slots=True)
class ImportCounts:
    """What one add_articles call did."""

    imported: int = 0
    duplicates: int = 0
    updated: int = 0
    ids: list[str] = field(default_factory=list)
    """The articles new or changed."""
    new_ids: list[str] = field(default_factory=list)
    """Of them, the new ones."""
    problems: list[str] = field(default_factory=list)

    def add(self, other: ImportCounts) -> None:
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.updated += other.updated
        self.ids.extend(other.ids)
        self.new_ids.extend(other.new_ids)
        self.problems.extend(other.problems)


def _date_only(flag: bool) -> dict[str, bool]:
    """docs/cli.md's addition: `"date_only": true` for a calendar day, absent otherwise."""
    return {"date_only": True} if flag else {}


def list_item(row: tuple[Any, ...]) -> ListItem:
    return ListItem(
        id=row[0],
        title=row[1],
        source=row[2],
        url=row[3],
        published=row[4],
        tags=tuple(orjson.loads(row[5])),
        read=bool(row[6]),
        starred=bool(row[7]),
        date_only=bool(row[8]) and row[4] is not None,
        added=row[9] if len(row) > 9 else None,
    )

"""Reading articles: the count, the list newest first, one article with its state (entity
merges applied), every article in chunks, id prefixes, and the change feed."""

from __future__ import annotations

import builtins  # in ArticleLookup annotations: the method `list` hides the builtin in the class body
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from articles.model import Article
from store.disk.layout import doc_id
from store.search.query_nodes import Query
from store.user import merges
from store.values import DEFAULT_STATE, ListItem, StoredArticle, list_item

if TYPE_CHECKING:
    from store.core import StoreCore
    from store.search.searching import Searching


class ArticleLookup:
    """The articles as stored: lists, single articles, the change feed."""

    def __init__(self, core: StoreCore, searching: Searching) -> None:
        self.core = core
        self.searching = searching

    def count(self) -> int:
        with self.core.reading():
            return self.core.catalogue.count()

    def list(self, limit: int | None = None, offset: int = 0) -> list[ListItem]:
        """Articles newest first (published, else fetched time)."""
        with self.core.reading():
            return [list_item(r) for r in self.core.catalogue.list_rows(limit, offset)]

    def position(self, article_id: str) -> int | None:
        """Where an article stands in `list()` order, so a view can keep it under the cursor."""
        with self.core.reading():
            return self.core.catalogue.position(article_id)

    def list_items(self, ids: Sequence[str]) -> dict[str, ListItem]:
        with self.core.reading():
            return {i: list_item(r) for i, r in self.core.catalogue.rows_for(ids).items()}

    def resolve(self, id_or_prefix: str) -> str | None:
        """A full id for an id or a unique prefix of at least 4 characters."""
        text = id_or_prefix.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{4,12}", text):
            return None
        with self.core.reading():
            matches = self.core.catalogue.ids_with_prefix(text)
        if len(text) == 12:
            return text if text in matches else None
        return matches[0] if len(matches) == 1 else None

    def get(self, article_id: str) -> StoredArticle | None:
        with self.core.reading() as session:
            located = self.core.catalogue.locate([article_id])
            if article_id not in located:
                return None
            seg = located[article_id][0]
            doc = session.get_doc(self.core.segment_path(seg), "articles", doc_id(article_id))
            if doc is None:
                return None
            state = self.core.catalogue.states_of([article_id]).get(article_id, DEFAULT_STATE)
            article = Article.from_record(doc)
            found = merges.read_merges(session)
            if found and article.entities:
                article = replace(article, entities=merges.apply(article.entities, found))
            return StoredArticle(article, state)

    def iter_articles(self, chunk: int = 2000, *, query: Query | str | None = None) -> Iterator[StoredArticle]:
        """Every article (or those matching `query`) with its state, newest first (or oldest, for
        sort:old), reading each segment once per chunk."""
        if query is None:
            with self.core.reading():
                order = list(self.core.catalogue.ordered_locations())
        else:
            order = self.searching.ordered_matches(query)
        for start in range(0, len(order), chunk):
            part = order[start : start + chunk]
            by_segment: dict[int, list[str]] = defaultdict(list)
            for article_id, seg in part:
                by_segment[seg].append(article_id)
            by_id: dict[str, StoredArticle] = {}
            with self.core.reading() as session:
                states = self.core.catalogue.states_of([article_id for article_id, _ in part])
                for seg, ids in by_segment.items():
                    docs = session.load(self.core.segment_path(seg)).get("articles", {})
                    for article_id in ids:
                        doc = docs.get(str(doc_id(article_id)))
                        if doc is not None:
                            state = states.get(article_id, DEFAULT_STATE)
                            by_id[article_id] = StoredArticle(Article.from_record(doc), state)
            for article_id, _ in part:
                if article_id in by_id:
                    yield by_id[article_id]

    def changes_since(self, seq: int) -> tuple[int, builtins.list[str] | None]:
        """The change feed: (latest seq, ids changed since `seq`, or None if too far behind)."""
        with self.core.reading():
            return self.core.catalogue.changes_since(seq)

    def last_change(self) -> int:
        with self.core.reading():
            return self.core.catalogue.last_change()

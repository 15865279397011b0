"""The articles matching one query: the full-text index's answer with the articles it has not
caught up with yet evaluated here (store.search.text_match) and merged in, so every count, page
and position is exact (store.search.text_sync)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, cast

from tantivy import Order

from store.search.query_nodes import And, Match, Node, Not, Or, Query
from store.search.text_index import hit_count
from store.search.text_match import Candidate, matches
from store.search.text_query import Names, beyond, compile_query, decided, excluding, within
from store.search.text_sync import TextView
from store.user import merges

if TYPE_CHECKING:
    from tantivy import Query as TQuery

    from store.disk.documents import Session

ENTITY_FIELDS = ("person", "org", "place", "entity")


class Matches:
    """The articles matching one query, as the index and the pending articles give them."""

    def __init__(
        self, session: Session, parsed: Query, view: TextView, names: Names | None, among: Sequence[str] | None
    ) -> None:
        self.session = session
        self.parsed = parsed
        self.searcher = view.searcher
        candidates = view.fields
        wanted: set[str] | None = None
        if among is not None:
            wanted = set(among)
            candidates = [f for f in candidates if f.id in wanted]
        self.names = names
        checked = [(f, Candidate.of(f)) for f in candidates]
        self.extra = [(f.n, f.id) for f, c in checked if matches(parsed.node, c, names)]
        self._candidates = {f.id: c for f, c in checked}
        self.query: TQuery | None = None
        self._scores: dict[str, tuple[float, ...]] | None = None
        if self.searcher is not None:
            query = excluding(compile_query(parsed.node, names), view.pending)
            if wanted is not None:
                pending = set(view.pending)
                query = within(query, [i for i in dict.fromkeys(among or ()) if i not in pending])
            self.query = query

    @property
    def ranked(self) -> bool:
        return self.parsed.sort == "rel" and self.parsed.has_words

    def count(self) -> int:
        found = len(self.extra)
        if self.searcher is not None and self.query is not None:
            found += hit_count(self.searcher.search(self.query, 1, count=True))
        return found

    def page(self, limit: int | None, offset: int = 0, *, date_order: bool = False) -> tuple[int, list[int]]:
        """(count, date keys of the page) in the query's order (date order when told).

        Ranked, the order is tantivy's: score (with a slight lift for newer articles, so equal
        scores come newest first: store.search.text_fields.recency), then place in the index.  A
        pending article is ranked by the score and place its indexed copy has, so the order is
        the one the index gives once it has caught up."""
        ranked = self.ranked and not date_order
        oldest = self.parsed.sort == "old"
        total = len(self.extra)
        keyed: list[tuple[tuple[float, ...], int]] = []  # (sort key, date key)
        if self.searcher is not None and self.query is not None:
            want = hit_count(self.searcher.search(self.query, 1, count=True)) if limit is None else offset + limit
            if ranked:
                found = self.searcher.search(self.query, max(want, 1), count=True, weight_by_field="recency")
            else:
                order = Order.Asc if oldest else Order.Desc
                found = self.searcher.search(self.query, max(want, 1), count=True, order_by_field="n", order=order)
            total += hit_count(found)
            hits = found.hits[:want]
            # "n" is an integer fast field, so every value is an int.
            keys = cast("list[int]", self.searcher.fast_field_values("n", [address for _, address in hits]))
            for (value, address), n in zip(hits, keys, strict=True):
                keyed.append(((-value, address.segment_ord, address.doc) if ranked else _date_key(n, oldest), n))
        if self.extra:
            places = self._extra_scores() if ranked else {}
            for n, article_id in self.extra:
                keyed.append((places.get(article_id, _UNSCORED) if ranked else _date_key(n, oldest), n))
            keyed.sort(key=lambda k: k[0])
        stop = None if limit is None else offset + limit
        return total, [n for _, n in keyed[offset:stop]]

    def unscored(self) -> bool:
        """A ranked query matches a pending article the index has never seen (it would rank last)."""
        return self.ranked and bool(self.extra) and len(self._extra_scores()) < len(self.extra)

    def _extra_scores(self) -> dict[str, tuple[float, ...]]:
        """Sort keys of the pending matches: the score their indexed copy gets with their current
        tags and state, and its place (absent when the index has no copy yet)."""
        if self._scores is not None:
            return self._scores
        self._scores = {}
        if self.searcher is None:
            return self._scores
        node = self.parsed.node
        for _, article_id in self.extra:
            candidate = self._candidates[article_id]

            def decide(leaf: Node, c: Candidate = candidate) -> bool:
                return matches(leaf, c, self.names)

            query = decided(node, self.names, decide, article_id)
            hits = self.searcher.search(query, 1, count=False, weight_by_field="recency").hits
            if hits:
                score, address = hits[0]
                self._scores[article_id] = (-score, address.segment_ord, address.doc)
        return self._scores

    def beyond(self, key: int) -> int:
        """How many matches come before the article with date key `key` in date order."""
        oldest = self.parsed.sort == "old"
        found = sum(1 for n, _ in self.extra if (n < key if oldest else n > key))
        if self.searcher is not None and self.query is not None:
            found += hit_count(self.searcher.search(beyond(self.query, key, oldest=oldest), 1, count=True))
        return found

    def includes(self, article_id: str) -> bool:
        if any(i == article_id for _, i in self.extra):
            return True
        if self.searcher is None or self.query is None:
            return False
        return hit_count(self.searcher.search(within(self.query, [article_id]), 1, count=True)) > 0


_UNSCORED = (float("inf"),)
"""After every scored match: a pending article the index has no copy of (nor can get now)."""


def _date_key(n: int, oldest: bool) -> tuple[float, ...]:
    return (n,) if oldest else (-n,)


def entity_names(parsed: Query, session: Session) -> Names | None:
    """How an entity field's value expands to the names merged with it."""
    if not any(isinstance(n, Match) and n.field in ENTITY_FIELDS for n in _nodes(parsed.node)):
        return None
    found = merges.read_merges(session)
    return (lambda value: merges.group_of(found, value)) if found else None


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, And | Or):
        for child in node.nodes:
            yield from _nodes(child)
    elif isinstance(node, Not):
        yield from _nodes(node.node)

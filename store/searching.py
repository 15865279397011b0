"""Searching the store: query plans (with entity merges), results, counts, positions, entity
counts and histograms, related articles.  A NewsStore mixin (store.news_store)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from store import merges, search
from store.index import LIST_COLUMNS
from store.query import parse_query
from store.query_nodes import And, Everything, Flag, Match, Node, Not, Or, Query
from store.values import ListItem, SearchResult, list_item

if TYPE_CHECKING:
    from store.index import Index


class SearchingMixin:
    """Read-only queries over the derived index."""

    _index: Index

    if TYPE_CHECKING:

        def _reading(self) -> Any: ...
        def _writing(self) -> Any: ...

    def _plan(self, parsed: Query) -> search.Plan:
        """The query's plan, with entity names expanded by the stored merges (call while reading)."""
        if not any(
            isinstance(n, Match) and n.field in ("person", "org", "place", "entity") for n in _nodes(parsed.node)
        ):
            return search.plan(parsed)
        with self._reading() as session:
            found = merges.read_merges(session)
        return search.plan(parsed, (lambda value: merges.group_of(found, value)) if found else None)

    def search(self, query: Query | str, *, limit: int | None = None, offset: int = 0) -> SearchResult:
        """Articles matching a query (store.query; QueryError if malformed), with the exact count."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._reading():
            db = self._index.connection
            split = search.tag_split(parsed)
            done = split and search.run_tag_split(db, split, sort=parsed.sort, limit=limit, offset=offset)
            if done:
                total, keys = done
                rows = self._index.rows_by_key(keys)
                return SearchResult(total, [list_item(rows[n]) for n in keys if n in rows], parsed.sort, False)
            plan = self._plan(parsed)
            total = search.count(db, plan)
            ranked = parsed.sort == "rel" and plan.rank is not None and total <= search.RANK_LIMIT
            found = (
                search.rows(db, plan, LIST_COLUMNS, sort=parsed.sort, ranked=ranked, limit=limit, offset=offset)
                if total > offset and limit != 0
                else []
            )
            return SearchResult(total, [list_item(r) for r in found], parsed.sort, ranked)

    def entity_counts(
        self, query: Query | str = "", *, kind: str | None = None, contains: str = "", limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Entities of the articles matching `query`: name, type, articles, mentions; most
        articles first."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        conditions, params = [], []
        with self._reading() as session:
            db = self._index.connection
            if not isinstance(parsed.node, Everything):
                plan = self._plan(parsed)
                conditions.append(f"e.n IN (SELECT {plan.key} FROM {plan.source} WHERE {plan.where})")
                params.extend(plan.params)
            if kind:
                conditions.append("e.type = ?")
                params.append(kind)
            if contains:
                conditions.append("substr(e.key, instr(e.key, ':') + 1) LIKE ? ESCAPE '\\'")
                escaped = contains.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                params.append(f"%{escaped}%")
            where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
            sql = (
                "SELECT max(e.name), e.type, count(*) AS articles, sum(e.mentions) AS mentions"
                f" FROM article_entities e {where} GROUP BY e.key"
                " ORDER BY articles DESC, mentions DESC, max(e.name) LIMIT ?"
            )
            merged = merges.read_merges(session)
            found = db.execute(sql, (*params, -1 if limit is None or merged else limit)).fetchall()
        counts = [{"name": r[0], "type": r[1], "articles": r[2], "mentions": r[3]} for r in found]
        if merged:  # names merged into one entity count as one (an article naming both, twice)
            folded: dict[str, dict[str, Any]] = {}
            for entry in counts:
                name = merged.get(merges.key(entry["name"]), entry["name"])
                seen = folded.setdefault(merges.key(name), {**entry, "name": name, "articles": 0, "mentions": 0})
                seen["articles"] += entry["articles"]
                seen["mentions"] += entry["mentions"]
            counts = sorted(folded.values(), key=lambda e: (-e["articles"], -e["mentions"], e["name"]))[:limit]
        return counts

    def histogram(self, query: Query | str) -> list[tuple[str, int]]:
        """(YYYY-MM, articles) of the articles matching `query`, oldest month first; months
        without articles are left out (the caller fills gaps)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._reading():
            plan = self._plan(parsed)
            sql = (
                f"SELECT strftime('%Y-%m', a.sort_ts, 'unixepoch') AS month, count(*) FROM {plan.source}"
                f" WHERE {plan.where} AND a.sort_ts > 0 GROUP BY month ORDER BY month"
            )
            return [(r[0], r[1]) for r in self._index.connection.execute(sql, plan.params)]

    def related(self, article_id: str, limit: int = 30) -> list[tuple[ListItem, float]]:
        """Articles sharing entities with this one, most related first: each shared entity weighs
        1 / (articles that name it), so a rare shared name counts more than a common one."""
        with self._reading():
            db = self._index.connection
            row = db.execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return []
            sql = (
                "WITH mine AS (SELECT key FROM article_entities WHERE n = ?),"
                " df AS (SELECT key, count(*) AS c FROM article_entities WHERE key IN (SELECT key FROM mine)"
                " GROUP BY key HAVING c > 1)"
                " SELECT e.n, sum(1.0 / df.c) AS score FROM article_entities e JOIN df ON df.key = e.key"
                " WHERE e.n != ? GROUP BY e.n ORDER BY score DESC, e.n DESC LIMIT ?"
            )
            scored = db.execute(sql, (row[0], row[0], limit)).fetchall()
            rows = self._index.rows_by_key([n for n, _ in scored])
            return [(list_item(rows[n]), score) for n, score in scored if n in rows]

    def entity_type_votes(self, names: Iterable[str]) -> dict[str, dict[str, int]]:
        """casefolded name -> {type: number of articles that give the name that type}."""
        keys = [f"{kind}:{name.casefold()}" for name in set(names) for kind in ("person", "org", "place", "other")]
        votes: dict[str, dict[str, int]] = {}
        with self._reading():
            db = self._index.connection
            for start in range(0, len(keys), 400):
                chunk = keys[start : start + 400]
                marks = ",".join("?" * len(chunk))
                sql = f"SELECT key, type, count(*) FROM article_entities WHERE key IN ({marks}) GROUP BY key"
                for key, kind, count in db.execute(sql, chunk):
                    votes.setdefault(key.split(":", 1)[1], {})[kind] = count
        return votes

    def without_entities(self, query: Query | str = "") -> list[str]:
        """Ids of the articles matching `query` that extraction has not run on, newest first."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        parsed = Query(And((parsed.node, Not(Flag("entities")))), "new", parsed.text)
        with self._reading():
            plan = self._plan(parsed)
            found = search.rows(self._index.connection, plan, "id", sort="new", ranked=False, limit=None, offset=0)
        return [r[0] for r in found]

    def count_matching(self, query: Query | str) -> int:
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._reading():
            db = self._index.connection
            split = search.tag_split(parsed)
            done = split and search.run_tag_split(db, split, sort="new", limit=0, offset=0)
            return done[0] if done else search.count(db, self._plan(parsed))

    def search_position(self, query: Query | str, article_id: str) -> int | None:
        """Where an article stands in a date-ordered result (None: not a match, or ranked)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._reading():
            db = self._index.connection
            plan = self._plan(parsed)
            if parsed.sort == "rel" and plan.rank is not None and search.count(db, plan) <= search.RANK_LIMIT:
                return None
            return search.position(db, plan, article_id, sort=parsed.sort)


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, And | Or):
        for child in node.nodes:
            yield from _nodes(child)
    elif isinstance(node, Not):
        yield from _nodes(node.node)

"""Searching the store: results, counts, positions, entity counts and histograms, related
articles.  A NewsStore mixin (store.news_store).

Words, fields, tags, state and dates are answered by the full-text index (store.search.text_index,
compiled by store.search.text_query); the articles it has not caught up with yet are evaluated here
(store.search.text_match) and merged in, so every answer is exact (store.search.text_sync).  Relevance is
tantivy's BM25 when the query has words and asks for sort:rel (the default then); otherwise
newest first, or oldest with sort:old.  The empty query is the plain list, off SQLite.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import orjson
from tantivy import Order

from store.user import merges
from store.search.query import parse_query
from store.search.query_nodes import And, Everything, Flag, Match, Node, Not, Or, Query
from store.search.text_match import Candidate, matches
from store.search.text_query import Names, beyond, compile_query, decided, excluding, within
from store.search.text_sync import SYNC_BEFORE_SEARCH, TextView
from store.values import ListItem, SearchResult, list_item

if TYPE_CHECKING:
    from tantivy import Query as TQuery

    from store.disk.documents import Session
    from store.disk.files import StoreLock
    from store.disk.catalogue import Index

_ENTITY_FIELDS = ("person", "org", "place", "entity")


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
            found += self.searcher.search(self.query, 1, count=True).count
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
            want = self.searcher.search(self.query, 1, count=True).count if limit is None else offset + limit
            if ranked:
                found = self.searcher.search(self.query, max(want, 1), count=True, weight_by_field="recency")
            else:
                order = Order.Asc if oldest else Order.Desc
                found = self.searcher.search(self.query, max(want, 1), count=True, order_by_field="n", order=order)
            total += found.count
            hits = found.hits[:want]
            keys = self.searcher.fast_field_values("n", [address for _, address in hits])
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
            query = decided(node, self.names, lambda leaf, c=candidate: matches(leaf, c, self.names), article_id)
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
            found += self.searcher.search(beyond(self.query, key, oldest=oldest), 1, count=True).count
        return found

    def includes(self, article_id: str) -> bool:
        if any(i == article_id for _, i in self.extra):
            return True
        if self.searcher is None or self.query is None:
            return False
        return self.searcher.search(within(self.query, [article_id]), 1, count=True).count > 0


_UNSCORED = (float("inf"),)
"""After every scored match: a pending article the index has no copy of (nor can get now)."""


def _date_key(n: int, oldest: bool) -> tuple[float, ...]:
    return (n,) if oldest else (-n,)


class SearchingMixin:
    """Read-only queries over the derived indexes."""

    _index: Index
    _lock: StoreLock
    readonly: bool

    if TYPE_CHECKING:

        def _reading(self) -> Any: ...
        def _writing(self) -> Any: ...
        def _text_view(self, session: Session, *, limit: int | None = None) -> TextView | None: ...
        def sync_text(self, progress: Any = None) -> bool: ...

    @contextlib.contextmanager
    def _matching(self, query: Query | str, among: Sequence[str] | None = None) -> Iterator[Matches]:
        """The matches of a query, holding the read lock.  The full-text index is brought up to
        date first, if this process can (not from inside another hold of the lock: the sync
        itself has to read), when it lags by more than SYNC_BEFORE_SEARCH articles, or when a
        ranked query matches an article the index has not seen, which it could not score."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        may_sync = among is None and not self.readonly and self._lock.idle
        with self._reading() as session:
            view = self._text_view(session, limit=SYNC_BEFORE_SEARCH if may_sync else None)
            if view is not None:
                found = Matches(session, parsed, view, self._names(parsed, session), among)
                if not (may_sync and found.unscored()):
                    yield found
                    return
        self.sync_text()
        with self._reading() as session:
            view = self._text_view(session)
            assert view is not None
            yield Matches(session, parsed, view, self._names(parsed, session), among)

    @staticmethod
    def _names(parsed: Query, session: Session) -> Names | None:
        """How an entity field's value expands to the names merged with it."""
        if not any(isinstance(n, Match) and n.field in _ENTITY_FIELDS for n in _nodes(parsed.node)):
            return None
        found = merges.read_merges(session)
        return (lambda value: merges.group_of(found, value)) if found else None

    def search(self, query: Query | str, *, limit: int | None = None, offset: int = 0) -> SearchResult:
        """Articles matching a query (store.search.query; QueryError if malformed), with the exact count."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        if isinstance(parsed.node, Everything):
            with self._reading():
                total = self._index.count()
                found = self._index.list_rows(limit, offset, oldest_first=parsed.sort == "old")
            return SearchResult(total, [list_item(r) for r in found], parsed.sort, False)
        with self._matching(parsed) as found_matches:
            total, keys = found_matches.page(limit, offset)
            rows = self._index.rows_by_key(keys)
            items = [list_item(rows[n]) for n in keys if n in rows]
            return SearchResult(total, items, parsed.sort, found_matches.ranked)

    def entity_counts(
        self, query: Query | str = "", *, kind: str | None = None, contains: str = "", limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Entities of the articles matching `query`: name, type, articles, mentions; most
        articles first.  `articles` counts distinct articles: names merged into one entity
        (store.user.merges) are one entity of that type, and an article naming two of them counts once,
        as the entity's own search (`place:"NAME"`) lists it once.  `contains` matches an entity
        by its name or any name merged into it."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        conditions: list[str] = []
        params: list[Any] = []
        with self._keys_of(parsed) as (session, keys):
            db = self._index.connection
            if keys is not None:
                conditions.append("e.n IN (SELECT value FROM json_each(?))")
                params.append(orjson.dumps(keys).decode())
            if kind:
                conditions.append("e.type = ?")
                params.append(kind)
            where = " AND ".join(conditions) or "1"
            like = ""
            if contains:
                escaped = contains.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                like = f"%{escaped}%"
            name_like = " AND substr(e.key, instr(e.key, ':') + 1) LIKE ? ESCAPE '\\'" if like else ""

            def plain(unmerged: str = "") -> str:  # names nothing is merged with: a row is an article
                return (
                    "SELECT max(e.name) AS shown, e.type, count(*) AS articles, sum(e.mentions) AS mentions"
                    f" FROM article_entities e WHERE {where}{name_like}{unmerged} GROUP BY e.key"
                )

            merged = merges.read_merges(session)
            if not merged:
                sql = f"{plain()} ORDER BY articles DESC, mentions DESC, shown LIMIT ?"
                args = (*params, *([like] if like else []), -1 if limit is None else limit)
            else:  # merged names fold into their entity, per type, counting distinct articles
                having = (
                    " HAVING m.ckey LIKE ? ESCAPE '\\'"
                    " OR m.ckey IN (SELECT ckey FROM m WHERE alias LIKE ? ESCAPE '\\')"
                )
                sql = (
                    "WITH m AS (SELECT json_extract(value, '$[0]') AS key, json_extract(value, '$[1]') AS alias,"
                    " json_extract(value, '$[2]') AS ckey, json_extract(value, '$[3]') AS cname FROM json_each(?))"
                    f" {plain(' AND e.key NOT IN (SELECT key FROM m)')} UNION ALL"
                    " SELECT max(m.cname), e.type, count(DISTINCT e.n), sum(e.mentions)"
                    f" FROM m JOIN article_entities e ON e.key = m.key WHERE {where} GROUP BY e.type, m.ckey"
                    f"{having if like else ''} ORDER BY articles DESC, mentions DESC, shown LIMIT ?"
                )
                table = orjson.dumps(merges.index_table(merged)).decode()
                args = (table, *params, *([like] if like else []), *params)
                args = (*args, *([like, like] if like else []), -1 if limit is None else limit)
            found = db.execute(sql, args).fetchall()
        return [{"name": r[0], "type": r[1], "articles": r[2], "mentions": r[3]} for r in found]

    def histogram(self, query: Query | str) -> list[tuple[str, int]]:
        """(YYYY-MM, articles) of the articles matching `query`, oldest month first; months
        without articles are left out (the caller fills gaps).  Months are local, as the reader
        shows dates (SQLite's localtime follows TZ); a date-only article's is its own (its key
        is 10:00 UTC of its day)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._keys_of(parsed) as (_, keys):
            where, params = "a.sort_ts > 0", []
            if keys is not None:
                where += " AND a.n IN (SELECT value FROM json_each(?))"
                params.append(orjson.dumps(keys).decode())
            sql = (
                "SELECT strftime('%Y-%m', a.sort_ts, 'unixepoch', iif(a.date_only, '+0 days', 'localtime'))"
                " AS month, count(*) FROM articles a"
                f" WHERE {where} GROUP BY month ORDER BY month"
            )
            return [(r[0], r[1]) for r in self._index.connection.execute(sql, params)]

    def related(self, article_id: str, limit: int = 30) -> list[tuple[ListItem, float]]:
        """Articles sharing entities with this one, most related first: each shared entity weighs
        1 / (articles that name it), so a rare shared name counts more than a common one.  Names
        merged into one entity (store.user.merges) are that entity: an article naming "US" shares it
        with one naming "United States", and one naming both counts once."""
        with self._reading() as session:
            db = self._index.connection
            row = db.execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return []
            merged = merges.read_merges(session)
            entity_of: dict[str, str] = {}  # index row key -> the entity it names (type:canonical key)
            for kind, name in db.execute("SELECT type, name FROM article_entities WHERE n = ?", (row[0],)):
                canonical = merges.key(merged.get(merges.key(name), name))
                for other in (name, *merges.group_of(merged, name)):
                    entity_of[f"{kind}:{other.casefold()}"] = f"{kind}:{canonical}"
                    entity_of[f"{kind}:{merges.key(other)}"] = f"{kind}:{canonical}"
            sql = (
                "WITH mine AS (SELECT json_extract(value, '$[0]') AS key, json_extract(value, '$[1]') AS entity"
                " FROM json_each(?)),"
                " named AS (SELECT DISTINCT e.n, mine.entity FROM mine JOIN article_entities e ON e.key = mine.key),"
                " df AS (SELECT entity, count(*) AS c FROM named GROUP BY entity HAVING c > 1)"
                " SELECT named.n, sum(1.0 / df.c) AS score FROM named JOIN df ON df.entity = named.entity"
                " WHERE named.n != ? GROUP BY named.n ORDER BY score DESC, named.n DESC LIMIT ?"
            )
            table = orjson.dumps(list(entity_of.items())).decode()
            scored = db.execute(sql, (table, row[0], limit)).fetchall()
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
        return [i for i, _ in self.ordered_matches(parsed)]

    def ids_matching(self, query: Query | str, among: Sequence[str] | None = None) -> list[str]:
        """Ids of the articles matching `query` (newest first), optionally only among `among`."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        parsed = Query(parsed.node, "new", parsed.text)
        with self._keys_of(parsed, among) as (_, keys):
            if keys is None:
                return [r[0] for r in self._index.list_rows()]
            rows = self._index.rows_by_key(keys, "id")
        return [rows[n][0] for n in keys if n in rows]

    def ordered_matches(self, query: Query | str) -> list[tuple[str, int]]:
        """(id, segment) of every match in date order (sort:old oldest first, else newest)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._keys_of(parsed) as (_, keys):
            if keys is None:
                rows = self._index.connection.execute(
                    f"SELECT id, seg FROM articles ORDER BY n {'ASC' if parsed.sort == 'old' else 'DESC'}"
                ).fetchall()
                return [(r[0], r[1]) for r in rows]
            by_key = self._index.rows_by_key(keys, "id, seg")
        return [(by_key[n][0], by_key[n][1]) for n in keys if n in by_key]

    @contextlib.contextmanager
    def _keys_of(self, parsed: Query, among: Sequence[str] | None = None) -> Iterator[tuple[Session, list[int] | None]]:
        """(session, date keys of every match in date order), holding the read lock; keys None
        for the empty query (every article) when not limited to `among`."""
        if isinstance(parsed.node, Everything) and among is None:
            with self._reading() as session:
                yield session, None
            return
        with self._matching(parsed, among) as found:
            yield found.session, found.page(None, date_order=True)[1]

    def count_matching(self, query: Query | str) -> int:
        parsed = query if isinstance(query, Query) else parse_query(query)
        if isinstance(parsed.node, Everything):
            with self._reading():
                return self._index.count()
        with self._matching(parsed) as found:
            return found.count()

    def search_position(self, query: Query | str, article_id: str) -> int | None:
        """Where an article stands in a date-ordered result (None: not a match, or ranked)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        if parsed.sort == "rel" and parsed.has_words:
            return None
        with self._reading():
            row = self._index.connection.execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()
            if row is None:
                return None
            if isinstance(parsed.node, Everything):
                op = "<" if parsed.sort == "old" else ">"
                sql = f"SELECT count(*) FROM articles WHERE n {op} ?"
                return int(self._index.connection.execute(sql, (row[0],)).fetchone()[0])
            with self._matching(parsed) as found:
                if not found.includes(article_id):
                    return None
                return found.beyond(row[0])


def _nodes(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, And | Or):
        for child in node.nodes:
            yield from _nodes(child)
    elif isinstance(node, Not):
        yield from _nodes(node.node)

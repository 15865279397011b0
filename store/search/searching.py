"""Searching the store: results, counts, positions, entity counts and histograms, related
articles, and the ids and order of a query's matches.

Words, fields, tags, state and dates are answered by the full-text index (store.search.text_index,
compiled by store.search.text_query); the articles it has not caught up with yet are evaluated here
(store.search.matches) and merged in, so every answer is exact (store.search.text_sync).
Relevance is tantivy's BM25 when the query has words and asks for sort:rel (the default then);
otherwise newest first, or oldest with sort:old.  The empty query is the plain list, off SQLite.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from store.search.query import parse_query
from store.search.query_nodes import And, Everything, Flag, Match, Not, Query
from store.search.text_sync import SYNC_BEFORE_SEARCH
from store.user import merges
from store.values import ListItem, SearchResult, list_item

if TYPE_CHECKING:
    from store.core import StoreCore
    from store.search.matches import Matches
    from store.disk.documents import Session
    from store.search.text_sync import TextSync


class Searching:
    """Read-only queries over the catalogue and the full-text index."""

    def __init__(self, core: StoreCore, text: TextSync) -> None:
        self.core = core
        self.text = text
        self.resolve: Callable[[Query], Query] = _as_is
        """Turns `story:` and `is:copy` into the articles they name (set by store.stories)."""

    @contextlib.contextmanager
    def _matching(self, query: Query | str, among: Sequence[str] | None = None) -> Iterator[Matches]:
        """The matches of a query, holding the read lock.  The full-text index is brought up to
        date first, if this process can (not from inside another hold of the lock: the sync
        itself has to read), when it lags by more than SYNC_BEFORE_SEARCH articles, or when a
        ranked query matches an article the index has not seen, which it could not score."""
        from store.search.matches import Matches, entity_names  # tantivy's side: not for id: and the empty query

        parsed = self.resolve(query if isinstance(query, Query) else parse_query(query))
        may_sync = among is None and not self.core.readonly and self.core.lock.idle
        with self.core.reading() as session:
            view = self.text.view(session, limit=SYNC_BEFORE_SEARCH if may_sync else None)
            if view is not None:
                found = Matches(session, parsed, view, entity_names(parsed, session), among)
                if not (may_sync and found.unscored()):
                    yield found
                    return
        self.text.sync()
        with self.core.reading() as session:
            view = self.text.view(session)
            assert view is not None
            yield Matches(session, parsed, view, entity_names(parsed, session), among)

    def search(self, query: Query | str, *, limit: int | None = None, offset: int = 0) -> SearchResult:
        """Articles matching a query (store.search.query; QueryError if malformed), with the exact count."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        if isinstance(parsed.node, Everything):
            with self.core.reading():
                total = self.core.catalogue.count()
                found = self.core.catalogue.list_rows(limit, offset, oldest_first=parsed.sort == "old")
            return SearchResult(total, [list_item(r) for r in found], parsed.sort, False)
        with self._matching(parsed) as found_matches:
            total, keys = found_matches.page(limit, offset)
            rows = self.core.catalogue.rows_by_key(keys)
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
            db = self.core.catalogue.connection
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
                    " HAVING m.ckey LIKE ? ESCAPE '\\' OR m.ckey IN (SELECT ckey FROM m WHERE alias LIKE ? ESCAPE '\\')"
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
            return [(r[0], r[1]) for r in self.core.catalogue.connection.execute(sql, params)]

    def related(self, article_id: str, limit: int = 30) -> list[tuple[ListItem, float]]:
        """Articles sharing entities with this one, most related first: each shared entity weighs
        1 / (articles that name it), so a rare shared name counts more than a common one.  Names
        merged into one entity (store.user.merges) are that entity: an article naming "US" shares it
        with one naming "United States", and one naming both counts once."""
        with self.core.reading() as session:
            db = self.core.catalogue.connection
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
            rows = self.core.catalogue.rows_by_key([n for n, _ in scored])
            return [(list_item(rows[n]), score) for n, score in scored if n in rows]

    def entity_type_votes(self, names: Iterable[str]) -> dict[str, dict[str, int]]:
        """casefolded name -> {type: number of articles that give the name that type}."""
        keys = [f"{kind}:{name.casefold()}" for name in set(names) for kind in ("person", "org", "place", "other")]
        votes: dict[str, dict[str, int]] = {}
        with self.core.reading():
            db = self.core.catalogue.connection
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
                return [r[0] for r in self.core.catalogue.list_rows()]
            rows = self.core.catalogue.rows_by_key(keys, "id")
        return [rows[n][0] for n in keys if n in rows]

    def ordered_matches(self, query: Query | str) -> list[tuple[str, int]]:
        """(id, segment) of every match in date order (sort:old oldest first, else newest)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        with self._keys_of(parsed) as (_, keys):
            if keys is None:
                rows = self.core.catalogue.connection.execute(
                    f"SELECT id, seg FROM articles ORDER BY n {'ASC' if parsed.sort == 'old' else 'DESC'}"
                ).fetchall()
                return [(r[0], r[1]) for r in rows]
            by_key = self.core.catalogue.rows_by_key(keys, "id, seg")
        return [(by_key[n][0], by_key[n][1]) for n in keys if n in by_key]

    @contextlib.contextmanager
    def _keys_of(self, parsed: Query, among: Sequence[str] | None = None) -> Iterator[tuple[Session, list[int] | None]]:
        """(session, date keys of every match in date order), holding the read lock; keys None
        for the empty query (every article) when not limited to `among`."""
        if isinstance(parsed.node, Everything) and among is None:
            with self.core.reading() as session:
                yield session, None
            return
        prefix = id_prefix(parsed)
        if prefix is not None and among is None:  # `newsdesk tag +x -- id:ID`: the catalogue knows
            with self.core.reading() as session:
                yield session, self.core.catalogue.keys_with_id_prefix(prefix, oldest_first=parsed.sort == "old")
            return
        with self._matching(parsed, among) as found:
            yield found.session, found.page(None, date_order=True)[1]

    def count_matching(self, query: Query | str) -> int:
        parsed = query if isinstance(query, Query) else parse_query(query)
        if isinstance(parsed.node, Everything):
            with self.core.reading():
                return self.core.catalogue.count()
        with self._matching(parsed) as found:
            return found.count()

    def search_position(self, query: Query | str, article_id: str) -> int | None:
        """Where an article stands in a date-ordered result (None: not a match, or ranked)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        if parsed.sort == "rel" and parsed.has_words:
            return None
        with self.core.reading():
            row = self.core.catalogue.connection.execute(
                "SELECT n FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is None:
                return None
            if isinstance(parsed.node, Everything):
                op = "<" if parsed.sort == "old" else ">"
                sql = f"SELECT count(*) FROM articles WHERE n {op} ?"
                return int(self.core.catalogue.connection.execute(sql, (row[0],)).fetchone()[0])
            with self._matching(parsed) as found:
                if not found.includes(article_id):
                    return None
                return found.beyond(row[0])


def id_prefix(parsed: Query) -> str | None:
    """The value of a query that is one `id:` prefix alone (what `tag ID` and scripts ask), which
    the catalogue answers without the full-text index: the same articles, as ids are 12
    lowercase hex characters and both match them by prefix, lowercased; else None."""
    node = parsed.node
    if isinstance(node, Match) and node.field == "id" and node.value:
        return node.value.lower()
    return None


def _as_is(query: Query) -> Query:
    return query

"""Evaluating a parsed query (store.query) against the derived index: SQL over the articles
table, with the text parts answered by the FTS5 tables (store.fulltext).

The plan, measured in docs/search-engine-study.md:
- the positive word parts of the top-level AND become one FTS5 MATCH that drives the query;
  the rest (tags, state, dates, fields, NOT of words) are filters on the matching rows;
- the exact count is taken first; relevance (BM25) ranks only when it is at most RANK_LIMIT,
  since BM25 costs ~0.75 µs per match; beyond that, newest first, and the result says so;
- newest first is `ORDER BY rowid DESC` on the date key; date filters are rowid ranges.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from store.fulltext import ALL_TOKEN, ENTITY_COLUMNS, TEXT_COLUMNS, date_key_base
from store.query import words_of
from store.query_nodes import And, DateRange, Everything, Flag, Match, Node, Not, Or, Phrase, Query, Term
from store.tags import tag_key

RANK_LIMIT = 5_000
"""Matches above which sort:rel falls back to newest first (BM25 would cost over ~4 ms)."""

TEXT_WEIGHTS = (8.0, 1.0, 2.0, 2.0)
"""BM25 weights of title, body, author, source: a word in the title counts most."""

_ENTITY_FIELD_COLUMNS = {"person": ("person",), "org": ("org",), "place": ("place",), "entity": ENTITY_COLUMNS}
_FLAGS = {
    "unread": "a.read = 0",
    "read": "a.read = 1",
    "starred": "a.starred = 1",
    "entities": "a.has_entities = 1",
}


@dataclass(frozen=True, slots=True)
class Plan:
    """SQL for one query: FROM/WHERE with parameters, and how to order."""

    source: str
    where: str
    params: tuple[Any, ...]
    key: str  # the date-key column of the driving table
    rank: str | None  # the BM25 expression, when the query can be ranked


@dataclass(slots=True)
class _Compiler:
    params: list[Any] = field(default_factory=list)
    names: Callable[[str], list[str]] = field(default=lambda value: [value])
    """The names an entity field's value stands for (itself, and the names merged with it)."""

    # -- FTS5 expressions ----------------------------------------------------------------------
    def table_of(self, node: Node) -> str | None:
        """The FTS table that can answer `node` alone ('fts' or 'fts_ent'), or None."""
        if isinstance(node, Term | Phrase):
            return "fts"
        if isinstance(node, Match) and node.field in _ENTITY_FIELD_COLUMNS:
            return "fts_ent" if words_of(node.value) else None
        if isinstance(node, And | Or):
            tables = {self.table_of(n.node if isinstance(n, Not) else n) for n in node.nodes}
            if len(tables) != 1 or None in tables:
                return None
            positives = [n for n in node.nodes if not isinstance(n, Not)]
            if isinstance(node, Or) and len(positives) != len(node.nodes):
                return None
            return tables.pop() if positives else None
        return None

    def match(self, node: Node) -> str:
        """FTS5 query syntax for a node that table_of() accepted."""
        if isinstance(node, Term):
            return _columns(node.field, _quote(node.word) + (" *" if node.prefix else ""))
        if isinstance(node, Phrase):
            return _columns(node.field, _quote(" ".join(node.words)) + (" *" if node.prefix else ""))
        if isinstance(node, Match):
            columns = "{" + " ".join(_ENTITY_FIELD_COLUMNS[node.field]) + "} : "
            phrases = [" ".join(words_of(name)) for name in self.names(node.value)]
            alternatives = [columns + _quote(p) for p in dict.fromkeys(phrases) if p]
            return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.match(n) for n in node.nodes) + ")"
        assert isinstance(node, And)
        return self.and_match(
            [n for n in node.nodes if not isinstance(n, Not)], [n.node for n in node.nodes if isinstance(n, Not)]
        )

    def and_match(self, positives: list[Node], negatives: list[Node]) -> str:
        expr = "(" + " AND ".join(self.match(n) for n in positives) + ")"
        for negative in negatives:
            expr = f"({expr} NOT {self.match(negative)})"
        return expr

    # -- SQL filters ---------------------------------------------------------------------------
    def sql(self, node: Node, key: str) -> str:
        """A SQL condition on the article row `a` (date key column `key`)."""
        table = self.table_of(node)
        if table is not None:
            self.params.append(self.match(node))
            return f"{key} IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"
        if isinstance(node, Everything):
            return "1"
        if isinstance(node, Not):
            return f"NOT ({self.sql(node.node, key)})"
        if isinstance(node, And):
            return "(" + " AND ".join(self.grouped(list(node.nodes), key)) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.sql(n, key) for n in node.nodes) + ")"
        if isinstance(node, Flag):
            return _FLAGS[node.name]
        if isinstance(node, DateRange):
            return self.date_range(node, key)
        if isinstance(node, Match):
            return self.field_match(node)
        raise TypeError(f"not a query node: {node!r}")  # pragma: no cover

    def grouped(self, nodes: list[Node], key: str) -> list[str]:
        """AND parts as SQL, the word parts of each FTS table merged into one MATCH."""
        by_table: dict[str, tuple[list[Node], list[Node]]] = {}
        rest: list[Node] = []
        for node in nodes:
            inner = node.node if isinstance(node, Not) else node
            table = self.table_of(inner)
            if table is None:
                rest.append(node)
            else:
                by_table.setdefault(table, ([], []))[isinstance(node, Not)].append(inner)
        parts: list[str] = []
        for table, (positives, negatives) in by_table.items():
            if positives:
                self.params.append(self.and_match(positives, negatives))
                parts.append(f"{key} IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)")
            else:
                rest.extend(Not(n) for n in negatives)
        parts.extend(self.sql(n, key) for n in rest)
        return parts or ["1"]

    def date_range(self, node: DateRange, key: str) -> str:
        parts = []
        if node.start is not None:
            parts.append(f"{key} >= ?")
            self.params.append(date_key_base(node.start))
        if node.end is not None:
            parts.append(f"{key} < ?")
            self.params.append(date_key_base(node.end))
        return "(" + " AND ".join(parts) + ")" if parts else "1"

    def field_match(self, node: Match) -> str:
        value = node.value
        if node.field == "tag":
            self.params.append(tag_key(value))
            return "EXISTS (SELECT 1 FROM article_tags t WHERE t.key = ? AND t.n = a.n)"
        # coalesce: a missing url, feed or language must not match, nor make NOT of it NULL
        if node.field in ("url", "feed"):
            self.params.append(f"%{_like_escape(value)}%")
            return f"coalesce(a.{node.field}, '') LIKE ? ESCAPE '\\'"
        if node.field == "id":
            self.params.append(f"{_like_escape(value.lower())}%")
            return "a.id LIKE ? ESCAPE '\\'"
        if node.field == "lang":
            self.params.extend([value, f"{_like_escape(value)}-%"])
            return "(coalesce(a.language, '') = ? COLLATE NOCASE OR coalesce(a.language, '') LIKE ? ESCAPE '\\')"
        assert node.field in _ENTITY_FIELD_COLUMNS  # with no words in it: matches nothing
        return "0"


def plan(query: Query, names: Callable[[str], list[str]] | None = None) -> Plan:
    """How to run `query`; `names` expands an entity field's value to the names merged with it."""
    compiler = _Compiler(names=names) if names else _Compiler()
    parts = list(query.node.nodes) if isinstance(query.node, And) else [query.node]
    parts = [p for p in parts if not isinstance(p, Everything)]
    drive: list[Node] = []
    exclude: list[Node] = []
    rest: list[Node] = []
    for part in parts:
        inner = part.node if isinstance(part, Not) else part
        if compiler.table_of(inner) == "fts":
            (exclude if isinstance(part, Not) else drive).append(inner)
        else:
            rest.append(part)
    ranked = bool(drive)
    if not drive and exclude:
        drive = [Term(ALL_TOKEN)]  # NOT words alone: ALL NOT words, inside FTS5
    if not drive:
        tag = next((p for p in rest if isinstance(p, Match) and p.field == "tag"), None)
        if tag is not None:  # a tag's articles come newest first off article_tags' primary key
            rest.remove(tag)
            compiler.params.append(tag_key(tag.value))
            filters = _filters(compiler, rest, "t.n")
            where = " AND ".join(["t.key = ?", *filters])
            return Plan("article_tags t JOIN articles a ON a.n = t.n", where, tuple(compiler.params), "t.n", None)
        where = " AND ".join(compiler.grouped(rest, "a.n")) if rest else "1"
        return Plan("articles a", where, tuple(compiler.params), "a.n", None)
    compiler.params.append(compiler.and_match(drive, exclude))
    where = " AND ".join(["fts MATCH ?", *_filters(compiler, rest, "fts.rowid")])
    weights = ", ".join(str(w) for w in TEXT_WEIGHTS)
    rank = f"bm25(fts, {weights})" if ranked else None
    return Plan("fts JOIN articles a ON a.n = fts.rowid", where, tuple(compiler.params), "fts.rowid", rank)


def _filters(compiler: _Compiler, rest: list[Node], key: str) -> list[str]:
    """Date ranges on the driving table's key, which an index or FTS5 evaluates itself; every
    other filter on a.n: an OR of conditions on fts.rowid lets SQLite plan the fts scan as an OR of
    rowid lookups, and then fails with "unable to use function MATCH in the requested context"."""
    ranges = [part for part in rest if isinstance(part, DateRange)]
    others = [part for part in rest if not isinstance(part, DateRange)]
    filters = [compiler.date_range(r, key) for r in ranges]
    return filters + (compiler.grouped(others, "a.n") if others else [])


def count(db: sqlite3.Connection, p: Plan) -> int:
    if p.where == "fts MATCH ?":  # words alone: FTS counts without touching the articles table
        return int(db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", p.params).fetchone()[0])
    return int(db.execute(f"SELECT count(*) FROM {p.source} WHERE {p.where}", p.params).fetchone()[0])


def rows(
    db: sqlite3.Connection, p: Plan, columns: str, *, sort: str, ranked: bool, limit: int | None, offset: int
) -> list[tuple[Any, ...]]:
    if ranked and p.rank is not None:
        order = f"{p.rank}, {p.key} DESC"
    else:
        order = f"{p.key} {'ASC' if sort == 'old' else 'DESC'}"
    select = ", ".join(f"a.{c.strip()}" for c in columns.split(","))
    sql = f"SELECT {select} FROM {p.source} WHERE {p.where} ORDER BY {order} LIMIT ? OFFSET ?"
    return db.execute(sql, (*p.params, -1 if limit is None else limit, offset)).fetchall()


def position(db: sqlite3.Connection, p: Plan, article_id: str, *, sort: str) -> int | None:
    """Where an article stands in the date order of a result, or None if it does not match."""
    row = db.execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return None
    matches = db.execute(f"SELECT 1 FROM {p.source} WHERE {p.where} AND a.n = ?", (*p.params, row[0])).fetchone()
    if matches is None:
        return None
    beyond = ">" if sort != "old" else "<"
    sql = f"SELECT count(*) FROM {p.source} WHERE {p.where} AND {p.key} {beyond} ?"
    return int(db.execute(sql, (*p.params, row[0])).fetchone()[0])


def _columns(field_name: str | None, expr: str) -> str:
    if field_name is None:
        return expr
    assert field_name in TEXT_COLUMNS
    return f"{{{field_name}}} : {expr}"


def _quote(words: str) -> str:
    return '"' + words.replace('"', '""') + '"'


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# -- words AND tags, when the words match many articles ------------------------------------------
@dataclass(frozen=True, slots=True)
class TagSplit:
    """A query of words, tags and date ranges only: answered by walking the words' matches in
    date order against the tags' article sets, instead of a per-match tag lookup in SQL (which
    costs ~1.4 µs a match: 70 ms for a common word at 100k)."""

    match: str
    tag_keys: tuple[str, ...]
    start: int | None
    end: int | None


def tag_split(query: Query) -> TagSplit | None:
    compiler = _Compiler()
    parts = list(query.node.nodes) if isinstance(query.node, And) else [query.node]
    drive: list[Node] = []
    exclude: list[Node] = []
    tags: list[str] = []
    start: int | None = None
    end: int | None = None
    for part in parts:
        inner = part.node if isinstance(part, Not) else part
        if isinstance(part, Everything):
            continue
        if compiler.table_of(inner) == "fts":
            (exclude if isinstance(part, Not) else drive).append(inner)
        elif isinstance(part, Match) and part.field == "tag":
            tags.append(tag_key(part.value))
        elif isinstance(part, DateRange):
            if part.start is not None:
                key = date_key_base(part.start)
                start = key if start is None else max(start, key)
            if part.end is not None:
                key = date_key_base(part.end)
                end = key if end is None else min(end, key)
        else:
            return None
    if not drive or not tags:
        return None
    return TagSplit(compiler.and_match(drive, exclude), tuple(tags), start, end)


def run_tag_split(
    db: sqlite3.Connection, split: TagSplit, *, sort: str, limit: int | None, offset: int
) -> tuple[int, list[int]] | None:
    """(count, date keys of the page), or None when the words match few enough articles for the
    SQL plan (which can rank them)."""
    bounds, params = "", [split.match]
    if split.start is not None:
        bounds += " AND rowid >= ?"
        params.append(split.start)
    if split.end is not None:
        bounds += " AND rowid < ?"
        params.append(split.end)
    words = db.execute(f"SELECT count(*) FROM fts WHERE fts MATCH ?{bounds}", params).fetchone()[0]
    if words <= RANK_LIMIT:
        return None
    wanted: set[int] | None = None
    for key in split.tag_keys:
        sql = "SELECT n FROM article_tags WHERE key = ?" + bounds.replace("rowid", "n")
        found = {r[0] for r in db.execute(sql, (key, *params[1:]))}
        wanted = found if wanted is None else wanted & found
    if not wanted:
        return 0, []
    direction = "ASC" if sort == "old" else "DESC"
    sql = f"SELECT rowid FROM fts WHERE fts MATCH ?{bounds} ORDER BY rowid {direction}"
    hits = [n for (n,) in db.execute(sql, params) if n in wanted]
    stop = None if limit is None else offset + limit
    return len(hits), hits[offset:stop]

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
from dataclasses import dataclass, field
from typing import Any

from store.fulltext import ENTITY_COLUMNS, TEXT_COLUMNS, date_key_base
from store.query import words_of
from store.query_nodes import And, DateRange, Everything, Flag, Match, Node, Not, Or, Phrase, Query, Term
from store.tags import tag_key

RANK_LIMIT = 5_000
"""Matches above which sort:rel falls back to newest first (BM25 would cost over ~4 ms)."""

TEXT_WEIGHTS = (8.0, 1.0, 2.0, 2.0)
"""BM25 weights of title, body, author, source: a word in the title counts most."""

_ENTITY_FIELD_COLUMNS = {"person": ("person",), "org": ("org",), "place": ("place",), "entity": ENTITY_COLUMNS}
_TAG_KEY = "newsdesk_tag_key"
"""An SQL function: store.tags.tag_key (casefold), registered by register_functions()."""
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
    not_only: tuple[str, str] | None = None  # (fts table, MATCH) when the query is NOT of words alone


@dataclass(slots=True)
class _Compiler:
    params: list[Any] = field(default_factory=list)

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
            columns = _ENTITY_FIELD_COLUMNS[node.field]
            words = words_of(node.value)
            return "{" + " ".join(columns) + "} : " + _quote(" ".join(words))
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
            if not value.isascii():  # the column's NOCASE folds ASCII only: compare as tag_key does
                self.params.append(tag_key(value))
                return f"EXISTS (SELECT 1 FROM article_tags t WHERE t.id = a.id AND {_TAG_KEY}(t.tag) = ?)"
            self.params.append(value)
            return "EXISTS (SELECT 1 FROM article_tags t WHERE t.tag = ? AND t.id = a.id)"
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


def plan(query: Query) -> Plan:
    """How to run `query`."""
    compiler = _Compiler()
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
    if not drive:
        rest.extend(Not(n) for n in exclude)
        not_only = None
        if len(rest) == 1 and isinstance(rest[0], Not) and compiler.table_of(rest[0].node) is not None:
            inner = rest[0].node
            not_only = (compiler.table_of(inner) or "", compiler.match(inner))
        where = " AND ".join(compiler.grouped(rest, "a.n")) if rest else "1"
        return Plan("articles a", where, tuple(compiler.params), "a.n", None, not_only)
    match = compiler.and_match(drive, exclude)
    compiler.params.append(match)
    # Date ranges on fts.rowid, which FTS5 evaluates itself; every other filter on a.n: an OR of
    # conditions on fts.rowid lets SQLite plan the fts scan as an OR of rowid lookups, and then
    # fails with "unable to use function MATCH in the requested context".
    ranges = [part for part in rest if isinstance(part, DateRange)]
    others = [part for part in rest if not isinstance(part, DateRange)]
    filters = [compiler.date_range(r, "fts.rowid") for r in ranges]
    filters += compiler.grouped(others, "a.n") if others else []
    where = " AND ".join(["fts MATCH ?", *filters])
    weights = ", ".join(str(w) for w in TEXT_WEIGHTS)
    return Plan(
        "fts JOIN articles a ON a.n = fts.rowid", where, tuple(compiler.params), "fts.rowid", f"bm25(fts, {weights})"
    )


def register_functions(db: sqlite3.Connection) -> None:
    """SQL functions the plans use; the index registers them on each connection it opens."""
    db.create_function(_TAG_KEY, 1, tag_key, deterministic=True)


def count(db: sqlite3.Connection, p: Plan) -> int:
    if p.not_only is not None:
        table, match = p.not_only
        total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        return int(total - db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?", (match,)).fetchone()[0])
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

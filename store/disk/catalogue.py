"""The catalogue: the derived SQLite index (index.sqlite) of list order, id -> segment, state,
tags and entities, and the change feed.  Everything here can be rebuilt from the TinyDB files;
it is never the only copy of anything.  Its file and schema: store.disk.catalogue_file."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from articles.dates import to_timestamp
from store.disk.catalogue_file import CatalogueFile
from store.disk.catalogue_rows import CatalogueRow, TextRow
from store.errors import IndexWriteFailed
from store.search.text_fields import KEY_BITS, date_key_base
from store.tags import tag_key
from store.values import State

LIST_COLUMNS = "id, title, source, url, published, tags, read, starred, date_only, added"
KEEP_CHANGES = 200_000


class Catalogue:
    """One SQLite connection to index.sqlite, used under the store's lock."""

    def __init__(self, path: Path, *, readonly: bool = False, in_memory: bool = False) -> None:
        """`in_memory`: read-only, from a copy in memory that catch-up keeps current (for a
        store on a full disk, which can write nothing)."""
        opened = CatalogueFile(path, readonly=readonly, in_memory=in_memory)
        self.path = path
        self.readonly = opened.readonly
        self.in_memory = opened.in_memory
        self._db = opened.db

    @property
    def writable(self) -> bool:
        """False for a read-only store's index file: it is served as the writers left it."""
        return not self.readonly or self.in_memory

    def close(self) -> None:
        self._db.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """For read-only queries (store.search.searching and the services), under the store's lock."""
        return self._db

    @contextlib.contextmanager
    def batch(self) -> Iterator[sqlite3.Connection]:
        """One SQLite transaction.  A failed write (the disk full, say) rolls it back and raises
        IndexWriteFailed; the caller says what it means for its change (store.core)."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._rollback()
                raise
            try:
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()  # a COMMIT that fails for space leaves the transaction open
                raise
        except sqlite3.OperationalError as exc:
            raise IndexWriteFailed(f"{self.path}: {exc}") from exc

    def _rollback(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")

    # -- file generations -------------------------------------------------------------------
    def file_gens(self) -> dict[str, str]:
        """The manifest generation of each file as last indexed."""
        return dict(self._db.execute("SELECT path, gen FROM files"))

    @staticmethod
    def set_file_gens(db: sqlite3.Connection, gens: Mapping[str, str | None]) -> None:
        for path, gen in gens.items():
            if gen is None:
                db.execute("DELETE FROM files WHERE path = ?", (path,))
            else:
                db.execute("INSERT OR REPLACE INTO files(path, gen) VALUES(?, ?)", (path, gen))

    def forget_files(self) -> None:
        """Make the next sync read every file (after the manifest had to be rebuilt)."""
        if self.writable:
            with self.batch() as db:
                db.execute("DELETE FROM files")

    # -- articles ----------------------------------------------------------------------------
    def locate(self, ids: Sequence[str]) -> dict[str, tuple[int, str]]:
        """id -> (segment, content hash) for the ids the index knows."""
        found: dict[str, tuple[int, str]] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(f"SELECT id, seg, hash FROM articles WHERE id IN ({marks})", chunk):
                found[row[0]] = (row[1], row[2])
        return found

    def index_keys(self, ids: Sequence[str]) -> dict[str, tuple[int, str, str]]:
        """id -> (segment, content hash, entities hash): what catch-up compares with the files."""
        found: dict[str, tuple[int, str, str]] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, seg, hash, ent_hash FROM articles WHERE id IN ({marks})"
            for row in self._db.execute(sql, chunk):
                found[row[0]] = (row[1], row[2], row[3])
        return found

    def ids_in_segment(self, seg: int) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM articles WHERE seg = ?", (seg,))}

    @staticmethod
    def upsert(db: sqlite3.Connection, rows: Iterable[tuple[CatalogueRow, State, int]]) -> list[str]:
        """Add or replace articles: the row, its tags and its text.  A replaced article keeps its
        date key unless its date moved to another second."""
        changed: list[str] = []
        for row, state, shard in rows:
            sort_ts = row.sort_ts()
            base = date_key_base(sort_ts)
            old = db.execute("SELECT n FROM articles WHERE id = ?", (row.id,)).fetchone()
            if old is not None:
                db.execute("DELETE FROM articles WHERE n = ?", (old[0],))
                db.execute("DELETE FROM article_tags WHERE n = ?", (old[0],))
                db.execute("DELETE FROM article_entities WHERE n = ?", (old[0],))
            n = old[0] if old is not None and old[0] >> KEY_BITS == base >> KEY_BITS else None
            if n is None:
                n = _free_key(db, base, row.id)
            db.execute(
                "INSERT INTO articles(n, id, seg, hash, sort_ts, published, fetched, title, source, url, feed,"
                " author, language, has_entities, ent_hash, tags, read, starred, shard, date_only, added, added_ts)"
                " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    n,
                    row.id,
                    row.seg,
                    row.hash,
                    sort_ts,
                    row.published,
                    row.fetched,
                    row.title,
                    row.source,
                    row.url,
                    row.feed,
                    row.author,
                    row.language,
                    int(row.has_entities),
                    row.ent_hash,
                    _tags_json(state.tags),
                    int(state.read),
                    int(state.starred),
                    shard,
                    int(row.date_only),
                    row.added,
                    to_timestamp(row.added),
                ),
            )
            if state.tags:  # a replaced article's tag rows went with its old key above
                Catalogue._set_tag_rows(db, n, state.tags)
            if row.record.get("entities"):
                Catalogue._insert_entity_rows(db, n, row.record["entities"])
            changed.append(row.id)
        return changed

    @staticmethod
    def set_states(db: sqlite3.Connection, states: dict[str, State]) -> list[str]:
        """Update the state of indexed articles; returns the ids whose row changed."""
        changed: list[str] = []
        for article_id, state in states.items():
            cursor = db.execute(
                "UPDATE articles SET tags = ?, read = ?, starred = ? WHERE id = ?"
                " AND (tags != ? OR read != ? OR starred != ?)",
                (
                    _tags_json(state.tags),
                    int(state.read),
                    int(state.starred),
                    article_id,
                    _tags_json(state.tags),
                    int(state.read),
                    int(state.starred),
                ),
            )
            if cursor.rowcount:
                n = db.execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
                Catalogue._set_tag_rows(db, n, state.tags)
                changed.append(article_id)
        return changed

    @staticmethod
    def _insert_entity_rows(db: sqlite3.Connection, n: int, entities: Any) -> None:
        rows: dict[str, tuple[str, int, str, str, int]] = {}
        for entity in entities if isinstance(entities, list) else ():
            name, kind = entity.get("name"), entity.get("type")
            if isinstance(name, str) and name and isinstance(kind, str):
                key = f"{kind}:{name.casefold()}"
                mentions = entity.get("mentions") if isinstance(entity.get("mentions"), int) else 1
                rows[key] = (key, n, name, kind, mentions)
        db.executemany("INSERT INTO article_entities(key, n, name, type, mentions) VALUES(?,?,?,?,?)", rows.values())

    @staticmethod
    def _set_tag_rows(db: sqlite3.Connection, n: int, tags: Sequence[str]) -> None:
        db.execute("DELETE FROM article_tags WHERE n = ?", (n,))
        db.executemany(
            "INSERT OR IGNORE INTO article_tags(key, n, tag) VALUES(?, ?, ?)", [(tag_key(t), n, t) for t in tags]
        )

    @staticmethod
    def delete(db: sqlite3.Connection, ids: Iterable[str]) -> list[str]:
        removed: list[str] = []
        for article_id in ids:
            old = db.execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()
            if old is not None:
                db.execute("DELETE FROM articles WHERE n = ?", (old[0],))
                db.execute("DELETE FROM article_tags WHERE n = ?", (old[0],))
                db.execute("DELETE FROM article_entities WHERE n = ?", (old[0],))
                removed.append(article_id)
        return removed

    def non_default_states(self, shard: int) -> dict[str, State]:
        rows = self._db.execute(
            "SELECT id, tags, read, starred FROM articles WHERE shard = ? AND (tags != '[]' OR read OR starred)",
            (shard,),
        )
        return {r[0]: State(tuple(orjson.loads(r[1])), bool(r[2]), bool(r[3])) for r in rows}

    @staticmethod
    def record_changes(db: sqlite3.Connection, ids: Iterable[str]) -> None:
        db.executemany("INSERT INTO changes(id) VALUES(?)", [(i,) for i in ids])

    def prune_changes(self) -> None:
        top = self.last_change()
        if top > KEEP_CHANGES * 2:
            with self.batch() as db:
                db.execute("DELETE FROM changes WHERE seq <= ?", (top - KEEP_CHANGES,))

    def last_change(self) -> int:
        row = self._db.execute("SELECT max(seq) FROM changes").fetchone()
        return int(row[0] or 0)

    def changes_since(self, seq: int, *, strict: bool = False) -> tuple[int, list[str] | None]:
        """(latest seq, ids changed after `seq`); None for the ids when `seq` is too old to tell
        (strict: seq 0 too, once the oldest changes have been pruned)."""
        oldest = self._db.execute("SELECT min(seq) FROM changes").fetchone()[0]
        latest = self.last_change()
        if (seq or strict) and oldest is not None and seq < oldest - 1:
            return latest, None
        ids = [r[0] for r in self._db.execute("SELECT DISTINCT id FROM changes WHERE seq > ?", (seq,))]
        return latest, ids

    def text_applied(self) -> tuple[str, int, int] | None:
        """(token of the full-text index, last change it applied, its commit stamp): kept here,
        beside the change feed it counts in, so an index.sqlite made anew forgets it too
        (store.search.text_sync)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'text_applied'").fetchone()
        try:
            token, seq, stamp = orjson.loads(row[0])
            return str(token), int(seq), int(stamp)
        except (TypeError, ValueError):
            return None

    def set_text_applied(self, applied: tuple[str, int, int] | None) -> None:
        """Record how far the full-text index is current (None: not at all).  Call under the
        store's thread lock (one connection)."""
        with self.batch() as db:
            if applied is None:
                db.execute("DELETE FROM meta WHERE key = 'text_applied'")
            else:
                value = orjson.dumps(list(applied)).decode()
                db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('text_applied', ?)", (value,))

    # -- queries -----------------------------------------------------------------------------
    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def list_rows(
        self, limit: int | None = None, offset: int = 0, *, oldest_first: bool = False
    ) -> list[tuple[Any, ...]]:
        order = "ASC" if oldest_first else "DESC"
        sql = f"SELECT {LIST_COLUMNS} FROM articles ORDER BY n {order} LIMIT ? OFFSET ?"
        return self._db.execute(sql, (-1 if limit is None else limit, offset)).fetchall()

    def text_rows(self, ids: Sequence[str] | None = None) -> list[TextRow]:
        """What the full-text index needs of the given articles (all when None) besides their
        text, by segment."""
        sql = "SELECT id, n, seg, tags, read, starred, has_entities, hash || ':' || ent_hash FROM articles"
        if ids is None:
            found = self._db.execute(sql + " ORDER BY seg").fetchall()
        else:
            found = []
            for chunk in _chunks(list(ids), 500):
                found += self._db.execute(f"{sql} WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            found.sort(key=lambda r: r[2])
        return [TextRow(r[0], r[1], r[2], orjson.loads(r[3]), bool(r[4]), bool(r[5]), bool(r[6]), r[7]) for r in found]

    def ids(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM articles ORDER BY seg")]

    def position(self, article_id: str) -> int | None:
        """The row of an article in the list order (newest first), or None if it is gone."""
        row = self._db.execute("SELECT n FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        return int(self._db.execute("SELECT count(*) FROM articles WHERE n > ?", (row[0],)).fetchone()[0])

    def rows_for(self, ids: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        found: dict[str, tuple[Any, ...]] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(f"SELECT {LIST_COLUMNS} FROM articles WHERE id IN ({marks})", chunk):
                found[row[0]] = row
        return found

    def rows_by_key(self, keys: Sequence[int], columns: str = LIST_COLUMNS) -> dict[int, tuple[Any, ...]]:
        """Rows (list columns unless told) by date key."""
        found: dict[int, tuple[Any, ...]] = {}
        for chunk in _chunks(list(keys), 500):
            marks = ",".join("?" * len(chunk))
            for row in self._db.execute(f"SELECT n, {columns} FROM articles WHERE n IN ({marks})", chunk):
                found[row[0]] = row[1:]
        return found

    def ordered_locations(self) -> Iterator[tuple[str, int]]:
        yield from self._db.execute("SELECT id, seg FROM articles ORDER BY n DESC")

    def ids_with_prefix(self, prefix: str) -> list[str]:
        return [
            r[0]
            for r in self._db.execute(
                "SELECT id FROM articles WHERE id >= ? AND id < ? LIMIT 3", (prefix, prefix + "g")
            )
        ]

    def keys_with_id_prefix(self, prefix: str, *, oldest_first: bool = False) -> list[int]:
        """Date keys of the articles whose id starts with `prefix`, newest first (or oldest).
        Ids are lowercase hex, so they are the ids in [prefix, prefix + "g")."""
        order = "ASC" if oldest_first else "DESC"
        sql = f"SELECT n FROM articles WHERE id >= ? AND id < ? ORDER BY n {order}"
        return [r[0] for r in self._db.execute(sql, (prefix, prefix + "g"))]

    def states_of(self, ids: Sequence[str]) -> dict[str, State]:
        """The state of each indexed article among `ids` (unknown ids are left out)."""
        found: dict[str, State] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, tags, read, starred FROM articles WHERE id IN ({marks})"
            for row in self._db.execute(sql, chunk):
                found[row[0]] = State(tuple(orjson.loads(row[1])), bool(row[2]), bool(row[3]))
        return found


def _free_key(db: sqlite3.Connection, base: int, article_id: str) -> int:
    """A date key in the second that starts at `base`: its low bits are the id's first 20 bits, so
    articles of one second sort by id, the same in every store; the next free slot on a clash."""
    span = 1 << KEY_BITS
    low = int(article_id[:5], 16) % span
    for step in range(span):
        n = base + (low + step) % span
        if db.execute("SELECT 1 FROM articles WHERE n = ?", (n,)).fetchone() is None:
            return n
    return _free_key(db, base - span, article_id)  # a million articles in one second


def _tags_json(tags: Sequence[str]) -> str:
    return orjson.dumps(list(tags)).decode()


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

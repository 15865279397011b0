"""The derived SQLite index: list order, id -> segment, state, change feed.  Everything here can
be rebuilt from the TinyDB files; it is never the only copy of anything."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from articles.dates import to_timestamp
from store.errors import IndexWriteFailed, StoreError
from store.tags import tag_key
from store.search.text_fields import KEY_BITS, date_key_base, sort_time
from store.values import State

INDEX_VERSION = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles(
    n INTEGER PRIMARY KEY,  -- the date key (store.search.text_fields): list order, and the full-text index's n
    id TEXT NOT NULL UNIQUE,
    seg INTEGER NOT NULL,
    hash TEXT NOT NULL,
    sort_ts REAL NOT NULL,
    published TEXT,
    fetched TEXT,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT,
    feed TEXT,
    author TEXT NOT NULL DEFAULT '',
    language TEXT,
    has_entities INTEGER NOT NULL DEFAULT 0,
    ent_hash TEXT NOT NULL DEFAULT '',  -- what the entities were, so catch-up sees them change
    tags TEXT NOT NULL DEFAULT '[]',
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    shard INTEGER NOT NULL,
    date_only INTEGER NOT NULL DEFAULT 0,  -- published is a calendar day (sorts at text_fields.sort_time)
    added TEXT,  -- when the article first entered this store (NULL: stored before that was recorded)
    added_ts REAL  -- the same as seconds: retention's clock (store.care.trash)
);
CREATE INDEX IF NOT EXISTS articles_seg ON articles(seg);
CREATE INDEX IF NOT EXISTS articles_state ON articles(shard) WHERE tags != '[]' OR read OR starred;
CREATE TABLE IF NOT EXISTS article_tags(
    key TEXT NOT NULL,  -- store.tags.tag_key(tag): how tags compare
    n INTEGER NOT NULL,  -- the article's date key: a tag's articles, newest first, off the primary key
    tag TEXT NOT NULL,
    PRIMARY KEY(key, n)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_tags_n ON article_tags(n);
CREATE TABLE IF NOT EXISTS article_entities(
    key TEXT NOT NULL,  -- type:casefolded name
    n INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY(key, n)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_entities_n ON article_entities(n);
CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, gen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS changes(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL);
"""

LIST_COLUMNS = "id, title, source, url, published, tags, read, starred, date_only, added"
KEEP_CHANGES = 200_000
BUSY_TIMEOUT = 30.0
"""Seconds to wait for another process's index transaction before giving up (exit 3)."""


@dataclass(frozen=True, slots=True)
class IndexRow:
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
    def from_record(cls, record: dict[str, Any], seg: int) -> IndexRow:
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


class Index:
    """One SQLite connection, used under the store's thread lock."""

    def __init__(self, path: Path, *, readonly: bool = False, in_memory: bool = False) -> None:
        """`in_memory`: read-only, from a copy in memory that catch-up keeps current (for a
        store on a full disk, which can write nothing)."""
        self.path = path
        self.readonly = readonly or in_memory
        self.rebuilt = False
        self.in_memory = False
        self._db = self._memory_copy() if in_memory else self._connect()

    def _memory_copy(self) -> sqlite3.Connection:
        """index.sqlite copied into memory: as its writers committed it (the WAL included) when
        SQLite can read it so, else the file alone, read as immutable (catch-up then applies
        whatever the TinyDB files say since)."""
        try:
            source = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT)
            try:
                db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
                source.backup(db)
            finally:
                source.close()
            if _version(db) == str(INDEX_VERSION):
                self.in_memory = True
                return db
            db.close()
        except sqlite3.Error:
            pass
        return self._readonly_copy()

    def _connect(self) -> sqlite3.Connection:
        try:
            db = self._open()
            if self.readonly and not self.in_memory:
                try:
                    _version(db)
                except sqlite3.OperationalError:
                    # No write access to make `-shm`, or no space for it (store.news_store opens
                    # read-only when a disk is full): read the file as it is.
                    db.close()
                    return self._readonly_copy()
        except sqlite3.OperationalError as exc:
            # Busy or locked is not corruption: another process is using the index.
            raise StoreError(f"{self.path}: {exc}") from exc
        except sqlite3.DatabaseError:
            if self.readonly:
                return self._memory()
            # Not an SQLite file: set it aside (never delete what we cannot read) and start anew;
            # the store rebuilds the index from the TinyDB files.
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            os.replace(self.path, aside)
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{self.path}{suffix}")
            self.rebuilt = True
            db = self._open()
        if _version(db) != str(INDEX_VERSION):
            if self.readonly:
                db.close()
                return self._memory()
            try:
                self._recreate(db)
            except sqlite3.OperationalError as exc:
                raise StoreError(f"{self.path}: {exc}") from exc
        return db

    def _recreate(self, db: sqlite3.Connection) -> None:
        """An index of another version: empty it in place (other processes share the file), in
        one transaction, unless another process did so meanwhile."""
        db.execute("BEGIN IMMEDIATE")
        try:
            if _version(db) != str(INDEX_VERSION):
                tables = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                # Virtual tables first: dropping one drops its shadow tables.
                for (name,) in db.execute(tables + " AND sql LIKE 'CREATE VIRTUAL%'").fetchall():
                    db.execute(f'DROP TABLE IF EXISTS "{name}"')
                for (name,) in db.execute(tables).fetchall():
                    db.execute(f'DROP TABLE IF EXISTS "{name}"')
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('version', ?)", (str(INDEX_VERSION),))
                self.rebuilt = True
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        if self.rebuilt:
            # The old tables' pages are free now, but the file keeps them (870 MB at 100k, with
            # the FTS5 tables of version 7).  Emptied, the index is small to rewrite; another
            # process busy with it just leaves that for the next upgrade.
            with contextlib.suppress(sqlite3.OperationalError):
                db.execute("VACUUM")

    def _open(self) -> sqlite3.Connection:
        if self.readonly and not self.path.exists():
            return self._memory()
        uri = f"file:{self.path}?mode=ro" if self.readonly else f"file:{self.path}"
        if not self.readonly:
            # Create it 0600 if missing.  Never open and close an existing index file: closing
            # any descriptor of a file drops every POSIX lock this process holds on it, those of
            # another open store's SQLite connection included (sqlite.org/howtocorrupt.html 2.2).
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        db = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT)
        if not self.readonly:
            db.execute("PRAGMA journal_mode=WAL")
            # The index is derived from the fsynced TinyDB files, so it need not fsync itself.
            db.execute("PRAGMA synchronous=NORMAL")
            if _version(db) in (None, str(INDEX_VERSION)):  # else _connect recreates it whole
                db.executescript(_SCHEMA)
                db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('version', ?)", (str(INDEX_VERSION),))
        return db

    def _readonly_copy(self) -> sqlite3.Connection:
        """The index of a store this user may only read, when every writer has closed it: in WAL
        mode SQLite must create `-shm` to read it, which it may not.  Read the file as immutable
        (nobody has it open) into memory; catch-up then applies whatever the files say since."""
        try:
            source = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True)
            db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
            try:
                source.backup(db)
            finally:
                source.close()
        except sqlite3.DatabaseError:
            return self._memory()
        if _version(db) != str(INDEX_VERSION):
            db.close()
            return self._memory()
        self.in_memory = True
        return db

    def _memory(self) -> sqlite3.Connection:
        self.in_memory = True
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO meta(key, value) VALUES('version', ?)", (str(INDEX_VERSION),))
        return db

    @property
    def writable(self) -> bool:
        """False for a read-only store's index file: it is served as the writers left it."""
        return not self.readonly or self.in_memory

    def close(self) -> None:
        self._db.close()

    @property
    def connection(self) -> sqlite3.Connection:
        """For read-only queries (store.search), under the store's lock."""
        return self._db

    @contextlib.contextmanager
    def batch(self) -> Iterator[sqlite3.Connection]:
        """One SQLite transaction.  A failed write (the disk full, say) rolls it back and raises
        IndexWriteFailed; the caller says what it means for its change (store.news_store)."""
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
    def set_file_gens(db: sqlite3.Connection, gens: dict[str, str | None]) -> None:
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
    def upsert(db: sqlite3.Connection, rows: Iterable[tuple[IndexRow, State, int]]) -> list[str]:
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
                Index._set_tag_rows(db, n, state.tags)
            if row.record.get("entities"):
                Index._insert_entity_rows(db, n, row.record["entities"])
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
                Index._set_tag_rows(db, n, state.tags)
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

    def states_of(self, ids: Sequence[str]) -> dict[str, State]:
        """The state of each indexed article among `ids` (unknown ids are left out)."""
        found: dict[str, State] = {}
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT id, tags, read, starred FROM articles WHERE id IN ({marks})"
            for row in self._db.execute(sql, chunk):
                found[row[0]] = State(tuple(orjson.loads(row[1])), bool(row[2]), bool(row[3]))
        return found


def shard_on_disk(path: Path, rel: str, gen: int | None, shard: int) -> tuple[int | None, dict[str, State] | None]:
    """What the index at `path` knows of state shard `shard` (file `rel`), read without opening
    the store: how many articles keep their state in it (None when the index cannot say), and,
    when the index last applied exactly generation `gen` of the file, the non-default states it
    held then — an exact copy of it (else None)."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            count = int(db.execute("SELECT count(*) FROM articles WHERE shard = ?", (shard,)).fetchone()[0])
            applied = db.execute("SELECT gen FROM files WHERE path = ?", (rel,)).fetchone()
            if gen is None or applied is None or applied[0] != str(gen):
                return count, None
            rows = db.execute(
                "SELECT id, tags, read, starred FROM articles WHERE shard = ? AND (tags != '[]' OR read OR starred)",
                (shard,),
            )
            return count, {r[0]: State(tuple(orjson.loads(r[1])), bool(r[2]), bool(r[3])) for r in rows}
        finally:
            db.close()
    except (sqlite3.Error, OSError, ValueError):
        return None, None


def entities_hash(record: dict[str, Any]) -> str:
    """A short digest of a record's entities ('' when not extracted)."""
    entities = record.get("entities")
    if entities is None:
        return ""
    return hashlib.blake2b(orjson.dumps(entities, option=orjson.OPT_SORT_KEYS), digest_size=8).hexdigest()


def _version(db: sqlite3.Connection) -> str | None:
    """The index's version, or None for a new (empty) file."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return None if row is None else str(row[0])


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

"""The catalogue's file, index.sqlite: its schema and version, and opening it — made if missing,
emptied in place when of another version, set aside when not SQLite, or copied into memory when
it can only be read (a read-only store, or a full disk)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from pathlib import Path

import orjson

from store.errors import StoreError
from store.values import State

INDEX_VERSION = 10

SCHEMA = """
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

BUSY_TIMEOUT = 30.0
"""Seconds to wait for another process's index transaction before giving up (exit 3)."""


class CatalogueFile:
    """An open connection to index.sqlite (`db`), and how it was opened: `rebuilt` when it was
    made anew, `in_memory` when it is a copy in memory (read-only)."""

    def __init__(self, path: Path, *, readonly: bool = False, in_memory: bool = False) -> None:
        """`in_memory`: read-only, from a copy in memory that catch-up keeps current (for a
        store on a full disk, which can write nothing)."""
        self.path = path
        self.readonly = readonly or in_memory
        self.rebuilt = False
        self.in_memory = False
        self.db = self._memory_copy() if in_memory else self._connect()

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
            if version(db) == str(INDEX_VERSION):
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
                    version(db)
                except sqlite3.OperationalError:
                    # No write access to make `-shm`, or no space for it (store.core opens
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
        if version(db) != str(INDEX_VERSION):
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
            if version(db) != str(INDEX_VERSION):
                tables = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                # Virtual tables first: dropping one drops its shadow tables.
                for (name,) in db.execute(tables + " AND sql LIKE 'CREATE VIRTUAL%'").fetchall():
                    db.execute(f'DROP TABLE IF EXISTS "{name}"')
                for (name,) in db.execute(tables).fetchall():
                    db.execute(f'DROP TABLE IF EXISTS "{name}"')
                for statement in SCHEMA.split(";"):
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
            if version(db) in (None, str(INDEX_VERSION)):  # else _connect recreates it whole
                db.executescript(SCHEMA)
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
        if version(db) != str(INDEX_VERSION):
            db.close()
            return self._memory()
        self.in_memory = True
        return db

    def _memory(self) -> sqlite3.Connection:
        self.in_memory = True
        db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        db.executescript(SCHEMA)
        db.execute("INSERT INTO meta(key, value) VALUES('version', ?)", (str(INDEX_VERSION),))
        return db


def version(db: sqlite3.Connection) -> str | None:
    """The index's version, or None for a new (empty) file."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key='version'").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return None
        raise
    return None if row is None else str(row[0])


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

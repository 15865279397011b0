"""stories.sqlite: what story assignment remembers of every placed article — its profile (terms,
names, MinHash signature, day), the keys it is found by, its LSH bands, the corpus's term and
name counts (df; a name as `n:name`), and its links (story, copy_of).  Derived from the articles
and the corrections (stories.json): `stories rebuild` makes it anew.  Used under the store's lock, writes under the exclusive one."""

from __future__ import annotations

import contextlib
import math
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import orjson

from articles.stories.features import Profile
from articles.stories.linking import order_key
from articles.stories.memory import COMMON
from store.errors import IndexWriteFailed

STORIES_DB = "stories.sqlite"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS art(id TEXT PRIMARY KEY, day REAL, version TEXT, terms BLOB, names BLOB,
    sig BLOB, story TEXT, copy_of TEXT);
CREATE TABLE IF NOT EXISTS keys(key TEXT, day REAL, id TEXT);
CREATE TABLE IF NOT EXISTS bands(band INTEGER, id TEXT);
CREATE TABLE IF NOT EXISTS df(term TEXT PRIMARY KEY, n INTEGER);
"""
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS art_story ON art(story)",
    "CREATE INDEX IF NOT EXISTS art_copy ON art(copy_of)",
    "CREATE INDEX IF NOT EXISTS keys_key ON keys(key, day)",
    "CREATE INDEX IF NOT EXISTS keys_id ON keys(id)",
    "CREATE INDEX IF NOT EXISTS bands_band ON bands(band)",
    "CREATE INDEX IF NOT EXISTS bands_id ON bands(id)",
)


_COUNT_TERM = "INSERT INTO df(term, n) VALUES(?, 1) ON CONFLICT(term) DO UPDATE SET n = n + 1"


def _count_names(db: sqlite3.Connection) -> None:
    """A stories.sqlite made before names were counted (`n:` rows of df) gets their counts from
    the names it holds, once; a new one is marked at once (its articles count as they come)."""
    if db.execute("SELECT 1 FROM meta WHERE key = 'name_counts'").fetchone() is not None:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        counts: dict[str, int] = {}
        for (names,) in db.execute("SELECT names FROM art"):
            for name in dict.fromkeys(orjson.loads(names) or ()):
                counts[f"n:{name}"] = counts.get(f"n:{name}", 0) + 1
        db.executemany("INSERT OR REPLACE INTO df(term, n) VALUES(?, ?)", counts.items())
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('name_counts', '1')")
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StoriesDb:
    """One connection to stories.sqlite; also the Memory (articles.stories.linking) assignment
    places articles into.  `versions` tells which article content each profile was made from."""

    def __init__(self, root: Path, *, readonly: bool = False) -> None:
        self.path = root / STORIES_DB
        self.readonly = readonly
        self.db: sqlite3.Connection | None = None
        self._count: int | None = None
        self._depth = 0
        self._counted: set[str] = set()
        """Articles whose terms are counted in `df` ahead of their placing (`precount`)."""

    def open(self) -> sqlite3.Connection | None:
        """The connection (None for a read-only store that has no stories file yet)."""
        if self.db is None:
            if self.readonly:
                if not self.path.exists():
                    return None
                self.db = self._connect_readonly()
            else:
                try:
                    self.db = self._connect()
                except sqlite3.OperationalError:
                    # Not damage: the disk full or the directory read-only. Read what is there;
                    # a write then fails in `batch` as IndexWriteFailed, which the caller reports.
                    if not self.path.exists():
                        return None
                    self.db = self._connect_readonly()
                except sqlite3.DatabaseError:
                    # Derived, so never the only copy: a file that is not SQLite is set aside and
                    # made anew (empty: the next assignment places every article again).
                    with contextlib.suppress(OSError):
                        self.path.replace(self.path.with_name(f"{STORIES_DB}.corrupt-{int(time.time())}"))
                    for suffix in ("-wal", "-shm"):
                        with contextlib.suppress(OSError):
                            self.path.with_name(STORIES_DB + suffix).unlink()
                    self.db = self._connect()
        return self.db

    def _connect_readonly(self) -> sqlite3.Connection:
        """Read-only; where a WAL reader cannot start (its -shm cannot be made: the disk full, a
        read-only directory), the file alone, as it was at its last checkpoint."""
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        try:
            db.execute("SELECT 1 FROM art LIMIT 1").fetchall()
            return db
        except sqlite3.Error:
            db.close()
        return sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            with contextlib.suppress(OSError):
                self.path.chmod(0o600)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            for statement in _INDEXES:
                db.execute(statement)
            _count_names(db)
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    @contextlib.contextmanager
    def connected(self) -> Iterator[None]:
        """One connection for the calls inside, closed after the outermost (nothing stays open
        between the store's operations, so the store needs no close for it)."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if self._depth == 0:
                self.close()

    @contextlib.contextmanager
    def batch(self) -> Iterator[sqlite3.Connection]:
        """One transaction; a failed write (the disk full, say) rolls it back and raises
        IndexWriteFailed (the store's writing session says what it means)."""
        try:
            db = self.open()
            if db is None:
                raise sqlite3.OperationalError("cannot be made (no space, or no write access)")
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                self._count = None
                self._counted.clear()
                raise
        except sqlite3.OperationalError as exc:
            raise IndexWriteFailed(f"{self.path}: {exc}") from exc

    def wipe(self) -> None:
        db = self.open()
        assert db is not None
        for table in ("art", "keys", "bands", "df"):
            db.execute(f"DELETE FROM {table}")
        self._count = 0

    def load(
        self,
        profiles: Sequence[Profile],
        links: Mapping[str, tuple[str, str | None]],
        versions: Mapping[str, str],
        keys: Sequence[tuple[str, float | None, str]],
        band_rows: Sequence[tuple[int, str]],
        doc_freq: Mapping[str, int],
    ) -> None:
        """Everything anew (a rebuild), in bulk: the indexes dropped while the rows go in."""
        db = self.open()
        assert db is not None
        self.wipe()
        for index in ("art_story", "art_copy", "keys_key", "keys_id", "bands_band", "bands_id"):
            db.execute(f"DROP INDEX IF EXISTS {index}")
        db.executemany(
            "INSERT INTO art(id, day, version, terms, names, sig, story, copy_of) VALUES(?,?,?,?,?,?,?,?)",
            (
                (p.id, p.day, versions.get(p.id, ""), orjson.dumps(dict(p.terms)), orjson.dumps(list(p.names)),
                 p.signature, *links.get(p.id, (p.id, None)))
                for p in profiles
            ),
        )
        db.executemany("INSERT INTO keys(key, day, id) VALUES(?,?,?)", keys)
        db.executemany("INSERT INTO bands(band, id) VALUES(?,?)", band_rows)
        db.executemany("INSERT INTO df(term, n) VALUES(?,?)", doc_freq.items())
        for statement in _INDEXES:
            db.execute(statement)
        self._count = len(profiles)

    # -- reading ----------------------------------------------------------------------------------
    def versions(self, ids: Sequence[str] | None = None) -> dict[str, str]:
        """What each placed article was placed as (its content and entities hash): all, or of `ids`."""
        db = self.open()
        if db is None:
            return {}
        if ids is None:
            return dict(db.execute("SELECT id, version FROM art"))
        found: dict[str, str] = {}
        for chunk in _chunks(list(ids)):
            found.update(db.execute(f"SELECT id, version FROM art WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return found

    def mark(self) -> int | None:
        """The catalogue's change feed position the placed articles are current with (None: unknown)."""
        db = self.open()
        row = None if db is None else db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        return int(row[0]) if row is not None else None

    def set_mark(self, seq: int) -> None:
        db = self.open()
        assert db is not None
        db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('seq', ?)", (str(seq),))

    def all_links(self) -> dict[str, tuple[str, str | None]]:
        db = self.open()
        return {} if db is None else {r[0]: (r[1], r[2]) for r in db.execute("SELECT id, story, copy_of FROM art")}

    def story_sizes(self) -> dict[str, int]:
        db = self.open()
        return {} if db is None else dict(db.execute("SELECT story, count(*) FROM art GROUP BY story"))

    def copy_ids(self) -> list[str]:
        db = self.open()
        return [] if db is None else [r[0] for r in db.execute("SELECT id FROM art WHERE copy_of IS NOT NULL")]

    # -- the Memory protocol ------------------------------------------------------------------------
    def count(self) -> int:
        if self._count is None:
            db = self.open()
            self._count = 0 if db is None else int(db.execute("SELECT count(*) FROM art").fetchone()[0])
        return self._count + len(self._counted)

    def precount(self, profiles: Iterable[Profile]) -> None:
        """Count the terms of a batch before placing any of it, so the batch's first article
        already weighs words by the whole batch (as a rebuild does)."""
        db = self.open()
        assert db is not None
        for p in profiles:
            if p.id not in self._counted:
                self._counted.add(p.id)
                db.executemany(_COUNT_TERM, [(t,) for t in p.counted()])

    def df(self, terms: Iterable[str]) -> dict[str, int]:
        wanted = list(terms)
        db = self.open()
        if db is None or not wanted:
            return {}
        marks = ",".join("?" * len(wanted))
        return dict(db.execute(f"SELECT term, n FROM df WHERE term IN ({marks})", wanted))

    def candidates(self, keys: Sequence[str], day: float | None, window: float, limit: int) -> list[str]:
        db = self.open()
        if db is None or not keys:
            return []
        marks = ",".join("?" * len(keys))
        select = f"SELECT key, id FROM keys WHERE key IN ({marks})"
        args: list[object] = list(keys)
        if day is None:
            within = select
        else:  # whole days, as InMemory buckets them; two index ranges, not one scan of the key
            within = f"{select} AND day >= ? AND day < ? UNION ALL {select} AND day IS NULL"
            args += [math.floor(day - window), math.floor(day + window) + 1, *keys]
        sql = (
            f"WITH hits AS ({within}),"
            " common AS (SELECT key FROM hits GROUP BY key HAVING count(*) > ?)"
            " SELECT id, sum(CASE WHEN substr(key, 1, 2) = 'n:' THEN 2 ELSE 1 END) AS s FROM hits"
            " WHERE key NOT IN common GROUP BY id HAVING s >= 2 ORDER BY s DESC, id LIMIT ?"
        )
        return [r[0] for r in db.execute(sql, [*args, COMMON, limit])]

    def band_matches(self, keys: Sequence[int]) -> list[str]:
        db = self.open()
        if db is None or not keys:
            return []
        marks = ",".join("?" * len(keys))
        return [r[0] for r in db.execute(f"SELECT DISTINCT id FROM bands WHERE band IN ({marks})", list(keys))]

    def profiles(self, ids: Iterable[str]) -> dict[str, Profile]:
        db = self.open()
        found: dict[str, Profile] = {}
        if db is None:
            return found
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for r in db.execute(f"SELECT id, day, terms, names, sig FROM art WHERE id IN ({marks})", chunk):
                found[r[0]] = Profile(r[0], r[1], orjson.loads(r[2]), tuple(orjson.loads(r[3])), r[4] or b"")
        return found

    def links(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        db = self.open()
        found: dict[str, tuple[str, str | None]] = {}
        if db is None:
            return found
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for r in db.execute(f"SELECT id, story, copy_of FROM art WHERE id IN ({marks})", chunk):
                found[r[0]] = (r[1], r[2])
        return found

    def members(self, story: str) -> list[str]:
        db = self.open()
        return [] if db is None else [r[0] for r in db.execute("SELECT id FROM art WHERE story = ? ORDER BY id", (story,))]

    def copies(self, original: str) -> list[str]:
        db = self.open()
        sql = "SELECT id FROM art WHERE copy_of = ? ORDER BY id"
        return [] if db is None else [r[0] for r in db.execute(sql, (original,))]

    def add(self, profile: Profile, keys: Sequence[str], bands: Sequence[int], version: str = "") -> None:
        db = self.open()
        assert db is not None
        db.execute(
            "INSERT OR REPLACE INTO art(id, day, version, terms, names, sig, story, copy_of) VALUES(?,?,?,?,?,?,?,?)",
            (profile.id, profile.day, version, orjson.dumps(dict(profile.terms)), orjson.dumps(list(profile.names)),
             profile.signature, profile.id, None),
        )
        db.executemany("INSERT INTO keys(key, day, id) VALUES(?,?,?)", [(k, profile.day, profile.id) for k in keys])
        db.executemany("INSERT INTO bands(band, id) VALUES(?,?)", [(b, profile.id) for b in bands])
        if profile.id in self._counted:
            self._counted.discard(profile.id)
        else:
            db.executemany(_COUNT_TERM, [(t,) for t in profile.counted()])
        if self._count is not None:
            self._count += 1

    def set_links(self, links: Mapping[str, tuple[str, str | None]]) -> None:
        db = self.open()
        assert db is not None
        db.executemany("UPDATE art SET story = ?, copy_of = ? WHERE id = ?", [(s, c, i) for i, (s, c) in links.items()])

    def set_versions(self, versions: Mapping[str, str]) -> None:
        db = self.open()
        assert db is not None
        db.executemany("UPDATE art SET version = ? WHERE id = ?", [(v, i) for i, v in versions.items()])

    def forget(self, ids: Sequence[str]) -> None:
        """Take articles out (deleted, or about to be placed again): their rows, keys, bands and
        term counts; a story or copy group named after one of them is renamed after its next
        earliest member."""
        db = self.open()
        assert db is not None
        gone = self.profiles(ids)
        if not gone:
            return
        old = self.links(gone)
        for chunk in _chunks(list(gone)):
            marks = ",".join("?" * len(chunk))
            for table in ("art", "keys", "bands"):
                db.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
        for p in gone.values():
            db.executemany("UPDATE df SET n = n - 1 WHERE term = ?", [(t,) for t in p.counted()])
        self._count = None
        for article_id, (story, copy_of) in old.items():
            if story == article_id:
                self._rename("story", article_id)
            if copy_of is None:
                self._rename("copy_of", article_id)

    def _rename(self, column: str, old: str) -> None:
        db = self.open()
        assert db is not None
        rows = db.execute(f"SELECT id, day FROM art WHERE {column} = ?", (old,)).fetchall()
        if not rows:
            return
        first = min(rows, key=lambda r: order_key(r[0], r[1]))[0]
        if column == "story":
            db.execute("UPDATE art SET story = ? WHERE story = ?", (first, old))
        else:
            db.execute("UPDATE art SET copy_of = ? WHERE copy_of = ?", (first, old))
            db.execute("UPDATE art SET copy_of = NULL WHERE id = ?", (first,))

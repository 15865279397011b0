"""TinyDB over the store's files: a Storage that reads through a validating cache and stages
writes in a session, so that one logical operation becomes one durable commit."""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from store.errors import StoreCorrupt, StoreReadOnly
from store.files import commit_files

Fingerprint = tuple[int, int, int, int]


def fingerprint(path: Path) -> Fingerprint | None:
    """Inode, size, mtime and ctime: a rename of a new file changes at least the inode."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def parse_document(path: Path, raw: bytes) -> dict[str, dict[str, Any]]:
    """A TinyDB file's content, checked to be what newsdesk writes: {table: {"int": {doc}}}."""
    if not raw.strip():
        raise StoreCorrupt(path, "the file is empty")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise StoreCorrupt(path, f"not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise StoreCorrupt(path, f"expected a JSON object of tables, found {type(data).__name__}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise StoreCorrupt(path, f"table {name!r} is not an object")
        for key, doc in table.items():
            if not key.isdigit() or not isinstance(doc, dict):
                raise StoreCorrupt(path, f"table {name!r} has a malformed document {key!r}")
    return data


def serialise(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data)


RACY_NS = 3_000_000_000
"""A file modified less than this before we looked at it may change again without its
fingerprint changing: file systems reuse a replaced file's inode at once, and mtime ticks are
coarse (4 ms on ext4, 1-2 s elsewhere).  Such a file is re-read, as git does with racy entries."""


def is_racy(fp: Fingerprint, seen_ns: int) -> bool:
    return seen_ns - fp[2] < RACY_NS


class DocumentCache:
    """Parsed files keyed by path, trusted while the file's fingerprint is unchanged and the file
    was already old when it was read (see RACY_NS).  Kept LRU within a byte budget."""

    def __init__(self, budget_bytes: int = 64 * 1024 * 1024) -> None:
        self._entries: OrderedDict[Path, tuple[Fingerprint, dict[str, Any], int, int]] = OrderedDict()
        self._budget = budget_bytes
        self._bytes = 0

    def load(self, path: Path) -> dict[str, Any] | None:
        """The file's tables, or None when the file does not exist."""
        current = fingerprint(path)
        if current is None:
            self.evict(path)
            return None
        entry = self._entries.get(path)
        if entry is not None and entry[0] == current and not is_racy(current, entry[3]):
            self._entries.move_to_end(path)
            return entry[1]
        seen_ns = time.time_ns()
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            self.evict(path)
            return None
        except OSError as exc:
            raise StoreCorrupt(path, f"cannot be read ({exc.strerror})") from exc
        data = parse_document(path, raw)
        # Stat again: if the file was replaced while we read, do not cache a mismatched pair.
        if fingerprint(path) == current:
            self.put(path, data, current, len(raw), seen_ns)
        return data

    def put(self, path: Path, data: dict[str, Any], fp: Fingerprint | None, size: int, seen_ns: int) -> None:
        self.evict(path)
        if fp is None:
            return
        self._entries[path] = (fp, data, size, seen_ns)
        self._bytes += size
        while self._bytes > self._budget and len(self._entries) > 1:
            _, (_, _, old_size, _) = self._entries.popitem(last=False)
            self._bytes -= old_size

    def evict(self, path: Path) -> None:
        entry = self._entries.pop(path, None)
        if entry is not None:
            self._bytes -= entry[2]

    def fingerprint_of(self, path: Path) -> Fingerprint | None:
        entry = self._entries.get(path)
        return entry[0] if entry else None


class SessionStorage(Storage):
    """A TinyDB Storage bound to one file of a session."""

    def __init__(self, path: Path, session: Session) -> None:
        self._path = path
        self._session = session

    def read(self) -> dict[str, Any] | None:
        return self._session.load(self._path)

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        self._session.stage(self._path, data)

    def close(self) -> None:
        pass


class Session:
    """A consistent view of the store's files under the store lock.  Writes are staged and
    become durable together on commit(); nothing reaches disk before."""

    def __init__(self, root: Path, cache: DocumentCache, *, writable: bool) -> None:
        self.root = root
        self._cache = cache
        self._writable = writable
        self._staged: dict[Path, dict[str, Any]] = {}
        self._touched: set[Path] = set()

    def load(self, path: Path) -> dict[str, Any]:
        if path in self._staged:
            return self._staged[path]
        data = self._cache.load(path)
        if data is None:
            data = {}
        if self._writable:
            # TinyDB mutates what read() returns; if this session fails, drop the cached copy.
            self._touched.add(path)
        return data

    def stage(self, path: Path, data: dict[str, Any]) -> None:
        if not self._writable:
            raise StoreReadOnly(f"{path}: the store is open read-only")
        self._staged[path] = data

    def table(self, path: Path, name: str) -> Table:
        db = TinyDB(path, self, storage=SessionStorage)
        return db.table(name, cache_size=0)

    def get_doc(self, path: Path, name: str, doc_id: int) -> dict[str, Any] | None:
        """One document straight from the parsed file (no TinyDB table scan)."""
        return self.load(path).get(name, {}).get(str(doc_id))

    @property
    def staged_paths(self) -> list[Path]:
        return list(self._staged)

    def commit(self) -> dict[Path, Fingerprint | None]:
        """Write every staged file in one atomic commit; return their new fingerprints."""
        if not self._staged:
            return {}
        payload = {path: serialise(data) for path, data in self._staged.items()}
        for path in payload:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            commit_files(self.root, payload)
        except BaseException:
            self.abort()
            raise
        fingerprints: dict[Path, Fingerprint | None] = {}
        now_ns = time.time_ns()
        for path, data in self._staged.items():
            fp = fingerprint(path)
            self._cache.put(path, data, fp, len(payload[path]), now_ns)
            fingerprints[path] = fp
        self._staged.clear()
        self._touched.clear()
        return fingerprints

    def abort(self) -> None:
        for path in self._touched | set(self._staged):
            self._cache.evict(path)
        self._staged.clear()
        self._touched.clear()


def make_document(data: dict[str, Any], doc_id: int) -> Document:
    return Document(data, doc_id=doc_id)

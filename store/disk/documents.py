"""TinyDB over the store's files: a Storage that reads through a validating cache and stages
writes in a session, so that one logical operation becomes one durable commit."""

from __future__ import annotations

import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document, Table

from store.disk.files import Manifest, commit_files, read_manifest
from store.disk.layout import ARTICLES_DIR, STATE_DIR
from store.errors import StoreCorrupt, StoreReadOnly, StoreWriteFailed, not_saved_message, saved_message

STATE_DAMAGE_HINT = (
    "the tags and read state it holds cannot be changed until it is repaired "
    "(`newsdesk check --repair` says what can be done)"
)


COMPRESS_LEVEL = 1
"""zlib's fastest level: segments shrink about 2.2× (the body text is most of them), at about
10 ms a 4 MB segment; higher levels gain a few per cent for several times the time."""


def plain_bytes(path: Path, raw: bytes) -> bytes:
    """A TinyDB file's JSON: `raw` itself, or decompressed when it is a zlib stream."""
    if raw[:1] != b"\x78":
        return raw
    stream = zlib.decompressobj()
    try:
        plain = stream.decompress(raw)
    except zlib.error as exc:
        raise StoreCorrupt(path, f"not a valid compressed segment ({exc})") from exc
    if not stream.eof:
        raise StoreCorrupt(path, "a compressed segment cut short")
    if stream.unused_data:
        raise StoreCorrupt(path, f"{len(stream.unused_data)} bytes after the end of a compressed segment")
    return plain


def parse_document(path: Path, raw: bytes) -> dict[str, dict[str, Any]]:
    """A TinyDB file's content, checked to be what newsdesk writes: {table: {"int": {doc}}}.
    A zlib-compressed file (a segment, see `compressed`) is read the same, and so is a plain
    JSON one (every other file, and segments written before segments were compressed)."""
    raw = plain_bytes(path, raw)
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
    """A TinyDB file's JSON (Session.commit compresses it when the file is a segment)."""
    return orjson.dumps(data)


def compressed(path: Path) -> bool:
    """Whether the store writes this file zlib-compressed: the article segments, the bulk of the
    store, each read and written whole.  State shards and the small files stay plain JSON."""
    return path.parent.name == ARTICLES_DIR


class DocumentCache:
    """Parsed files keyed by path and the manifest generation they were read at: an entry is
    exact while the manifest names the same generation.  Kept LRU within a byte budget."""

    def __init__(self, budget_bytes: int = 16 * 1024 * 1024) -> None:
        self._entries: OrderedDict[Path, tuple[int, dict[str, Any], int]] = OrderedDict()
        self._budget = budget_bytes
        self._bytes = 0

    def load(self, path: Path, gen: int) -> dict[str, Any]:
        """The file's tables as of generation `gen` (the manifest says the file exists)."""
        entry = self._entries.get(path)
        if entry is not None and entry[0] == gen:
            self._entries.move_to_end(path)
            return entry[1]
        try:
            raw = path.read_bytes()
        except FileNotFoundError as exc:
            raise StoreCorrupt(path, "missing, though the commit manifest lists it") from exc
        except OSError as exc:
            raise StoreCorrupt(path, f"cannot be read ({exc.strerror})") from exc
        raw = plain_bytes(path, raw)  # the budget counts what was parsed
        data = parse_document(path, raw)
        self.put(path, data, gen, len(raw))
        return data

    def put(self, path: Path, data: dict[str, Any], gen: int, size: int) -> None:
        self.evict(path)
        self._entries[path] = (gen, data, size)
        self._bytes += size
        while self._bytes > self._budget and len(self._entries) > 1:
            _, (_, _, old_size) = self._entries.popitem(last=False)
            self._bytes -= old_size

    def evict(self, path: Path) -> None:
        entry = self._entries.pop(path, None)
        if entry is not None:
            self._bytes -= entry[2]


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
    """A consistent view of the store's files under the store lock, as of one manifest.
    Writes are staged and become durable together on commit(); nothing reaches disk before."""

    def __init__(self, root: Path, cache: DocumentCache, manifest: Manifest, *, writable: bool) -> None:
        self.root = root
        self.manifest = manifest
        self._cache = cache
        self._writable = writable
        self._seen: dict[Path, dict[str, Any]] = {}
        self._staged: dict[Path, dict[str, Any]] = {}
        self.damaged: dict[str, StoreCorrupt] = {}
        """Segments and state shards that catch-up found damaged and passed over (store.disk.catch_up)."""

    def gen_of(self, path: Path) -> int | None:
        return self.manifest.files.get(str(path.relative_to(self.root)))

    def load(self, path: Path) -> dict[str, Any]:
        if path in self._staged:
            return self._staged[path]
        data = self._seen.get(path)
        if data is None:
            gen = self.gen_of(path)
            try:
                data = {} if gen is None else self._cache.load(path, gen)
            except StoreCorrupt as exc:
                if self._writable and path.parent.name == STATE_DIR:
                    raise StoreCorrupt(path, f"{exc.reason}; {STATE_DAMAGE_HINT}") from exc
                raise
            self._seen[path] = data
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

    def commit(self) -> Manifest:
        """Write every staged file in one atomic commit; return the new manifest."""
        if not self._staged:
            return self.manifest
        plain = {path: serialise(data) for path, data in self._staged.items()}
        payload = {path: zlib.compress(raw, COMPRESS_LEVEL) if compressed(path) else raw for path, raw in plain.items()}
        try:
            for path in payload:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a full disk fails here too
            manifest = commit_files(self.root, self.manifest, payload)
        except OSError as exc:
            self.abort()
            reason = exc.strerror or str(exc)
            on_disk = read_manifest(self.root)
            if on_disk is not None and on_disk.gen > self.manifest.gen:  # it failed past the commit point
                message = saved_message(self.root, reason)
            else:
                message = not_saved_message(self.root, reason)
            raise StoreWriteFailed(exc.errno or 0, message) from exc
        except BaseException:
            self.abort()
            raise
        for path, data in self._staged.items():
            self._cache.put(path, data, manifest.gen, len(plain[path]))
        self.manifest = manifest
        self._staged.clear()
        self._seen.clear()
        return manifest

    def abort(self) -> None:
        # TinyDB mutates what read() returned: drop every copy this session may have touched.
        for path in set(self._seen) | set(self._staged):
            self._cache.evict(path)
        self._staged.clear()
        self._seen.clear()


def make_document(data: dict[str, Any], doc_id: int) -> Document:
    return Document(data, doc_id=doc_id)

"""Durable file commits: temp files, fsync, a manifest renamed into place as the commit point,
then renames; an flock on a sidecar file orders the processes."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import orjson

from store.errors import StoreCorrupt, StoreError, StoreReadOnly

FILE_MODE = 0o600
DIR_MODE = 0o700
TMP_MARK = ".tmp-"


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs(path: Path) -> None:
    """`mkdir -p` with every directory it creates 0700 (Path.mkdir gives the parents it makes
    the umask's mode: 0777 under umask 000)."""
    missing: list[Path] = []
    while not path.exists():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for directory in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process may race us
            directory.mkdir(mode=DIR_MODE)


def open_to_others(path: Path) -> int:
    """The permission bits of `path` when they let other users in; 0 when it is private (or
    cannot be looked at)."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return 0
    return mode if mode & 0o077 else 0


def write_new(path: Path, data: bytes, *, sync: bool = True) -> None:
    """Write `data` to a new 0600 file and fsync it (the file must not exist; removed on failure).
    Without `sync`, the caller fsyncs it (`fsync_files`) before relying on it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    os.close(fd)


def write_temp(final: Path, data: bytes, tag: str, *, sync: bool = True) -> Path:
    """Write `data` beside `final` in a new 0600 temp file and fsync it (unless not `sync`: see
    write_new); return the temp path."""
    tmp = final.with_name(f"{final.name}{TMP_MARK}{tag}")
    write_new(tmp, data, sync=sync)
    return tmp


FSYNC_THREADS = 16
PARALLEL_FSYNC_AFTER = 16
"""A commit of more files than this fsyncs them from threads (an import batch: its segments and
up to 64 state shards); a smaller one, one after another, in a fixed order."""


def fsync_files(paths: list[Path]) -> None:
    """fsync each file; many at once from threads (above PARALLEL_FSYNC_AFTER files).  The
    filesystem then writes them in one journal commit or a few, where one fsync after another
    waits for a commit each: 64 state shards take ~10-60 ms so, ~120-300 ms in turn (ext4)."""
    if len(paths) <= PARALLEL_FSYNC_AFTER:
        for path in paths:
            _fsync_path(path)
        return
    failures: list[BaseException] = []
    shares = [paths[k::FSYNC_THREADS] for k in range(min(FSYNC_THREADS, len(paths)))]

    def run(share: list[Path]) -> None:
        try:
            for path in share:
                _fsync_path(path)
        except BaseException as exc:  # raised again in the calling thread
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(share,), daemon=True) for share in shares]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def all_dirs(root: Path) -> Iterator[Path]:
    """`root` and every directory below it (to fsync a tree written fresh)."""
    yield root
    for path in root.rglob("*"):
        if path.is_dir():
            yield path


def write_atomic(final: Path, data: bytes) -> None:
    """Replace one file atomically and durably."""
    tmp = write_temp(final, data, secrets.token_hex(4))
    try:
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(final.parent)


MANIFEST = "manifest.json"


@dataclass(frozen=True, slots=True)
class Manifest:
    """The commit record: the store's generation, the generation in which each TinyDB file last
    changed, and the files of the latest commit (which recovery may have to roll forward).
    Change detection compares generations, never timestamps or inodes, so it is exact."""

    gen: int
    files: dict[str, int]
    pending: tuple[str, ...] = ()

    def to_bytes(self) -> bytes:
        return orjson.dumps({"gen": self.gen, "files": self.files, "pending": list(self.pending)})

    @classmethod
    def parse(cls, path: Path, raw: bytes) -> Manifest:
        try:
            data = orjson.loads(raw)
            files = {str(k): int(v) for k, v in data["files"].items()}
            return cls(int(data["gen"]), files, tuple(str(p) for p in data.get("pending", ())))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StoreCorrupt(path, f"unreadable commit manifest ({exc})") from exc


EMPTY_MANIFEST = Manifest(0, {})


def read_manifest(root: Path) -> Manifest | None:
    path = root / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreCorrupt(path, f"cannot be read ({exc.strerror})") from exc
    return Manifest.parse(path, raw)


def temp_path(final: Path, gen: int) -> Path:
    return final.with_name(f"{final.name}{TMP_MARK}{gen}")


def commit_files(root: Path, manifest: Manifest, files: Mapping[Path, bytes | None]) -> Manifest:
    """Replace (bytes) or delete (None) the given files as one atomic, durable commit.

    Every new file is written to a temp named after the new generation and fsynced (all at once:
    fsync_files), with its directory; then the manifest naming the generation is replaced
    atomically: that rename is the commit point.  Then the temps are renamed over their
    targets.  A crash before the manifest leaves the old state (the temps are stray and
    `recover` deletes them); a crash after it is rolled forward by `recover` from the temps,
    which are durable by then."""
    gen = manifest.gen + 1
    temps: list[Path] = []
    try:
        for path, data in files.items():
            if data is not None:
                temps.append(write_temp(path, data, str(gen), sync=False))
        fsync_files(temps)  # every temp durable before the manifest names it
        for directory in {tmp.parent for tmp in temps}:
            fsync_dir(directory)
        changed = dict(manifest.files)
        for path, data in files.items():
            rel = str(path.relative_to(root))
            if data is None:
                changed.pop(rel, None)
            else:
                changed[rel] = gen
        new = Manifest(gen, changed, tuple(str(p.relative_to(root)) for p in files))
        temps.append(write_temp(root / MANIFEST, new.to_bytes(), str(gen)))
        os.replace(temps[-1], root / MANIFEST)  # the commit point
    except BaseException:
        for tmp in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    # Committed: whatever fails from here on, the new state is the one recovery restores.
    try:
        fsync_dir(root)
    finally:
        roll_forward(root, new)
    return new


def roll_forward(root: Path, manifest: Manifest) -> bool:
    """Put the latest commit's temps in place and remove the files it deleted; True if it had to."""
    did = False
    for rel in manifest.pending:
        final = root / rel
        if rel in manifest.files:
            tmp = temp_path(final, manifest.gen)
            if tmp.exists():
                os.replace(tmp, final)
                did = True
        elif final.exists():
            os.unlink(final)
            did = True
    return did


def needs_recovery(root: Path, manifest: Manifest) -> bool:
    """Whether the latest commit was interrupted after its commit point (a few stats)."""
    for rel in manifest.pending:
        final = root / rel
        if rel in manifest.files:
            if temp_path(final, manifest.gen).exists():
                return True
        elif final.exists():
            return True
    return False


def recover(root: Path, subdirs: tuple[str, ...], manifest: Manifest) -> int:
    """Finish an interrupted commit and delete temp files no commit will use; returns how many
    temp files were deleted.  Call with the exclusive lock held."""
    if roll_forward(root, manifest):
        for directory in {(root / rel).parent for rel in manifest.pending}:
            fsync_dir(directory)
    removed = 0
    for directory in (root, *(root / s for s in subdirs)):
        try:
            names = os.listdir(directory)
        except FileNotFoundError:
            continue
        for name in names:
            if TMP_MARK in name:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(directory / name)
                    removed += 1
    return removed


class StoreLock:
    """Shared/exclusive flock on the store's lock file, plus a thread lock for this process
    (flock is per open file, so threads of one process would not exclude each other)."""

    def __init__(self, path: Path, *, readonly: bool) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._mode = 0
        flags = os.O_RDONLY if readonly else os.O_RDWR | os.O_CREAT
        try:
            self._fd: int | None = os.open(path, flags | os.O_CLOEXEC, FILE_MODE)
        except FileNotFoundError:
            self._fd = None  # a read-only store written before the lock existed: nothing to order
        except PermissionError as exc:
            if readonly:
                self._fd = None
            else:
                raise StoreReadOnly(f"{path}: {exc.strerror}") from exc

    @property
    def idle(self) -> bool:
        """No thread of this process holds the lock (a hint: another thread may take it next)."""
        return self._depth == 0

    @contextlib.contextmanager
    def hold(self, exclusive: bool) -> Iterator[None]:
        """Hold the lock; nested holds in one thread reuse the outer one (exclusive wins)."""
        with self._thread_lock:
            outer_mode = self._mode
            wanted = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
            if self._fd is not None and (self._depth == 0 or (wanted == fcntl.LOCK_EX and outer_mode != wanted)):
                self._flock(wanted)
                self._mode = wanted
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._fd is not None:
                    if self._depth == 0:
                        fcntl.flock(self._fd, fcntl.LOCK_UN)
                        self._mode = 0
                    elif outer_mode != self._mode:
                        self._flock(outer_mode)
                        self._mode = outer_mode

    def _flock(self, mode: int) -> None:
        assert self._fd is not None
        while True:
            try:
                fcntl.flock(self._fd, mode)
                return
            except OSError as exc:  # pragma: no cover - EINTR is retried by Python; be explicit
                if exc.errno != errno.EINTR:
                    raise StoreError(f"{self.path}: cannot lock ({exc.strerror})") from exc

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

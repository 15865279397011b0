"""Durable file commits: temp file, fsync, rename, directory fsync; a redo journal makes a commit
that spans several files atomic; an flock on a sidecar file orders the processes."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import orjson

from store.errors import StoreCorrupt, StoreError, StoreReadOnly

FILE_MODE = 0o600
DIR_MODE = 0o700
JOURNAL = "journal.json"
TMP_MARK = ".tmp-"


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in `path` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(final: Path, data: bytes, tag: str) -> Path:
    """Write `data` beside `final` in a new 0600 temp file and fsync it; return the temp path."""
    tmp = final.with_name(f"{final.name}{TMP_MARK}{tag}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


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


def commit_files(root: Path, files: Mapping[Path, bytes]) -> None:
    """Replace every file in `files` as one atomic, durable commit.

    One file: temp + rename.  Several: all temps are written and fsynced, then a journal naming
    them is renamed into place (the commit point), then the temps are renamed over their targets
    and the journal removed.  A crash before the journal leaves the old state (stray temps are
    cleaned by `recover`); a crash after it is rolled forward by `recover`."""
    if not files:
        return
    if len(files) == 1:
        ((path, data),) = files.items()
        write_atomic(path, data)
        return
    tag = secrets.token_hex(6)
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            temps.append((write_temp(path, data, tag), path))
        for directory in {tmp.parent for tmp, _ in temps}:
            fsync_dir(directory)
        journal = orjson.dumps(
            {"tag": tag, "files": [[str(t.relative_to(root)), str(p.relative_to(root))] for t, p in temps]}
        )
        write_atomic(root / JOURNAL, journal)
    except BaseException:
        for tmp, _ in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    _roll_forward(root)


def _roll_forward(root: Path) -> None:
    journal_path = root / JOURNAL
    try:
        journal = orjson.loads(journal_path.read_bytes())
        pairs = [(root / tmp, root / final) for tmp, final in journal["files"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreCorrupt(journal_path, f"unreadable commit journal ({exc})") from exc
    directories = set()
    for tmp, final in pairs:
        if tmp.exists():
            os.replace(tmp, final)
        directories.add(final.parent)
    for directory in directories:
        fsync_dir(directory)
    os.unlink(journal_path)
    fsync_dir(root)


def needs_recovery(root: Path) -> bool:
    return (root / JOURNAL).exists()


def recover(root: Path, subdirs: tuple[str, ...]) -> int:
    """Finish an interrupted commit and remove temp files no commit will use; returns how many
    temp files were removed.  Call with the exclusive lock held."""
    if (root / JOURNAL).exists():
        _roll_forward(root)
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

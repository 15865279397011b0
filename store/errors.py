"""Errors the store raises; the CLI maps every StoreError to exit code 3."""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """The store cannot be used as asked (CLI exit code 3)."""


class StoreCorrupt(StoreError):
    """A store file does not hold what newsdesk wrote; it is left untouched for the user."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}; the file was left untouched")
        self.path = path
        self.reason = reason


class StoreReadOnly(StoreError):
    """A write was asked of a store this process may only read."""


class StoreWriteFailed(StoreError, OSError):
    """A commit could not be written (disk full, I/O error): the message says whether the store
    is as it was, or the change was saved and the next use completes it."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


class IndexWriteFailed(StoreError):
    """A write to a derived index (index.sqlite) failed, e.g. for want of space.  The TinyDB
    files are the truth: the caller says whether its change was saved before this."""


NO_SPACE = "no space left on the device"
LOW_SPACE_BYTES = 256 * 1024
"""Below this much free space, a failure to open for writing is taken for want of space."""


def space_left(path: Path) -> int | None:
    """Bytes free to an unprivileged writer on `path`'s file system (None: cannot tell)."""
    import os

    try:
        st = os.statvfs(path)
    except OSError:
        return None
    return st.f_bavail * st.f_frsize


def for_want_of_space(exc: BaseException, path: Path) -> bool:
    """Whether a failed write at `path` is for want of space: ENOSPC or EDQUOT, SQLite's "database
    or disk is full", or any I/O failure while (almost) nothing is free."""
    import errno

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "disk is full" in str(current) or "No space left" in str(current):
            return True
        current = current.__cause__ or current.__context__
    free = space_left(path)
    return free is not None and free < LOW_SPACE_BYTES


def saved_message(root: Path, reason: str) -> str:
    """A write that failed past its commit point: the change is in the TinyDB files."""
    return f"{root}: the change was saved, but finishing it failed ({reason}); the next use completes it"


def not_saved_message(root: Path, reason: str) -> str:
    """A write that failed before its commit point: nothing changed."""
    return f"{root}: the change could not be written ({reason}): not saved; the store is as it was"


class TextIndexError(Exception):
    """The full-text index cannot be opened (damaged, or unreadable): store.search.text_index."""

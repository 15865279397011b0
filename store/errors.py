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

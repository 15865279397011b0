"""The main screen's undo and redo: a stack of the reader's own changes, newest last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

UNDO_DEPTH = 100
"""Changes kept for undo; older ones drop off."""


@dataclass(frozen=True, slots=True)
class Deletion:
    """Deleted articles, as records with their state: what an undo puts back."""

    records: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.records)


@dataclass(frozen=True, slots=True)
class Restoration:
    """Articles an undo put back: what a redo deletes again."""

    ids: list[str]

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class BodyChange:
    """An article's body, links and teaser as they were before the reader's full text (`f`)
    replaced them: what an undo writes back (and its inverse, what a redo writes again)."""

    article_id: str
    fields: dict[str, Any]

    def __len__(self) -> int:
        return 1


StateChanges: TypeAlias = dict[str, Any]
"""A tag or state change as the store reports it: article id -> (before, after)."""
UndoEntry: TypeAlias = "StateChanges | Deletion | Restoration | BodyChange"


class UndoStack:
    """What `u` undoes and `ctrl+r` redoes.  A new change clears the redo side; undoing an entry
    puts its inverse (what the store did to undo it) on the other side."""

    def __init__(self, depth: int = UNDO_DEPTH) -> None:
        self.depth = depth
        self.undoable: list[UndoEntry] = []
        self.redoable: list[UndoEntry] = []

    def push(self, entry: UndoEntry) -> None:
        """A change made by the reader: undoable, and the redo side is cleared."""
        self.undoable.append(entry)
        self.redoable.clear()
        del self.undoable[: -self.depth]

    def pop(self, redo: bool) -> UndoEntry | None:
        """The entry to undo (or redo), taken off its side; None when there is none."""
        side = self.redoable if redo else self.undoable
        return side.pop() if side else None

    def undone(self, inverse: UndoEntry, redo: bool) -> None:
        """The inverse of an entry just undone goes on the redo side (a redo's on the undo side)."""
        if inverse:
            (self.undoable if redo else self.redoable).append(inverse)

    def __len__(self) -> int:
        return len(self.undoable)

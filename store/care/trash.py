"""The trash: what `delete`, the reader's `D` and retention remove is kept in `trash.json` (a
TinyDB file of the store, written in the same commit as the deletion) for `[store] trash_days`,
and `undelete` brings it back with its tags and state.  Retention (`prune`) counts an article's
age from when it entered this store (`added`, set only by the store), or from its publication
date when asked by name (store.care.trashing).  This module is the file: its entries, and
putting deleted articles in."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from articles.dates import format_rfc3339, now_utc, to_timestamp
from store.disk.documents import Session, make_document
from store.disk.layout import STORE_FILE, TRASH_FILE, doc_id

TRASH_DAYS = 30
"""How long the trash keeps what was deleted, unless told ([store] trash_days)."""
KEEP_BY = ("added", "published")
"""What retention counts an article's age from: when it entered this store, or its date."""


@dataclass(frozen=True, slots=True)
class TrashEntry:
    """One deleted article as the trash keeps it: the whole record and its state."""

    record: dict[str, Any]
    tags: tuple[str, ...]
    read: bool
    starred: bool
    deleted: str
    why: str

    @property
    def id(self) -> str:
        return str(self.record["id"])

    @property
    def title(self) -> str:
        return str(self.record.get("title") or "")

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TrashEntry | None:
        record = doc.get("record")
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            return None
        tags = doc.get("tags")
        if not isinstance(tags, list):
            tags = []
        return cls(
            record=record,
            tags=tuple(t for t in tags if isinstance(t, str)),
            read=bool(doc.get("read")),
            starred=bool(doc.get("starred")),
            deleted=str(doc.get("deleted") or ""),
            why=str(doc.get("why") or "delete"),
        )

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "id": self.id,
            "title": self.title,
            "source": r.get("source") or "",
            "url": r.get("url"),
            "published": r.get("published"),
            "tags": list(self.tags),
            "read": self.read,
            "starred": self.starred,
            "added": r.get("added"),
            "deleted": self.deleted,
            "why": self.why,
        }

    def as_deleted(self) -> dict[str, Any]:
        """The form delete_articles returns and restore_articles takes."""
        return {"record": dict(self.record), "tags": list(self.tags), "read": self.read, "starred": self.starred}


def stage_trash(
    session: Session, deleted: Sequence[dict[str, Any]], why: str, *, now: float | None = None, days: int | None = None
) -> None:
    """Put `deleted` (delete_articles' records with state) into the trash, in `session`'s
    commit; with `days`, drop what has been there longer."""
    path = session.root / TRASH_FILE
    table = session.table(path, "trash")
    present = session.load(path).get("trash", {})
    when = format_rfc3339(now_utc()) if now is None else _rfc3339(now)
    ids = [doc_id(d["record"]["id"]) for d in deleted]
    stale = [i for i in ids if str(i) in present]
    if days is not None:
        stale += expired(present, days, now)
    if stale:
        table.remove(doc_ids=list(dict.fromkeys(stale)))
    if deleted:
        table.insert_multiple(
            make_document({**d, "deleted": when, "why": why}, doc_id(d["record"]["id"])) for d in deleted
        )


def expired(docs: dict[str, Any], days: int, now: float | None) -> list[int]:
    cutoff = (time.time() if now is None else now) - days * 86_400
    gone: list[int] = []
    for key, doc in docs.items():
        stamp = to_timestamp(doc.get("deleted")) if isinstance(doc, dict) else None
        if stamp is None or stamp < cutoff:
            gone.append(int(key))
    return gone


def _rfc3339(timestamp: float) -> str:
    from datetime import UTC, datetime

    return format_rfc3339(datetime.fromtimestamp(timestamp, UTC))


def added_since(session: Session) -> float:
    meta = session.load(session.root / STORE_FILE).get("meta", {}).get("1", {})
    value = meta.get("added_since") if isinstance(meta, dict) else None
    return to_timestamp(value if isinstance(value, str) else None) or time.time()

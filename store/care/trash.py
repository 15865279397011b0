"""The trash: what `delete`, the reader's `D` and retention remove is kept in `trash.json` (a
TinyDB file of the store, written in the same commit as the deletion) for `[store] trash_days`,
and `undelete` brings it back with its tags and state.  Retention (`prune`) counts an article's
age from when it entered this store (`added`, set only by the store), or from its publication
date when asked by name.  A NewsStore mixin."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from articles.dates import format_rfc3339, now_utc, to_timestamp
from store.disk.documents import Session, make_document
from store.disk.layout import STORE_FILE, TRASH_FILE, doc_id
from store.search.query import parse_query
from store.search.query_nodes import Everything, Query
from store.search.text_fields import date_key_base, text_fields
from store.search.text_match import Candidate, matches

if TYPE_CHECKING:
    from store.disk.catalogue import Index

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
        tags = doc.get("tags") if isinstance(doc.get("tags"), list) else []
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
        stale += _expired(present, days, now)
    if stale:
        table.remove(doc_ids=list(dict.fromkeys(stale)))
    if deleted:
        table.insert_multiple(
            make_document({**d, "deleted": when, "why": why}, doc_id(d["record"]["id"])) for d in deleted
        )


def _expired(docs: dict[str, Any], days: int, now: float | None) -> list[int]:
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


class TrashMixin:
    _index: Index

    if TYPE_CHECKING:
        from contextlib import AbstractContextManager

        def _reading(self) -> AbstractContextManager[Session]: ...
        def _writing(self) -> AbstractContextManager[Session]: ...
        def delete_articles(
            self, ids: Sequence[str], *, why: str = ..., trash_days: int | None = ..., now: float | None = ...
        ) -> list[dict[str, Any]]: ...
        def restore_articles(self, deleted: Sequence[dict[str, Any]]) -> int: ...
        @staticmethod
        def _names(parsed: Query, session: Session) -> Any: ...

    def trash(self) -> list[TrashEntry]:
        """What the trash holds, most recently deleted first."""
        with self._reading() as session:
            docs = session.load(session.root / TRASH_FILE).get("trash", {})
            entries = [e for e in (TrashEntry.from_doc(d) for d in docs.values()) if e is not None]
        entries.sort(key=lambda e: (e.deleted, e.id), reverse=True)
        return entries

    def trash_matching(self, query: Query | str) -> list[TrashEntry]:
        """The trashed articles a query matches (the query language, evaluated on each)."""
        parsed = query if isinstance(query, Query) else parse_query(query)
        entries = self.trash()
        if isinstance(parsed.node, Everything):
            return entries
        with self._reading() as session:
            names = self._names(parsed, session)
        found = []
        for entry in entries:
            r = entry.record
            stamp = to_timestamp(r.get("published")) or to_timestamp(r.get("fetched")) or 0.0
            fields = text_fields(entry.id, date_key_base(stamp), r, entry.tags, entry.read, entry.starred)
            if matches(parsed.node, Candidate.of(fields), names):
                found.append(entry)
        return found

    def undelete(self, query: Query | str) -> list[TrashEntry]:
        """Bring the trashed articles a query matches back, with their tags and state, and take
        them out of the trash.  An undeleted article counts as added now (else retention would
        take it again at once).  Returns what was brought back."""
        wanted = self.trash_matching(query)
        if not wanted:
            return []
        now = format_rfc3339(now_utc())
        self.restore_articles([{**e.as_deleted(), "record": {**e.record, "added": now}} for e in wanted])
        return wanted

    def _drop_from_trash(self, ids: Sequence[str]) -> None:
        with self._writing() as session:
            path = session.root / TRASH_FILE
            docs = session.load(path).get("trash", {})
            gone = [doc_id(i) for i in ids if str(doc_id(i)) in docs]
            if gone:
                session.table(path, "trash").remove(doc_ids=gone)
                session.commit()

    def purge_trash(self, days: int = TRASH_DAYS, now: float | None = None) -> int:
        """Drop what has been in the trash longer than `days`; returns how many went."""
        with self._writing() as session:
            path = session.root / TRASH_FILE
            gone = _expired(session.load(path).get("trash", {}), days, now)
            if gone:
                session.table(path, "trash").remove(doc_ids=gone)
                session.commit()
        return len(gone)

    def prune(
        self,
        days: int,
        now: float | None = None,
        *,
        by: str = "added",
        spare: Sequence[str] = (),
        trash_days: int = TRASH_DAYS,
    ) -> list[dict[str, Any]]:
        """Retention: move to the trash the articles that are neither starred nor tagged and are
        older than `days` — counted from when they entered this store (`by="added"`), or from
        their publication date (`by="published"`; articles of unknown date are kept).  `spare`:
        ids never taken (what an import has just brought in).  Returns what was moved."""
        if by not in KEEP_BY:
            raise ValueError(f"retention counts from one of {', '.join(KEEP_BY)}, not {by!r}")
        cutoff = (time.time() if now is None else now) - days * 86_400
        with self._reading() as session:
            db = self._index.connection
            if by == "published":
                sql = (
                    "SELECT id FROM articles WHERE published IS NOT NULL AND sort_ts > 0 AND sort_ts < ?"
                    " AND starred = 0 AND tags = '[]'"
                )
                rows = db.execute(sql, (cutoff,)).fetchall()
            else:
                # Articles stored before `added` was recorded count from the first time a newsdesk
                # that records it opened the store (store.disk.opening): never older than that.
                since = _added_since(session)
                sql = "SELECT id FROM articles WHERE coalesce(added_ts, ?) < ? AND starred = 0 AND tags = '[]'"
                rows = db.execute(sql, (since, cutoff)).fetchall()
        spared = set(spare)
        return self.delete_articles(
            [r[0] for r in rows if r[0] not in spared], why="retention", trash_days=trash_days, now=now
        )


def _added_since(session: Session) -> float:
    meta = session.load(session.root / STORE_FILE).get("meta", {}).get("1", {})
    value = meta.get("added_since") if isinstance(meta, dict) else None
    return to_timestamp(value if isinstance(value, str) else None) or time.time()

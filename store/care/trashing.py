"""Deleting articles into the trash and bringing them back: `delete`, the reader's `D`,
retention (`prune`), `undelete`, and emptying the trash (store.care.trash is the file)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from articles.dates import format_rfc3339, now_utc, to_timestamp
from articles.model import Article
from store.care.trash import KEEP_BY, TRASH_DAYS, TrashEntry, added_since, expired, stage_trash
from store.disk.layout import TRASH_FILE, doc_id, segment_path, shard_of, state_path
from store.disk.tables import stored_state
from store.search.query import parse_query
from store.search.query_nodes import Everything, Query
from store.search.text_fields import date_key_base, text_fields
from store.search.text_match import Candidate, matches
from store.tags import merge_tags
from store.values import State

if TYPE_CHECKING:
    from store.adding import Adding
    from store.core import StoreCore
    from store.tagging import Tagging


class Trash:
    """Deletion into the trash, its undo, retention, and what the trash holds."""

    def __init__(self, core: StoreCore, tagging: Tagging, adding: Adding) -> None:
        self.core = core
        self.tagging = tagging
        self.adding = adding

    def delete_articles(
        self, ids: Sequence[str], *, why: str = "delete", trash_days: int | None = None, now: float | None = None
    ) -> list[dict[str, Any]]:
        """Move articles (record and state) to the trash in one commit (store.care.trash; `why`:
        "delete" or "retention"; with `trash_days`, what the trash held longer goes for good);
        returns what was deleted, as records with their state, which `restore_articles` puts
        back (undo)."""
        wanted = list(dict.fromkeys(ids))
        with self.core.writing() as session:
            located = self.core.catalogue.locate(wanted)
            if not located:
                return []
            deleted: list[dict[str, Any]] = []
            by_segment: dict[int, list[str]] = {}
            for article_id, (seg, _hash) in located.items():
                by_segment.setdefault(seg, []).append(article_id)
            for seg, in_segment in by_segment.items():
                path = segment_path(self.core.root, seg)
                for article_id in in_segment:
                    doc = session.get_doc(path, "articles", doc_id(article_id))
                    if doc is not None:
                        state = stored_state(session, article_id)
                        deleted.append(
                            {
                                "record": dict(doc),
                                "tags": list(state.tags),
                                "read": state.read,
                                "starred": state.starred,
                            }
                        )
                session.table(path, "articles").remove(doc_ids=[doc_id(i) for i in in_segment])
            by_shard: dict[int, list[str]] = {}
            for article_id in located:
                by_shard.setdefault(shard_of(article_id), []).append(article_id)
            for shard, in_shard in by_shard.items():
                path = state_path(self.core.root, shard)
                present = session.load(path).get("state", {})
                gone = [doc_id(i) for i in in_shard if str(doc_id(i)) in present]
                if gone:
                    session.table(path, "state").remove(doc_ids=gone)
            stage_trash(session, deleted, why, now=now, days=trash_days)
            session.commit()
            self.core.record_commit(session, list(located), deleted=list(located))
        return deleted

    def restore_articles(self, deleted: Sequence[dict[str, Any]]) -> int:
        """Put deleted articles back with their tags and state, and out of the trash (the undo
        of delete_articles).  An article stored again meanwhile keeps its record; it gets the
        tags and state back."""
        if not deleted:
            return 0
        with self.core.reading():
            stored = self.core.catalogue.locate([d["record"]["id"] for d in deleted])
        self.adding.add_articles(
            [Article.from_record(d["record"]) for d in deleted if d["record"]["id"] not in stored], keep_added=True
        )
        by_id = {d["record"]["id"]: d for d in deleted}

        def back(article_id: str) -> Any:
            saved = by_id[article_id]
            return lambda s: State(tuple(merge_tags(s.tags, saved["tags"])), saved["read"], saved["starred"])

        self.tagging.rewrite_each({i: back(i) for i in by_id})
        # Back first, out of the trash second: a crash between leaves a copy in both, never none.
        self._drop_from_trash(list(by_id))
        return len(deleted)

    def trash(self) -> list[TrashEntry]:
        """What the trash holds, most recently deleted first."""
        with self.core.reading() as session:
            docs = session.load(session.root / TRASH_FILE).get("trash", {})
            entries = [e for e in (TrashEntry.from_doc(d) for d in docs.values()) if e is not None]
        entries.sort(key=lambda e: (e.deleted, e.id), reverse=True)
        return entries

    def trash_matching(self, query: Query | str) -> list[TrashEntry]:
        """The trashed articles a query matches (the query language, evaluated on each)."""
        from store.search.matches import entity_names  # the full-text side (tantivy): only here

        parsed = query if isinstance(query, Query) else parse_query(query)
        entries = self.trash()
        if isinstance(parsed.node, Everything):
            return entries
        with self.core.reading() as session:
            names = entity_names(parsed, session)
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
        with self.core.writing() as session:
            path = session.root / TRASH_FILE
            docs = session.load(path).get("trash", {})
            gone = [doc_id(i) for i in ids if str(doc_id(i)) in docs]
            if gone:
                session.table(path, "trash").remove(doc_ids=gone)
                session.commit()

    def purge_trash(self, days: int = TRASH_DAYS, now: float | None = None) -> int:
        """Drop what has been in the trash longer than `days`; returns how many went."""
        with self.core.writing() as session:
            path = session.root / TRASH_FILE
            gone = expired(session.load(path).get("trash", {}), days, now)
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
        with self.core.reading() as session:
            db = self.core.catalogue.connection
            if by == "published":
                sql = (
                    "SELECT id FROM articles WHERE published IS NOT NULL AND sort_ts > 0 AND sort_ts < ?"
                    " AND starred = 0 AND tags = '[]'"
                )
                rows = db.execute(sql, (cutoff,)).fetchall()
            else:
                # Articles stored before `added` was recorded count from the first time a newsdesk
                # that records it opened the store (store.disk.opening): never older than that.
                since = added_since(session)
                sql = "SELECT id FROM articles WHERE coalesce(added_ts, ?) < ? AND starred = 0 AND tags = '[]'"
                rows = db.execute(sql, (since, cutoff)).fetchall()
        spared = set(spare)
        return self.delete_articles(
            [r[0] for r in rows if r[0] not in spared], why="retention", trash_days=trash_days, now=now
        )

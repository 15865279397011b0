"""Adding articles: an import batch as one commit (new articles appended, changed ones updated in
place, duplicates counted, the tags and state records carry), and storing extracted entities."""

from __future__ import annotations

import errno
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from articles.dates import format_rfc3339, now_utc
from articles.model import Article, Entity
from store.disk.catalogue_rows import CatalogueRow
from store.disk.documents import Session
from store.disk.layout import doc_id, shard_of
from store.disk.tables import StoredStates, append_articles, write_states
from store.errors import NO_SPACE, StoreCorrupt, StoreWriteFailed
from store.full_text import kept_full_text
from store.tags import TagError, merge_tags, normalise_tag
from store.values import DEFAULT_STATE, ImportCounts, State

if TYPE_CHECKING:
    from store.core import StoreCore
    from store.search.text_sync import TextSync
    from store.user.rules import Rules


class Adding:
    """Writing articles and their entities (each call one commit)."""

    def __init__(self, core: StoreCore, text: TextSync, rules: Rules) -> None:
        self.core = core
        self.text = text
        self.rules = rules

    def add_articles(self, articles: Iterable[Article], *, keep_added: bool = False) -> ImportCounts:
        """Import one batch as one commit: new articles appended, changed ones updated in place,
        identical ones counted as duplicates; stored tags and state are kept, record tags added.
        `added` is the store's own: now for a new article, kept for a stored one; an article's
        own `added` is taken only with `keep_added` (putting back what this store deleted)."""
        batch: dict[str, Article] = {}
        carried: dict[str, list[str]] = defaultdict(list)
        counts = ImportCounts()
        for article in articles:
            if article.id in batch:
                counts.duplicates += 1  # the same item twice in one batch: the later one wins
            batch[article.id] = article
            for raw in article.tags:
                try:
                    carried[article.id].append(normalise_tag(raw))
                except TagError as exc:
                    counts.problems.append(f"{article.id}: tag skipped: {exc}")
        if not batch:
            return counts
        now = format_rfc3339(now_utc())
        with self.core.writing() as session:
            located = self.core.catalogue.locate(list(batch))
            appended: list[dict[str, Any]] = []
            updated_by_seg: dict[int, list[dict[str, Any]]] = defaultdict(list)
            written: dict[str, dict[str, Any]] = {}  # id -> the record committed for it
            for article_id, article in batch.items():
                record = article.to_record()
                record["fetched"] = record["fetched"] or now
                if article_id not in located:
                    record["added"] = (keep_added and record["added"]) or now
                    appended.append(record)
                    written[article_id] = record
                    counts.imported += 1
                    continue
                seg, old_hash = located[article_id]
                if old_hash == record["hash"]:
                    old = session.get_doc(self.core.segment_path(seg), "articles", doc_id(article_id)) or {}
                    if record["entities"] is None or old.get("entities") == record["entities"]:
                        counts.duplicates += 1
                        continue
                    # The same content, now with entities (an export of an extracted store): take them.
                    record = {**old, "entities": record["entities"]}
                    updated_by_seg[seg].append(record)
                    written[article_id] = record
                    counts.updated += 1
                    continue
                old = session.get_doc(self.core.segment_path(seg), "articles", doc_id(article_id)) or {}
                kept = kept_full_text(old, record)  # the teaser again: the reader's full text stays
                if kept is not None and kept["hash"] == old_hash:
                    counts.duplicates += 1
                    continue
                record = kept or record
                for name, empty in (("links", []), ("teaser", "")):
                    if old.get(name) and name not in record:
                        record[name] = empty  # update() merges: what the new record lacks goes
                record["fetched"] = old.get("fetched") or record["fetched"]
                record["added"] = old.get("added")  # None for an article stored before `added` was
                record["updated"] = now
                if old.get("date_only") and not record.get("date_only"):
                    record["date_only"] = False  # update() merges: a day that gained a time says so
                if article.entities is None and (old.get("title"), old.get("body")) == (
                    record["title"],
                    record["body"],
                ):
                    record["entities"] = old.get("entities")
                updated_by_seg[seg].append(record)
                written[article_id] = record
                counts.updated += 1
            placed: dict[str, int] = {}
            for seg, records in updated_by_seg.items():
                table = session.table(self.core.segment_path(seg), "articles")
                for record in records:
                    table.update(record, doc_ids=[doc_id(record["id"])])
                    placed[record["id"]] = seg
            placed.update(append_articles(session, appended))
            states = self._carry_states(session, batch, carried, located)
            session.commit()
            # The index caught up with the files as this session began, so it knows the state of
            # the articles it holds; a new article's comes from its shard, a damaged one read as
            # empty (as catch-up does): an import that writes no state never fails on one.
            known = self.core.catalogue.states_of([i for i in placed if i in located and i not in states])
            stored_state = StoredStates(session)

            def row_state(article_id: str) -> State:
                if article_id in states:
                    return states[article_id]
                if article_id in located:
                    return known.get(article_id, DEFAULT_STATE)
                try:
                    return stored_state(article_id)
                except StoreCorrupt:
                    return DEFAULT_STATE

            rows = [
                (CatalogueRow.from_record(written[article_id], seg), row_state(article_id), shard_of(article_id))
                for article_id, seg in placed.items()
            ]
            state_only = {i: s for i, s in states.items() if i not in placed}
            counts.ids = list(placed)
            counts.new_ids = [i for i in placed if i not in located]
            self.core.record_commit(session, [*placed, *state_only], rows, state_only)
        self.text.imported(len(placed))
        try:
            self.rules.after_add(counts.ids)  # rules see new and changed articles
        except StoreWriteFailed as exc:
            raise StoreWriteFailed(
                exc.errno or errno.EIO,
                f"{self.core.root}: the import was saved, but applying the rules to it failed"
                f" ({NO_SPACE if exc.errno == errno.ENOSPC else os.strerror(exc.errno or errno.EIO)});"
                " `newsdesk rules apply` applies them",
            ) from exc
        return counts

    def _carry_states(
        self,
        session: Session,
        batch: dict[str, Article],
        carried: dict[str, list[str]],
        located: dict[str, tuple[int, str]],
    ) -> dict[str, State]:
        """Tags and state that imported records carry: tags are added; read/starred are taken
        only for articles new to this store (stored state is kept)."""
        changes: dict[str, State] = {}
        stored_state = StoredStates(session)
        for article_id, article in batch.items():
            is_new = article_id not in located
            if not carried.get(article_id) and not (is_new and (article.read or article.starred)):
                continue
            current = stored_state(article_id)
            wanted = State(
                tags=tuple(merge_tags(current.tags, carried.get(article_id, ()))),
                read=current.read or bool(is_new and article.read),
                starred=current.starred or bool(is_new and article.starred),
            )
            if wanted != current:
                changes[article_id] = wanted
        write_states(session, changes)
        return changes

    def set_entities(self, found: Mapping[str, Sequence[Entity]]) -> list[str]:
        """Store extracted entities (an empty list: extraction ran and found none) in one commit;
        returns the ids whose entities changed.  Ids no longer in the store are skipped."""
        if not found:
            return []
        with self.core.writing() as session:
            located = self.core.catalogue.locate(list(found))
            written: dict[str, tuple[dict[str, Any], int]] = {}
            for article_id, entities in found.items():
                if article_id not in located:
                    continue
                seg = located[article_id][0]
                path = self.core.segment_path(seg)
                doc = session.get_doc(path, "articles", doc_id(article_id))
                value = [e.to_dict() for e in entities]
                if doc is None or doc.get("entities") == value:
                    continue
                record = {**doc, "entities": value}
                session.table(path, "articles").update(record, doc_ids=[doc_id(article_id)])
                written[article_id] = (record, seg)
            if not written:
                return []
            session.commit()
            states = self.core.catalogue.states_of(list(written))
            rows = [
                (CatalogueRow.from_record(record, seg), states.get(i, DEFAULT_STATE), shard_of(i))
                for i, (record, seg) in written.items()
            ]
            self.core.record_commit(session, list(written), rows)
        self.rules.after_add(list(written))  # rules on entity fields match once entities are stored
        return list(written)

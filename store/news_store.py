"""NewsStore: articles, tags and reading state in TinyDB files under one directory.

Layout (all files TinyDB JSON, 0600, in a 0700 directory):
  store.json             schema version and layout
  articles/seg-NNNNNN.json  articles in insertion order, ~1,000 (or 4 MB) per segment:
                            an import appends to the last segment, so it never rewrites the corpus
  state/state-XX.json    tags/read/starred by id hash, 64 shards: a state change rewrites one
                            small file, flat from 1k to 100k articles
  feeds.json             subscriptions
  index.sqlite           derived (list order, id -> segment, state, change feed); rebuildable
Every operation holds an flock (shared to read, exclusive to write) across its whole
read-modify-write, and each write is one atomic commit (store.disk.files)."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from articles.dates import format_rfc3339, now_utc
from articles.model import Article, Entity
from store.user import merges
from store.care.backups import BackupMixin
from store.care.check import CareMixin
from store.disk.catch_up import Progress, catch_up
from store.disk.documents import DocumentCache, Session
from store.errors import (
    NO_SPACE,
    IndexWriteFailed,
    StoreCorrupt,
    StoreError,
    StoreReadOnly,
    StoreWriteFailed,
    for_want_of_space,
    not_saved_message,
    saved_message,
)
from store.user.feeds import FeedsMixin
from store.disk.files import (
    EMPTY_MANIFEST,
    Manifest,
    StoreLock,
    make_dirs,
    needs_recovery,
    open_to_others,
    read_manifest,
    recover,
)
from store.disk.catalogue import Index, IndexRow
from store.disk.layout import (
    ARTICLES_DIR,
    INDEX_FILE,
    LOCK_FILE,
    STATE_DIR,
    TEXT_DIR,
    doc_id,
    is_indexed_file,
    segment_path,
    shard_of,
)
from store.disk.opening import check_schema, open_manifest
from store.search.query_nodes import Query
from store.search.searching import SearchingMixin
from store.disk.tables import append_articles, stored_state, write_states
from store.tagging import TaggingMixin
from store.tags import TagError, merge_tags, normalise_tag
from store.search.text_sync import TextSyncMixin
from store.search.text_index import TextIndex
from store.care.trash import TrashMixin
from store.user.user_data import UserDataMixin
from store.values import DEFAULT_STATE, ImportCounts, ListItem, State, StoredArticle, list_item


class NewsStore(
    TaggingMixin, CareMixin, TrashMixin, BackupMixin, FeedsMixin, SearchingMixin, TextSyncMixin, UserDataMixin
):
    """The store directory.  Safe to call from several threads and several processes."""

    def __init__(self, root: Path | str, *, readonly: bool = False, create: bool = True) -> None:
        self.root = Path(root)
        if not self.root.exists():
            if readonly or not create:
                raise StoreError(f"{self.root}: no store here")
            try:
                make_dirs(self.root)  # each directory it makes 0700; another process may race us
            except OSError as exc:
                raise StoreError(f"{self.root}: cannot create the store ({exc.strerror})") from exc
        elif not self.root.is_dir():
            raise StoreError(f"{self.root}: not a directory")
        self.readonly = readonly or not os.access(self.root, os.W_OK)
        self.open_to_others = open_to_others(self.root)
        """The store directory's mode when it lets other users in (0 when private): newsdesk
        makes it 0700, so such a mode was set by hand and lets others read (or change) the store."""
        self.no_space: str | None = None
        """Set when the store had to be opened read-only for want of space (the message)."""
        self._space_watchers: list[Callable[[str], object]] = []
        try:
            self._open(self.readonly)
        except (StoreError, OSError) as exc:
            if self.readonly or isinstance(exc, StoreCorrupt) or not for_want_of_space(exc, self.root):
                raise
            # Reading needs no space: serve the store as it is, and refuse every write.
            self.readonly = True
            self.no_space = f"{self.root}: {NO_SPACE}; nothing was changed (opened read-only)"
            self._open(True, for_want_of_space=True)
        self._text = TextIndex(self.root / TEXT_DIR, readonly=self.readonly)
        self._syncer = None
        self._indexer = None
        self._bulk_added = None
        self._damage_lock = threading.Lock()
        self.damaged: dict[str, StoreCorrupt] = {}
        """Segments and state shards this process found damaged (store.disk.catch_up): a shard is read
        as empty, a segment's articles not indexed before are left out; writes to them refused."""
        self._damage_watchers: list[Callable[[StoreCorrupt], object]] = []

    def privacy_warning(self) -> str | None:
        """What to tell the user when the store directory is open to other users, else None."""
        if not self.open_to_others:
            return None
        return (
            f"{self.root} is open to other users (mode {self.open_to_others:o});"
            f" run `chmod 700 {self.root}` to keep your articles and tags private"
        )

    def _open(self, readonly: bool, *, for_want_of_space: bool = False) -> None:
        self._cache = DocumentCache()
        self._lock = StoreLock(self.root / LOCK_FILE, readonly=readonly)
        try:
            with self._lock.hold(exclusive=not readonly):
                manifest, rebuilt = open_manifest(self.root, readonly=readonly)
                check_schema(self.root, self._cache, manifest, readonly=readonly)
                self._index = Index(self.root / INDEX_FILE, readonly=readonly, in_memory=for_want_of_space)
                if rebuilt:
                    self._index.forget_files()
        except BaseException:
            self._lock.close()
            raise

    # -- paths -------------------------------------------------------------------------------
    def _segment_path(self, seg: int) -> Path:
        return segment_path(self.root, seg)

    def wait_for_writes(self) -> None:
        """Return once no commit of this process is in flight, the full-text index's included
        (for a process about to end)."""
        syncer = self._syncer
        if syncer is not None:
            syncer.pause()
            syncer.resume()
        with self._lock.hold(exclusive=not self.readonly):
            pass

    def close(self) -> None:
        """Finish the full-text index's background work, then let go of the store."""
        self._stop_text()
        self._text.close()
        with self._lock.hold(exclusive=False):
            self._index.close()
        self._lock.close()

    def __enter__(self) -> NewsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- locking and catching up ----------------------------------------------------------------
    def _current_manifest(self) -> Manifest:
        return read_manifest(self.root) or EMPTY_MANIFEST

    def _recovered_manifest(self) -> Manifest:
        """The manifest, after finishing a commit whose writer died past its commit point.
        Call with the shared lock held."""
        manifest = self._current_manifest()
        if not self.readonly and needs_recovery(self.root, manifest):
            with self._lock.hold(exclusive=True):
                manifest = self._current_manifest()
                recover(self.root, (ARTICLES_DIR, STATE_DIR), manifest)
        return manifest

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Session]:
        with self._lock.hold(exclusive=False):
            session = Session(self.root, self._cache, self._recovered_manifest(), writable=False)
            try:
                self._sync(session)
            except IndexWriteFailed as exc:
                if not for_want_of_space(exc, self.root):
                    raise StoreError(
                        f"{self.root}: {_reason(exc)} (bringing the index up to date); nothing was changed"
                    ) from exc
                # Reading needs no space: go on read-only, catching up a copy of the index in memory.
                self._read_only_for_want_of_space()
                self._sync(session)
            yield session

    def _read_only_for_want_of_space(self) -> None:
        """The disk is full: from now on this store reads, from a copy of index.sqlite in memory,
        and refuses every write (not saved).  Call with the lock held."""
        self.readonly = True
        self.no_space = f"{self.root}: {NO_SPACE}; nothing was changed (read-only from now on)"
        old, self._index = self._index, Index(self.root / INDEX_FILE, in_memory=True)
        old.close()
        for callback in list(self._space_watchers):
            callback(self.no_space)

    def watch_space(self, callback: Callable[[str], object]) -> None:
        """Call `callback` with the message if this store goes read-only for want of space (or
        at once, if it already has)."""
        self._space_watchers.append(callback)
        if self.no_space:
            callback(self.no_space)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Session]:
        if self.no_space:
            raise StoreWriteFailed(errno.ENOSPC, not_saved_message(self.root, NO_SPACE))
        if self.readonly:
            raise StoreReadOnly(f"{self.root}: the store is read-only")
        with self._lock.hold(exclusive=True):
            manifest = self._current_manifest()
            # Finish or discard whatever a killed writer left (cheap: three directory listings).
            try:
                recover(self.root, (ARTICLES_DIR, STATE_DIR), manifest)
            except OSError as exc:
                raise StoreWriteFailed(exc.errno or errno.EIO, not_saved_message(self.root, _reason(exc))) from exc
            try:
                self._sync(Session(self.root, self._cache, manifest, writable=False))
            except IndexWriteFailed as exc:
                raise StoreWriteFailed(_errno_of(exc, self.root), not_saved_message(self.root, _reason(exc))) from exc
            session = Session(self.root, self._cache, manifest, writable=True)
            try:
                yield session
            except IndexWriteFailed as exc:
                session.abort()
                # Past the commit point, the index lags the files: the next use catches it up.
                saved = session.manifest.gen > manifest.gen
                message = (saved_message if saved else not_saved_message)(self.root, _reason(exc))
                raise StoreWriteFailed(_errno_of(exc, self.root), message) from exc
            except BaseException:
                session.abort()
                raise

    def reindex(self, progress: Progress | None = None, text_progress: Progress | None = None) -> int:
        """Rebuild the derived indexes from the TinyDB files (index.sqlite by segments, with
        `progress`; then the full-text index by articles, with `text_progress`); returns the
        number of articles."""
        with self._writing() as session:
            with self._index.batch() as db:
                db.execute("DELETE FROM articles")
                db.execute("DELETE FROM article_tags")
                db.execute("DELETE FROM article_entities")
                db.execute("DELETE FROM files")
            self._index.set_text_applied(None)  # the full-text index is rebuilt below, whole
            self._cache = DocumentCache()
            self._sync(Session(self.root, self._cache, session.manifest, writable=False), progress, kick=False)
            count = self._index.count()
        self.sync_text(text_progress)
        return count

    def _sync(self, session: Session, progress: Progress | None = None, *, kick: bool = True) -> list[str]:
        touched = catch_up(self._index, session, progress)
        if touched and kick:
            self._kick_text()
        self._noticed(session.damaged)
        return touched

    # -- damaged segments and state shards -------------------------------------------------------
    def watch_damage(self, callback: Callable[[StoreCorrupt], object]) -> None:
        """Call `callback` (from whichever thread reads) with each damaged segment or state shard
        this process finds, once per file: those found already, and those found later."""
        with self._damage_lock:
            self._damage_watchers.append(callback)
            known = list(self.damaged.values())
        for error in known:
            callback(error)

    def _noticed(self, found: dict[str, StoreCorrupt]) -> None:
        if not found:
            return
        with self._damage_lock:
            new = [e for rel, e in found.items() if rel not in self.damaged]
            self.damaged.update(found)
            watchers = list(self._damage_watchers)
        for error in new:
            for callback in watchers:
                callback(error)

    def _record_commit(
        self,
        session: Session,
        touched: Iterable[str],
        rows: Sequence[tuple[IndexRow, State, int]] = (),
        states: dict[str, State] | None = None,
        deleted: Sequence[str] = (),
    ) -> None:
        """Apply our own commit to the index (the files are already durable)."""
        written = {
            rel: str(gen)
            for rel, gen in session.manifest.files.items()
            if gen == session.manifest.gen and is_indexed_file(rel)
        }
        with self._index.batch() as db:
            if deleted:
                Index.delete(db, deleted)
            Index.upsert(db, rows)
            if states:
                Index.set_states(db, states)
            Index.set_file_gens(db, written)
            Index.record_changes(db, touched)
        self._index.prune_changes()
        self._kick_text()

    # -- writing -----------------------------------------------------------------------------
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
        with self._writing() as session:
            located = self._index.locate(list(batch))
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
                    old = session.get_doc(self._segment_path(seg), "articles", doc_id(article_id)) or {}
                    if record["entities"] is None or old.get("entities") == record["entities"]:
                        counts.duplicates += 1
                        continue
                    # The same content, now with entities (an export of an extracted store): take them.
                    record = {**old, "entities": record["entities"]}
                    updated_by_seg[seg].append(record)
                    written[article_id] = record
                    counts.updated += 1
                    continue
                old = session.get_doc(self._segment_path(seg), "articles", doc_id(article_id)) or {}
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
                table = session.table(self._segment_path(seg), "articles")
                for record in records:
                    table.update(record, doc_ids=[doc_id(record["id"])])
                    placed[record["id"]] = seg
            placed.update(append_articles(session, appended))
            states = self._carry_states(session, batch, carried, located)
            session.commit()
            # The index caught up with the files as this session began, so it knows the state of
            # the articles it holds; a new article's comes from its shard, a damaged one read as
            # empty (as catch-up does): an import that writes no state never fails on one.
            known = self._index.states_of([i for i in placed if i in located and i not in states])

            def row_state(article_id: str) -> State:
                if article_id in states:
                    return states[article_id]
                if article_id in located:
                    return known.get(article_id, DEFAULT_STATE)
                try:
                    return stored_state(session, article_id)
                except StoreCorrupt:
                    return DEFAULT_STATE

            rows = [
                (IndexRow.from_record(written[article_id], seg), row_state(article_id), shard_of(article_id))
                for article_id, seg in placed.items()
            ]
            state_only = {i: s for i, s in states.items() if i not in placed}
            counts.ids = list(placed)
            self._record_commit(session, [*placed, *state_only], rows, state_only)
        self._imported(len(placed))
        try:
            self.apply_rules(counts.ids)  # tag rules see new and changed articles
        except StoreWriteFailed as exc:
            raise StoreWriteFailed(
                exc.errno or errno.EIO,
                f"{self.root}: the import was saved, but applying the tag rules to it failed"
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
        for article_id, article in batch.items():
            is_new = article_id not in located
            if not carried.get(article_id) and not (is_new and (article.read or article.starred)):
                continue
            current = stored_state(session, article_id)
            wanted = State(
                tags=tuple(merge_tags(current.tags, carried.get(article_id, ()))),
                read=current.read or bool(is_new and article.read),
                starred=current.starred or bool(is_new and article.starred),
            )
            if wanted != current:
                changes[article_id] = wanted
        write_states(session, changes)
        return changes

    def set_entities(self, found: dict[str, Sequence[Entity]]) -> list[str]:
        """Store extracted entities (an empty list: extraction ran and found none) in one commit;
        returns the ids whose entities changed.  Ids no longer in the store are skipped."""
        if not found:
            return []
        with self._writing() as session:
            located = self._index.locate(list(found))
            written: dict[str, tuple[dict[str, Any], int]] = {}
            for article_id, entities in found.items():
                if article_id not in located:
                    continue
                seg = located[article_id][0]
                path = self._segment_path(seg)
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
            states = self._index.states_of(list(written))
            rows = [
                (IndexRow.from_record(record, seg), states.get(i, DEFAULT_STATE), shard_of(i))
                for i, (record, seg) in written.items()
            ]
            self._record_commit(session, list(written), rows)
        self.apply_rules(list(written))  # rules on entity fields match once entities are stored
        return list(written)

    # -- reading -----------------------------------------------------------------------------
    def count(self) -> int:
        with self._reading():
            return self._index.count()

    def list(self, limit: int | None = None, offset: int = 0) -> list[ListItem]:
        """Articles newest first (published, else fetched time)."""
        with self._reading():
            return [list_item(r) for r in self._index.list_rows(limit, offset)]

    def position(self, article_id: str) -> int | None:
        """Where an article stands in `list()` order, so a view can keep it under the cursor."""
        with self._reading():
            return self._index.position(article_id)

    def list_items(self, ids: Sequence[str]) -> dict[str, ListItem]:
        with self._reading():
            return {i: list_item(r) for i, r in self._index.rows_for(ids).items()}

    def resolve(self, id_or_prefix: str) -> str | None:
        """A full id for an id or a unique prefix of at least 4 characters."""
        text = id_or_prefix.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{4,12}", text):
            return None
        with self._reading():
            matches = self._index.ids_with_prefix(text)
        if len(text) == 12:
            return text if text in matches else None
        return matches[0] if len(matches) == 1 else None

    def get(self, article_id: str) -> StoredArticle | None:
        with self._reading() as session:
            located = self._index.locate([article_id])
            if article_id not in located:
                return None
            seg = located[article_id][0]
            doc = session.get_doc(self._segment_path(seg), "articles", doc_id(article_id))
            if doc is None:
                return None
            state = self._index.states_of([article_id]).get(article_id, DEFAULT_STATE)
            article = Article.from_record(doc)
            found = merges.read_merges(session)
            if found and article.entities:
                article = replace(article, entities=merges.apply(article.entities, found))
            return StoredArticle(article, state)

    def iter_articles(self, chunk: int = 2000, *, query: Query | str | None = None) -> Iterator[StoredArticle]:
        """Every article (or those matching `query`) with its state, newest first (or oldest, for
        sort:old), reading each segment once per chunk."""
        if query is None:
            with self._reading():
                order = list(self._index.ordered_locations())
        else:
            order = self.ordered_matches(query)
        for start in range(0, len(order), chunk):
            part = order[start : start + chunk]
            by_segment: dict[int, list[str]] = defaultdict(list)
            for article_id, seg in part:
                by_segment[seg].append(article_id)
            by_id: dict[str, StoredArticle] = {}
            with self._reading() as session:
                states = self._index.states_of([article_id for article_id, _ in part])
                for seg, ids in by_segment.items():
                    docs = session.load(self._segment_path(seg)).get("articles", {})
                    for article_id in ids:
                        doc = docs.get(str(doc_id(article_id)))
                        if doc is not None:
                            state = states.get(article_id, DEFAULT_STATE)
                            by_id[article_id] = StoredArticle(Article.from_record(doc), state)
            for article_id, _ in part:
                if article_id in by_id:
                    yield by_id[article_id]

    def changes_since(self, seq: int) -> tuple[int, list[str] | None]:
        """The change feed: (latest seq, ids changed since `seq`, or None if too far behind)."""
        with self._reading():
            return self._index.changes_since(seq)

    def last_change(self) -> int:
        with self._reading():
            return self._index.last_change()


def _reason(exc: BaseException) -> str:
    """What went wrong, in words: want of space named as such."""
    cause = exc.__cause__ or exc
    text = str(cause)
    return NO_SPACE if "full" in text or "No space" in text else text


def _errno_of(exc: BaseException, root: Path) -> int:
    return errno.ENOSPC if for_want_of_space(exc, root) else errno.EIO

"""Keeping the full-text index (store.textindex) current, and reading it exactly.

- The index applies the SQLite change feed: every commit records the ids it touched, and the
  process that holds tantivy's writer lock re-adds those articles (text from the TinyDB files,
  tags and state from SQLite) and commits, then records in index.sqlite the last change applied,
  with the index's token.  Re-applying a change is harmless, so a crash between the two steps
  loses nothing; a record for another token (the index was deleted or damaged and made anew),
  or none (index.sqlite made anew), or one older than the feed still holds, means a rebuild.
- A store syncs in a background thread after its own writes, keeping the writer while writes
  keep coming and for IDLE_SECONDS after (then a last sync picks up other processes' changes,
  and the writer is let go); close() finishes the work.  A process that finds the lock taken
  leaves its changes to the holder, and tries again a little later.
- A search reads the changes the index has not applied yet (normally none, or the last second
  of writes) and evaluates those articles itself (store.text_match), excluding them from the
  index's answer: results are exact whatever the lag.  A search that finds more than
  SYNC_BEFORE_SEARCH such articles first brings the index up to date, when it can.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from store.documents import Session
from store.layout import doc_id, segment_path
from store.text_fields import TextFields, stored_text_fields, text_fields
from store.text_query import ids_query
from store.textindex import Applied, TextIndex, TextIndexError, document

if TYPE_CHECKING:
    import tantivy

    from store.files import StoreLock
    from store.index import Index, TextRow

SYNC_BEFORE_SEARCH = 256
IDLE_SECONDS = 1.0
BUSY_RETRIES = 30
"""How many times (IDLE_SECONDS apart) a store retries a writer lock held by another process."""
REBUILD_CHUNK = 5_000
BULK_PROCESS_AFTER = 2_000
"""Articles into a bulk import after which indexing moves to a process of its own."""
INDEXER_TIMEOUT = 600.0
"""Seconds an import waits, at its end, for its indexing process to catch up."""

Progress = Callable[[int, int], None]


class TextView:
    """What a search reads: a searcher (None when the index cannot be used) and the articles it
    must evaluate itself, as full-text fields."""

    def __init__(self, searcher: tantivy.Searcher | None, pending: list[str], fields: list[TextFields]) -> None:
        self.searcher = searcher
        self.pending = pending
        self.fields = fields


class TextSyncMixin:
    """A NewsStore mixin."""

    root: Any
    readonly: bool
    _lock: StoreLock
    _index: Index
    _text: TextIndex
    _syncer: _Syncer | None
    _indexer: _Indexer | None
    _bulk_added: int | None

    if TYPE_CHECKING:

        def _reading(self) -> Any: ...

    # -- reading -------------------------------------------------------------------------------
    def _applied(self) -> Applied | None:
        """How far the open full-text index is current; None: not at all (rebuild it)."""
        found = self._index.text_applied()
        if found is None or found[0] != self._text.token:
            return None
        return Applied(*found)

    def _text_view(self, session: Session, *, limit: int | None = None) -> TextView | None:
        """Call while reading; None when more than `limit` articles are pending.  The searcher
        is taken after the applied mark is read, so it sees at least what the mark says;
        anything newer is among the pending articles."""
        try:
            self._text.open()  # first: opening may find it damaged, and start it anew
            applied = self._applied()
        except TextIndexError:
            applied = None
        pending: list[str] | None = None
        if applied is not None:
            pending = self._index.changes_since(applied.seq, strict=True)[1]
        searcher = None
        if applied is not None and pending is not None and (limit is None or len(pending) <= limit):
            try:
                searcher = self._text.searcher(applied.stamp)
            except TextIndexError:
                searcher = None
        if searcher is None:  # no usable index: every article is evaluated here (slow, exact)
            if limit is not None and (pending is None or len(pending) > limit):
                return None
            pending = self._index.ids()
        assert pending is not None
        return TextView(searcher, pending, self._text_fields(session, pending, searcher))

    def _text_fields(
        self, session: Session, ids: Iterable[str] | None, searcher: tantivy.Searcher | None = None
    ) -> list[TextFields]:
        """Full-text fields of articles still in the store (all when `ids` is None), while
        reading (see _fields_of)."""
        rows = self._index.text_rows(None if ids is None else list(ids))
        return self._fields_of(rows, searcher, lambda need: self._records(session, need))

    def _fields_of(
        self,
        rows: list[TextRow],
        searcher: tantivy.Searcher | None,
        records: Callable[[list[TextRow]], dict[str, dict[str, Any]]],
    ) -> list[TextFields]:
        """The text as the index stored it when its version is current (cheap: no segment to
        parse), else from the article's TinyDB record (`records` reads those)."""
        stored = self._stored_docs(searcher, [row.id for row in rows]) if searcher is not None else {}
        current = {row.id for row in rows if stored.get(row.id, {}).get("version") == [row.version]}
        read = records([row for row in rows if row.id not in current])
        found: list[TextFields] = []
        for row in rows:
            if row.id in current:
                kept = stored[row.id]
                found.append(stored_text_fields(row.id, row.n, kept, row.tags, row.read, row.starred, row.has_entities))
            elif row.id in read:
                found.append(text_fields(row.id, row.n, read[row.id], row.tags, row.read, row.starred, row.version))
        return found

    def _records(self, session: Session, rows: list[TextRow]) -> dict[str, dict[str, Any]]:
        """The TinyDB records of these articles (rows by segment), while reading."""
        found: dict[str, dict[str, Any]] = {}
        seg, docs = -1, {}
        for row in sorted(rows, key=lambda r: r.seg):
            if row.seg != seg:
                seg = row.seg
                docs = session.load(segment_path(self.root, seg)).get("articles", {})
            record = docs.get(str(doc_id(row.id)))
            if record is not None:
                found[row.id] = record
        return found

    @staticmethod
    def _stored_docs(searcher: tantivy.Searcher, ids: list[str]) -> dict[str, dict[str, list[Any]]]:
        found: dict[str, dict[str, list[Any]]] = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            hits = searcher.search(ids_query(chunk), len(chunk), count=False).hits
            for _, address in hits:
                doc = searcher.doc(address).to_dict()
                found[str(doc["id"][0]) if "id" in doc else ""] = doc
        return found

    def _pending_text(self) -> int:
        """How many articles the full-text index has yet to catch up with (all: rebuild)."""
        with self._reading():
            try:
                self._text.open()
            except TextIndexError:
                return self._index.count()
            applied = self._applied()
            if applied is None:
                return self._index.count()
            _, ids = self._index.changes_since(applied.seq, strict=True)
            return self._index.count() if ids is None else len(ids)

    # -- writing -------------------------------------------------------------------------------
    def sync_text(self, progress: Progress | None = None) -> bool:
        """Bring the full-text index up to date now; False when another process holds its writer
        (it will), or the store is read-only."""
        if self.readonly:
            return False
        syncer = self._syncer
        if syncer is not None:
            syncer.pause()
        try:
            writer = self._text.writer()
            if writer is None:
                return False
            self._apply_text(writer, progress)
            writer.wait_merging_threads()
            return True
        finally:
            if syncer is not None:
                syncer.resume()

    def check_text(self) -> str:
        """Bring the full-text index up to date and compare it with index.sqlite: the same
        number of articles, each found by its id.  'ok', or 'rebuilt' when they differed."""
        if self.readonly or not self.sync_text():
            return "not checked (read-only, or another process is writing it)"
        with self._reading():
            applied = self._applied()
            ids = self._index.ids()
            agrees = applied is not None
            if agrees:
                assert applied is not None
                searcher = self._text.searcher(applied.stamp)
                agrees = searcher.num_docs == len(ids) and all(
                    searcher.search(ids_query(ids[start : start + 1000]), 1, count=True).count
                    == len(ids[start : start + 1000])
                    for start in range(0, len(ids), 1000)
                )
        if agrees:
            return "ok"
        with self._lock.hold(exclusive=False):
            self._index.set_text_applied(None)
        self.sync_text()
        return "rebuilt"

    @contextlib.contextmanager
    def bulk_import(self) -> Iterator[None]:
        """Around an import that may be large: once more than BULK_PROCESS_AFTER articles have
        come in, the full-text index is kept current by a process of its own
        (store.text_indexer), so importing and indexing run on two cores.  On leaving, that
        process finishes; whatever it could not apply, this process's background sync does."""
        self._bulk_added = 0
        try:
            yield
        finally:
            self._bulk_added = None
            indexer, self._indexer = self._indexer, None
            if indexer is not None:
                indexer.finish()
                self._kick_text()

    def _imported(self, count: int) -> None:
        """After an import batch's commit (and its kick)."""
        if self._bulk_added is None or self.readonly:
            return
        self._bulk_added += count
        if self._indexer is None and self._bulk_added > BULK_PROCESS_AFTER:
            self._stop_text()  # lets go of tantivy's writer, which the process takes
            self._indexer = _Indexer.start(self.root)
            self._kick_text()

    def _kick_text(self) -> None:
        """After a commit of this process: sync soon, in the background."""
        if self.readonly:
            return
        if self._indexer is not None:
            self._indexer.kick()
            return
        if self._syncer is None:
            self._syncer = _Syncer(self)
            self._syncer.start()
        self._syncer.kick()

    def _stop_text(self) -> None:
        """Finish the background sync (at close)."""
        syncer, self._syncer = self._syncer, None
        if syncer is not None:
            syncer.stop()
        indexer, self._indexer = self._indexer, None
        if indexer is not None:
            indexer.finish()

    def _apply_text(self, writer: tantivy.IndexWriter, progress: Progress | None = None) -> None:
        """Apply the changes since the mark (or rebuild), commit, move the mark.  The store's lock
        is held only to read: an import's next batch waits for nothing slower than that."""
        token = self._text.token
        with self._reading():
            applied = self._applied()
            ids: list[str] | None = None
            if applied is not None:
                latest, ids = self._index.changes_since(applied.seq, strict=True)
                if ids == []:
                    if latest != applied.seq:
                        self._index.set_text_applied((token, latest, applied.stamp))
                    return
                rows = self._index.text_rows(ids)
            else:
                latest = self._index.last_change()
        if ids is None:
            self._rebuild_text(writer, progress)
        else:
            assert applied is not None

            def records(need: list[TextRow]) -> dict[str, dict[str, Any]]:
                if not need:
                    return {}
                with self._reading() as session:  # newer than the rows, maybe: then re-applied
                    return self._records(session, need)

            found = self._fields_of(rows, self._text.searcher(applied.stamp), records)
            for article_id in ids:
                writer.delete_documents_by_term("id", article_id)
            for fields in found:
                writer.add_document(document(fields))
        stamp = writer.commit()
        with self._lock.hold(exclusive=False):
            self._index.set_text_applied((token, latest, stamp))

    def _rebuild_text(self, writer: tantivy.IndexWriter, progress: Progress | None) -> None:
        writer.delete_all_documents()
        with self._reading():
            ids = self._index.ids()
        for start in range(0, len(ids), REBUILD_CHUNK):
            with self._reading() as session:
                rows = self._index.text_rows(ids[start : start + REBUILD_CHUNK])
                read = self._records(session, rows)
            for fields in self._fields_of(rows, None, lambda _, read=read: read):
                writer.add_document(document(fields))
            if progress:
                progress(min(start + REBUILD_CHUNK, len(ids)), len(ids))


class _Indexer:
    """The indexing process of a bulk import (store.text_indexer), fed a line per commit."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    @classmethod
    def start(cls, root: Any) -> _Indexer | None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "store.text_indexer", str(root)],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
                env=env,
                close_fds=True,
            )
        except OSError:
            return None  # the thread does the work, as without a bulk import
        return cls(process)

    def kick(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self.process.stdin is not None
            self.process.stdin.write("sync\n")
            self.process.stdin.flush()

    def finish(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            assert self.process.stdin is not None
            self.process.stdin.write("stop\n")
            self.process.stdin.close()
        try:
            self.process.wait(timeout=INDEXER_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class _Syncer(threading.Thread):
    """The background sync of one store: applies the change feed after this process's writes,
    holding tantivy's writer while they keep coming and letting it go once idle."""

    def __init__(self, store: TextSyncMixin) -> None:
        super().__init__(name="newsdesk-text-sync", daemon=True)
        self.store = store
        self._cond = threading.Condition()
        self._kicked = False
        self._stopping = False
        self._paused = 0
        self._holding = False  # the thread has (or is taking) the writer

    def kick(self) -> None:
        with self._cond:
            self._kicked = True
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        self.join()

    def pause(self) -> None:
        """Return once the thread has let go of the writer, and keep it from taking it again."""
        with self._cond:
            self._paused += 1
            self._cond.notify_all()
            while self._holding:
                self._cond.wait()

    def resume(self) -> None:
        with self._cond:
            self._paused -= 1
            self._cond.notify_all()

    def run(self) -> None:
        writer: Any = None
        retries = 0
        while True:
            with self._cond:
                if not (self._kicked or self._stopping or self._paused):
                    self._cond.wait(IDLE_SECONDS if writer is not None or retries else None)
                kicked, self._kicked = self._kicked, False
                stopping, paused = self._stopping, self._paused > 0
                if writer is None and not paused and (kicked or retries or stopping):
                    self._holding = True
            try:
                if writer is None and self._holding:
                    writer = self.store._text.writer()
                    # None: another process holds it; try again a little later
                    busy = writer is None and retries < BUSY_RETRIES and not stopping
                    retries = retries + 1 if busy else 0
                if writer is not None:
                    self.store._apply_text(writer)
                    if stopping or paused or not kicked:  # done, or idle: let it go
                        writer.wait_merging_threads()
                        writer = None
            except Exception:  # noqa: BLE001 - searches evaluate whatever stays pending
                writer = None
            if writer is None:
                with self._cond:
                    self._holding = False
                    self._cond.notify_all()
            if stopping:
                return
            if paused:
                with self._cond:
                    while self._paused and not self._stopping:
                        self._cond.wait()

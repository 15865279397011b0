"""Keeping the full-text index (store.search.text_index) current, and reading it exactly.

- The index applies the SQLite change feed: every commit records the ids it touched, and the
  process that holds tantivy's writer lock re-adds those articles (text from the TinyDB files,
  tags and state from SQLite) and commits, then records in index.sqlite the last change applied,
  with the index's token.  Re-applying a change is harmless, so a crash between the two steps
  loses nothing; a record for another token (the index was deleted or damaged and made anew),
  or none (index.sqlite made anew), or one older than the feed still holds, means a rebuild.
- A store syncs in a background thread after its own writes, and a large import in a process of
  its own (store.search.text_workers); close() finishes the work.  A process that finds the writer lock
  taken leaves its changes to the holder, and tries again a little later.
- A search reads the changes the index has not applied yet (normally none, or the last second
  of writes) and evaluates those articles itself (store.search.text_match), excluding them from the
  index's answer: results are exact whatever the lag.  A search that finds more than
  SYNC_BEFORE_SEARCH such articles first brings the index up to date, when it can.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from store.disk.documents import Session
from store.disk.layout import TEXT_DIR, doc_id, segment_path
from store.errors import NO_SPACE, StoreError, TextIndexError, for_want_of_space
from store.search.text_fields import TextFields, stored_text_fields, text_fields

if TYPE_CHECKING:
    import tantivy

    from store.search.text_index import Applied, TextIndex
    from store.search.text_workers import Indexer, Syncer

    from store.core import StoreCore
    from store.disk.catalogue_rows import TextRow

SYNC_BEFORE_SEARCH = 256
REBUILD_CHUNK = 5_000
BULK_PROCESS_AFTER = 2_000
"""Articles into a bulk import after which indexing moves to a process of its own."""

Progress = Callable[[int, int], None]


class TextView:
    """What a search reads: a searcher (None when the index cannot be used) and the articles it
    must evaluate itself, as full-text fields."""

    def __init__(self, searcher: tantivy.Searcher | None, pending: list[str], fields: list[TextFields]) -> None:
        self.searcher = searcher
        self.pending = pending
        self.fields = fields


class TextSync:
    """Keeps the full-text index (`index`) of one store current, and reads it exactly (see the
    module docstring)."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        self._index: TextIndex | None = None
        self.syncer: Syncer | None = None
        self.indexer: Indexer | None = None
        """The indexing process of a bulk import, while one runs."""
        self._bulk_added: int | None = None
        self.deferred = False
        """Set (`defer`) in a short-lived process: a commit leaves the index to whoever searches
        or syncs next, unless it lags by more than SYNC_BEFORE_SEARCH when this store closes."""
        self._deferred_commits = False
        core.after_commit = self.kick

    @property
    def index(self) -> TextIndex:
        """The full-text index, made on first use: a process that never searches (`newsdesk tag
        -- id:ID`, answered by the catalogue) neither opens it nor imports tantivy."""
        if self._index is None:
            from store.search.text_index import TextIndex

            self._index = TextIndex(self.core.root / TEXT_DIR, readonly=self.core.readonly)
        return self._index

    # -- reading -------------------------------------------------------------------------------
    def _applied(self) -> Applied | None:
        """How far the open full-text index is current; None: not at all (rebuild it)."""
        found = self.core.catalogue.text_applied()
        if found is None or found[0] != self.index.token:
            return None
        from store.search.text_index import Applied

        return Applied(*found)

    def view(self, session: Session, *, limit: int | None = None) -> TextView | None:
        """Call while reading; None when more than `limit` articles are pending.  The searcher
        is taken after the applied mark is read, so it sees at least what the mark says;
        anything newer is among the pending articles."""
        applied, pending = self._pending()
        searcher = None
        if applied is not None and pending is not None and (limit is None or len(pending) <= limit):
            try:
                searcher = self.index.searcher(applied.stamp)
            except TextIndexError:
                searcher = None
        if searcher is None:  # no usable index: every article is evaluated here (slow, exact)
            if limit is not None and (pending is None or len(pending) > limit):
                return None
            pending = self.core.catalogue.ids()
        assert pending is not None
        return TextView(searcher, pending, self._text_fields(session, pending, searcher))

    def _text_fields(
        self, session: Session, ids: Iterable[str] | None, searcher: tantivy.Searcher | None = None
    ) -> list[TextFields]:
        """Full-text fields of articles still in the store (all when `ids` is None), while
        reading (see _fields_of)."""
        rows = self.core.catalogue.text_rows(None if ids is None else list(ids))
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
                docs = session.load(segment_path(self.core.root, seg)).get("articles", {})
            record = docs.get(str(doc_id(row.id)))
            if record is not None:
                found[row.id] = record
        return found

    @staticmethod
    def _stored_docs(searcher: tantivy.Searcher, ids: list[str]) -> dict[str, dict[str, list[Any]]]:
        from store.search.text_query import ids_query

        found: dict[str, dict[str, list[Any]]] = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            hits = searcher.search(ids_query(chunk), len(chunk), count=False).hits
            for _, address in hits:
                doc = searcher.doc(address).to_dict()
                found[str(doc["id"][0]) if "id" in doc else ""] = doc
        return found

    def _pending(self) -> tuple[Applied | None, list[str] | None]:
        """Call while reading: the open index's mark and the ids changed since it; ids None
        when the index cannot catch up change by change (rebuild it)."""
        try:
            self.index.open()  # first: opening may find it damaged, and start it anew
        except TextIndexError:
            return None, None
        applied = self._applied()
        if applied is None:
            return None, None
        return applied, self.core.catalogue.changes_since(applied.seq, strict=True)[1]

    def pending_count(self) -> int:
        """How many articles the full-text index has yet to catch up with (all: rebuild); 0 once
        `sync` has applied everything."""
        with self.core.reading():
            ids = self._pending()[1]
            return self.core.catalogue.count() if ids is None else len(ids)

    # -- writing -------------------------------------------------------------------------------
    def sync(self, progress: Progress | None = None) -> bool:
        """Bring the full-text index up to date now; False when another process holds its writer
        (it will), or the store is read-only."""
        if self.core.readonly:
            return False
        syncer = self.syncer
        if syncer is not None:
            syncer.pause()
        try:
            for attempt in range(3):
                try:
                    writer = self.index.writer()  # collects what a failed commit left
                except TextIndexError as exc:
                    raise StoreError(str(exc)) from exc
                if writer is None:
                    return False
                try:
                    self.apply(writer, progress)
                    writer.wait_merging_threads()
                    return True
                except (ValueError, OSError) as exc:  # tantivy's errors are ValueErrors
                    with contextlib.suppress(ValueError, OSError):
                        writer.rollback()
                    del writer
                    if for_want_of_space(exc, self.core.root):
                        raise StoreError(
                            f"{self.index.path}: {NO_SPACE}; the search index stays behind (searches stay"
                            " exact) and catches up on a later use"
                        ) from exc
                    if attempt == 1:
                        # Still failing with space to spare: it is derived, make it anew.
                        try:
                            self.index.discard()
                        except (OSError, ValueError) as again:
                            raise StoreError(f"{self.index.path}: cannot be made anew ({again})") from again
                        with self.core.lock.hold(exclusive=False):
                            self.core.catalogue.set_text_applied(None)
            raise StoreError(f"{self.index.path}: cannot be written, even made anew")
        finally:
            if syncer is not None:
                syncer.resume()

    def check(self) -> str:
        """Bring the full-text index up to date and compare it with index.sqlite: the same
        number of articles, each found by its id.  'ok', or 'rebuilt' when they differed."""
        from store.search.text_index import hit_count
        from store.search.text_query import ids_query

        try:
            synced = not self.core.readonly and self.sync()
        except StoreError as exc:
            return f"not checked ({exc})"
        if not synced:
            return "not checked (read-only, or another process is writing it)"
        with self.core.reading():
            applied = self._applied()
            ids = self.core.catalogue.ids()
            agrees = applied is not None
            if agrees:
                assert applied is not None
                searcher = self.index.searcher(applied.stamp)
                agrees = searcher.num_docs == len(ids) and all(
                    hit_count(searcher.search(ids_query(ids[start : start + 1000]), 1, count=True))
                    == len(ids[start : start + 1000])
                    for start in range(0, len(ids), 1000)
                )
        if agrees:
            return "ok"
        with self.core.lock.hold(exclusive=False):
            self.core.catalogue.set_text_applied(None)
        self.sync()
        return "rebuilt"

    @contextlib.contextmanager
    def bulk_import(self) -> Iterator[None]:
        """Around an import that may be large: once more than BULK_PROCESS_AFTER articles have
        come in, the full-text index is kept current by a process of its own
        (store.search.text_indexer), so importing and indexing run on two cores.  On leaving, that
        process finishes; whatever it could not apply, this process's background sync does."""
        self._bulk_added = 0
        try:
            yield
        finally:
            self._bulk_added = None
            indexer, self.indexer = self.indexer, None
            if indexer is not None:
                indexer.finish()
                self.kick()

    def imported(self, count: int) -> None:
        """After an import batch's commit (and its kick)."""
        from store.search.text_workers import Indexer

        if self._bulk_added is None or self.core.readonly:
            return
        self._bulk_added += count
        if self.indexer is None and self._bulk_added > BULK_PROCESS_AFTER:
            self.stop()  # lets go of tantivy's writer, which the process takes
            self.indexer = Indexer.start(self.core.root)
            self.kick()

    def defer(self) -> None:
        """For a process that makes a small change and ends (a CLI `tag`): its commits do not
        sync the full-text index in the background (a tantivy commit costs more than the change,
        and a dozen fsyncs).  Searches stay exact, as while any sync lags: the next search reads
        the few changed articles itself (`view`), and the reader's sync or a search that finds
        more than SYNC_BEFORE_SEARCH pending brings the index up to date.  At close, an index
        lagging by more than that is synced here, so that a large change never waits on others."""
        self.deferred = True

    def kick(self) -> None:
        """After a commit of this process: sync soon, in the background."""
        if self.core.readonly:
            return
        if self.indexer is not None:
            self.indexer.kick()
            return
        if self.deferred:
            self._deferred_commits = True
            return
        if self.syncer is None:
            from store.search.text_workers import Syncer

            self.syncer = Syncer(self)
            self.syncer.start()
        self.syncer.kick()

    def stop(self) -> None:
        """Finish the background sync (at close)."""
        syncer, self.syncer = self.syncer, None
        if syncer is not None:
            syncer.stop()
        indexer, self.indexer = self.indexer, None
        if indexer is not None:
            indexer.finish()

    def wait(self) -> None:
        """Return once the background sync has no commit of the full-text index in flight."""
        syncer = self.syncer
        if syncer is not None:
            syncer.pause()
            syncer.resume()

    def close(self) -> None:
        """Finish the background work, then let go of the full-text index."""
        if self._deferred_commits and self._lag() > SYNC_BEFORE_SEARCH:
            self.sync()
        self.stop()
        if self._index is not None:
            self._index.close()

    def _lag(self) -> int:
        """At most how many articles the index has yet to apply (changes since its mark; every
        change when it has none), without opening it."""
        with self.core.lock.hold(exclusive=False):
            applied = self.core.catalogue.text_applied()
            latest = self.core.catalogue.last_change()
        return latest - applied[1] if applied is not None else max(latest, SYNC_BEFORE_SEARCH + 1)

    def apply(self, writer: tantivy.IndexWriter, progress: Progress | None = None) -> None:
        """Apply the changes since the mark (or rebuild), commit, move the mark.  The store's lock
        is held only to read: an import's next batch waits for nothing slower than that."""
        from store.search.text_index import document

        token = self.index.token
        with self.core.reading():
            applied = self._applied()
            ids: list[str] | None = None
            if applied is not None:
                latest, ids = self.core.catalogue.changes_since(applied.seq, strict=True)
                if ids == []:
                    if latest != applied.seq:
                        self.core.catalogue.set_text_applied((token, latest, applied.stamp))
                    return
                rows = self.core.catalogue.text_rows(ids)
            else:
                latest = self.core.catalogue.last_change()
        if ids is None:
            self._rebuild(writer, progress)
        else:
            assert applied is not None

            def records(need: list[TextRow]) -> dict[str, dict[str, Any]]:
                if not need:
                    return {}
                with self.core.reading() as session:  # newer than the rows, maybe: then re-applied
                    return self._records(session, need)

            found = self._fields_of(rows, self.index.searcher(applied.stamp), records)
            for article_id in ids:
                writer.delete_documents_by_term("id", article_id)
            for fields in found:
                writer.add_document(document(fields))
        stamp = writer.commit()
        with self.core.lock.hold(exclusive=False):
            self.core.catalogue.set_text_applied((token, latest, stamp))

    def _rebuild(self, writer: tantivy.IndexWriter, progress: Progress | None) -> None:
        from store.search.text_index import document

        writer.delete_all_documents()
        with self.core.reading():
            ids = self.core.catalogue.ids()
        for start in range(0, len(ids), REBUILD_CHUNK):
            with self.core.reading() as session:
                rows = self.core.catalogue.text_rows(ids[start : start + REBUILD_CHUNK])
                read = self._records(session, rows)

            def records(_: list[TextRow], read: dict[str, dict[str, Any]] = read) -> dict[str, dict[str, Any]]:
                return read

            for fields in self._fields_of(rows, None, records):
                writer.add_document(document(fields))
            if progress:
                progress(min(start + REBUILD_CHUNK, len(ids)), len(ids))

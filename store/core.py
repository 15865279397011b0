"""StoreCore: what every service of a store shares — its directory, the lock, the commit manifest,
the catalogue (index.sqlite), the cache of parsed documents, and the sessions that read and
write under the lock (`reading()`, `writing()`).

Every operation holds an flock (shared to read, exclusive to write) across its whole
read-modify-write, and each write is one atomic commit (store.disk.files).  A session first
finishes what a killed writer left and catches the catalogue up with the files
(store.disk.catch_up); a damaged segment or state shard found on the way is reported once to
the watchers, and the store goes on without it."""

from __future__ import annotations

import contextlib
import errno
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from store.disk.catalogue import Catalogue
from store.disk.catalogue_rows import CatalogueRow
from store.disk.catch_up import Progress, catch_up
from store.disk.documents import DocumentCache, Session
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
from store.disk.layout import ARTICLES_DIR, INDEX_FILE, LOCK_FILE, STATE_DIR, is_indexed_file, segment_path
from store.disk.opening import check_schema, open_manifest
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
from store.values import State


def _nothing() -> None:
    return None


class StoreCore:
    """The store directory, opened: safe to use from several threads and several processes."""

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
        self.after_commit: Callable[[], None] = _nothing
        """Called after each commit of this process, and after a catch-up that found changes
        (the full-text index's sync sets it: store.search.text_sync)."""
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
        self._damage_lock = threading.Lock()
        self.damaged: dict[str, StoreCorrupt] = {}
        """Segments and state shards this process found damaged (store.disk.catch_up): a shard is
        read as empty, a segment's articles not indexed before are left out; writes to them refused."""
        self._damage_watchers: list[Callable[[StoreCorrupt], object]] = []

    def _open(self, readonly: bool, *, for_want_of_space: bool = False) -> None:
        self.cache = DocumentCache()
        """The parsed TinyDB documents, by file and generation (replace it to forget them)."""
        self.lock = StoreLock(self.root / LOCK_FILE, readonly=readonly)
        try:
            with self.lock.hold(exclusive=not readonly):
                manifest, rebuilt = open_manifest(self.root, readonly=readonly)
                check_schema(self.root, self.cache, manifest, readonly=readonly)
                self.catalogue = Catalogue(self.root / INDEX_FILE, readonly=readonly, in_memory=for_want_of_space)
                if rebuilt:
                    self.catalogue.forget_files()
        except BaseException:
            self.lock.close()
            raise

    def privacy_warning(self) -> str | None:
        """What to tell the user when the store directory is open to other users, else None."""
        if not self.open_to_others:
            return None
        return (
            f"{self.root} is open to other users (mode {self.open_to_others:o});"
            f" run `chmod 700 {self.root}` to keep your articles and tags private"
        )

    def segment_path(self, seg: int) -> Path:
        return segment_path(self.root, seg)

    def wait_for_writes(self) -> None:
        """Return once no commit of this process to the files is in flight."""
        with self.lock.hold(exclusive=not self.readonly):
            pass

    def close(self) -> None:
        with self.lock.hold(exclusive=False):
            self.catalogue.close()
        self.lock.close()

    # -- sessions ----------------------------------------------------------------------------
    def current_manifest(self) -> Manifest:
        return read_manifest(self.root) or EMPTY_MANIFEST

    def _recovered_manifest(self) -> Manifest:
        """The manifest, after finishing a commit whose writer died past its commit point.
        Call with the shared lock held."""
        manifest = self.current_manifest()
        if not self.readonly and needs_recovery(self.root, manifest):
            with self.lock.hold(exclusive=True):
                manifest = self.current_manifest()
                recover(self.root, (ARTICLES_DIR, STATE_DIR), manifest)
        return manifest

    @contextlib.contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only session under the shared lock, the catalogue caught up with the files."""
        with self.lock.hold(exclusive=False):
            session = Session(self.root, self.cache, self._recovered_manifest(), writable=False)
            try:
                self.catch_up(session)
            except IndexWriteFailed as exc:
                if not for_want_of_space(exc, self.root):
                    raise StoreError(
                        f"{self.root}: {reason_of(exc)} (bringing the index up to date); nothing was changed"
                    ) from exc
                # Reading needs no space: go on read-only, catching up a copy of the index in memory.
                self._read_only_for_want_of_space()
                self.catch_up(session)
            yield session

    def _read_only_for_want_of_space(self) -> None:
        """The disk is full: from now on this store reads, from a copy of index.sqlite in memory,
        and refuses every write (not saved).  Call with the lock held."""
        self.readonly = True
        self.no_space = f"{self.root}: {NO_SPACE}; nothing was changed (read-only from now on)"
        old, self.catalogue = self.catalogue, Catalogue(self.root / INDEX_FILE, in_memory=True)
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
    def writing(self) -> Iterator[Session]:
        """A writable session under the exclusive lock; `session.commit()` makes its changes one
        durable commit.  A failure says whether the change was saved (StoreWriteFailed)."""
        if self.no_space:
            raise StoreWriteFailed(errno.ENOSPC, not_saved_message(self.root, NO_SPACE))
        if self.readonly:
            raise StoreReadOnly(f"{self.root}: the store is read-only")
        with self.lock.hold(exclusive=True):
            manifest = self.current_manifest()
            # Finish or discard whatever a killed writer left (cheap: three directory listings).
            try:
                recover(self.root, (ARTICLES_DIR, STATE_DIR), manifest)
            except OSError as exc:
                raise StoreWriteFailed(exc.errno or errno.EIO, not_saved_message(self.root, reason_of(exc))) from exc
            try:
                self.catch_up(Session(self.root, self.cache, manifest, writable=False))
            except IndexWriteFailed as exc:
                raise StoreWriteFailed(_errno_of(exc, self.root), not_saved_message(self.root, reason_of(exc))) from exc
            session = Session(self.root, self.cache, manifest, writable=True)
            try:
                yield session
            except IndexWriteFailed as exc:
                session.abort()
                # Past the commit point, the index lags the files: the next use catches it up.
                saved = session.manifest.gen > manifest.gen
                message = (saved_message if saved else not_saved_message)(self.root, reason_of(exc))
                raise StoreWriteFailed(_errno_of(exc, self.root), message) from exc
            except BaseException:
                session.abort()
                raise

    def catch_up(self, session: Session, progress: Progress | None = None, *, kick: bool = True) -> list[str]:
        """Bring the catalogue up to date with the files of `session`'s manifest; returns the
        ids it touched."""
        touched = catch_up(self.catalogue, session, progress)
        if touched and kick:
            self.after_commit()
        self.report_damage(session.damaged)
        return touched

    def record_commit(
        self,
        session: Session,
        touched: Iterable[str],
        rows: Sequence[tuple[CatalogueRow, State, int]] = (),
        states: dict[str, State] | None = None,
        deleted: Sequence[str] = (),
    ) -> None:
        """Apply our own commit to the catalogue (the files are already durable)."""
        written = {
            rel: str(gen)
            for rel, gen in session.manifest.files.items()
            if gen == session.manifest.gen and is_indexed_file(rel)
        }
        with self.catalogue.batch() as db:
            if deleted:
                Catalogue.delete(db, deleted)
            Catalogue.upsert(db, rows)
            if states:
                Catalogue.set_states(db, states)
            Catalogue.set_file_gens(db, written)
            Catalogue.record_changes(db, touched)
        self.catalogue.prune_changes()
        self.after_commit()

    # -- damaged segments and state shards -------------------------------------------------------
    def watch_damage(self, callback: Callable[[StoreCorrupt], object]) -> None:
        """Call `callback` (from whichever thread reads) with each damaged segment or state shard
        this process finds, once per file: those found already, and those found later."""
        with self._damage_lock:
            self._damage_watchers.append(callback)
            known = list(self.damaged.values())
        for error in known:
            callback(error)

    def report_damage(self, found: dict[str, StoreCorrupt]) -> None:
        """Remember damaged files found (by store-relative path), telling the watchers of each
        new one."""
        if not found:
            return
        with self._damage_lock:
            new = [e for rel, e in found.items() if rel not in self.damaged]
            self.damaged.update(found)
            watchers = list(self._damage_watchers)
        for error in new:
            for callback in watchers:
                callback(error)


def reason_of(exc: BaseException) -> str:
    """What went wrong, in words: want of space named as such."""
    cause = exc.__cause__ or exc
    text = str(cause)
    return NO_SPACE if "full" in text or "No space" in text else text


def _errno_of(exc: BaseException, root: Path) -> int:
    return errno.ENOSPC if for_want_of_space(exc, root) else errno.EIO

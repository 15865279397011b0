"""Automatic backups: verified, incremental snapshots kept in the store's `backups/` directory,
so that a damaged file can be put back from its newest good copy (store.care.recovery).

A snapshot is the TinyDB files of one manifest generation, each parsed before it is kept (a
damaged store file is never backed up as if it were good).  Writes replace files by rename, so a
file whose manifest generation has not changed since the previous snapshot has the same bytes:
it is hard-linked to that snapshot's copy instead of copied again.  The copies are newsdesk's own
inodes, never the store's, so damage done to a store file in place cannot reach them.  The
derived index is left out (it is rebuilt from the files).

Snapshots are taken without holding up writers: files are copied outside the store lock, then
the manifest is read again under the shared lock and any file a commit touched meanwhile is
copied again under it.  One process snapshots at a time (a non-blocking flock); another that
finds it busy skips, since a fresh snapshot is being made anyway."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.care.snapshots import BACKUPS_DIR, LOCK_FILE, PARTIAL_MARK, Snapshot, remove_stale_partials, snapshots
from store.disk.documents import parse_document
from store.disk.files import (
    DIR_MODE,
    FILE_MODE,
    MANIFEST,
    Manifest,
    all_dirs,
    fsync_dir,
    make_dirs,
    read_manifest,
    write_new,
)
from store.disk.layout import STORE_FILE, is_state_shard
from store.errors import StoreCorrupt, StoreError

if TYPE_CHECKING:
    from store.care.recovery import Damage
    from store.core import StoreCore


class Backups:
    """The store's snapshots in backups/, repairs from them (store.care.recovery), and
    `backup DEST`'s consistent copy."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def snapshots(self) -> list[Snapshot]:
        return snapshots(self.core.root)

    def assess_damage(self, error: StoreCorrupt) -> Damage:
        """Keep a damaged file's bytes aside and say what can be done (store.care.recovery)."""
        from store.care.recovery import assess

        return assess(self.core.root, error, writable=not self.core.readonly)

    def repair_damage(self, damage: Damage) -> str:
        """Apply the remedy `assess_damage` found, under this store's lock; the index catches up
        on the next read, like after any commit."""
        from store.care.recovery import repair

        return repair(self.core.root, damage, self.core.lock)

    def auto_backup(self, every_hours: float, keep: int, now: float | None = None) -> Snapshot | None:
        """Take a snapshot if the newest is older than `every_hours` and the store has changed
        since; keep the newest `keep`.  None when nothing was due (or `keep` is 0, or read-only).
        A damaged store file raises StoreCorrupt: nothing is kept of that attempt — except a
        damaged state shard, which is left out (and reported to `watch_damage`), so that one
        damaged file of tags never stops the backups of everything else."""
        if keep <= 0 or self.core.readonly:
            return None
        now = time.time() if now is None else now
        kept = self.snapshots()
        if kept and now - kept[0].taken < every_hours * 3600:
            return None
        manifest = read_manifest(self.core.root)
        if manifest is None or (kept and kept[0].gen == manifest.gen):
            return None
        return self.snapshot(keep=keep, now=now)

    def snapshot(self, keep: int = 7, now: float | None = None) -> Snapshot | None:
        """Take a snapshot now; None if another process is taking one."""
        directory = self.core.root / BACKUPS_DIR
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        with _exclusive(directory / LOCK_FILE) as held:
            if not held:
                return None
            for name in os.listdir(directory):  # left by a process killed while snapshotting
                if name.startswith(PARTIAL_MARK):
                    shutil.rmtree(directory / name, ignore_errors=True)
            previous = snapshots(self.core.root)
            work = directory / f"{PARTIAL_MARK}{os.getpid()}-{secrets.token_hex(4)}"
            work.mkdir(mode=DIR_MODE)
            try:
                taken = _fill(self.core, work, previous[0] if previous else None)
                stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
                final = directory / f"g{taken.gen:010d}-{stamp}"
                if final.exists():
                    shutil.rmtree(work)
                else:
                    for sub in all_dirs(work):
                        fsync_dir(sub)
                    os.replace(work, final)
                    fsync_dir(directory)
            except BaseException:
                shutil.rmtree(work, ignore_errors=True)
                raise
            for old in snapshots(self.core.root)[max(keep, 1) :]:
                shutil.rmtree(old.path, ignore_errors=True)
            return Snapshot(final, taken.gen, time.time() if now is None else now, taken.files)

    def copy_to(self, dest: Path | str) -> dict[str, Any]:
        """A consistent copy of the store in `dest` (a new directory): the files of one manifest
        generation, copied under the shared lock (readers go on; a writer waits for the copy),
        fsynced, then renamed into place.  The derived index is left out: it is rebuilt on open."""
        dest = Path(dest)
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise StoreError(f"{dest}: exists and is not an empty directory")
        work = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        remove_stale_partials(dest.parent)  # left by a backup killed while it copied
        copied = 0
        size = 0
        try:
            with self.core.reading() as session:
                make_dirs(dest.parent)
                work.mkdir(mode=DIR_MODE)
                for rel in dict.fromkeys([STORE_FILE, MANIFEST, *sorted(session.manifest.files)]):
                    source = self.core.root / rel
                    if not source.exists():
                        continue
                    target = work / rel
                    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                    data = source.read_bytes()
                    write_new(target, data)
                    size += len(data)
                    copied += 1
            for directory in all_dirs(work):
                fsync_dir(directory)
            if dest.exists():
                dest.rmdir()
            os.replace(work, dest)
            fsync_dir(dest.parent)
        except OSError as exc:
            shutil.rmtree(work, ignore_errors=True)
            raise StoreError(f"{dest}: the backup could not be written ({exc.strerror or exc}); not saved") from exc
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        manifest = read_manifest(dest)
        return {"files": copied, "bytes": size, "generation": manifest.gen if manifest else 0}


def _fill(store: StoreCore, work: Path, previous: Snapshot | None) -> Manifest:
    """Copy one generation's files into `work`; returns the manifest they belong to."""
    with store.reading() as session:
        first = session.manifest
    copied: dict[str, int] = {}
    left_out: set[str] = set()  # damaged state shards: the rest of the store is still kept
    for rel, gen in first.files.items():
        try:
            _keep(store.root, work, rel, previous if previous and previous.files.get(rel) == gen else None)
        except FileNotFoundError:  # a commit deleted it meanwhile: settled under the lock below
            continue
        except StoreCorrupt:
            if not is_state_shard(rel):
                raise  # retried under the lock below; a state shard still damaged then is left out
        copied[rel] = gen
    with store.reading() as session:  # writers wait only for what changed meanwhile
        final = session.manifest
        for rel, gen in final.files.items():
            if copied.get(rel) != gen or not (work / rel).exists():
                with contextlib.suppress(FileNotFoundError):
                    (work / rel).unlink()
                try:
                    _keep(store.root, work, rel, None)
                except StoreCorrupt as exc:
                    if not is_state_shard(rel):
                        raise
                    left_out.add(rel)
                    store.report_damage({rel: exc})  # said, as when a read finds it
        for rel in copied.keys() - final.files.keys():
            with contextlib.suppress(FileNotFoundError):
                (work / rel).unlink()
        if not final.files:
            raise StoreError(f"{store.root}: nothing to back up yet")
    record = Manifest(final.gen, {rel: gen for rel, gen in final.files.items() if rel not in left_out})
    write_new(work / MANIFEST, record.to_bytes())
    return record


def _keep(root: Path, work: Path, rel: str, same_in: Snapshot | None) -> None:
    """Copy one file into the snapshot, parsed first; or link the previous snapshot's copy
    when the generation is the same and the sizes agree (a file damaged in place since, by
    truncation or padding, no longer agrees and is read, so the damage is found)."""
    target = work / rel
    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    source = root / rel
    if same_in is not None:
        try:
            if os.stat(same_in.path / rel).st_size == os.stat(source).st_size:
                os.link(same_in.path / rel, target)
                return
        except FileNotFoundError:
            if not source.exists():
                raise
        except OSError:
            pass  # no hard links here: copy it
    raw = source.read_bytes()
    parse_document(source, raw)  # StoreCorrupt names the file; the snapshot is dropped
    write_new(target, raw)


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[bool]:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)

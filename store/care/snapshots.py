"""The snapshots kept in the store's `backups/` directory (taken by store.care.backups), and
unfinished backup directories left by a process killed while it copied."""

from __future__ import annotations

import calendar
import fcntl
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from store.disk.files import MANIFEST, read_manifest
from store.disk.layout import ARTICLES_DIR, STATE_DIR
from store.errors import StoreError

BACKUPS_DIR = "backups"
LOCK_FILE = ".lock"
"""In backups/: held (flock, exclusive) by the process taking a snapshot."""
SNAPSHOT_RE = re.compile(r"^g(\d{10,})-(\d{8}T\d{6}Z)$")
PARTIAL_MARK = ".partial-"
PARTIAL_RE = re.compile(r"^(?:\.partial-(\d+)-[0-9a-f]+|\..+\.partial-(\d+))$")
"""A directory a backup is being written to: a snapshot's `.partial-PID-HEX` in backups/, or
`backup DEST`'s `.DEST.partial-PID` beside DEST (Backups.copy_to)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One kept snapshot: its directory, the store generation it holds and when it was taken."""

    path: Path
    gen: int
    taken: float
    files: dict[str, int]

    def copy_of(self, rel: str) -> Path | None:
        return self.path / rel if rel in self.files or rel == MANIFEST else None


def snapshots(root: Path) -> list[Snapshot]:
    """The complete snapshots of the store at `root`, newest first (unreadable ones skipped)."""
    found: list[Snapshot] = []
    try:
        names = os.listdir(root / BACKUPS_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return []
    for name in names:
        match = SNAPSHOT_RE.match(name)
        if not match:
            continue
        try:
            manifest = read_manifest(root / BACKUPS_DIR / name)
        except StoreError:
            continue
        if manifest is None:
            continue
        taken = float(calendar.timegm(time.strptime(match.group(2), "%Y%m%dT%H%M%SZ")))
        found.append(Snapshot(root / BACKUPS_DIR / name, manifest.gen, taken, manifest.files))
    found.sort(key=lambda s: (s.gen, s.taken), reverse=True)
    return found


def snapshot_due(root: Path, every_hours: float, keep: int, now: float | None = None) -> bool:
    """Whether an automatic snapshot may be due (Backups.auto_backup decides): False only when
    it is certainly not — none are kept, or the newest complete one is younger than
    `every_hours`, or holds the store's current generation, or another process is taking one
    (holds backups/.lock).  Reads two small files and a directory listing, so that a command
    needs not open the store a second time to learn it."""
    if keep <= 0 or _lock_held(root / BACKUPS_DIR / LOCK_FILE):
        return False
    try:
        names = os.listdir(root / BACKUPS_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return True
    newest = max((m for m in map(SNAPSHOT_RE.match, names) if m), key=lambda m: int(m.group(1)), default=None)
    if newest is None:
        return True
    try:
        kept = read_manifest(root / BACKUPS_DIR / newest.group(0))
        current = read_manifest(root)
    except StoreError:
        return True
    if kept is None:
        return True
    stamp = newest.group(2)
    taken = calendar.timegm(
        (int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8]), int(stamp[9:11]), int(stamp[11:13]), int(stamp[13:15]))
    )
    now = time.time() if now is None else now
    return now - taken >= every_hours * 3600 and (current is None or current.gen != kept.gen)


def _lock_held(path: Path) -> bool:
    """Whether another process holds the flock on `path` (backups/.lock while it snapshots).
    Probed with a shared lock, let go at once: a snapshot starting in that instant finds it
    taken and leaves the snapshot to the next write, as when two start together."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # none yet: nobody ever snapshotted here
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)  # lets go of the lock, if taken
    return False


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _store_copy(path: Path) -> bool:
    """Whether `path` holds nothing but what a backup copies (the store's JSON files, articles/
    and state/): a directory of another program that happens to be named alike is left alone."""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    return all(name in (ARTICLES_DIR, STATE_DIR) or name.endswith(".json") for name in names)


def remove_stale_partials(directory: Path) -> list[Path]:
    """Remove the unfinished backups in `directory` whose process is no longer running (one
    killed while it copied); those of running processes, this one's included, are left alone.
    Returns what was removed."""
    removed: list[Path] = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = PARTIAL_RE.match(name)
        if not match:
            continue
        pid = int(match.group(1) or match.group(2))
        path = directory / name
        if pid == os.getpid() or _running(pid) or path.is_symlink() or not path.is_dir():
            continue
        if not _store_copy(path):
            continue
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(path)
    return removed

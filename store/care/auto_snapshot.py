"""The automatic snapshot after a CLI write, taken by a process of its own:
`python -m store.care.auto_snapshot ROOT HOURS KEEP` (started by `start`).

A `newsdesk tag` in a scripted loop should not wait for a snapshot: the first one copies the
whole store (seconds at 100k articles, a minute at a million). The command's own commit is on
disk before it starts this process, so the snapshot is of a committed generation, taken as
Backups.auto_backup takes any (under backups/.lock; `snapshot_due` is False while another
process holds that lock, so a loop of commands starts no second copy)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def start(root: Path, every_hours: float, keep: int) -> subprocess.Popen[bytes]:
    """Start the snapshot process, detached: its own session (a Ctrl-C or the terminal's
    hang-up does not reach it), nothing on the command's stdin, stdout or stderr."""
    return subprocess.Popen(
        [sys.executable, "-m", "store.care.auto_snapshot", os.path.abspath(root), repr(every_hours), str(keep)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


FAILURE_NOTE = "last-failure.txt"
"""In backups/: why the last detached snapshot failed (this process has no terminal to say it
on); the next command that starts one says it (`last_failure`), a snapshot taken removes it."""


def last_failure(root: Path) -> str | None:
    """What the last detached snapshot of the store at `root` failed with, if it did."""
    from store.care.snapshots import BACKUPS_DIR

    try:
        with open(Path(root) / BACKUPS_DIR / FAILURE_NOTE, encoding="utf-8", errors="replace") as note:
            return note.read(500).strip() or None
    except OSError:
        return None


def _note_failure(root: Path, text: str | None) -> None:
    """Write (text) or remove (None) the failure note; a note that cannot be written is left out
    (the disk may be the reason the snapshot failed)."""
    from store.care.snapshots import BACKUPS_DIR

    path = root / BACKUPS_DIR / FAILURE_NOTE
    try:
        if text is None:
            path.unlink(missing_ok=True)
            return
        temp = path.with_name(f".{FAILURE_NOTE}.{os.getpid()}")
        temp.write_text(text + "\n", encoding="utf-8")
        os.replace(temp, path)
    except OSError:
        pass


def main(argv: list[str]) -> int:
    """Take the snapshot if it is (still) due; 0 when done or not due, 1 when it failed (the
    reason kept in backups/last-failure.txt)."""
    os.umask(0o077)  # private files, whatever the umask of the shell that ran newsdesk
    root, hours, keep = Path(argv[0]), float(argv[1]), int(argv[2])
    from store.errors import StoreError
    from store.news_store import NewsStore

    try:
        with NewsStore(root, create=False) as store:
            taken = store.auto_backup(hours, keep)
    except (StoreError, OSError) as exc:
        import time

        when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        _note_failure(root, f"{when}: {exc}")
        return 1  # the next write's snapshot tries again
    if taken is not None:
        _note_failure(root, None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

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


def main(argv: list[str]) -> int:
    """Take the snapshot if it is (still) due; 0 when done or not due, 1 when it failed."""
    os.umask(0o077)  # private files, whatever the umask of the shell that ran newsdesk
    root, hours, keep = Path(argv[0]), float(argv[1]), int(argv[2])
    from store.errors import StoreError
    from store.news_store import NewsStore

    try:
        with NewsStore(root, create=False) as store:
            store.auto_backup(hours, keep)
    except (StoreError, OSError):
        return 1  # the next write's snapshot tries again
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Who applies the change feed to the full-text index, besides a call to TextSync.sync
(store.search.text_sync): a thread after a store's own writes, or a process during a large import.

- Syncer: after each commit of this process, applies the feed; keeps tantivy's writer while writes
  keep coming and for IDLE_SECONDS after (then a last sync picks up other processes' changes, and
  the writer is let go).  A writer another process holds is tried again, IDLE_SECONDS apart, up
  to BUSY_RETRIES times; the holder applies everybody's changes meanwhile.
- Indexer: `python -m store.search.text_indexer`, fed a line per committed batch.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.search.text_sync import TextSync

IDLE_SECONDS = 1.0
BUSY_RETRIES = 30
"""How many times (IDLE_SECONDS apart) a store retries a writer lock held by another process."""
INDEXER_TIMEOUT = 600.0
"""Seconds an import waits, at its end, for its indexing process to catch up."""


class Indexer:
    """The indexing process of a bulk import (store.search.text_indexer), fed a line per commit."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    @classmethod
    def start(cls, root: Any) -> Indexer | None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "store.search.text_indexer", str(root)],
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


class Syncer(threading.Thread):
    """The background sync of one store: applies the change feed after this process's writes,
    holding tantivy's writer while they keep coming and letting it go once idle."""

    def __init__(self, owner: TextSync) -> None:
        super().__init__(name="newsdesk-text-sync", daemon=True)
        self.owner = owner
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
                    writer = self.owner.index.writer()
                    # None: another process holds it; try again a little later
                    busy = writer is None and retries < BUSY_RETRIES and not stopping
                    retries = retries + 1 if busy else 0
                if writer is not None:
                    self.owner.apply(writer)
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

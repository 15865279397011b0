"""The full-text index's own process, during a large import (store.search.text_sync.TextSync.bulk_import).

    python -m store.search.text_indexer STORE_DIR      # reads 'sync' / 'stop' lines on stdin

In the importing process, indexing shares one interpreter lock with parsing, hashing and
writing: importing and indexing are each about half of an article's Python time, so the import
ran at the pace of both.  Here they run on two cores.  The process keeps tantivy's writer for
its whole life, applies the change feed at every line (a line per committed batch; lines that
pile up cost an empty check each), and at 'stop' or the end of its input applies what is left,
waits for tantivy's merges and exits 0.  Exit 3: it could not get the writer or apply; the
importing process then applies what is pending itself.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from typing import Any

WRITER_TRIES = 50
WRITER_WAIT = 0.1
"""Seconds between tries for a writer another process holds (tantivy's lock does not wait)."""


def run(root: str, lines: Iterable[str]) -> int:
    from store import NewsStore

    with NewsStore(root) as store:
        writer: Any = None
        for line in lines:
            writer = writer or store.text_sync.index.writer()
            if writer is not None:
                store.text_sync.apply(writer)
            if line.strip() == "stop":
                break
        for _ in range(WRITER_TRIES):
            writer = writer or store.text_sync.index.writer()
            if writer is not None:
                break
            time.sleep(WRITER_WAIT)
        if writer is None:
            return 3
        store.text_sync.apply(writer)
        writer.wait_merging_threads()
    return 0


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m store.search.text_indexer STORE_DIR", file=sys.stderr)
        return 2
    try:
        return run(argv[1], sys.stdin)
    except Exception as exc:  # noqa: BLE001 - the importing process applies what is pending
        print(f"newsdesk text indexer: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv))

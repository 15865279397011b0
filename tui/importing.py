"""Importing sources into a store in batches: the one path the CLI, the demo, refresh and the
reader's import dialog share."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

from articles.sanitize import clean_line, strip_controls
from tui.config import Settings

IMPORT_BATCH = 1000
"""Articles per commit: one import batch is one atomic commit."""


def _stderr(message: str) -> None:
    print(strip_controls(message), file=sys.stderr)


def import_sources(
    store: Any,
    sources: Sequence[str],
    settings: Settings,
    progress: Callable[[int, str], None] | None = None,
    report: Callable[[str], None] = _stderr,
) -> dict[str, int]:
    """Read every source into the store in batches of IMPORT_BATCH (one commit each); each
    problem goes to `report` (stderr by default) as `SOURCE: reason`.  The summary's `ids` are
    the articles new or changed (for entity extraction)."""
    from articles.importers import read_sources

    return store_items(store, read_sources(sources, settings.import_options()), progress, report)


def store_items(
    store: Any,
    items: Iterable[Any],
    progress: Callable[[int, str], None] | None = None,
    report: Callable[[str], None] = _stderr,
) -> dict[str, Any]:
    """Articles into the store in batches, subscriptions remembered, problems reported."""
    from articles.importers import Problem, Subscription
    from articles.model import Article
    from store import ImportCounts

    totals = ImportCounts()
    failed = warnings = 0
    batch: list[Article] = []
    subscriptions: list[Subscription] = []
    seen = 0

    def flush() -> None:
        if batch:
            totals.add(store.add_articles(batch))
            batch.clear()

    # A large import indexes for search in a process of its own (store.text_sync.bulk_import).
    with store.bulk_import():
        for item in items:
            if isinstance(item, Article):
                batch.append(item)
                seen += 1
                if progress and seen % 100 == 0:
                    progress(seen, item.source)
                if len(batch) >= IMPORT_BATCH:
                    flush()
            elif isinstance(item, Subscription):
                subscriptions.append(item)
            elif isinstance(item, Problem):
                if item.warning:
                    warnings += 1
                    report(f"{clean_line(item.source)}: warning: {clean_line(item.reason)}")
                else:
                    failed += 1
                    report(str(item))
        flush()
    if progress:
        progress(-1, "")
    for problem in totals.problems:
        report(f"warning: {problem}")
    feeds = store.add_subscriptions(subscriptions) if subscriptions else 0
    return {
        "imported": totals.imported,
        "duplicates": totals.duplicates,
        "updated": totals.updated,
        "failed": failed,
        "warnings": warnings + len(totals.problems),
        "feeds": feeds,
        "ids": list(dict.fromkeys(totals.ids)),
    }


def progress_line(stream: TextIO) -> Callable[[int, str], None] | None:
    """A one-line progress display on stderr, only when stderr is a terminal."""
    if not stream.isatty():
        return None

    def show(count: int, source: str) -> None:
        if count < 0:
            stream.write("\r\x1b[K")
        else:
            stream.write(f"\r\x1b[Kimporting… {count} articles  {clean_line(source)[:40]}")
        stream.flush()

    return show

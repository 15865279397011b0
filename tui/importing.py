"""Importing sources into a store in batches: the one path the CLI, the demo, refresh and the
reader's import dialog share."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from articles.sanitize import clean_line, strip_controls
from tui.config import Settings

if TYPE_CHECKING:
    from store import NewsStore

IMPORT_BATCH = 1000
"""Articles per commit: one import batch is one atomic commit."""

SHOWN_FAILURES = 100
"""Failures named one by one on stderr (`--verbose`: all); every one is counted in the summary,
and a last line says how many were not shown."""


def to_stderr(message: str) -> None:
    """The default `report` of an import or a refresh: one line on stderr, without control characters."""
    print(strip_controls(message), file=sys.stderr)


def import_sources(
    store: NewsStore,
    sources: Sequence[str],
    settings: Settings,
    progress: Callable[[int, str], None] | None = None,
    report: Callable[[str], None] = to_stderr,
    *,
    verbose: bool = False,
) -> dict[str, Any]:
    """Read every source into the store in batches of IMPORT_BATCH (one commit each); each
    problem goes to `report` (stderr by default) as `SOURCE: reason`.  The summary's `ids` are
    the articles new or changed (for entity extraction).  Files a folder walk skipped are
    counted, summed up in a note or two, and named one by one when `verbose`.  Then [hooks]
    post_import runs with the new articles' ids (tui.hooks)."""
    from articles.importers import read_sources

    summary = store_items(store, read_sources(sources, settings.import_options()), progress, report, verbose=verbose)
    run_hooks(store, settings, summary.pop("new_ids"), report)
    return summary


def run_hooks(store: NewsStore, settings: Settings, new_ids: Sequence[str], report: Callable[[str], None]) -> None:
    """[hooks] post_import, when the config sets one (its failure is reported, the import stays)."""
    if settings.hooks.post_import:
        from tui.hooks import run_post_import

        present = store.list_items(new_ids) if new_ids else {}  # not those a delete rule took at once
        run_post_import(settings.hooks, [i for i in new_ids if i in present], store.root, report)


def store_items(
    store: NewsStore,
    items: Iterable[Any],
    progress: Callable[[int, str], None] | None = None,
    report: Callable[[str], None] = to_stderr,
    *,
    verbose: bool = False,
) -> dict[str, Any]:
    """Articles into the store in batches, subscriptions remembered, problems reported."""
    from articles.importers import Problem, Skipped, Subscription
    from articles.model import Article
    from store import ImportCounts, StoreWriteFailed

    totals = ImportCounts()
    failed = warnings = 0
    shown = not_shown = 0
    batch: list[Article] = []
    subscriptions: list[Subscription] = []
    skipped: list[Skipped] = []
    seen = 0

    def flush() -> None:
        if batch:
            try:
                totals.add(store.add_articles(batch))
            except StoreWriteFailed as exc:
                kept = totals.imported + totals.updated
                if not kept:
                    raise
                # Say what is in the store: the earlier batches were each their own commit.
                raise StoreWriteFailed(exc.errno, f"{exc} (the {kept} articles before it were saved)") from exc
            batch.clear()

    # A large import indexes for search in a process of its own (store.search.text_sync, NewsStore.bulk_import).
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
            elif isinstance(item, Skipped):
                skipped.append(item)
                if verbose:
                    report(f"{clean_line(item.source)}: skipped: {clean_line(item.reason)}")
            elif isinstance(item, Problem):
                if item.warning:
                    warnings += 1
                    report(f"{clean_line(item.source)}: warning: {clean_line(item.reason)}")
                else:
                    failed += item.count
                    if verbose or shown < SHOWN_FAILURES:
                        shown += 1
                        report(str(item))
                    else:
                        not_shown += item.count
        flush()
    if progress:
        progress(-1, "")
    if not_shown:
        report(
            f"{not_shown:,} more failures not shown ({failed:,} in all; the first are above, "
            "each with its line; --verbose shows every one)"
        )
    if not verbose:
        for note in skipped_notes(skipped):
            report(note)
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
        "skipped": len(skipped),
        "ids": list(dict.fromkeys(totals.ids)),
        "new_ids": list(dict.fromkeys(totals.new_ids)),
    }


def skipped_notes(skipped: Sequence[Any], named: int = 3) -> list[str]:
    """What a folder walk passed over, said once per folder as `FOLDER: note`: the links that
    lead out of it (the first few named), and how many files are not articles (`--verbose`
    names every one and says why)."""
    notes: list[str] = []
    for folder in dict.fromkeys(s.folder for s in skipped):
        mine = [s for s in skipped if s.folder == folder]
        outside = [s for s in mine if s.outside]
        others = len(mine) - len(outside)
        if outside:
            names = ", ".join(_relative(s.source, folder) for s in outside[:named])
            more = f" and {len(outside) - named} more" if len(outside) > named else ""
            were = "was" if len(outside) == 1 else "were"
            notes.append(
                f"{clean_line(folder)}: {_count(len(outside), 'link')} leading out of the folder {were} not "
                f"followed: {names}{more} (--verbose says where each leads)"
            )
        if others:
            notes.append(
                f"{clean_line(folder)}: skipped {_count(others, 'file')} that newsdesk does not take for "
                "articles (--verbose names each and says why)"
            )
    return notes


def _relative(path: str, folder: str) -> str:
    prefix = folder.rstrip("/") + "/"
    return clean_line(path[len(prefix) :] if folder and path.startswith(prefix) else path)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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

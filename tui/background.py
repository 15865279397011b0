"""Imports and refreshes in the reader's background: one job at a time in a thread worker of the
App, then the entity extraction of what is new in one low-priority process.  The list shows new
articles as they are committed (the main screen follows the change feed); the top bar shows
what the job is doing."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.app import NewsdeskApp

NOTICE_PROBLEMS = 5
"""Problems a notice names; the rest are in the report (REPORT_COMMAND in the palette)."""
REPORT_COMMAND = "Import report"


class BackgroundJobs:
    """The App's import and refresh jobs, their status and the last one's report."""

    def __init__(self, app: NewsdeskApp) -> None:
        self.app = app
        self.status = ""
        """What a background import or refresh is doing, for the top bar ("" when none runs)."""
        self.report: tuple[str, str, list[str]] | None = None
        """The last import's or refresh's (title, summary, every problem), for "Import report"."""
        self._after: list[Callable[[], object]] = []

    def start(self, kind: str, sources: list[str] | None = None, on_done: Callable[[], object] | None = None) -> None:
        """Run an import of `sources` ("import") or a refresh ("refresh"), then the extraction;
        `on_done` runs when the job (this one, or the one already running) is over."""
        app = self.app
        if on_done is not None:
            self._after.append(on_done)
        if app.store is None:
            return
        if self.status:
            if kind == "import":
                app.notify("An import or refresh is running; try again when it is done.", markup=False)
            return
        if app.store.readonly:
            app.notify("This store is read-only: import or refresh from a session that may write.", markup=False)
            return
        app.set_background_status("refreshing feeds…" if kind == "refresh" else "importing…")
        work = partial(self._work, kind, sources or [])
        app.run_worker(work, name="ingest", group="ingest", thread=True, exit_on_error=False)

    def _work(self, kind: str, sources: list[str]) -> None:
        from tui.importing import import_sources
        from tui.refreshing import due_feeds, refresh_feeds

        app = self.app
        store = app.store
        assert store is not None
        problems: list[str] = []

        def status(text: str) -> None:
            app.call_from_thread(app.set_background_status, text)

        try:
            if kind == "refresh":
                summary = refresh_feeds(
                    store,
                    app.settings,
                    due_feeds(store),
                    progress=lambda done, total, _url: status(f"refreshing feeds {done}/{total}"),
                    report=problems.append,
                )
            else:
                summary = import_sources(
                    store,
                    sources,
                    app.settings,
                    progress=lambda count, _source: status(f"importing… {count} articles") if count >= 0 else None,
                    report=problems.append,
                )
            ids = summary.pop("ids", [])
            summary["entities"] = self._extract(ids, status, problems)
            summary["stories"] = store.stories.assign(lambda done, total: status(f"placing stories {done}/{total}"))
        except Exception as exc:  # whatever went wrong is said, and the reader goes on
            app.call_from_thread(self._done, kind, None, [*problems, f"{type(exc).__name__}: {exc}"])
            return
        app.call_from_thread(self._done, kind, summary, problems)

    def _extract(self, ids: list[str], status: Callable[[str], None], problems: list[str]) -> int:
        """Entities for new articles (extract_in_background); nothing when no model is installed."""
        from articles.entities.extract import ExtractionUnavailable

        assert self.app.store is not None
        try:
            return extract_in_background(
                self.app.store,
                ids,
                self.app.settings.entities.model,
                progress=lambda done, total: status(f"extracting entities {done}/{total}"),
            )
        except ExtractionUnavailable as exc:
            problems.append(f"entities not extracted: {exc}")
            return 0

    def _done(self, kind: str, summary: dict[str, Any] | None, problems: list[str]) -> None:
        app = self.app
        app.set_background_status("")
        waiting, self._after = self._after, []
        for callback in waiting:
            callback()
        text = ""
        if summary is not None:
            counts = f"{summary['imported']} new, {summary['updated']} updated"
            if kind == "refresh":
                text = (
                    f"{summary['feeds']} feeds: {counts}"
                    + (f"; {summary['failed']} failing" if summary["failed"] else "")
                    + (f"; {summary['gone']} gone (paused)" if summary["gone"] else "")
                )
            else:
                text = (
                    counts
                    + (f", {summary['failed']} failed" if summary["failed"] else "")
                    + (f"; {summary['feeds']} new feeds" if summary.get("feeds") else "")
                )
            if summary.get("entities"):
                text += f"; entities for {summary['entities']}"
            app.notify(text, title="Refreshed" if kind == "refresh" else "Imported", markup=False, timeout=8)
        title = "Refresh" if kind == "refresh" else "Import"
        self.report = (f"{title} report", text, list(problems))
        if problems:
            shown = "\n".join(problems[:NOTICE_PROBLEMS])
            if len(problems) > NOTICE_PROBLEMS:
                more = len(problems) - NOTICE_PROBLEMS
                shown += f"\n… and {more} more: ctrl+p, “{REPORT_COMMAND}”, lists them all"
            app.notify(shown, title="Problems", severity="warning", markup=False, timeout=12)


def extract_in_background(
    store: Any, ids: Sequence[str], model: str | None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Extract and store the entities of `ids` in one spawned process at low priority (spaCy never
    loads in the reader's own process); returns how many were extracted, 0 when no model is
    installed.  For the reader's background import and its `f`; ExtractionUnavailable passes up."""
    from articles.entities.extract import model_available

    if not ids or not model_available(model):
        return 0
    from tui.extracting import extract_entities

    start_resource_tracker()
    counts = extract_entities(store, list(ids), processes=1, model=model, nice=10, progress=progress)
    return int(counts["extracted"])


def start_resource_tracker() -> None:
    """multiprocessing's resource tracker passes sys.stderr's descriptor to its process; under
    Textual sys.stderr is a capture without one, so the first pool would fail ("bad value(s) in
    fds_to_keep").  Start the tracker once with stderr on /dev/null (what it would print there
    must not reach the reader's terminal anyway)."""
    import sys
    from multiprocessing import resource_tracker

    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved

"""Refreshing subscriptions: the one path `newsdesk refresh` (cron) and the reader's `R` share.

Feeds are fetched in parallel (ImportOptions.fetch_workers), each with its stored ETag and
Last-Modified; the articles go in through the import path (one commit per batch), and what each
server said goes into feeds.json in one commit: 304 nothing; a permanent redirect the new url; 410
the feed paused with a note; another failure its error, tried again next time.  Safe beside open
readers and other refreshes: every write is a function of the store's current state."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from articles.dates import format_rfc3339, now_utc
from articles.sanitize import clean_line
from tui.config import Settings
from tui.importing import run_hooks, store_items, to_stderr

if TYPE_CHECKING:
    from store import NewsStore


def due_feeds(store: NewsStore, urls: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The subscriptions to refresh: those named (paused or not), else every one not paused."""
    feeds = store.subscriptions()
    if urls is None:
        return [f for f in feeds if not f.get("paused")]
    wanted = set(urls)
    return [f for f in feeds if f.get("url") in wanted]


def refresh_feeds(
    store: NewsStore,
    settings: Settings,
    feeds: list[dict[str, Any]],
    progress: Callable[[int, int, str], None] | None = None,
    report: Callable[[str], None] = to_stderr,
) -> dict[str, Any]:
    """Refresh `feeds` (from due_feeds); returns the summary (and `ids` for extraction).  Then
    [hooks] post_import runs with the new articles' ids (tui.hooks)."""
    from articles.importers.refresh import Refreshed, refresh_feed

    options = settings.import_options()

    def one(feed: dict[str, Any]) -> Refreshed:
        return refresh_feed(
            str(feed["url"]), options, etag=feed.get("etag") or None, last_modified=feed.get("last_modified") or None
        )

    results: list[Refreshed] = []
    if feeds:
        with ThreadPoolExecutor(max_workers=max(1, min(options.fetch_workers, len(feeds)))) as pool:
            for done, result in enumerate(pool.map(one, feeds), start=1):
                results.append(result)
                if progress:
                    progress(done, len(feeds), result.url)
    _fill_full_text(store, feeds, results, options, report)
    counts = store_items(store, (item for r in results for item in r.items), report=report)
    now = format_rfc3339(now_utc())
    changes: dict[str, dict[str, Any] | None] = {}
    summary: dict[str, Any] = {"feeds": len(feeds), "new": 0, "unchanged": 0, "failed": 0, "gone": 0, "moved": 0}
    for result in results:
        fields: dict[str, Any] = {"checked": now, "error": result.error}
        if result.status == "new":
            fields.update(etag=result.etag or "", last_modified=result.last_modified or "")
            fields["new_articles"] = len(result.articles)
            summary["new"] += 1
        elif result.status == "unchanged":
            summary["unchanged"] += 1
        elif result.status == "gone":
            fields.update(paused=True, note=f"the server said 410 Gone on {now[:10]}; paused")
            summary["gone"] += 1
            report(f"{clean_line(result.url)}: gone (HTTP 410): paused; `newsdesk feeds resume URL` tries it again")
        else:
            summary["failed"] += 1
            report(f"{clean_line(result.url)}: {clean_line(result.error)}")
        if result.new_url:
            fields["url"] = result.new_url
            summary["moved"] += 1
        changes[result.url] = fields
    if changes:
        store.update_feeds(changes)
    run_hooks(store, settings, counts["new_ids"], report)
    kept = ("imported", "updated", "duplicates", "warnings", "ids")
    return {**summary, **{k: counts[k] for k in kept}}


FULL_TEXT_PER_FEED = 50
"""Pages fetched per teaser feed and refresh, at most: a new feed with a long backlog is filled
over several refreshes, not in one burst of requests to one site."""


def _fill_full_text(
    store: NewsStore, feeds: list[dict[str, Any]], results: list[Any], options: Any, report: Callable[[str], None]
) -> None:
    """For feeds with full_text on (teaser feeds), each new item's text from its page."""
    from articles.importers.refresh import with_full_text
    from articles.model import Article

    wanted = {str(f["url"]) for f in feeds if f.get("full_text")}
    jobs: list[tuple[Any, int, Article]] = []
    for result in results:
        if result.url not in wanted:
            continue
        articles = [(i, item) for i, item in enumerate(result.items) if isinstance(item, Article)]
        known = store.list_items([a.id for _, a in articles])
        fresh = [(i, a) for i, a in articles if a.id not in known][:FULL_TEXT_PER_FEED]
        jobs += [(result, i, a) for i, a in fresh]
    if not jobs:
        return
    with ThreadPoolExecutor(max_workers=max(1, options.fetch_workers)) as pool:
        filled = list(pool.map(lambda job: with_full_text(job[2], options), jobs))
    for (result, index, _old), (article, reason) in zip(jobs, filled, strict=True):
        result.items[index] = article
        if reason:
            report(f"{clean_line(article.url or article.title)}: full text not used: {clean_line(reason)}")

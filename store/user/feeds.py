"""Subscriptions (feeds.json): what `refresh` needs to fetch politely (ETag, Last-Modified), what
it learned (a permanent redirect's new url, a 410's pause, the last error), pause and removal.
Every change is one commit, done as a function of the current file, so a refresh beside an open
reader loses neither's changes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from articles.dates import format_rfc3339, now_utc
from articles.model import Article
from store.disk.documents import make_document
from store.disk.layout import FEEDS_FILE

if TYPE_CHECKING:
    from articles.importers.base import Subscription
    from store.core import StoreCore

FEED_FIELDS = {
    "title", "etag", "last_modified", "checked", "error", "paused", "note", "url", "new_articles", "full_text",
}  # fmt: skip


class Feeds:
    """The store's subscriptions (feeds.json)."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def add_subscriptions(self, subscriptions: Iterable[Subscription]) -> int:
        """Remember feeds; returns how many were new.  A subscription the import fetched carries
        the outcome (its error, "" when it worked), recorded as a refresh records it, on a feed
        already known too."""
        subs = {s.url: s for s in subscriptions}
        if not subs:
            return 0
        added = 0
        with self.core.writing() as session:
            path = self.core.root / FEEDS_FILE
            existing = {d.get("url"): int(k) for k, d in session.load(path).get("feeds", {}).items()}
            table = session.table(path, "feeds")
            new_docs = []
            changed = False
            for url, sub in subs.items():
                outcome = {"error": sub.error, "checked": sub.checked} if sub.error is not None else {}
                if sub.etag or sub.last_modified:  # what a refresh keeps: its next fetch is conditional
                    outcome.update(etag=sub.etag or "", last_modified=sub.last_modified or "")
                if url in existing:
                    if outcome:
                        table.update(outcome, doc_ids=[existing[url]])
                        changed = True
                    continue
                doc_id = int(Article.create(title="-", url=url).id, 16)
                new_docs.append(
                    make_document(
                        {
                            "url": url,
                            "title": sub.title,
                            "category": sub.category,
                            "origin": sub.origin,
                            "added": format_rfc3339(now_utc()),
                            "paused": False,
                            **outcome,
                        },
                        doc_id,
                    )
                )
                added += 1
            if new_docs:
                table.insert_multiple(new_docs)
            if new_docs or changed:
                session.commit()
        return added

    def subscriptions(self) -> list[dict[str, Any]]:
        with self.core.reading() as session:
            docs = session.load(self.core.root / FEEDS_FILE).get("feeds", {})
            return sorted((dict(d) for d in docs.values()), key=lambda d: d.get("url", ""))

    def update_feeds(self, changes: dict[str, dict[str, Any] | None]) -> int:
        """One commit for many subscriptions: url -> fields to set (None: forget it).  Fields are
        set on the current file's records, so another process's changes to other fields or other
        feeds stay.  A new "url" that another subscription already has is not taken.  Returns
        how many subscriptions were found."""
        for fields in changes.values():
            unknown = set(fields or {}) - FEED_FIELDS
            if unknown:
                raise ValueError(f"unknown feed fields {sorted(unknown)}")
        with self.core.writing() as session:
            path = self.core.root / FEEDS_FILE
            docs = session.load(path).get("feeds", {}) if session.gen_of(path) is not None else {}
            by_url = {d.get("url"): int(k) for k, d in docs.items()}
            table = session.table(path, "feeds")
            found = 0
            for url, fields in changes.items():
                key = by_url.get(url)
                if key is None:
                    continue
                found += 1
                if fields is None:
                    table.remove(doc_ids=[key])
                    continue
                fields = dict(fields)
                if fields.get("url") not in (None, url) and fields["url"] in by_url:
                    fields.pop("url")  # moved onto a feed we already have: keep both as they are
                table.update(fields, doc_ids=[key])
            if found:
                session.commit()
            return found

    def update_feed(self, url: str, /, **fields: Any) -> bool:
        """Record what a refresh learned (etag, last_modified, checked, error, title, url, …)."""
        return self.update_feeds({url: fields}) == 1

    def pause_feed(self, url: str, paused: bool = True, note: str = "") -> bool:
        return self.update_feeds({url: {"paused": paused, "note": note if paused else ""}}) == 1

    def remove_feed(self, url: str) -> bool:
        """Forget a subscription (its articles stay)."""
        return self.update_feeds({url: None}) == 1

    def feed_counts(self) -> list[dict[str, Any]]:
        """Every subscription with its article and unread counts (exact: grouped by feed url)."""
        feeds = self.subscriptions()
        with self.core.reading():
            rows = self.core.catalogue.connection.execute(
                "SELECT feed, count(*), sum(read = 0) FROM articles WHERE feed IS NOT NULL GROUP BY feed"
            ).fetchall()
        counts = {feed: (total, unread) for feed, total, unread in rows}
        return [
            {
                **feed,
                "articles": counts.get(feed.get("url"), (0, 0))[0],
                "unread": counts.get(feed.get("url"), (0, 0))[1],
            }
            for feed in feeds
        ]

"""NewsStore: articles, tags and reading state in TinyDB files under one directory — the one
object the reader and the CLI use.  Every public operation is named here and done by one service
(store.core.StoreCore is what they share); each section says which.

The store directory (0700; every file 0600):
  store.json                 the schema record: version, state shards, when the store was made,
                             `added_since` (retention's start for articles stored before `added`)
  manifest.json              the commit point: each TinyDB file's generation (store.disk.files)
  articles/seg-NNNNNN.json   articles in insertion order, ~1,000 (or 4 MB) per segment, zlib-
                             compressed JSON (plain JSON read too): an import appends to the last
                             segment, so it never rewrites the corpus
  state/state-XX.json        tags, read and starred by id hash, 64 shards: a state change rewrites
                             one small file, flat from 1k to 100k articles
  feeds.json                 subscriptions (store.user.feeds)
  views.json                 saved views, search history, rules, reader preferences
                             (store.user.views)
  entities.json              entity merges: other names of one entity (store.user.merges)
  stories.json, .sqlite      story corrections (article pairs); the stories, derived (store.stories)
  trash.json                 deleted articles with their state, for `undelete` (store.care.trash)
  newsdesk.lock              the flock every operation holds: shared to read, exclusive to write
  index.sqlite (-wal, -shm)  the catalogue, derived: list order, id -> segment, state, tags,
                             entities, the change feed (store.disk.catalogue); rebuildable — a file
                             that is not SQLite is set aside as index.sqlite.corrupt-SECONDS
  text-index/                the tantivy full-text index, derived (store.search.text_index), with
                             its newsdesk-version file; .newsdesk-create.lock beside it orders
                             the processes that would make it
  backups/                   snapshots gGENERATION-YYYYMMDDTHHMMSSZ/ of the TinyDB files and the
                             manifest, .partial-PID-HEX/ while one is taken, and the .lock of the
                             process taking it (store.care.backups, store.care.snapshots)
  damaged/                   copies of damaged files, kept before a repair (store.care.recovery)
A commit writes each changed TinyDB file as NAME.tmp-GEN beside it, renames manifest.json into
place (the commit point), then renames the temp files over their targets; a commit cut short is
finished or discarded by the next one."""

from __future__ import annotations

import builtins  # in NewsStore annotations: the method `list` hides the builtin in the class body
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.care.trash import TRASH_DAYS
from store.services import StoreServices

if TYPE_CHECKING:
    from articles.importers.base import Subscription
    from articles.model import Article, Entity
    from store.care.recovery import Damage
    from store.care.snapshots import Snapshot
    from store.care.trash import TrashEntry
    from store.disk.catch_up import Progress
    from store.errors import StoreCorrupt
    from store.search.query_nodes import Query
    from store.tagging import StateChange
    from store.user.views import SavedView
    from store.values import ImportCounts, ListItem, SearchResult, State, StoredArticle


class NewsStore(StoreServices):
    """The store directory.  Safe to call from several threads and several processes."""

    # -- the store itself (store.core.StoreCore) ---------------------------------------------------
    @property
    def readonly(self) -> bool:
        """True when writes are refused: opened so, no write access, or the disk is full."""
        return self.core.readonly

    @property
    def no_space(self) -> str | None:
        """The message, once the store is read-only for want of space."""
        return self.core.no_space

    @property
    def open_to_others(self) -> int:
        """The directory's mode when other users may enter it (0 when private)."""
        return self.core.open_to_others

    @property
    def damaged(self) -> dict[str, StoreCorrupt]:
        """Segments and state shards this process found damaged, by store-relative path."""
        return self.core.damaged

    def privacy_warning(self) -> str | None:
        return self.core.privacy_warning()

    def watch_space(self, callback: Callable[[str], object]) -> None:
        self.core.watch_space(callback)

    def watch_damage(self, callback: Callable[[StoreCorrupt], object]) -> None:
        self.core.watch_damage(callback)

    def wait_for_writes(self) -> None:
        """Return once no commit of this process is in flight, the full-text index's included
        (for a process about to end)."""
        self.text_sync.wait()
        self.core.wait_for_writes()

    def close(self) -> None:
        """Finish the full-text index's background work, then let go of the store."""
        self.text_sync.close()
        self.core.close()

    def __enter__(self) -> NewsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- adding articles (store.adding.Adding) -----------------------------------------------------
    def add_articles(self, articles: Iterable[Article], *, keep_added: bool = False) -> ImportCounts:
        return self.adding.add_articles(articles, keep_added=keep_added)

    def set_entities(self, found: Mapping[str, Sequence[Entity]]) -> builtins.list[str]:
        return self.adding.set_entities(found)

    # -- reading articles (store.lookup.ArticleLookup) --------------------------------------------------
    def count(self) -> int:
        return self.listing.count()

    def list(self, limit: int | None = None, offset: int = 0) -> builtins.list[ListItem]:
        return self.listing.list(limit, offset)

    def position(self, article_id: str) -> int | None:
        return self.listing.position(article_id)

    def list_items(self, ids: Sequence[str]) -> dict[str, ListItem]:
        return self.listing.list_items(ids)

    def resolve(self, id_or_prefix: str) -> str | None:
        return self.listing.resolve(id_or_prefix)

    def get(self, article_id: str) -> StoredArticle | None:
        return self.listing.get(article_id)

    def iter_articles(self, chunk: int = 2000, *, query: Query | str | None = None) -> Iterator[StoredArticle]:
        return self.listing.iter_articles(chunk, query=query)

    def changes_since(self, seq: int) -> tuple[int, builtins.list[str] | None]:
        return self.listing.changes_since(seq)

    def last_change(self) -> int:
        return self.listing.last_change()

    # -- searching (store.search.searching.Searching) ----------------------------------------------
    def search(self, query: Query | str, *, limit: int | None = None, offset: int = 0) -> SearchResult:
        return self.searching.search(query, limit=limit, offset=offset)

    def count_matching(self, query: Query | str) -> int:
        return self.searching.count_matching(query)

    def search_position(self, query: Query | str, article_id: str) -> int | None:
        return self.searching.search_position(query, article_id)

    def ids_matching(self, query: Query | str, among: Sequence[str] | None = None) -> builtins.list[str]:
        return self.searching.ids_matching(query, among)

    def ordered_matches(self, query: Query | str) -> builtins.list[tuple[str, int]]:
        return self.searching.ordered_matches(query)

    def without_entities(self, query: Query | str = "") -> builtins.list[str]:
        return self.searching.without_entities(query)

    def entity_counts(
        self, query: Query | str = "", *, kind: str | None = None, contains: str = "", limit: int | None = None
    ) -> builtins.list[dict[str, Any]]:
        return self.searching.entity_counts(query, kind=kind, contains=contains, limit=limit)

    def entity_type_votes(self, names: Iterable[str]) -> dict[str, dict[str, int]]:
        return self.searching.entity_type_votes(names)

    def histogram(self, query: Query | str) -> builtins.list[tuple[str, int]]:
        return self.searching.histogram(query)

    def related(self, article_id: str, limit: int = 30) -> builtins.list[tuple[ListItem, float]]:
        return self.searching.related(article_id, limit)

    # -- the full-text index (store.search.text_sync.TextSync) -------------------------------------
    def sync_text(self, progress: Progress | None = None) -> bool:
        return self.text_sync.sync(progress)

    def check_text(self) -> str:
        return self.text_sync.check()

    def pending_text(self) -> int:
        return self.text_sync.pending_count()

    def bulk_import(self) -> AbstractContextManager[None]:
        return self.text_sync.bulk_import()

    # -- tags and reading state (store.tagging.Tagging) --------------------------------------------
    def update_state(
        self,
        ids: Iterable[str],
        *,
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        read: bool | None = None,
        starred: bool | None = None,
    ) -> builtins.list[str]:
        return self.tagging.update_state(ids, add_tags=add_tags, remove_tags=remove_tags, read=read, starred=starred)

    def change_states(
        self,
        ids: Iterable[str],
        *,
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        read: bool | None = None,
        starred: bool | None = None,
    ) -> dict[str, tuple[State, State]]:
        return self.tagging.change_states(ids, add_tags=add_tags, remove_tags=remove_tags, read=read, starred=starred)

    def undo_changes(self, changes: Mapping[str, tuple[State, State]]) -> dict[str, tuple[State, State]]:
        return self.tagging.undo_changes(changes)

    def rewrite_states(self, ids: Iterable[str], change: StateChange) -> builtins.list[str]:
        return self.tagging.rewrite_states(ids, change)

    def rewrite_states_detailed(self, ids: Iterable[str], change: StateChange) -> dict[str, tuple[State, State]]:
        return self.tagging.rewrite_states_detailed(ids, change)

    def rewrite_each(self, changes: Mapping[str, StateChange]) -> builtins.list[str]:
        return self.tagging.rewrite_each(changes)

    def tag_query(
        self, query: Query | str, *, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> builtins.list[str]:
        return self.tagging.tag_query(query, add=add, remove=remove)

    def tag_counts(self) -> builtins.list[dict[str, Any]]:
        return self.tagging.tag_counts()

    def rename_tag(self, old: str, new: str) -> builtins.list[str]:
        return self.tagging.rename_tag(old, new)

    def rename_tag_changes(self, old: str, new: str) -> dict[str, tuple[State, State]]:
        return self.tagging.rename_tag_changes(old, new)

    def delete_tag(self, tag: str) -> builtins.list[str]:
        return self.tagging.delete_tag(tag)

    def delete_tag_changes(self, tag: str) -> dict[str, tuple[State, State]]:
        return self.tagging.delete_tag_changes(tag)

    def dump_states(self) -> Iterator[dict[str, Any]]:
        return self.tagging.dump_states()

    def restore_states(self, records: Iterable[Mapping[str, Any]]) -> tuple[builtins.list[str], builtins.list[str]]:
        return self.tagging.restore_states(records)

    # -- saved views, history, preferences, entity merges (store.user.user_data.UserData) ----------
    def saved_views(self) -> builtins.list[SavedView]:
        return self.user_data.saved_views()

    def save_view(self, name: str, query: str, *, replace: bool = False) -> SavedView:
        return self.user_data.save_view(name, query, replace=replace)

    def rename_view(self, old: str, new: str) -> SavedView:
        return self.user_data.rename_view(old, new)

    def delete_view(self, name: str) -> bool:
        return self.user_data.delete_view(name)

    def search_history(self) -> builtins.list[str]:
        return self.user_data.search_history()

    def add_search_history(self, query: str) -> None:
        return self.user_data.add_search_history(query)

    def preferences(self) -> dict[str, Any]:
        return self.user_data.preferences()

    def set_preference(self, key: str, value: Any) -> None:
        return self.user_data.set_preference(key, value)

    def merge_entity(self, alias: str, name: str) -> None:
        return self.user_data.merge_entity(alias, name)

    def unmerge_entity(self, alias: str) -> bool:
        return self.user_data.unmerge_entity(alias)

    def entity_merges(self) -> builtins.list[dict[str, str]]:
        return self.user_data.entity_merges()

    # -- subscriptions (store.user.feeds.Feeds) ----------------------------------------------------
    def add_subscriptions(self, subscriptions: Iterable[Subscription]) -> int:
        return self.feeds.add_subscriptions(subscriptions)

    def subscriptions(self) -> builtins.list[dict[str, Any]]:
        return self.feeds.subscriptions()

    def update_feeds(self, changes: dict[str, dict[str, Any] | None]) -> int:
        return self.feeds.update_feeds(changes)

    def update_feed(self, url: str, /, **fields: Any) -> bool:
        return self.feeds.update_feed(url, **fields)

    def pause_feed(self, url: str, paused: bool = True, note: str = "") -> bool:
        return self.feeds.pause_feed(url, paused, note)

    def remove_feed(self, url: str) -> bool:
        return self.feeds.remove_feed(url)

    def feed_counts(self) -> builtins.list[dict[str, Any]]:
        return self.feeds.feed_counts()

    # -- deleting, the trash and retention (store.care.trashing.Trash) -----------------------------
    def delete_articles(
        self, ids: Sequence[str], *, why: str = "delete", trash_days: int | None = None, now: float | None = None
    ) -> builtins.list[dict[str, Any]]:
        return self.trashing.delete_articles(ids, why=why, trash_days=trash_days, now=now)

    def restore_articles(self, deleted: Sequence[dict[str, Any]]) -> int:
        return self.trashing.restore_articles(deleted)

    def trash(self) -> builtins.list[TrashEntry]:
        return self.trashing.trash()

    def trash_matching(self, query: Query | str) -> builtins.list[TrashEntry]:
        return self.trashing.trash_matching(query)

    def undelete(self, query: Query | str) -> builtins.list[TrashEntry]:
        return self.trashing.undelete(query)

    def purge_trash(self, days: int = TRASH_DAYS, now: float | None = None) -> int:
        return self.trashing.purge_trash(days, now)

    def prune(
        self,
        days: int,
        now: float | None = None,
        *,
        by: str = "added",
        spare: Sequence[str] = (),
        trash_days: int = TRASH_DAYS,
    ) -> builtins.list[dict[str, Any]]:
        return self.trashing.prune(days, now, by=by, spare=spare, trash_days=trash_days)

    # -- backups and damaged files (store.care.backups.Backups) ------------------------------------
    def snapshots(self) -> builtins.list[Snapshot]:
        return self.backups.snapshots()

    def snapshot(self, keep: int = 7, now: float | None = None) -> Snapshot | None:
        return self.backups.snapshot(keep, now)

    def auto_backup(self, every_hours: float, keep: int, now: float | None = None) -> Snapshot | None:
        return self.backups.auto_backup(every_hours, keep, now)

    def backup(self, dest: Path | str) -> dict[str, Any]:
        return self.backups.copy_to(dest)

    def assess_damage(self, error: StoreCorrupt) -> Damage:
        return self.backups.assess_damage(error)

    def repair_damage(self, damage: Damage) -> str:
        return self.backups.repair_damage(damage)

    # -- checking (store.care.check.Check) ---------------------------------------------------------
    def check(self) -> dict[str, Any]:
        return self.checking.check()

    def reindex(self, progress: Progress | None = None, text_progress: Progress | None = None) -> int:
        return self.checking.reindex(progress, text_progress)

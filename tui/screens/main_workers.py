"""The main screen's store I/O: each method starts a thread worker that reads or writes the store
and posts what it found to the screen as a message (tui.messages).  No worker touches the
screen's state: the message says what it answers (a generation, the query, a change-feed
position) and the screen's handler decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.worker import get_current_worker

from store import And, Everything, Flag, Query, QueryError, parse_query
from tui.literal import one_line
from tui.messages import (
    ArticleLoaded,
    ChangesSeen,
    HistogramLoaded,
    HistoryLoaded,
    ItemsChanged,
    ListingLoaded,
    MatchesMarked,
    RowsLoaded,
    SearchFailed,
    StoreFailed,
    TagNamesLoaded,
    Undoable,
    Undone,
    UnreadCounted,
)
from tui.screens.full_text import entities_again, undo_body
from tui.screens.undo import BodyChange, Deletion, Restoration
from tui.widgets.article_list import PAGE

if TYPE_CHECKING:
    from textual.message import Message
    from textual.screen import Screen

    from store import NewsStore
    from tui.screens.hide_read import HideRead
    from tui.screens.stories_group import Group, StoryGroups
    from tui.screens.undo import UndoEntry

MAX_PATCHED_ROWS = 500
"""More changed articles than this at once: refetch the list's window rather than patch rows."""


class MainWorkers:
    """Store reads and writes for one screen, each in a thread worker of that screen."""

    def __init__(self, screen: Screen[Any], store: NewsStore, *, sort: str = "new") -> None:
        self.screen = screen
        self.store = store
        self.sort = sort
        """[reader] sort: "old" lists oldest first unless the query says otherwise."""
        self.hide_read: HideRead | None = None
        """The views whose read articles are hidden (tui.screens.hide_read): narrows a load."""
        self.story_groups: StoryGroups | None = None
        """The views grouped by story (tui.screens.stories_group): groups a load."""

    def _run(self, work: Callable[[], None], group: str, *, exclusive: bool = False) -> None:
        self.screen.run_worker(work, group=group, exclusive=exclusive, thread=True, exit_on_error=False)

    def _post(self, message: Message) -> None:
        self.screen.post_message(message)

    def _failed(self, exc: Exception) -> None:
        self._post(StoreFailed(str(exc), exc))

    def _notify(self, text: str, **kwargs: Any) -> None:
        self.screen.app.call_from_thread(self.screen.notify, text, **kwargs)

    # -- reading ------------------------------------------------------------------------------------
    def load_listing(self, generation: int, text: str, cursor: int = 0) -> None:
        """Parse `text`, count its matches and read the first page (ListingLoaded)."""
        self._run(partial(self._load_listing, generation, text, cursor), "listing", exclusive=True)

    def _load_listing(self, generation: int, text: str, cursor: int) -> None:
        try:
            query = parse_query(text)
            if self.sort == "old" and query.sort == "new" and "sort:" not in text.lower():
                query = replace(query, sort="old")  # [reader] sort, unless the query says
            if self.hide_read is not None:
                query = self.hide_read.narrow(generation, text, query)
        except QueryError as exc:
            self._post(SearchFailed(f"{exc.message} (at {exc.position + 1})", generation))
            return
        try:
            follow = self.hide_read.follow.pop(generation, None) if self.hide_read is not None else None
            if self.story_groups is not None and self.story_groups.grouped(text):
                self._load_groups(self.story_groups, generation, query, cursor, follow)
                return
            row = self.store.search_position(query, follow) if follow else None  # `H`: the cursor stays on it
            cursor = cursor if row is None else row
            seq = self.store.last_change()
            result = self.store.search(query, limit=PAGE)
        except Exception as exc:  # the store's error is for the user, the app keeps running
            self._failed(exc)
            return
        if get_current_worker().is_cancelled:
            return
        self._post(ListingLoaded(result.count, result.items, generation, query, seq, result.ranked, cursor))

    def _load_groups(
        self, grouping: StoryGroups, generation: int, query: Query, cursor: int, follow: str | None
    ) -> None:
        """The listing grouped by story (tui.screens.stories_group): GroupedListing, then ListingLoaded."""
        from tui.screens.stories_group import GroupedListing, summarise

        seq = self.store.last_change()
        groups, row = grouping.load(self.store, query, follow)
        items, rows = summarise(self.store, groups[:PAGE])
        if get_current_worker().is_cancelled:
            return
        self._post(GroupedListing(generation, groups, rows))
        self._post(ListingLoaded(len(groups), items, generation, query, seq, False, cursor if row is None else row))

    def fetch_group_rows(self, groups: list[Group], offset: int, generation: int) -> None:
        """Rows of a grouped listing (GroupRowsLoaded): `groups` are those from `offset` on."""
        self._run(partial(self._fetch_group_rows, groups, offset, generation), "rows")

    def _fetch_group_rows(self, groups: list[Group], offset: int, generation: int) -> None:
        from tui.screens.stories_group import GroupRowsLoaded, summarise

        try:
            items, rows = summarise(self.store, groups)
        except Exception as exc:
            self._failed(exc)
            return
        self._post(GroupRowsLoaded(offset, items, rows, generation))

    def count_unread(self, asked: int, query: Query) -> None:
        self._run(partial(self._count_unread, asked, query), "unread")

    def _count_unread(self, asked: int, query: Query) -> None:
        node = query.node
        unread = Query(Flag("unread") if isinstance(node, Everything) else And((node, Flag("unread"))), "new")
        try:
            count = self.store.count_matching(unread)
        except Exception:
            return  # the count is a hint; the listing's own load reports what is wrong
        self._post(UnreadCounted(asked, count))

    def fetch_rows(self, query: Query, offset: int, limit: int, generation: int) -> None:
        self._run(partial(self._fetch_rows, query, offset, limit, generation), "rows")

    def _fetch_rows(self, query: Query, offset: int, limit: int, generation: int) -> None:
        try:
            rows = self.store.search(query, limit=limit, offset=offset).items
        except Exception as exc:
            self._failed(exc)
            return
        self._post(RowsLoaded(offset, rows, generation))

    def load_article(self, article_id: str) -> None:
        self._run(partial(self._load_article, article_id), "article", exclusive=True)

    def _load_article(self, article_id: str) -> None:
        try:
            stored = self.store.get(article_id)
        except Exception as exc:
            self._failed(exc)
            return
        reason = None
        if stored is not None and stored.article.entities is None:
            from articles.entities.gate import skip_reason  # the language gate: no spaCy in it

            reason = skip_reason(stored.article)
        if not get_current_worker().is_cancelled:
            self._post(ArticleLoaded(article_id, stored, reason))

    def poll_changes(self, since: int, query: Query, generation: int, cursor_id: str | None = None) -> None:
        """Other sessions' changes, from the store's change feed (no full reload), counted for
        `query` (of the listing load `generation`).  When the list's size changes, the article
        under the cursor keeps its place (`cursor_id`)."""
        self._run(partial(self._poll_changes, since, query, generation, cursor_id), "poll", exclusive=True)

    def _poll_changes(self, since: int, query: Query, generation: int, cursor_id: str | None) -> None:
        try:
            seq, ids = self.store.changes_since(since)
            if seq == since:
                return
            self._post(ChangesSeen(since, seq))
            total = self.store.count_matching(query)
            row = self.store.search_position(query, cursor_id) if cursor_id else None
            if ids is None or len(ids) > MAX_PATCHED_ROWS:
                # Too far behind, or a bulk change: refetch the visible window instead.
                self._post(ItemsChanged({}, total, True, cursor_id, row, generation))
                return
            items = self.store.list_items(ids)
            self._post(ItemsChanged(items, total, False, cursor_id, row, generation))
        except Exception as exc:
            self._failed(exc)

    def load_histogram(self, generation: int, query: Query) -> None:
        self._run(partial(self._load_histogram, generation, query), "histogram", exclusive=True)

    def _load_histogram(self, generation: int, query: Query) -> None:
        try:
            months = self.store.histogram(query)
        except Exception as exc:
            self._failed(exc)
            return
        self._post(HistogramLoaded(generation, months))

    def load_history(self) -> None:
        self._run(self._load_history, "history")

    def _load_history(self) -> None:
        try:
            history = self.store.search_history()
        except Exception:
            return  # no history is no reason to stop searching
        self._post(HistoryLoaded(history))

    def mark_all(self, query: Query) -> None:
        """Every article of the listing, to mark (MatchesMarked)."""
        self._run(partial(self._mark_all, query), "marks", exclusive=True)

    def _mark_all(self, query: Query) -> None:
        try:
            ids = set(self.store.ids_matching(query))
        except Exception as exc:
            self._failed(exc)
            return
        self._post(MatchesMarked(ids))

    def load_tag_names(self, editor: Screen[Any]) -> None:
        """The store's tags, posted to the tag editor (TagNamesLoaded; an empty list on failure)."""
        self._run(partial(self._load_tag_names, editor), "tag-editor", exclusive=True)

    def _load_tag_names(self, editor: Screen[Any]) -> None:
        try:
            names = [t["tag"] for t in self.store.tag_counts()]
        except Exception as exc:
            self._failed(exc)
            names = []
        editor.post_message(TagNamesLoaded(names))

    # -- writing ------------------------------------------------------------------------------------
    def remember_search(self, text: str) -> None:
        self._run(partial(self._remember_search, text), "history")

    def _remember_search(self, text: str) -> None:
        try:
            self.store.add_search_history(text)
        except Exception as exc:
            self._failed(exc)

    def save_view(self, name: str, query: str) -> None:
        self._run(partial(self._save_view, name, query), "views")

    def _save_view(self, name: str, query: str) -> None:
        try:
            saved = self.store.save_view(name, query, replace=True)
        except Exception as exc:
            self._failed(exc)
            return
        self._notify(f"Saved the view “{one_line(saved.name)}”", markup=False)

    def write_state(
        self,
        ids: list[str],
        read: bool | None = None,
        starred: bool | None = None,
        add: tuple[str, ...] = (),
        remove: tuple[str, ...] = (),
        undoable: bool = True,
    ) -> None:
        """A tag or state change, durable before the list shows it; undoable unless automatic."""
        work = partial(self._write_state, ids, read, starred, add, remove, undoable)
        self._run(work, "write")

    def _write_state(
        self,
        ids: list[str],
        read: bool | None,
        starred: bool | None,
        add: tuple[str, ...],
        remove: tuple[str, ...],
        undoable: bool,
    ) -> None:
        try:
            changes = self.store.change_states(ids, add_tags=add, remove_tags=remove, read=read, starred=starred)
            items = self.store.list_items(list(changes)) if changes else {}
        except Exception as exc:
            self._failed(exc)
            return
        if undoable and changes:
            self._post(Undoable(changes))
        self._post(ItemsChanged(items))

    def mark_opened_read(self, article_id: str, *, story: bool = False) -> None:
        """The article the user opened is read, and so are its copies (the same text, read once)
        and, with `story` ([reader] story_read), the rest of its story."""
        self._run(partial(self._mark_opened_read, article_id, story), "write")

    def _mark_opened_read(self, article_id: str, story: bool) -> None:
        ids = [article_id]
        try:
            ids += self.store.stories.copies_of(article_id)
            if story:
                link = self.store.stories.links([article_id]).get(article_id)
                ids += self.store.stories.members(link[0]) if link else []
        except Exception:  # stories are a help: the article itself is read all the same
            pass
        self._write_state(list(dict.fromkeys(ids)), True, None, (), (), False)

    def write_listing_state(self, query: Query, read: bool) -> None:
        """Mark every article of the listing read (or unread), as one undoable change."""
        self._run(partial(self._write_listing_state, query, read), "write")

    def _write_listing_state(self, query: Query, read: bool) -> None:
        try:
            changes = self.store.change_states(self.store.ids_matching(query), read=read)
            items = self.store.list_items(list(changes)[:MAX_PATCHED_ROWS]) if changes else {}
        except Exception as exc:
            self._failed(exc)
            return
        if changes:
            self._post(Undoable(changes))
        self._post(ItemsChanged(items, reload=len(changes) > MAX_PATCHED_ROWS))

    def delete_articles(self, ids: list[str], query: Query, generation: int) -> None:
        """Move articles to the trash, undoably; `query` (of the listing load `generation`) is counted again."""
        self._run(partial(self._delete_articles, ids, query, generation), "write")

    def _delete_articles(self, ids: list[str], query: Query, generation: int) -> None:
        try:
            deleted = self.store.delete_articles(ids)
            total = self.store.count_matching(query)
        except Exception as exc:
            self._failed(exc)
            return
        if deleted:
            self._post(Undoable(Deletion(deleted)))
            count = len(deleted)
            self._notify(
                f"Moved {count} article{'s' if count != 1 else ''} to the trash (u undoes; ctrl+p Trash lists it)",
                timeout=3,
            )
        self._post(ItemsChanged({}, total=total, reload=True, generation=generation))

    def write_undo(self, entry: UndoEntry, redo: bool, query: Query, generation: int) -> None:
        """Undo (or redo) one entry of the undo stack: a state change, a deletion, or the
        restoration that undid a deletion (`query`, of the listing load `generation`, is counted
        again after those)."""
        self._run(partial(self._write_undo, entry, redo, query, generation), "write")

    def _write_undo(self, entry: UndoEntry, redo: bool, query: Query, generation: int) -> None:
        try:
            inverse: UndoEntry
            if isinstance(entry, Deletion):
                self.store.restore_articles(entry.records)
                inverse = Restoration([r["record"]["id"] for r in entry.records])
            elif isinstance(entry, Restoration):
                inverse = Deletion(self.store.delete_articles(entry.ids))
            elif isinstance(entry, BodyChange):
                inverse = undo_body(self.store, entry)
            else:
                inverse = self.store.undo_changes(entry)
            if isinstance(inverse, dict | BodyChange):
                ids = [inverse.article_id] if isinstance(inverse, BodyChange) else list(inverse)
                message = ItemsChanged(self.store.list_items(ids) if ids else {})
            else:
                message = ItemsChanged({}, total=self.store.count_matching(query), reload=True, generation=generation)
        except Exception as exc:
            self._failed(exc)
            return
        self._post(Undone(inverse, redo))
        self._post(message)
        if isinstance(inverse, BodyChange):
            self.screen.app.call_from_thread(entities_again, self.screen, inverse.article_id)

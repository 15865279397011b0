"""The main screen's tagging, marking, deleting and undo: its actions and their workers, as a
mixin of MainScreen (tui.screens.main).  Message handlers stay on MainScreen itself: Textual
collects @on handlers from the screen class, not from mixins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work

from tui.literal import clip
from tui.messages import ItemsChanged, StoreFailed

if TYPE_CHECKING:
    from store import NewsStore, Query
    from tui.widgets.article_list import ArticleList

MAX_PATCHED_ROWS = 500
"""More changed articles than this at once: refetch the list's window rather than patch rows."""


@dataclass(frozen=True, slots=True)
class Deletion:
    """Deleted articles, as records with their state: what an undo puts back."""

    records: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.records)


@dataclass(frozen=True, slots=True)
class Restoration:
    """Articles an undo put back: what a redo deletes again."""

    ids: list[str]

    def __len__(self) -> int:
        return len(self.ids)


class TaggingActions:
    """Tag editor, marks, bulk changes, delete, unread navigation and undo/redo."""

    if TYPE_CHECKING:
        store: NewsStore
        _query: Query
        _undo: list[Any]
        _redo: list[Any]
        app: Any

        @property
        def article_list(self) -> ArticleList: ...
        def post_message(self, message: Any) -> bool: ...
        def notify(self, *args: Any, **kwargs: Any) -> None: ...
        def write_state(self, ids: list[str], **kwargs: Any) -> Any: ...
        def open_view(self, query: str, name: str = "", *, entity: bool = False) -> None: ...
        def reload(self, cursor: int = 0) -> None: ...
        def _current(self) -> Any: ...
        def _cancel_read_timer(self) -> None: ...

    @work(thread=True, group="write", exit_on_error=False)
    def write_undo(self, entry: Any, redo: bool) -> None:
        """Undo (or redo) one entry of the undo stack: a state change, a deletion, or the
        restoration that undid a deletion."""
        try:
            if isinstance(entry, Deletion):
                self.store.restore_articles(entry.records)
                inverse: Any = Restoration([r["record"]["id"] for r in entry.records])
            elif isinstance(entry, Restoration):
                inverse = Deletion(self.store.delete_articles(entry.ids))
            else:
                inverse = self.store.undo_changes(entry)
            if isinstance(inverse, dict):
                message = ItemsChanged(self.store.list_items(list(inverse)) if inverse else {})
            else:
                message = ItemsChanged({}, total=self.store.count_matching(self._query), reload=True)
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        self.app.call_from_thread(self._undone, inverse, redo)
        self.post_message(message)

    @work(thread=True, group="write", exit_on_error=False)
    def delete_articles(self, ids: list[str]) -> None:
        try:
            deleted = self.store.delete_articles(ids)
            total = self.store.count_matching(self._query)
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        if deleted:
            self.app.call_from_thread(self.remember_change, Deletion(deleted))
            count = len(deleted)
            self.app.call_from_thread(
                self.notify,
                f"Moved {count} article{'s' if count != 1 else ''} to the trash (u undoes; ctrl+p Trash lists it)",
                timeout=3,
            )
        self.post_message(ItemsChanged({}, total=total, reload=True))

    @work(thread=True, group="write", exit_on_error=False)
    def write_view_state(self, query: Query, read: bool) -> None:
        try:
            changes = self.store.change_states(self.store.ids_matching(query), read=read)
            items = self.store.list_items(list(changes)[:MAX_PATCHED_ROWS]) if changes else {}
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        if changes:
            self.app.call_from_thread(self.remember_change, changes)
        self.post_message(ItemsChanged(items, reload=len(changes) > MAX_PATCHED_ROWS))

    # -- tagging, marks, undo ---------------------------------------------------------------------
    def _targets(self) -> list[str]:
        """The marked articles, else the current one."""
        if self.article_list.marked:
            return sorted(self.article_list.marked)
        item = self._current()
        return [item.id] if item is not None else []

    def action_tag(self) -> None:
        """Open the editor at once (keys typed right after `t` go into it, never to the list);
        the store's tags for completion arrive from a worker, the keys typed behind `t` waiting
        for them (`t tr<tab>` in one burst completes `tr`)."""
        from tui.screens.tag_editor import TagEditorScreen

        targets = self._targets()
        if not targets:
            return
        item = self._current() if len(targets) == 1 else None
        if item is not None and item.id != targets[0]:
            item = None
        what = f"“{clip(item.title, 60)}”" if item is not None else f"{len(targets)} marked articles"
        existing: list[str] = []

        def edited(result: tuple[list[str], list[str]] | None) -> None:
            if result is not None:
                add, remove = result
                self.write_state(targets, add=tuple(add), remove=tuple(remove))

        editor = TagEditorScreen(what, item.tags if item is not None else (), existing)
        editor.keys_wait_for_rows()
        self.app.push_screen(editor, edited)
        self.load_tag_names(existing, editor)

    @work(thread=True, group="tag-editor", exclusive=True, exit_on_error=False)
    def load_tag_names(self, into: list[str], editor: Any) -> None:
        try:
            names = [t["tag"] for t in self.store.tag_counts()]
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            self.app.call_from_thread(editor.keys_go_on)
            return
        self.app.call_from_thread(into.extend, names)
        self.app.call_from_thread(editor.keys_go_on)

    def action_mark(self) -> None:
        listing = self.article_list
        item = listing.current
        if item is None:
            return
        marked = set(listing.marked)
        marked.symmetric_difference_update({item.id})
        listing.set_marked(marked)
        listing.last_mark = listing.cursor
        listing.action_cursor_down()

    def action_mark_range(self) -> None:
        listing = self.article_list
        start = listing.last_mark if listing.last_mark is not None else listing.cursor
        listing.set_marked(listing.marked | set(listing.loaded_ids(start, listing.cursor)))
        listing.last_mark = listing.cursor

    @work(thread=True, group="marks", exclusive=True, exit_on_error=False)
    def action_mark_all(self) -> None:
        try:
            ids = set(self.store.ids_matching(self._query))
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        self.app.call_from_thread(self.article_list.set_marked, ids)
        self.app.call_from_thread(self.notify, f"{len(ids)} articles marked (esc clears)", timeout=3)

    def action_mark_view_read(self) -> None:
        self._cancel_read_timer()
        self.write_view_state(self._query, True)

    def action_next_unread(self, step: int) -> None:
        listing = self.article_list
        row = listing.find_row(listing.cursor, step, lambda item: not item.read)
        if row is None:
            self.notify("No unread article that way (in what is loaded).", timeout=2)
        else:
            listing.cursor = row

    def action_delete(self) -> None:
        targets = self._targets()
        if targets:
            self.article_list.set_marked(set())
            self.delete_articles(targets)

    def remember_change(self, changes: Any) -> None:
        self._undo.append(changes)
        self._redo.clear()
        del self._undo[:-100]

    def action_undo(self) -> None:
        if not self._undo:
            self.notify("Nothing to undo.", timeout=2)
            return
        self.write_undo(self._undo.pop(), False)

    def action_redo(self) -> None:
        if not self._redo:
            self.notify("Nothing to redo.", timeout=2)
            return
        self.write_undo(self._redo.pop(), True)

    def _undone(self, inverse: Any, redo: bool) -> None:
        """An undo's own change goes on the redo stack (and a redo's back on the undo stack)."""
        if inverse:
            (self._undo if redo else self._redo).append(inverse)
        count = len(inverse)
        self.notify(f"{'Redone' if redo else 'Undone'}: {count} article{'s' if count != 1 else ''}", timeout=2)

    def action_tags(self) -> None:
        from tui.screens.tags import TagsScreen

        def chosen(tag: str | None) -> None:
            if tag is not None:
                phrase = " ".join(tag.replace('"', " ").split())
                self.open_view(f'tag:"{phrase}"', f"#{tag}")

        def changed(changes: dict[str, Any]) -> None:
            if changes:
                self.remember_change(changes)
                self.reload(cursor=self.article_list.cursor)

        self.app.push_screen(TagsScreen(self.store, changed), chosen)

"""The main screen's edits: the tag editor, marks, delete, unread navigation, undo and redo.
The writes run in the screen's workers (tui.screens.main_workers); the undo stack is the
screen's (tui.screens.undo)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.literal import clip
from tui.widgets.story_row import is_unread

if TYPE_CHECKING:
    from tui.screens.main import MainScreen


class Edits:
    """What `t`, `x`, `X`, `]`, `[`, `D`, `u` and `ctrl+r` do on the main screen."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    def targets(self) -> list[str]:
        """The marked articles, else the current one (a story row of the grouped list: its articles)."""
        article_list = self.screen.article_list
        item = self.screen.current
        chosen = sorted(article_list.marked) if article_list.marked else [item.id] if item is not None else []
        rows = article_list.story_rows
        return list(dict.fromkeys(i for c in chosen for i in (rows[c].members if c in rows else (c,))))

    def tag(self) -> None:
        """Open the editor at once (keys typed right after `t` go into it, never to the list);
        the store's tags for completion arrive from a worker, the keys typed behind `t` waiting
        for them (`t tr<tab>` in one burst completes `tr`)."""
        from tui.screens.tag_editor import TagEditorScreen

        screen = self.screen
        targets = self.targets()
        if not targets:
            return
        item = screen.current if len(targets) == 1 else None
        if item is not None and item.id != targets[0]:
            item = None
        what = f"“{clip(item.title, 60)}”" if item is not None else f"{len(targets)} marked articles"

        def edited(result: tuple[list[str], list[str]] | None) -> None:
            if result is not None:
                add, remove = result
                screen.io.write_state(targets, add=tuple(add), remove=tuple(remove))

        editor = TagEditorScreen(what, item.tags if item is not None else ())
        editor.keys_wait_for_rows()
        screen.app.push_screen(editor, edited)
        screen.io.load_tag_names(editor)

    def mark(self) -> None:
        article_list = self.screen.article_list
        item = article_list.current
        if item is None:
            return
        marked = set(article_list.marked)
        marked.symmetric_difference_update({item.id})
        article_list.set_marked(marked)
        article_list.last_mark = article_list.cursor
        article_list.action_cursor_down()

    def mark_range(self) -> None:
        article_list = self.screen.article_list
        start = article_list.last_mark if article_list.last_mark is not None else article_list.cursor
        article_list.set_marked(article_list.marked | set(article_list.loaded_ids(start, article_list.cursor)))
        article_list.last_mark = article_list.cursor

    def next_unread(self, step: int) -> None:
        article_list = self.screen.article_list
        row = article_list.find_row(article_list.cursor, step, lambda item: is_unread(article_list.story_rows, item))
        if row is None:
            self.screen.notify("No unread article that way (in what is loaded).", timeout=2)
        else:
            article_list.cursor = row

    def delete(self) -> None:
        targets = self.targets()
        if targets:
            self.screen.article_list.set_marked(set())
            self.screen.io.delete_articles(targets, self.screen.listing_query, self.screen.shown_generation)

    def undo(self, *, redo: bool) -> None:
        entry = self.screen.undo.pop(redo)
        if entry is None:
            self.screen.notify(f"Nothing to {'redo' if redo else 'undo'}.", timeout=2)
            return
        self.screen.io.write_undo(entry, redo, self.screen.listing_query, self.screen.shown_generation)

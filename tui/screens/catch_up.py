"""`M` (view.mark_all_read): catch up — every article of a view marked read, as one change the
main screen's `u` undoes.  From the main list (its view), and from the feeds, tags and saved
views lists (the highlighted row's articles).  More than CONFIRM_OVER unread articles: asked
first."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.literal import clip
from tui.screens.prompt import PromptScreen
from tui.screens.undo import UndoStack

if TYPE_CHECKING:
    from textual.screen import Screen

    from store import NewsStore
    from tui.screens.list_screen import ListScreen

CONFIRM_OVER = 100
"""Unread articles a catch-up marks without asking."""


def phrase(text: str) -> str:
    """`text` as the inside of a quoted query phrase (a tag's or a feed's query)."""
    return " ".join(text.replace('"', " ").split())


def confirm_then(screen: Screen[Any], unread: int | None, what: str, then: Callable[[], None]) -> None:
    """Run `then` at once for CONFIRM_OVER unread articles or fewer; else after a `y`
    (`unread` None: not counted yet, asked too)."""
    if unread is not None and unread <= CONFIRM_OVER:
        then()
        return

    def answered(answer: str | None) -> None:
        if answer and answer.strip().lower() in ("y", "yes"):
            then()

    count = f"{unread} unread articles" if unread is not None else "every unread article"
    screen.app.push_screen(PromptScreen(f"Mark {count} of {clip(what, 60)} read? Type y to confirm:"), answered)


def mark_read(store: NewsStore, query: str) -> dict[str, Any]:
    """Mark every article matching `query` read (in a worker): the change, for undo."""
    return store.change_states(store.ids_matching(query), read=True)


def on_main_screen(screen: Screen[Any], changes: dict[str, Any]) -> None:
    """A change written from a pop-up list: on the main screen's undo stack, its list reloaded."""
    main = next((s for s in screen.app.screen_stack if isinstance(getattr(s, "undo", None), UndoStack)), None)
    if main is None or not changes:
        return
    main_undo: UndoStack = getattr(main, "undo")  # noqa: B009 - the main screen, found by what it has
    main_undo.push(changes)
    reload = getattr(main, "reload", None)
    if callable(reload):
        reload(cursor=getattr(getattr(main, "article_list", None), "cursor", 0))


def catch_up_row(screen: ListScreen[Any, Any], query: str, what: str, unread: int | None) -> None:
    """`M` in a pop-up list: the highlighted row's articles (`query`) marked read, undoably."""

    def write() -> str:
        changes = mark_read(screen.store, query)
        screen.app.call_from_thread(on_main_screen, screen, changes)
        count = len(changes)
        return f"Marked {count} article{'s' if count != 1 else ''} of {clip(what, 60)} read (u undoes, on the list)"

    confirm_then(screen, unread, what, lambda: screen.write(write, title="Catch up"))

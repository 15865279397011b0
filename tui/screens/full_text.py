"""`f` (article.full_text): the current article's page fetched in a thread worker, its main text
(trafilatura, as `feeds fulltext` reads a teaser feed's items: articles.importers.refresh.
with_full_text) put in place of the body, the source's body kept beside it as the teaser.  One
undoable change (tui.screens.undo.BodyChange)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from tui.config import Settings
from tui.literal import clip, one_line
from tui.messages import ItemsChanged, StoreFailed, Undoable
from tui.screens.undo import BodyChange

if TYPE_CHECKING:
    from textual.screen import Screen

    from store import ListItem, NewsStore
    from tui.screens.listing import ListingScreen


class FullTextFetch:
    """What `f` does on the main screen."""

    def __init__(self, screen: ListingScreen) -> None:
        self.screen = screen
        self.fetching: set[str] = set()
        """Articles whose page is being fetched (a second `f` waits for the first)."""

    def fetch(self, item: ListItem | None) -> None:
        screen = self.screen
        if item is None:
            return
        if screen.store.readonly:
            screen.notify("The store is read-only: the full text cannot be kept.", severity="warning", markup=False)
            return
        if item.id in self.fetching:
            screen.notify("Its page is being fetched already.", title="Full text", markup=False, timeout=2)
            return
        self.fetching.add(item.id)
        settings = getattr(screen.app, "settings", None)
        options = (settings if isinstance(settings, Settings) else Settings()).import_options()
        said = f"Fetching the full text of “{clip(item.title, 60)}”…"
        screen.notify(said, title="Full text", markup=False, timeout=3)
        work = partial(self._fetch, item.id, options)
        screen.run_worker(work, group="full-text", thread=True, exit_on_error=False)

    def _notify(self, text: str, **kwargs: Any) -> None:
        self.screen.app.call_from_thread(self.screen.notify, text, title="Full text", markup=False, **kwargs)

    def _fetch(self, article_id: str, options: Any) -> None:
        try:
            self._fetch_and_write(article_id, options)
        finally:
            # A function of its own: Textual's invoke reads the signature, which a set's method lacks.
            self.screen.app.call_from_thread(lambda: self.fetching.discard(article_id))

    def _fetch_and_write(self, article_id: str, options: Any) -> None:
        from articles.importers.refresh import with_full_text
        from store import FullText

        store = self.screen.store
        try:
            stored = store.get(article_id)
            if stored is None:
                return
            if stored.article.teaser:
                self._notify("This article shows its page's full text already (u undoes).", timeout=4)
                return
            full, reason = with_full_text(stored.article, options)
            if reason:
                self._notify(f"Full text not used: {one_line(reason)}", severity="warning", timeout=6)
                return
            fields = {"body": full.body, "links": list(full.links), "teaser": stored.article.body}
            before = FullText(store.core).set_body_fields(article_id, fields)
            items = store.list_items([article_id])
        except Exception as exc:  # the store's error is for the user, the app keeps running
            self.screen.post_message(StoreFailed(str(exc), exc))
            return
        if before is None:
            return  # deleted meanwhile
        self.screen.post_message(Undoable(BodyChange(article_id, before)))
        self.screen.post_message(ItemsChanged(items))
        self._notify("The page's full text replaces the teaser (u undoes).", timeout=4)
        _extract_again(self.screen, article_id)  # in this worker's thread


def entities_again(screen: Screen[Any], article_id: str) -> None:
    """The entities of an article whose body `f` (or its undo) replaced, extracted again from the
    new body in a thread worker: the teaser's names must not stay in the sidebar beside the full
    text.  One spawned process at low priority, as the import dialog's extraction (spaCy never
    loads in the reader's own process); nothing when no model is installed."""
    work = partial(_extract_again, screen, article_id)
    screen.run_worker(work, group="entities-again", thread=True, exit_on_error=False)


def _extract_again(screen: Screen[Any], article_id: str) -> None:
    from articles.entities.extract import ExtractionUnavailable
    from tui.background import extract_in_background

    settings = getattr(screen.app, "settings", None)
    model = (settings if isinstance(settings, Settings) else Settings()).entities.model
    store = getattr(screen, "store", None)
    if store is None:
        return
    try:
        if not extract_in_background(store, [article_id], model):
            return  # no model, or nothing extracted: the sidebar has nothing new to show
        items = store.list_items([article_id])
    except ExtractionUnavailable:
        return
    except Exception as exc:  # the store's error is for the user, the app keeps running
        screen.post_message(StoreFailed(str(exc), exc))
        return
    screen.post_message(ItemsChanged(items))


def undo_body(store: NewsStore, entry: BodyChange) -> BodyChange:
    """Write an entry's body fields back; its inverse writes what they replaced (in a worker)."""
    from store import FullText

    before = FullText(store.core).set_body_fields(entry.article_id, entry.fields)
    return BodyChange(entry.article_id, before if before is not None else {})

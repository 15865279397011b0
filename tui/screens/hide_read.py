"""`H` (view.hide_read): hide the read articles of a view, or show them all again, per view and
remembered in the store's preferences.  An article read while the view shows it stays listed
until the view is left or loaded again, so the cursor never jumps: the listing's query is the
view's, narrowed to `is:unread OR id:…` (the ids of the listed articles read meanwhile)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from store import And, Everything, Flag, Match, Or, Query
from tui.screens.view_flags import ViewFlags

if TYPE_CHECKING:
    from collections.abc import Iterable

    from store import ListItem, NewsStore

PREFERENCE = "hide_read"
"""The preferences key (tui.screens.view_flags)."""


def narrowed(base: Query, kept: Iterable[str]) -> Query:
    """`base` limited to unread articles and the `kept` ids."""
    unread = Or((Flag("unread"), *(Match("id", article_id) for article_id in sorted(kept))))
    node = unread if isinstance(base.node, Everything) else And((base.node, unread))
    return Query(node, base.sort, base.text)


class HideRead(ViewFlags):
    """The views whose read articles are hidden, and the listing shown now: its base query and
    the ids that stay (listed, then read).  `views` is read from the store once, in a worker."""

    def __init__(self, store: NewsStore) -> None:
        super().__init__(store, PREFERENCE)
        self.bases: dict[int, Query] = {}
        """Listing load -> the view's own query, for the loads narrowed (written by the worker)."""
        self.base: Query | None = None
        """The query of the view shown, when its read articles are hidden (else None)."""
        self.listed: set[str] = set()
        self.kept: set[str] = set()
        self.follow: dict[int, str] = {}
        """Listing load -> the article the cursor stays on, where the load lists it (after `H`)."""

    def hides(self, view: str) -> bool:
        return self.is_on(view)

    def narrow(self, generation: int, view: str, query: Query) -> Query:
        """In the listing worker: the query to load for `view` (narrowed when it hides read)."""
        if not self.hides(view):
            return query
        self.bases[generation] = query
        return narrowed(query, ())

    def loaded(self, generation: int, rows: list[ListItem]) -> None:
        """A listing load arrived: it starts afresh (nothing kept)."""
        self.base = self.bases.pop(generation, None)
        self.bases = {g: q for g, q in self.bases.items() if g > generation}
        self.kept = set()
        self.listed = {row.id for row in rows}

    def rows_added(self, rows: list[ListItem]) -> None:
        if self.base is not None:
            self.listed.update(row.id for row in rows)

    def keep_read(self, items: dict[str, ListItem]) -> Query | None:
        """Listed articles now read stay: the narrowed query that keeps them (None: no change)."""
        if self.base is None:
            return None
        newly = {i for i, item in items.items() if item.read and i in self.listed and i not in self.kept}
        if not newly:
            return None
        self.kept |= newly
        return narrowed(self.base, self.kept)

    def counted_before(self, items: dict[str, ListItem]) -> bool:
        """Whether a count that came with `items` may be of the query before they were kept (a
        poll that started before): such a count is not the listing's."""
        return self.base is not None and any(i in self.kept for i in items)

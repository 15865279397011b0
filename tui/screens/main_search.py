"""The main screen's search bar: `/` opens it over the listing, the results follow the typing
(debounced), Enter keeps them, escape returns to the listing it opened over, ctrl+s saves the
query as a view."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.widgets import Static

from tui.literal import one_line
from tui.screens.listing import Listing
from tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from textual.timer import Timer
    from textual.widget import Widget

    from tui.screens.main import MainScreen

DEBOUNCE = 0.05
"""Seconds of quiet typing before the search runs: a fast typist's gap between keys (each key
restarts it, so a word typed at speed is searched once, when the typing stops)."""


class SearchFlow:
    """The search bar's side of the main screen: its open state, the debounce timer, and the
    listing it opened over."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.before: Listing | None = None
        """The listing when the bar opened (escape returns to it)."""
        self.debounce: Timer | None = None

    @property
    def row(self) -> Widget:
        """The search bar's row, shown while the bar is open: its `display`, set directly (no
        class to match against the stylesheet, on the screen or the row; the layout follows in
        the same frame)."""
        return self.screen.query_one("#searchrow")

    @property
    def is_open(self) -> bool:
        return self.row.display

    def open(self) -> None:
        screen = self.screen
        bar = screen.query_one(SearchBar)
        if not self.is_open:
            self.before = replace(screen.listing, cursor=screen.article_list.cursor)
            self.row.display = True
            bar.open(screen.listing.query, [])
            screen.io.load_history()
        screen.set_focus(bar)

    def changed(self, text: str) -> None:
        if not self.is_open:
            return
        if self.debounce is not None:
            self.debounce.stop()
        self.debounce = self.screen.set_timer(DEBOUNCE, lambda: self._search_now(text))

    def _stop_debounce(self) -> None:
        if self.debounce is not None:
            self.debounce.stop()
            self.debounce = None

    def _search_now(self, text: str) -> None:
        self.debounce = None
        if text != self.screen.listing.query or not self.screen.listing.query:
            self.screen.show_listing(Listing(text))

    def submitted(self, text: str) -> None:
        screen = self.screen
        self._stop_debounce()
        if text != screen.listing.query:
            screen.show_listing(Listing(text))
        if text.strip():  # written once the rows are on screen: Enter never waits for it

            def remember() -> None:
                if not screen.listing_failed:  # a query that failed is not kept in the history
                    screen.io.remember_search(text)

            screen.after_listing(remember)
        before = self.before
        pushed = before is not None and before.query != screen.listing.query
        if before is not None and pushed:
            screen.previous.append(before)
        self.before = None

        def close_unless_failed() -> None:
            if not screen.listing_failed:
                self._close()
                return
            # A query error: the bar stays open with the reason beside it, for the query to be
            # mended (escape goes back to the listing it opened over, as before Enter).
            if pushed and screen.previous and screen.previous[-1] is before:
                screen.previous.pop()
            self.before = before

        # The bar closes (and the list takes the focus) with the rows, in one frame: closing it
        # now would draw the list once more with the rows it is leaving, and lay out the screen
        # twice.  The keys typed behind Enter wait for the rows, so they find the bar closed.
        screen.when_listed(close_unless_failed)
        screen.keys_wait_for_the_listing()

    def cancelled(self) -> None:
        screen = self.screen
        self._stop_debounce()
        before = self.before
        self._close()
        if before is not None and (before.query, before.name) != (screen.listing.query, screen.listing.name):
            screen.go_to(before)

    def _close(self) -> None:
        screen = self.screen
        self.row.display = False
        screen.query_one("#search-status", Static).update("")
        self.before = None
        screen.set_focus(screen.article_list)

    def save(self, query: str) -> None:
        """Ask for a name, and save the query as a saved view under it."""
        from tui.screens.prompt import PromptScreen

        def named(name: str | None) -> None:
            if name:
                self.screen.io.save_view(name, query)

        self.screen.app.push_screen(PromptScreen(f"Save “{one_line(query) or 'all articles'}” as the view:"), named)

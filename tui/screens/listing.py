"""A listing of the store in the article list: loaded in thread workers (tui.screens.main_workers),
kept up to date from the store's change feed, summed up in the top bar.  ListingScreen is the
main screen's base: it owns what the list shows; MainScreen adds the panes' keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual import on
from textual.screen import Screen
from textual.widgets import Static

from store import Highlighter, Query, StoreCorrupt, parse_query
from tui.config import ReaderSettings
from tui.key_order import wait_for
from tui.literal import literal
from tui.messages import (
    BackgroundStatus,
    ChangesSeen,
    HistogramLoaded,
    ItemsChanged,
    ListingLoaded,
    RowsLoaded,
    SearchFailed,
    StoreDamaged,
    StoreFailed,
    StoreRepaired,
    UnreadCounted,
)
from tui.screens.hide_read import HideRead
from tui.screens.main_workers import MainWorkers
from tui.screens.stories_group import GroupedListing, GroupRowsLoaded, StoryGroups
from tui.screens.terminal_title import terminal_title
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText
from tui.widgets.top_bar import TopBar, TopBarState

if TYPE_CHECKING:
    from store import ListItem, NewsStore


@dataclass(frozen=True, slots=True)
class Listing:
    """What the article list shows: a query (empty: every article) and its title's name (a saved
    view's, a tag's, a feed's or an entity's)."""

    query: str = ""
    name: str = ""
    cursor: int = 0  # where the cursor was when we left it
    entity: bool = False  # the articles of one entity: the top bar shows them over time

    def title(self) -> str:
        if self.entity:
            return f"entity: {self.name}"
        if self.name:
            return f"view: {self.name}"
        return f"search: {self.query}" if self.query.strip() else "all articles"


def entity_query(kind: str, name: str) -> str:
    """The query of every article naming an entity (or one of its aliases), newest first."""
    field = kind if kind in ("person", "org", "place") else "entity"
    phrase = " ".join(name.replace('"', " ").split())
    return f'{field}:"{phrase}" sort:new'


class ListingScreen(Screen[None]):
    """A screen whose article list (an ArticleList), text pane (an ArticleText) and top bar (a
    TopBar) show one listing of the store: what is loaded, which load the rows answer, where the
    change feed was read, and the listings to go back to."""

    def __init__(
        self,
        store: NewsStore,
        *,
        reader: ReaderSettings | None = None,
        demo: bool = False,
        background: str = "",
    ) -> None:
        """`demo`: the store is the throwaway demo store; `background`: what a background import
        or refresh is doing now (BackgroundStatus messages say when that changes)."""
        super().__init__()
        self.store = store
        self.reader = reader or ReaderSettings()
        self.demo = demo
        self.background = background
        self.io = MainWorkers(self, store, sort=self.reader.sort)
        self.hide_read = HideRead(store)
        """The views whose read articles are hidden (`H`), and what the view shown keeps."""
        self.io.hide_read = self.hide_read
        self.story_groups = StoryGroups(store)
        """The views grouped by story (`S`), and the groups of the listing shown."""
        self.io.story_groups = self.story_groups
        self.generation = 0
        """Numbers the listing loads: rows of an older load are ignored when they arrive."""
        self.shown_generation = -1
        """The load whose rows the list shows (its query is `listing_query`)."""
        self.listing_failed = False
        """The last load ended in a query error (said in the search bar; the rows are the old ones)."""
        self._holding_keys = False
        self.shown_id: str | None = None
        """The article in the text pane (or on its way there)."""
        self._seq: int | None = None  # change-feed position; None until the listing has loaded
        self.listing = Listing()
        self.listing_query: Query = parse_query("")
        """The parsed query of the listing shown (what the list's rows answer)."""
        self.previous: list[Listing] = []
        """Listings to return to with escape."""
        self._ranked = False
        self.highlighter: Highlighter | None = None
        """The search's, for the list and the text pane (restored after an entity's)."""
        self.histogram: list[tuple[str, int]] = []
        """An entity listing's articles by month, for the top bar's sparkline."""
        self._unread: int | None = None  # unread articles in the listing (None: not counted yet)
        self._unread_asked = 0
        self._after_listing: list[Callable[[], object]] = []
        self._after_first_rows: list[Callable[[], object]] | None = []
        """Work for after the frame that shows the first rows (None: that frame is past)."""
        self._when_listed: list[Callable[[], object]] = []
        """Work for the handler that puts the listing being loaded in (or says it failed)."""

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def article_text(self) -> ArticleText:
        return self.query_one(ArticleText)

    @property
    def unread(self) -> int | None:
        """The unread articles of the listing shown (None: not counted yet)."""
        return self._unread

    @property
    def current(self) -> ListItem | None:
        """The article under the list's cursor."""
        return self.article_list.current

    # -- the listing ---------------------------------------------------------------------------
    def reload(self, cursor: int = 0) -> None:
        """Load the listing afresh; rows of an older load are ignored when they arrive."""
        self.generation += 1
        self.io.load_listing(self.generation, self.listing.query, cursor)

    def show_listing(self, listing: Listing, cursor: int = 0) -> None:
        """Make `listing` the one shown and load it."""
        self.listing = listing
        self.shown_id = None
        self.reload(cursor=cursor)

    def go_to(self, listing: Listing) -> None:
        """Show `listing` at its cursor; the keys typed behind the one that chose it wait for it."""
        self.show_listing(listing, cursor=listing.cursor)
        self.keys_wait_for_the_listing()

    def open_listing(self, query: str, name: str = "", *, entity: bool = False) -> None:
        """Show a query's results; escape returns to the listing we leave."""
        self.previous.append(replace(self.listing, cursor=self.article_list.cursor))
        self.go_to(Listing(query, name, entity=entity))

    def open_entity(self, kind: str, name: str) -> None:
        """Every article naming the entity (or one of its aliases), newest first."""
        self.open_listing(entity_query(kind, name), name, entity=True)
        self.article_list.focus()

    def keys_wait_for_the_listing(self) -> None:
        """The keys typed behind the one that chose this listing (Enter in the search bar, escape
        back) are for its rows: they wait until the rows are there (tui.key_order)."""
        if self.shown_generation != self.generation:
            self._holding_keys = True
            wait_for(self, True)

    def when_listed(self, work: Callable[[], object]) -> None:
        """Run `work` (closing the search bar) when the listing being loaded arrives, in the
        handler that puts its rows in the list (or says it failed), before the keys typed behind
        go on: what it changes on screen is drawn in the frame that draws the rows."""
        if self.shown_generation == self.generation:
            work()
        else:
            self._when_listed.append(work)

    def _keys_go_on(self) -> None:
        waiting, self._when_listed = self._when_listed, []
        for work in waiting:
            work()
        if self._holding_keys:
            self._holding_keys = False
            wait_for(self, False)

    def after_listing(self, work: Callable[[], object]) -> None:
        """Run `work` (a write such as the search history) once the listing being loaded is on
        screen, after that frame: the rows never wait for it."""
        self._after_listing.append(work)
        if self.shown_generation == self.generation:
            self._listing_shown()

    def after_first_rows(self, work: Callable[[], object]) -> None:
        """Run `work` (what the first frame can do without, such as the footer's keys) after the
        frame that shows the first listing's rows (at once if that frame is past)."""
        if self._after_first_rows is None:
            work()
        else:
            self._after_first_rows.append(work)

    def _first_rows_shown(self) -> None:
        if self._after_first_rows is not None:
            waiting, self._after_first_rows = self._after_first_rows, None
            self.call_after_refresh(lambda: [work() for work in waiting])

    def _listing_shown(self) -> None:
        self._first_rows_shown()
        if self._after_listing:
            waiting, self._after_listing = self._after_listing, []
            self.call_after_refresh(lambda: [work() for work in waiting])

    def poll(self) -> None:
        """Ask the store's change feed for other sessions' changes (every POLL_SECONDS)."""
        if self._seq is not None:
            current = self.article_list.current
            cursor_id = current.id if current else None
            self.io.poll_changes(self._seq, self.listing_query, self.shown_generation, cursor_id)

    def count_unread(self) -> None:
        """Count the unread articles of the listing, for the top bar (after a load, and changes)."""
        self._unread_asked += 1
        self.io.count_unread(self._unread_asked, self.listing_query)

    @on(ListingLoaded)
    def listing_loaded(self, message: ListingLoaded) -> None:
        if message.generation != self.generation:
            return
        self.shown_generation = message.generation
        self._seq = message.seq
        self.listing_query = message.query
        self.hide_read.loaded(message.generation, message.rows)
        self.article_list.story_rows = self.story_groups.loaded(message.generation)
        self.listing_failed = False
        self._keys_go_on()  # the rows are in the list when the next key is handled
        if message.total == 0 and not self.listing.query.strip() and not self.previous:
            from tui.screens.welcome import WelcomeScreen

            self.app.switch_screen(WelcomeScreen(self.store))
            return
        self._ranked = message.ranked
        highlighter = Highlighter(self.listing_query)
        self.highlighter = highlighter or None
        self.article_list.highlighter = self.highlighter
        if self.shown_id is None and message.total:
            # A new listing: its first row's article is read after the rows' frame, and marked
            # then; the article leaving the pane is not wrapped again for the new marks.
            self.article_text.set_highlighter(self.highlighter, redraw=False)
        else:  # the same article stays: marked again after the rows' frame
            self.call_after_refresh(self.article_text.set_highlighter, self.highlighter)
        self.histogram = []
        self._unread = None
        # The rows first: the counts for the top bar are asked for after the frame that shows them
        self.call_after_refresh(self.count_unread)
        if self.listing.entity:
            self.call_after_refresh(self.io.load_histogram, message.generation, self.listing_query)
        self.article_list.reset(message.total, 0, message.rows, cursor=message.cursor)
        self.query_one("#search-status", Static).update("")
        self.update_topbar()
        self._listing_shown()

    @on(SearchFailed)
    def search_failed(self, message: SearchFailed) -> None:
        if message.generation == self.generation:
            self.shown_generation = message.generation  # the list keeps the rows it had
            self.listing_failed = True
            self._keys_go_on()
            self.query_one("#search-status", Static).update(literal(message.text))
            self._listing_shown()

    @on(GroupedListing)
    def grouped_listing(self, message: GroupedListing) -> None:
        if message.generation == self.generation:
            self.story_groups.pending[message.generation] = message

    @on(GroupRowsLoaded)
    def group_rows_loaded(self, message: GroupRowsLoaded) -> None:
        if message.generation == self.generation and self.story_groups.current is not None:
            self.article_list.story_rows = {**self.article_list.story_rows, **message.rows}
            self.article_list.add_rows(message.offset, message.items)

    @on(RowsLoaded)
    def add_rows(self, message: RowsLoaded) -> None:
        if message.generation == self.generation:
            self.hide_read.rows_added(message.rows)
            self.article_list.add_rows(message.offset, message.rows)

    @on(ArticleList.RowsWanted)
    def rows_wanted(self, message: ArticleList.RowsWanted) -> None:
        groups = self.story_groups.current
        if groups is not None:
            wanted = groups[message.offset : message.offset + message.limit]
            self.io.fetch_group_rows(wanted, message.offset, self.shown_generation)
            return
        self.io.fetch_rows(self.listing_query, message.offset, message.limit, self.shown_generation)

    @on(ChangesSeen)
    def changes_seen(self, message: ChangesSeen) -> None:
        if message.since == self._seq:  # else a load since then has read the feed afresh
            self._seq = message.seq

    @on(ItemsChanged)
    def items_changed(self, message: ItemsChanged) -> None:
        # A count of an earlier listing (read before the one shown now arrived): the rows only.
        stale = message.generation is not None and message.generation != self.shown_generation
        total = None if stale else message.total
        keeping = self.hide_read.keep_read(message.items)
        if keeping is not None:  # read while shown: they stay listed
            self.listing_query = keeping
        if self.hide_read.counted_before(message.items):
            total = None  # perhaps counted without the articles kept: the rows only
        article_list = self.article_list
        if self.story_groups.current is not None:  # grouped: rows are stories, counts articles
            if not stale and (message.reload or (total is not None and total != self.story_groups.articles)):
                self.reload(article_list.cursor)
            total = None
        elif not stale and (message.reload or (total is not None and total != article_list.total)):
            # Articles arrived or left, or many changed: reload the window, keeping the cursor.
            cursor, scroll = article_list.cursor, article_list.scroll_y
            current = article_list.current
            if message.cursor_row is not None and current is not None and current.id == message.cursor_id:
                # Keep the same article under the cursor, on the same screen row.
                scroll += message.cursor_row - cursor
                cursor = message.cursor_row
            article_list.reset(article_list.total if total is None else total, cursor=cursor)
            article_list.scroll_to(y=max(scroll, 0), animate=False, immediate=True)
        article_list.update_items(message.items)
        shown = self.article_text.article
        if shown is not None and shown.article.id in message.items:
            self.io.load_article(shown.article.id)
        if message.items or (not stale and (message.reload or total is not None)):
            self.count_unread()
        self.update_topbar()

    @on(UnreadCounted)
    def unread_counted(self, message: UnreadCounted) -> None:
        if message.asked == self._unread_asked:  # the latest count asked for (of the listing shown)
            self._unread = message.count
            self.update_topbar()

    @on(HistogramLoaded)
    def histogram_loaded(self, message: HistogramLoaded) -> None:
        if message.generation == self.generation:
            self.histogram = message.months
            self.update_topbar()

    @on(StoreFailed)
    def store_failed(self, message: StoreFailed) -> None:
        self._keys_go_on()
        self._first_rows_shown()
        self.notify(message.text, title="Store error", severity="error", markup=False, timeout=10)
        if isinstance(message.error, StoreCorrupt):
            self.app.post_message(StoreDamaged(message.error))

    @on(BackgroundStatus)
    def background_changed(self, message: BackgroundStatus) -> None:
        finished = bool(self.background) and not message.text
        self.background = message.text
        if finished and self.story_groups.current is not None:  # an import ends placing stories
            self.reload(self.article_list.cursor)
        self.update_topbar()

    @on(StoreRepaired)
    def store_repaired(self, _message: StoreRepaired) -> None:
        self.reload(self.article_list.cursor)
        current = self.article_list.current
        if current is not None:
            self.io.load_article(current.id)

    def pending(self) -> str:
        """What the top bar says after the view's title about keys waiting ("" when none)."""
        return ""

    def update_topbar(self) -> None:
        title = self.listing.title() + (" · read hidden" if self.hide_read.base is not None else "")
        title += " · by story" if self.story_groups.current is not None else ""
        self.app.sub_title = terminal_title(title, self._unread)
        state = TopBarState(
            title=title + self.pending(),
            total=self.article_list.total if self.story_groups.current is None else self.story_groups.articles,
            searching=bool(self.listing.query.strip()),
            unread=self._unread,
            ranked=self._ranked,
            readonly=self.store.readonly,
            demo=self.demo,
            background=self.background,
            histogram=tuple(self.histogram),
        )
        self.query_one(TopBar).show(state, self.app.size.width)

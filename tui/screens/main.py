"""The main screen: article list, text pane and entity sidebar; store I/O in thread workers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from store import And, Everything, Flag, Highlighter, Query, QueryError, StoreCorrupt, parse_query
from tui.config import ReaderSettings
from tui.literal import literal, one_line
from tui.messages import ArticleLoaded, ItemsChanged, RowsLoaded, SearchFailed, StoreFailed, ViewLoaded
from tui.screens.links import FeedActions, LinkActions
from tui.screens.main_actions import MAX_PATCHED_ROWS, TaggingActions
from tui.widgets.article_list import PAGE, ArticleList
from tui.widgets.article_view import ArticleView
from tui.widgets.entity_sidebar import EntitySidebar
from tui.widgets.footer import KeyFooter
from tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from store import ListItem, NewsStore
    from tui.app import NewsdeskApp

WIDE = 140
NARROW = 100
POLL_SECONDS = 1.5
DEBOUNCE = 0.12
"""Seconds of quiet typing before the search runs (the issue allows up to 0.15)."""


@dataclass(frozen=True, slots=True)
class View:
    """What the list shows: a query (empty: every article), and the name of a saved view."""

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


class MainScreen(TaggingActions, LinkActions, FeedActions, Screen[None]):
    """Three panes over the current view of the store.

    | Key | id | Does |
    |---|---|---|
    | `tab` / `shift+tab` | pane.next / pane.prev | move between list, text, sidebar |
    | `z` | pane.zen | toggle the sidebar and list |
    | `m` | article.toggle_read | read/unread |
    | `s` | article.toggle_star | starred |
    | `/` | search.focus | open the search bar |
    | `V` | views.show | saved views with counts |
    | `E` | entities.show | entity browser |
    | `r` | article.related | related articles |
    | `t` | article.tags | tag editor for the marked articles, else the current one |
    | `x` / `X` / `*` | mark.toggle / mark.range / mark.all | mark for bulk work |
    | `]` / `[` | article.next_unread / article.prev_unread | next/previous unread |
    | `M` | view.mark_all_read | mark every article in the view read |
    | `u` / `ctrl+r` | undo / redo | undo/redo tag and state changes |
    | `T` | tags.show | tags view with counts |
    | `D` | article.delete | delete the marked articles, else the current one (`u` undoes) |
    | `y` | article.copy_link | copy the link (terminal clipboard, works over SSH) |
    | `o` | article.open_link | open the link with [reader] open_command |
    | `F` | feeds.show | feeds view with unread counts |
    | `R` | feeds.refresh | refresh the feeds in the background |
    | `i` | import.show | import dialog: paths and urls, imported in the background |
    | `escape` | app.back | back to the list, then to the previous view |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "app.focus_next", "Next pane", show=False, id="pane.next"),
        Binding("shift+tab", "app.focus_previous", "Previous pane", show=False, id="pane.prev"),
        Binding("z", "toggle_zen", "Zen", id="pane.zen"),
        Binding("m", "toggle_read", "Read/unread", id="article.toggle_read"),
        Binding("s", "toggle_star", "Star", id="article.toggle_star"),
        Binding("slash", "search", "Search", id="search.focus"),
        Binding("V", "views", "Views", id="views.show"),
        Binding("E", "entities", "Entities", id="entities.show"),
        Binding("r", "related", "Related", show=False, id="article.related"),
        Binding("t", "tag", "Tag", id="article.tags"),
        Binding("x", "mark", "Mark", show=False, id="mark.toggle"),
        Binding("X", "mark_range", "Mark range", show=False, id="mark.range"),
        Binding("asterisk", "mark_all", "Mark all", show=False, id="mark.all"),
        Binding("right_square_bracket", "next_unread(1)", "Next unread", show=False, id="article.next_unread"),
        Binding("left_square_bracket", "next_unread(-1)", "Previous unread", show=False, id="article.prev_unread"),
        Binding("M", "mark_view_read", "Mark view read", show=False, id="view.mark_all_read"),
        Binding("u", "undo", "Undo", show=False, id="undo"),
        Binding("ctrl+r", "redo", "Redo", show=False, id="redo"),
        Binding("T", "tags", "Tags", show=False, id="tags.show"),
        Binding("D", "delete", "Delete", show=False, id="article.delete"),
        Binding("y", "copy_link", "Copy link", show=False, id="article.copy_link"),
        Binding("o", "open_link", "Open link", show=False, id="article.open_link"),
        Binding("F", "feeds", "Feeds", show=False, id="feeds.show"),
        Binding("R", "refresh_feeds", "Refresh", show=False, id="feeds.refresh"),
        Binding("i", "import", "Import", show=False, id="import.show"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
    ]

    zen: var[bool] = var(False)
    """Reading mode: the text pane alone."""

    def __init__(self, store: NewsStore, *, read_delay: float = 2.0, reader: ReaderSettings | None = None) -> None:
        super().__init__()
        self.store = store
        self.read_delay = read_delay
        self.reader = reader or ReaderSettings()
        self._generation = 0
        self._shown_generation = -1  # the load the list shows
        self._holding_keys = False
        self._read_timer: Timer | None = None
        self._shown_id: str | None = None
        self._to_read: str | None = None
        """The article the user chose (a key or click put it in the text pane): its read timer
        starts when it is shown, once.  None for what a new view, a refresh or another session's
        change put under the cursor, and after `m` (an explicit choice wins over the timer)."""
        self._seq: int | None = None  # change-feed position; None until the view has loaded
        self.view = View()
        self._query: Query = parse_query("")
        self._previous: list[View] = []  # views to return to with escape
        self._before_search: View | None = None  # the view when the search bar opened
        self._debounce: Timer | None = None
        self._ranked = False
        self._highlighter: Highlighter | None = None  # the search's, restored after an entity's
        self._histogram: list[tuple[str, int]] = []  # an entity view's articles by month
        self._unread: int | None = None  # unread articles in the view (None: not counted yet)
        self._unread_asked = 0
        self._undo: list[Any] = []  # a state change (id -> (before, after)), a Deletion or a Restoration
        self._redo: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static(id="topbar")
        with Horizontal(id="searchrow"):
            yield SearchBar(id="search")
            yield Static(id="search-status")
        with Vertical(id="body"):
            yield ArticleList(id="list")
            with Horizontal(id="reading"):
                yield ArticleView(id="text")
                yield EntitySidebar(id="sidebar")
        yield KeyFooter()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one(ArticleList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    def on_mount(self) -> None:
        # [reader] panes: a hidden pane stays hidden until the config shows it ("z" is zen mode).
        self.set_class("entities" not in self.reader.panes, "-no-entities")
        self.set_class("text" not in self.reader.panes, "-no-text")
        self.article_list.date_format = self.reader.date_format
        self.query_one("#sidebar", EntitySidebar).show(None, loading=True)
        self.article_list.focus()
        self._layout_for(self.app.size.width)
        self.reload()
        self.set_interval(POLL_SECONDS, self._poll)

    def on_resize(self) -> None:
        self._layout_for(self.app.size.width)
        if self._histogram:  # the sparkline takes the width there is
            self._update_topbar()

    def _layout_for(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")
        self.set_class(width < NARROW, "-narrow")

    def watch_zen(self, zen: bool) -> None:
        self.set_class(zen, "-zen")
        if zen:
            self.article_view.focus()
        else:
            self.article_list.focus()

    def reload(self, cursor: int = 0) -> None:
        """Load the view afresh; rows of an older load are ignored when they arrive."""
        self._generation += 1
        self.load_view(self._generation, self.view.query, cursor)

    def _keys_wait_for_the_view(self) -> None:
        """The keys typed behind the one that chose this view (Enter in the search bar, escape
        back) are for its rows: they wait until the rows are there (tui.key_order)."""
        if self._shown_generation != self._generation:
            self._holding_keys = True
            getattr(self.app, "hold_keys", lambda _holder: None)(self)

    def _keys_go_on(self) -> None:
        if self._holding_keys:
            self._holding_keys = False
            getattr(self.app, "release_keys", lambda _holder: None)(self)

    # -- workers (store I/O; they only post messages) --------------------------------------------
    @work(thread=True, exclusive=True, group="view", exit_on_error=False)
    def load_view(self, generation: int, text: str, cursor: int = 0) -> None:
        try:
            query = parse_query(text)
            if self.reader.sort == "old" and query.sort == "new" and "sort:" not in text.lower():
                query = replace(query, sort="old")  # [reader] sort, unless the query says
        except QueryError as exc:
            self.post_message(SearchFailed(f"{exc.message} (at {exc.position + 1})", generation))
            return
        try:
            seq = self.store.last_change()
            result = self.store.search(query, limit=PAGE)
        except Exception as exc:  # the store's error is for the user, the app keeps running
            self.post_message(StoreFailed(str(exc), exc))
            return
        if get_current_worker().is_cancelled:
            return
        self._seq = seq
        self._query = query
        self.post_message(ViewLoaded(result.count, result.items, generation, result.ranked, cursor))

    def count_unread(self) -> None:
        """Count the unread articles of the view, for the top bar (after a load, and changes)."""
        self._unread_asked += 1
        self._count_unread(self._unread_asked, self._query)

    @work(thread=True, group="unread", exit_on_error=False)
    def _count_unread(self, asked: int, query: Query) -> None:
        node = query.node
        unread = Query(Flag("unread") if isinstance(node, Everything) else And((node, Flag("unread"))), "new")
        try:
            count = self.store.count_matching(unread)
        except Exception:
            return  # the count is a hint; the view's own load reports what is wrong
        self.app.call_from_thread(self._show_unread, asked, count)

    def _show_unread(self, asked: int, count: int) -> None:
        if asked == self._unread_asked:  # the latest count asked for (of the view shown)
            self._unread = count
            self._update_topbar()

    @work(thread=True, group="rows", exit_on_error=False)
    def fetch_rows(self, offset: int, limit: int, generation: int) -> None:
        try:
            rows = self.store.search(self._query, limit=limit, offset=offset).items
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        self.post_message(RowsLoaded(offset, rows, generation))

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def load_article(self, article_id: str) -> None:
        try:
            stored = self.store.get(article_id)
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(ArticleLoaded(article_id, stored))

    @work(thread=True, group="write", exit_on_error=False)
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
        try:
            changes = self.store.change_states(ids, add_tags=add, remove_tags=remove, read=read, starred=starred)
            items = self.store.list_items(list(changes)) if changes else {}
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        if undoable and changes:
            self.app.call_from_thread(self.remember_change, changes)
        self.post_message(ItemsChanged(items))

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def poll_changes(self, cursor_id: str | None = None) -> None:
        """Other sessions' changes, from the store's change feed (no full reload).  When the
        list's size changes, the article under the cursor keeps its place (`cursor_id`)."""
        if self._seq is None:
            return
        try:
            seq, ids = self.store.changes_since(self._seq)
            if seq == self._seq:
                return
            self._seq = seq
            total = self.store.count_matching(self._query)
            row = self.store.search_position(self._query, cursor_id) if cursor_id else None
            if ids is None or len(ids) > MAX_PATCHED_ROWS:
                # Too far behind, or a bulk change: refetch the visible window instead.
                self.post_message(ItemsChanged({}, total=total, reload=True, cursor_id=cursor_id, cursor_row=row))
                return
            items = self.store.list_items(ids)
            self.post_message(ItemsChanged(items, total=total, cursor_id=cursor_id, cursor_row=row))
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))

    def _poll(self) -> None:
        current = self.article_list.current
        self.poll_changes(current.id if current else None)

    # -- results --------------------------------------------------------------------------------
    @on(ViewLoaded)
    def show_view(self, message: ViewLoaded) -> None:
        if message.generation != self._generation:
            return
        self._shown_generation = message.generation
        self._keys_go_on()  # the rows are in the list when the next key is handled
        if message.total == 0 and not self.view.query.strip() and not self._previous:
            from tui.screens.welcome import WelcomeScreen

            self.app.switch_screen(WelcomeScreen(self.store))
            return
        self._ranked = message.ranked
        highlighter = Highlighter(self._query)
        self._highlighter = highlighter or None
        self.article_list.highlighter = self._highlighter
        self.article_view.set_highlighter(self._highlighter)
        self._histogram = []
        self._unread = None
        self.count_unread()
        if self.view.entity:
            self.load_histogram(message.generation, self._query)
        self.article_list.reset(message.total, 0, message.rows, cursor=message.cursor)
        self.query_one("#search-status", Static).update("")
        self._update_topbar()

    @on(SearchFailed)
    def search_failed(self, message: SearchFailed) -> None:
        if message.generation == self._generation:
            self._shown_generation = message.generation  # the list keeps the rows it had
            self._keys_go_on()
            self.query_one("#search-status", Static).update(literal(message.text))

    @on(RowsLoaded)
    def add_rows(self, message: RowsLoaded) -> None:
        if message.generation == self._generation:
            self.article_list.add_rows(message.offset, message.rows)

    @on(ArticleList.RowsWanted)
    def rows_wanted(self, message: ArticleList.RowsWanted) -> None:
        self.fetch_rows(message.offset, message.limit, self._generation)

    @on(ArticleList.Highlighted)
    def highlighted(self, message: ArticleList.Highlighted) -> None:
        item = message.item
        if item is None or item.id == self._shown_id:
            return
        self._shown_id = item.id
        self._cancel_read_timer()
        self._to_read = item.id if message.chosen else None
        self.load_article(item.id)

    @on(ArticleLoaded)
    def article_loaded(self, message: ArticleLoaded) -> None:
        if message.article_id != self._shown_id:
            return
        stored = message.stored
        self.article_view.show(stored, "This article is no longer in the store.")
        sidebar = self.query_one("#sidebar", EntitySidebar)
        if stored is None:
            sidebar.show([])
            return
        sidebar.show(stored.article.entities, language=stored.article.language)
        if message.article_id != self._to_read:
            return  # shown again (its state changed), or not chosen by the user: no timer
        self._to_read = None
        if not stored.state.read:
            self._cancel_read_timer()
            if self.read_delay <= 0:
                self._mark_read(message.article_id)
            else:
                self._read_timer = self.set_timer(self.read_delay, lambda: self._mark_read(message.article_id))

    @on(ArticleList.Opened)
    def opened(self, message: ArticleList.Opened) -> None:
        if "text" not in self.reader.panes:
            self.zen = True  # the text pane is hidden: read in zen mode, Esc returns
        self._to_read = None  # read now, not by the timer
        if not message.item.read:
            self._mark_read(message.item.id)
        self.article_view.focus()

    @on(ItemsChanged)
    def items_changed(self, message: ItemsChanged) -> None:
        if message.reload or (message.total is not None and message.total != self.article_list.total):
            # Articles arrived or left, or many changed: reload the window, keeping the cursor.
            listing = self.article_list
            cursor, scroll = listing.cursor, listing.scroll_y
            current = listing.current
            if message.cursor_row is not None and current is not None and current.id == message.cursor_id:
                # Keep the same article under the cursor, on the same screen row.
                scroll += message.cursor_row - cursor
                cursor = message.cursor_row
            listing.reset(listing.total if message.total is None else message.total, cursor=cursor)
            listing.scroll_to(y=max(scroll, 0), animate=False, immediate=True)
        self.article_list.update_items(message.items)
        current = self.article_view.article
        if current is not None and current.article.id in message.items:
            self.load_article(current.article.id)
        if message.items or message.reload or message.total is not None:
            self.count_unread()
        self._update_topbar()

    @on(StoreFailed)
    def store_failed(self, message: StoreFailed) -> None:
        self._keys_go_on()
        self.notify(message.text, title="Store error", severity="error", markup=False, timeout=10)
        if isinstance(message.error, StoreCorrupt):
            app: NewsdeskApp = self.app  # type: ignore[assignment]
            app.store_damaged(message.error)

    def refresh_topbar(self) -> None:
        self._update_topbar()

    def _update_topbar(self) -> None:
        total = self.article_list.total
        noun = "match" if self.view.query.strip() else "article"
        plural = "es" if noun == "match" else "s"
        bar = literal(f" newsdesk · {one_line(self.view.title())} · {total} {noun}{plural if total != 1 else ''}")
        if self._unread is not None:
            bar.append(f" · {self._unread} unread")
        spark_at = len(bar)
        if self.view.query.strip() and total and self._ranked:
            bar.append(" · by relevance", style="dim")
        app: NewsdeskApp = self.app  # type: ignore[assignment]
        if self.store.readonly:
            bar.append("  · read-only: this store cannot be changed from here", style="bold")
        if app.demo:
            bar.append("  · demo store (thrown away on exit)", style="dim")
        if app.background_status:
            bar.append(f"  · {app.background_status}", style="bold")
        if self._histogram:  # between the count and the rest, in the width the rest leaves
            spark = sparkline(self._histogram, self.app.size.width - bar.cell_len - 3)
            if spark:
                head, tail = bar[:spark_at], bar[spark_at:]
                bar = Text.assemble(head, (f"  {spark}", "bold"), tail)
        self.query_one("#topbar", Static).update(bar)

    # -- reading state --------------------------------------------------------------------------
    def _cancel_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def _mark_read(self, article_id: str) -> None:
        self._cancel_read_timer()
        if article_id == self._shown_id:
            self.write_state([article_id], read=True, undoable=False)

    def _current(self) -> ListItem | None:
        return self.article_list.current

    def action_toggle_read(self) -> None:
        item = self._current()
        if item is not None:
            self._cancel_read_timer()  # an explicit choice wins over the timer,
            self._to_read = None  # even when the article is still loading
            self.write_state([item.id], read=not item.read)

    def action_toggle_star(self) -> None:
        item = self._current()
        if item is not None:
            self.write_state([item.id], starred=not item.starred)

    def action_toggle_zen(self) -> None:
        self.zen = not self.zen

    def action_back(self) -> None:
        if self.zen:
            self.zen = False
        elif not self.article_list.has_focus:
            self.article_list.focus()
        elif self.article_list.marked:
            self.article_list.set_marked(set())
        elif self._previous:
            self._go_to(self._previous.pop())

    # -- views and search ---------------------------------------------------------------------
    def _go_to(self, view: View) -> None:
        self.view = view
        self._shown_id = None
        self.reload(cursor=view.cursor)
        self._keys_wait_for_the_view()

    def open_view(self, query: str, name: str = "", *, entity: bool = False) -> None:
        """Show a query's results; escape returns to the view we leave."""
        self._previous.append(replace(self.view, cursor=self.article_list.cursor))
        self._go_to(View(query, name, entity=entity))

    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        if not self.has_class("-searching"):
            self._before_search = replace(self.view, cursor=self.article_list.cursor)
            self.add_class("-searching")
            bar.open(self.view.query, [])
            self.load_history()
        self.set_focus(bar)

    @work(thread=True, group="history", exit_on_error=False)
    def load_history(self) -> None:
        try:
            history = self.store.search_history()
        except Exception:
            return  # no history is no reason to stop searching
        self.app.call_from_thread(setattr, self.query_one(SearchBar), "history", history)

    @work(thread=True, group="history", exit_on_error=False)
    def remember(self, text: str) -> None:
        try:
            self.store.add_search_history(text)
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.has_class("-searching"):
            return
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value
        self._debounce = self.set_timer(DEBOUNCE, lambda: self._search_now(text))

    def _search_now(self, text: str) -> None:
        self._debounce = None
        if text != self.view.query or not self.view.query:
            self.view = View(text)
            self._shown_id = None
            self.reload()

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if event.value != self.view.query:
            self.view = View(event.value)
            self._shown_id = None
            self.reload()
        if event.value.strip():
            self.remember(event.value)
        before = self._before_search
        if before is not None and before.query != self.view.query:
            self._previous.append(before)
        self._close_search()
        self._keys_wait_for_the_view()

    @on(SearchBar.Cancelled)
    def search_cancelled(self, event: SearchBar.Cancelled) -> None:
        event.stop()
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        before = self._before_search
        self._close_search()
        if before is not None and (before.query, before.name) != (self.view.query, self.view.name):
            self._go_to(before)

    def _close_search(self) -> None:
        self.remove_class("-searching")
        self.query_one("#search-status", Static).update("")
        self._before_search = None
        self.set_focus(self.article_list)

    @on(SearchBar.SaveRequested)
    def save_requested(self, event: SearchBar.SaveRequested) -> None:
        event.stop()
        from tui.screens.prompt import PromptScreen

        query = event.query

        def named(name: str | None) -> None:
            if name:
                self.save_view(name, query)

        self.app.push_screen(PromptScreen(f"Save “{one_line(query) or 'all articles'}” as the view:"), named)

    @work(thread=True, group="views", exit_on_error=False)
    def save_view(self, name: str, query: str) -> None:
        try:
            view = self.store.save_view(name, query, replace=True)
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        self.app.call_from_thread(self.notify, f"Saved the view “{one_line(view.name)}”", markup=False)

    # -- entities -------------------------------------------------------------------------------
    @on(EntitySidebar.EntityFocused)
    def entity_focused(self, message: EntitySidebar.EntityFocused) -> None:
        entity = message.entity
        if entity is None:
            self.article_view.set_highlighter(self._highlighter)
        else:
            self.article_view.set_highlighter(Highlighter(names=[entity.name, *entity.aliases]))

    @on(EntitySidebar.EntityOpened)
    def entity_opened(self, message: EntitySidebar.EntityOpened) -> None:
        self.open_entity(message.entity.type, message.entity.name)

    def open_entity(self, kind: str, name: str) -> None:
        """Every article naming the entity (or one of its aliases), newest first."""
        field = kind if kind in ("person", "org", "place") else "entity"
        phrase = " ".join(name.replace('"', " ").split())
        self.open_view(f'{field}:"{phrase}" sort:new', name, entity=True)
        self.article_list.focus()

    @work(thread=True, group="histogram", exclusive=True, exit_on_error=False)
    def load_histogram(self, generation: int, query: Query) -> None:
        try:
            months = self.store.histogram(query)
        except Exception as exc:
            self.post_message(StoreFailed(str(exc), exc))
            return
        self.app.call_from_thread(self._show_histogram, generation, months)

    def _show_histogram(self, generation: int, months: list[tuple[str, int]]) -> None:
        if generation == self._generation:
            self._histogram = months
            self._update_topbar()

    def action_entities(self) -> None:
        from tui.screens.entities import EntitiesScreen

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.open_entity(*result)

        self.app.push_screen(EntitiesScreen(self.store), chosen)

    def action_related(self) -> None:
        current = self.article_view.article
        if current is None:
            return
        from tui.screens.related import RelatedScreen

        def chosen(article_id: str | None) -> None:
            if article_id is not None:
                self._shown_id = article_id
                self._to_read = article_id  # chosen in the related list
                self.load_article(article_id)
                self.article_view.focus()

        self.app.push_screen(RelatedScreen(self.store, current.article.id, current.article.title), chosen)

    def action_views(self) -> None:
        from tui.screens.views import ViewsScreen

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                self.open_view(result[1], result[0])

        self.app.push_screen(ViewsScreen(self.store), chosen)

    def action_trash(self) -> None:
        """The trash (the palette's "Trash"): undelete what D, `newsdesk delete` or retention removed."""
        from tui.screens.trash import TrashScreen

        def closed(restored: bool | None) -> None:
            if restored:
                self.reload()

        self.app.push_screen(TrashScreen(self.store), closed)

    def action_open(self) -> None:
        self.article_list.action_open()


SPARKS = "▁▂▃▄▅▆▇█"
MIN_BARS = 8
"""Fewer columns than this for the bars (of a longer span): the labels shorten, then go."""


def sparkline(months: list[tuple[str, int]], width: int = 40) -> str:
    """Articles per month over the whole span, from the first month with articles to the last
    (gaps filled), its ends labelled: '2019-03 ▁▃ █ 2025-11'.  At most `width` characters: when
    the span has more months than there are columns, each bar is a run of months (the first bar
    starts at the first month, the last ends at the last).  Shorter labels (years), then none,
    when the width is too small for the month labels."""
    if not months or width < 1:
        return ""
    counts = dict(months)
    year, month = (int(x) for x in months[0][0].split("-"))
    series: list[tuple[str, int]] = []
    while True:
        key = f"{year:04d}-{month:02d}"
        series.append((key, counts.get(key, 0)))
        if key >= months[-1][0]:
            break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    first, last = series[0][0], series[-1][0]
    for start, end in ((first, last), (first[:4], last[:4]), ("", "")):
        room = width - (len(start) + len(end) + 2 if start else 0)
        if room >= min(len(series), MIN_BARS):
            break
    else:
        return ""
    buckets = min(len(series), room)
    edges = [i * len(series) // buckets for i in range(buckets + 1)]  # each bucket a run of >= 1 months
    sums = [sum(n for _, n in series[edges[i] : edges[i + 1]]) for i in range(buckets)]
    top = max(sums) or 1
    bars = "".join(" " if n == 0 else SPARKS[min(len(SPARKS) - 1, (n * len(SPARKS) - 1) // top)] for n in sums)
    return f"{start} {bars} {end}" if start else bars

"""The main screen: article list, text pane and entity sidebar over one listing of the store.
Its store I/O runs in thread workers (tui.screens.main_workers) whose results arrive here as
messages; the search bar, the edits (tags, marks, delete, undo), the links and the pop-up
screens are each handled by a small object the screen owns."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Input, Static

from store import Highlighter
from tui.config import ReaderSettings
from tui.messages import ArticleLoaded, HistoryLoaded, MatchesMarked, Undoable, Undone
from tui.screens.catch_up import CONFIRM_OVER, confirm_then
from tui.screens.links import Links
from tui.screens.main_edits import Edits
from tui.screens.main_habits import HabitsScreen
from tui.screens.main_popups import Popups
from tui.screens.main_search import SearchFlow
from tui.screens.undo import UndoStack
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText
from tui.widgets.entity_sidebar import EntitySidebar
from tui.widgets.footer import KeyFooter
from tui.widgets.search_bar import SearchBar
from tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from store import NewsStore

WIDE = 140
NARROW = 100
POLL_SECONDS = 1.5


class MainScreen(HabitsScreen):
    """Three panes over the current listing of the store.

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
    | `M` | view.mark_all_read | mark every article in the listing read |
    | `u` / `ctrl+r` | undo / redo | undo/redo tag and state changes |
    | `T` | tags.show | the tags list with counts |
    | `D` | article.delete | delete the marked articles, else the current one (`u` undoes) |
    | `y` | article.copy_link | copy the link (terminal clipboard, works over SSH) |
    | `o` | article.open_link | open the link with [reader] open_command |
    | `F` | feeds.show | the feeds list with unread counts |
    | `R` | feeds.refresh | refresh the feeds in the background |
    | `i` | import.show | import dialog: paths and urls, imported in the background |
    | `escape` | app.back | back to the list, then to the previous listing |

    The keys newsboat and notmuch users bring (`f`, `H`, `w`, `|`, a count before `o` / `y`)
    are HabitsScreen's (tui.screens.main_habits).
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
        Binding("M", "mark_listing_read", "Mark view read", show=False, id="view.mark_all_read"),
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

    def __init__(
        self,
        store: NewsStore,
        *,
        read_delay: float = 2.0,
        reader: ReaderSettings | None = None,
        demo: bool = False,
        background: str = "",
    ) -> None:
        super().__init__(store, reader=reader, demo=demo, background=background)
        self.read_delay = read_delay
        self.undo = UndoStack()
        self.search_flow = SearchFlow(self)
        self.edits = Edits(self)
        self.popups = Popups(self)
        self.links = Links(self, self.reader)
        self._read_timer: Timer | None = None
        self._to_read: str | None = None
        """The article the user chose (a key or click put it in the text pane): its read timer
        starts when it is shown, once.  None for what a new listing, a refresh or another
        session's change put under the cursor, and after `m` (an explicit choice wins over the
        timer)."""
        # The first page is read (a thread worker) while the screen composes and mounts; its
        # ListingLoaded is handled after the mount, as messages queued before it are.
        self.reload()

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        with Horizontal(id="searchrow"):
            yield SearchBar(id="search")
            yield Static(id="search-status")
        with Vertical(id="body"):
            yield ArticleList(id="list")
            with Horizontal(id="reading"):
                yield ArticleText(id="text")
                yield EntitySidebar(id="sidebar")
        yield KeyFooter(held=True)

    def on_mount(self) -> None:
        # [reader] panes: a hidden pane stays hidden until the config shows it ("z" is zen mode).
        self.set_class("entities" not in self.reader.panes, "-no-entities")
        self.set_class("text" not in self.reader.panes, "-no-text")
        self.article_list.date_format = self.reader.date_format
        self.query_one("#sidebar", EntitySidebar).show(None, loading=True)
        self.article_list.focus()
        self._layout_for(self.app.size.width)
        self.after_first_rows(self.query_one(KeyFooter).release)  # the rows' frame goes first
        self.set_interval(POLL_SECONDS, self.poll)

    def on_resize(self) -> None:
        self._layout_for(self.app.size.width)
        if self.histogram:  # the sparkline takes the width there is
            self.update_topbar()

    def _layout_for(self, width: int) -> None:
        self.set_class(width >= WIDE, "-wide")
        self.set_class(width < NARROW, "-narrow")

    def watch_zen(self, zen: bool) -> None:
        self.set_class(zen, "-zen")
        if zen:
            self.article_text.focus()
        else:
            self.article_list.focus()

    def show_article(self, article_id: str) -> None:
        """Put an article the user chose elsewhere (the related list) in the text pane."""
        self.shown_id = article_id
        self._to_read = article_id
        self.io.load_article(article_id)
        self.article_text.focus()

    # -- results ---------------------------------------------------------------------------------
    @on(ArticleList.Highlighted)
    def highlighted(self, message: ArticleList.Highlighted) -> None:
        item = message.item
        if item is None or item.id == self.shown_id:
            return
        self.shown_id = item.id
        self._cancel_read_timer()
        self._to_read = item.id if message.chosen else None
        if message.chosen:
            self.io.load_article(item.id)
        else:  # a new listing's first row: its text follows the frame that shows the rows
            self.call_after_refresh(self._load_shown)

    def _load_shown(self) -> None:
        if self.shown_id is not None:
            self.io.load_article(self.shown_id)

    @on(ArticleLoaded)
    def article_loaded(self, message: ArticleLoaded) -> None:
        if message.article_id != self.shown_id:
            return
        stored = message.stored
        self.article_text.show(stored, "This article is no longer in the store.")
        sidebar = self.query_one("#sidebar", EntitySidebar)
        if stored is None:
            sidebar.show([])
            return
        sidebar.show(stored.article.entities, not_extracted=message.not_extracted)
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
        group = self.article_list.story_rows.get(message.item.id)
        if group is not None and group.is_story:  # a story row of the grouped list: the story
            from tui.screens.stories import StoryScreen

            story = StoryScreen(self.store, group.story, message.item.title)
            self.app.push_screen(story, lambda chosen: self.show_article(chosen) if chosen else None)
            return
        if "text" not in self.reader.panes:
            self.zen = True  # the text pane is hidden: read in zen mode, Esc returns
        self._to_read = None  # read now, not by the timer
        if not message.item.read:
            self._mark_read(message.item.id)
        self.article_text.focus()

    @on(HistoryLoaded)
    def history_loaded(self, message: HistoryLoaded) -> None:
        self.query_one(SearchBar).history = message.history

    @on(MatchesMarked)
    def matches_marked(self, message: MatchesMarked) -> None:
        self.article_list.set_marked(message.ids)
        self.notify(f"{len(message.ids)} articles marked (esc clears)", timeout=3)

    @on(Undoable)
    def undoable(self, message: Undoable) -> None:
        self.undo.push(message.entry)

    @on(Undone)
    def undone(self, message: Undone) -> None:
        self.undo.undone(message.inverse, message.redo)
        count = len(message.inverse)
        self.notify(f"{'Redone' if message.redo else 'Undone'}: {count} article{'s' if count != 1 else ''}", timeout=2)

    # -- reading state -------------------------------------------------------------------------
    def _cancel_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None

    def _mark_read(self, article_id: str) -> None:
        self._cancel_read_timer()
        if article_id == self.shown_id:  # its copies too, and with [reader] story_read its story
            self.io.mark_opened_read(article_id, story=self.reader.story_read)

    def action_toggle_read(self) -> None:
        item = self.current
        if item is not None:
            self._cancel_read_timer()  # an explicit choice wins over the timer,
            self._to_read = None  # even when the article is still loading
            group = self.article_list.story_rows.get(item.id)  # a story row: all its articles
            ids, read = (list(group.members), bool(group.unread)) if group else ([item.id], not item.read)
            self.io.write_state(ids, read=read)

    def action_toggle_star(self) -> None:
        item = self.current
        if item is not None:
            self.io.write_state([item.id], starred=not item.starred)

    def action_mark_listing_read(self) -> None:
        """Catch up (tui.screens.catch_up): more than 100 unread articles are asked about first."""
        unread = self.unread if self.unread is not None or self.article_list.total > CONFIRM_OVER else 0
        query = self.listing_query
        confirm_then(self, unread, self.listing.title(), lambda: self.io.write_listing_state(query, True))
        self._cancel_read_timer()

    def action_toggle_zen(self) -> None:
        self.zen = not self.zen

    def action_back(self) -> None:
        if self.zen:
            self.zen = False
        elif not self.article_list.has_focus:
            self.article_list.focus()
        elif self.article_list.marked:
            self.article_list.set_marked(set())
        elif self.previous:
            self.go_to(self.previous.pop())

    def action_open(self) -> None:
        self.article_list.action_open()

    # -- the search bar (tui.screens.main_search) ------------------------------------------------
    def action_search(self) -> None:
        self.search_flow.open()

    @on(Input.Changed, "#search")
    def search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.search_flow.changed(event.value)

    @on(Input.Submitted, "#search")
    def search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.search_flow.submitted(event.value)

    @on(SearchBar.Cancelled)
    def search_cancelled(self, event: SearchBar.Cancelled) -> None:
        event.stop()
        self.search_flow.cancelled()

    @on(SearchBar.SaveRequested)
    def save_requested(self, event: SearchBar.SaveRequested) -> None:
        event.stop()
        self.search_flow.save(event.query)

    # -- entities --------------------------------------------------------------------------------
    @on(EntitySidebar.EntityFocused)
    def entity_focused(self, message: EntitySidebar.EntityFocused) -> None:
        entity = message.entity
        if entity is None:
            self.article_text.set_highlighter(self.highlighter)
        else:
            self.article_text.set_highlighter(Highlighter(names=[entity.name, *entity.aliases]))

    @on(EntitySidebar.EntityOpened)
    def entity_opened(self, message: EntitySidebar.EntityOpened) -> None:
        self.open_entity(message.entity.type, message.entity.name)

    # -- edits (tui.screens.main_edits), links and pop-ups -----------------------------------------
    def action_tag(self) -> None:
        self.edits.tag()

    def action_mark(self) -> None:
        self.edits.mark()

    def action_mark_range(self) -> None:
        self.edits.mark_range()

    def action_mark_all(self) -> None:
        self.io.mark_all(self.listing_query)

    def action_next_unread(self, step: int) -> None:
        self.edits.next_unread(step)

    def action_delete(self) -> None:
        self.edits.delete()

    def action_undo(self) -> None:
        self.edits.undo(redo=False)

    def action_redo(self) -> None:
        self.edits.undo(redo=True)

    def action_copy_link(self) -> None:
        self.links.copy(self.current, self.link_count.take(), self.article_text.article)

    def action_open_link(self) -> None:
        self.links.open(self.current, self.link_count.take(), self.article_text.article)

    def action_views(self) -> None:
        self.popups.saved_views()

    def action_entities(self) -> None:
        self.popups.entities()

    def action_related(self) -> None:
        self.popups.related()

    def action_tags(self) -> None:
        self.popups.tags()

    def action_feeds(self) -> None:
        self.popups.feeds()

    def action_import(self) -> None:
        self.popups.import_dialog()

    def action_refresh_feeds(self) -> None:
        self.popups.refresh_feeds()

    def action_trash(self) -> None:
        """The trash (the palette's "Trash"): undelete what D, `newsdesk delete` or retention removed."""
        self.popups.trash()

"""The main screen's keys that newsboat, notmuch and elfeed users bring with them: a count
before `o` / `y` (link N of the article, tui.screens.link_count), `f` full text now
(tui.screens.full_text), `H` hide read (tui.screens.hide_read), `w` save the view shown and
`|` pipe the article to a command (tui.screens.pipe), `S` group the list by story
(tui.screens.stories_group)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType

from tui.literal import clip
from tui.screens.full_text import FullTextFetch
from tui.screens.link_count import LinkCount
from tui.screens.listing import ListingScreen, entity_query
from tui.widgets.entity_sidebar import EntitySidebar

if TYPE_CHECKING:
    from store import NewsStore
    from tui.config import ReaderSettings


class HabitsScreen(ListingScreen):
    """The listing screen with the habit keys (MainScreen is one).

    | Key | id | Does |
    |---|---|---|
    | `1`-`9` `0` | article.link_count | a count before `o` / `y`: link N of the article (`3o`); `escape` clears it |
    | `f` | article.full_text | fetch the article's page: its main text replaces the teaser (undoable) |
    | `H` | view.hide_read | hide the read articles of this view / show all (remembered per view) |
    | `w` | view.save | save the view shown (search, entity, tag, feed) as a saved view; in the sidebar, the entity's |
    | `\\|` | article.pipe | send the article to a command of [reader.pipe] |
    | `S` | view.group_stories | group the list by story / not (remembered per view); `enter` opens a story |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1,2,3,4,5,6,7,8,9,0", "link_count", "Link number for o / y", show=False, id="article.link_count"),
        Binding("f", "full_text", "Full text", show=False, id="article.full_text"),
        Binding("H", "hide_read", "Hide read", show=False, id="view.hide_read"),
        Binding("w", "save_view", "Save view", show=False, id="view.save"),
        Binding("vertical_line", "pipe", "Pipe", show=False, id="article.pipe"),
        Binding("S", "group_stories", "Group by story", show=False, id="view.group_stories"),
    ]

    def __init__(
        self, store: NewsStore, *, reader: ReaderSettings | None = None, demo: bool = False, background: str = ""
    ) -> None:
        super().__init__(store, reader=reader, demo=demo, background=background)
        self.link_count = LinkCount()
        self.full_text = FullTextFetch(self)
        self._key_character: str | None = None

    def on_key(self, event: events.Key) -> None:
        """Every key reaches here before its binding: the count typed before `o` / `y` goes to
        this key; `escape` with a count pending only clears it."""
        pending = bool(self.link_count.typed)
        self._key_character = event.character
        self.link_count.key(event.character)
        if pending and event.key == "escape":
            self.link_count.take()
            event.stop()
        if pending and not self.link_count.typed:
            self.update_topbar()

    def action_link_count(self) -> None:
        self.link_count.digit(self._key_character)
        self.update_topbar()

    def pending(self) -> str:
        typed = self.link_count.typed
        return f" · {typed}… (o opens link {typed}, y copies it, esc clears)" if typed else ""

    def action_full_text(self) -> None:
        self.full_text.fetch(self.current)

    def action_hide_read(self) -> None:
        hidden = self.hide_read.toggle(self.listing.query)
        if not self.demo and not self.store.readonly:
            self.run_worker(self.hide_read.remember, group="preferences", thread=True, exit_on_error=False)
        text = "Read articles hidden in this view (H shows all)" if hidden else "Every article shown (H hides read)"
        self.notify(text, timeout=2)
        if self.current is not None:
            self.hide_read.follow[self.generation + 1] = self.current.id  # the load reload() starts
        self.reload()

    def action_group_stories(self) -> None:
        grouped = self.story_groups.toggle(self.listing.query)
        if not self.demo and not self.store.readonly:
            self.run_worker(self.story_groups.remember, group="preferences", thread=True, exit_on_error=False)
        said = "Grouped by story (enter opens one; S: every article)" if grouped else "Every article listed (S groups)"
        self.notify(said, timeout=2)
        if self.current is not None:
            self.hide_read.follow[self.generation + 1] = self.current.id  # the cursor stays on it
        self.reload()

    def action_save_view(self) -> None:
        """Save the listing shown as a saved view, named after what it shows (an entity's name,
        a tag's, a view's own, else the query); from the sidebar, the entity under its cursor."""
        sidebar = self.query_one(EntitySidebar)
        entity = sidebar.current_entity() if sidebar.has_focus else None
        if entity is not None and not self.store.readonly:  # follow the name under the sidebar's cursor
            self.io.save_view(clip(entity.name, 80), entity_query(entity.type, entity.name))
            return
        listing = self.listing
        if not listing.query.strip():
            self.notify("Every article is the main list already: search or open a view to save one.", timeout=3)
            return
        if self.store.readonly:
            self.notify("The store is read-only: the view cannot be saved.", severity="warning", markup=False)
            return
        self.io.save_view(clip(listing.name or listing.query, 80), listing.query)

    def action_pipe(self) -> None:
        from tui.screens.pipe import pipe_article

        pipe_article(self)

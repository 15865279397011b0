"""The feeds view: every subscription with unread and total counts and its state (paused, failing,
when last checked); open its articles, pause or resume, remove (asks first; articles stay)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from tui.key_order import KeysWaitForRows
from tui.literal import clip, literal, one_line
from tui.messages import RefreshRequested
from tui.screens.popup import PopupScreen
from tui.screens.prompt import PromptScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListTable

if TYPE_CHECKING:
    from store import NewsStore


@dataclass
class FeedsLoaded(Message):
    feeds: list[dict[str, Any]]


def feed_state(feed: dict[str, Any]) -> str:
    full = " · full text" if feed.get("full_text") else ""
    return _state(feed) + full


def _state(feed: dict[str, Any]) -> str:
    if feed.get("paused"):
        return "paused" + (f": {feed['note']}" if feed.get("note") else "")
    if feed.get("error"):
        return f"failing: {feed['error']}"
    checked = str(feed.get("checked") or "")
    return f"checked {checked[:16].replace('T', ' ')}" if checked else "not refreshed yet"


class FeedsScreen(KeysWaitForRows, PopupScreen["dict[str, Any] | None"]):
    """Returns the subscription to open, or None.

    | Key | id | Does |
    |---|---|---|
    | `j` `k` `g` `G` … | list.* | move, as in the main list (ListTable) |
    | `enter` | feeds.open | the feed's articles |
    | `p` | feeds.pause | pause or resume (refresh skips a paused feed) |
    | `f` | feeds.full_text | teaser feed: fetch each new item's page for its full text (toggle) |
    | `d` `delete` | feeds.remove | forget the subscription (asks first; its articles stay) |
    | `escape` | app.back | close |
    | `F` | feeds.show | close (the key that opened it) |
    | `R` | feeds.refresh | refresh every feed that is not paused (the list updates when done) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="feeds.open", priority=True),
        Binding("p", "pause", "Pause/resume", id="feeds.pause"),
        Binding("f", "full_text", "Full text", id="feeds.full_text"),
        Binding("d,delete", "remove", "Remove", id="feeds.remove"),
        Binding("escape", "close", "Close", id="app.back"),
        Binding("F", "close", "Close", show=False, id="feeds.show"),
        Binding("R", "refresh", "Refresh all", id="feeds.refresh"),
    ]

    DEFAULT_CSS = """
    FeedsScreen { align: center middle; }
    FeedsScreen > Vertical { width: 90%; max-width: 120; height: 75%; border: round $accent; background: $panel; }
    FeedsScreen #feeds-title { padding: 0 1; text-style: bold; }
    FeedsScreen #feeds-note { padding: 0 1; color: $text-muted; }
    FeedsScreen DataTable { height: 1fr; }
    """

    def __init__(self, store: NewsStore) -> None:
        super().__init__()
        self.store = store
        self.feeds: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Feeds", id="feeds-title")
            yield ListTable(cursor_type="row", zebra_stripes=True, id="feeds-table")
            yield Static(
                "enter open · p pause/resume · f full text · d remove · R refresh all · esc close", id="feeds-note"
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("feed", "unread", "articles", "state")
        table.focus()
        self.keys_wait_for_rows()  # `F j j p` in one burst: j, j and p are for the rows
        self.load()

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def load(self) -> None:
        try:
            feeds = self.store.feed_counts()
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Store error", severity="error", markup=False)
            self.app.call_from_thread(self.keys_go_on)
            return
        self.post_message(FeedsLoaded(feeds))

    @on(FeedsLoaded)
    def show_feeds(self, message: FeedsLoaded) -> None:
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.feeds = message.feeds
        for feed in message.feeds:
            table.add_row(
                literal(clip(feed.get("title") or feed.get("url") or "", 60)),
                str(feed["unread"]),
                str(feed["articles"]),
                literal(clip(feed_state(feed), 60)),
            )
        if message.feeds:
            table.move_cursor(row=min(keep, len(message.feeds) - 1))
        else:
            self.query_one("#feeds-note", Static).update(
                Text("No subscriptions yet: `newsdesk import URL` subscribes to a feed (OPML files too).")
            )
        self.keys_go_on()

    def _selected(self) -> dict[str, Any] | None:
        row = self.query_one(DataTable).cursor_row
        return self.feeds[row] if self.feeds and 0 <= row < len(self.feeds) else None

    def action_open(self) -> None:
        feed = self._selected()
        if feed is not None:
            self.dismiss(feed)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self.app.post_message(RefreshRequested(on_done=self.load))

    def action_pause(self) -> None:
        feed = self._selected()
        if feed is not None:
            self.write(str(feed["url"]), "resume" if feed.get("paused") else "pause")

    def action_full_text(self) -> None:
        feed = self._selected()
        if feed is not None:
            self.write(str(feed["url"]), "fulltext off" if feed.get("full_text") else "fulltext on")

    def action_remove(self) -> None:
        feed = self._selected()
        if feed is None:
            return

        def confirmed(answer: str | None) -> None:
            if answer and answer.strip().lower() in ("y", "yes"):
                self.write(str(feed["url"]), "remove")

        name = one_line(str(feed.get("title") or feed.get("url")))
        self.app.push_screen(
            PromptScreen(f"Remove the feed “{name}”? Its articles stay. Type y to confirm:"), confirmed
        )

    def write(self, url: str, verb: str) -> None:
        self.keys_wait_for_rows()  # the keys behind `p` (`j`, `p` again): for the rows as changed
        self._write(url, verb)

    @work(thread=True, group="feeds-write", exit_on_error=False)
    def _write(self, url: str, verb: str) -> None:
        try:
            if verb == "remove":
                self.store.remove_feed(url)
            elif verb.startswith("fulltext"):
                self.store.update_feed(url, full_text=verb.endswith("on"))
            else:
                self.store.pause_feed(url, verb == "pause", note="paused by hand")
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Feeds", severity="error", markup=False)
            self.app.call_from_thread(self.keys_go_on)
            return
        self.app.call_from_thread(self.load)

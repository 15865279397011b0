"""The feeds list: every subscription with unread and total counts and its state (paused, failing,
when last checked); open its articles, pause or resume, remove (asks first; articles stay)."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from tui.literal import clip, literal, one_line
from tui.messages import RefreshRequested
from tui.screens.catch_up import catch_up_row, phrase
from tui.screens.list_screen import TableScreen
from tui.screens.popup import PopupScreen
from tui.screens.prompt import PromptScreen


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


class FeedsScreen(TableScreen["dict[str, Any] | None", dict[str, Any]], PopupScreen["dict[str, Any] | None"]):
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
        Binding("M", "catch_up", "Mark read", id="view.mark_all_read"),
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

    NAME = "feeds"
    HEADING = "Feeds"
    COLUMNS = ("feed", "unread", "articles", "state")
    NOTE = "enter open · p pause/resume · f full text · d remove · M mark read · R refresh all · esc close"
    EMPTY = "No subscriptions yet: `newsdesk import URL` subscribes to a feed (OPML files too)."

    @property
    def feeds(self) -> list[dict[str, Any]]:
        """The subscriptions listed, with their counts and state."""
        return self.rows

    def fetch(self) -> list[dict[str, Any]]:
        return self.store.feed_counts()

    def cells(self, row: dict[str, Any]) -> tuple[str | Text, ...]:
        return (
            literal(clip(row.get("title") or row.get("url") or "", 60)),
            str(row["unread"]),
            str(row["articles"]),
            literal(clip(feed_state(row), 60)),
        )

    def action_open(self) -> None:
        feed = self.selected()
        if feed is not None:
            self.dismiss(feed)

    def action_catch_up(self) -> None:
        feed = self.selected()
        if feed is not None:
            url = str(feed["url"])
            catch_up_row(self, f'feed:"{phrase(url)}"', str(feed.get("title") or url), int(feed["unread"]))

    def action_refresh(self) -> None:
        self.app.post_message(RefreshRequested(on_done=self.load))

    def action_pause(self) -> None:
        feed = self.selected()
        if feed is not None:
            self.change(str(feed["url"]), "resume" if feed.get("paused") else "pause")

    def action_full_text(self) -> None:
        feed = self.selected()
        if feed is not None:
            self.change(str(feed["url"]), "fulltext off" if feed.get("full_text") else "fulltext on")

    def action_remove(self) -> None:
        feed = self.selected()
        if feed is None:
            return

        def confirmed(answer: str | None) -> None:
            if answer and answer.strip().lower() in ("y", "yes"):
                self.change(str(feed["url"]), "remove")

        name = one_line(str(feed.get("title") or feed.get("url")))
        self.app.push_screen(
            PromptScreen(f"Remove the feed “{name}”? Its articles stay. Type y to confirm:"), confirmed
        )

    def change(self, url: str, verb: str) -> None:
        """Pause, resume, remove, or switch full text; the keys behind (`j`, `p` again) wait for
        the rows as changed."""
        self.write(lambda: self._change(url, verb), title="Feeds")

    def _change(self, url: str, verb: str) -> None:
        if verb == "remove":
            self.store.remove_feed(url)
        elif verb.startswith("fulltext"):
            self.store.update_feed(url, full_text=verb.endswith("on"))
        else:
            self.store.pause_feed(url, verb == "pause", note="paused by hand")

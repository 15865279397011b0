"""An article's link: `y` copies it through the terminal (OSC 52, so it works over SSH), `o` opens
it with [reader] open_command; the feeds view (`F`), refresh (`R`) and the import dialog (`i`).
MainScreen mixins.

The url is feed data: only an http(s) url (articles.sanitize.safe_url, checked again here) is
ever passed on, as one argument, never through a shell."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from articles.sanitize import safe_url

if TYPE_CHECKING:
    from store import ListItem
    from tui.config import ReaderSettings


class LinkActions:
    if TYPE_CHECKING:
        reader: ReaderSettings
        app: Any

        def _current(self) -> ListItem | None: ...
        def notify(self, *args: Any, **kwargs: Any) -> None: ...

    def _link(self) -> str | None:
        item = self._current()
        url = safe_url(item.url) if item is not None else None
        if item is not None and url is None:
            self.notify("This article has no web link.", severity="warning", markup=False)
        return url

    def action_copy_link(self) -> None:
        url = self._link()
        if url is not None:
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {url}", title="Link", markup=False, timeout=4)

    def action_open_link(self) -> None:
        url = self._link()
        if url is None:
            return
        command = self.reader.open_command.strip()
        if command:
            try:
                argv = [*shlex.split(command), url]
                subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,  # never tied to the reader's terminal
                )
            except (OSError, ValueError) as exc:
                self.notify(
                    f"[reader] open_command {command!r} failed: {exc}", severity="error", markup=False, timeout=8
                )
                return
            self.notify(f"Opening {url}", title="Link", markup=False, timeout=4)
        elif _graphical():
            self.app.open_url(url)
            self.notify(f"Opening {url}", title="Link", markup=False, timeout=4)
        else:
            # A terminal browser would take over the reader's own terminal: ask instead.
            self.notify(
                "No graphical session here (over SSH?): set [reader] open_command, or press y to copy the link.",
                severity="warning",
                markup=False,
                timeout=8,
            )


def _graphical() -> bool:
    return sys.platform == "darwin" or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class FeedActions:
    """`F` the feeds view, `R` refresh, `i` the import dialog (the app runs imports and refreshes
    in the background, so the refresh interval shares them)."""

    if TYPE_CHECKING:
        store: Any
        app: Any

        def open_view(self, query: str, name: str = "", *, entity: bool = False) -> None: ...

    def action_feeds(self) -> None:
        from tui.screens.feeds import FeedsScreen

        def chosen(feed: dict[str, Any] | None) -> None:
            if feed is not None:
                url = " ".join(str(feed["url"]).replace('"', " ").split())
                self.open_view(f'feed:"{url}"', str(feed.get("title") or url))

        self.app.push_screen(FeedsScreen(self.store), chosen)

    def action_refresh_feeds(self) -> None:
        self.app.refresh_feeds()

    def action_import(self) -> None:
        from tui.screens.import_dialog import ImportScreen

        def chosen(sources: list[str] | None) -> None:
            if sources:
                self.app.ingest("import", sources)

        self.app.push_screen(ImportScreen(), chosen)

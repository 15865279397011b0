"""An article's link: `y` copies it through the terminal (OSC 52, so it works over SSH), `o` opens
it with [reader] open_command, else in the graphical session's browser.  With a count before the
key (`3o`, `3y`: tui.screens.link_count) they act on link 3 of the article's body instead.

The url is feed data: only an http(s) url (articles.sanitize.safe_url, checked again here), or
a body link that is http(s) or mailto (safe_link), is ever passed on, as one argument, never
through a shell."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from articles.sanitize import safe_link, safe_url

if TYPE_CHECKING:
    from textual.screen import Screen

    from store import ListItem, StoredArticle
    from tui.config import ReaderSettings


class Links:
    """Copies and opens the links of the articles a screen shows."""

    def __init__(self, screen: Screen[Any], reader: ReaderSettings) -> None:
        self.screen = screen
        self.reader = reader

    def _link(self, item: ListItem | None, number: int | None, shown: StoredArticle | None) -> str | None:
        """The article's own url, or link `number` of its body (`shown`: the article in the
        text pane, whose links those are); None, said, when there is none."""
        if item is None:
            return None
        if number is None:
            url = safe_url(item.url)
            if url is None:
                self.screen.notify("This article has no web link.", severity="warning", markup=False)
            return url
        links = shown.article.links if shown is not None and shown.article.id == item.id else None
        if links is None:
            self.screen.notify("The article is still loading: try again.", severity="warning", markup=False)
            return None
        if not 1 <= number <= len(links):
            have = f"{len(links)} link{'s' if len(links) != 1 else ''}" if links else "no links"
            self.screen.notify(f"No link {number}: this article has {have}.", severity="warning", markup=False)
            return None
        return safe_link(links[number - 1])

    def copy(self, item: ListItem | None, number: int | None = None, shown: StoredArticle | None = None) -> None:
        url = self._link(item, number, shown)
        if url is not None:
            self.screen.app.copy_to_clipboard(url)
            self.screen.notify(f"Copied {url}", title="Link", markup=False, timeout=4)

    def open(self, item: ListItem | None, number: int | None = None, shown: StoredArticle | None = None) -> None:
        url = self._link(item, number, shown)
        if url is None:
            return
        notify = self.screen.notify
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
                notify(f"[reader] open_command {command!r} failed: {exc}", severity="error", markup=False, timeout=8)
                return
            notify(f"Opening {url}", title="Link", markup=False, timeout=4)
        elif graphical():
            self.screen.app.open_url(url)
            notify(f"Opening {url}", title="Link", markup=False, timeout=4)
        else:
            # A terminal browser would take over the reader's own terminal: ask instead.
            notify(
                "No graphical session here (over SSH?): set [reader] open_command, or press y to copy the link.",
                severity="warning",
                markup=False,
                timeout=8,
            )


def graphical() -> bool:
    """A graphical session a browser can open in (macOS, X11, Wayland)."""
    return sys.platform == "darwin" or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))

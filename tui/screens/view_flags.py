"""A setting per view, on or off, remembered in the store's preferences: `H` (hide read,
tui.screens.hide_read) and `S` (group by story, tui.screens.stories_group) are each one."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from store import NewsStore

MAX_VIEWS = 500
"""Views remembered at most; the oldest setting goes first."""


class ViewFlags:
    """The views a setting is on for: a preference mapping view (its query text, "" for every
    article) to true, read from the store once (in a worker) and written back by `remember`."""

    def __init__(self, store: NewsStore, preference: str) -> None:
        self.store = store
        self.preference = preference
        self._views: dict[str, bool] | None = None
        self._lock = threading.Lock()

    def views(self) -> dict[str, bool]:
        """The remembered settings (read from the store on first use; none when it fails)."""
        with self._lock:
            if self._views is None:
                try:
                    value = self.store.preferences().get(self.preference)
                except Exception:  # a preference is no reason to stop reading
                    value = None
                self._views = {str(k): True for k, v in value.items() if v is True} if isinstance(value, dict) else {}
            return self._views

    def is_on(self, view: str) -> bool:
        return self.views().get(view, False)

    def toggle(self, view: str) -> bool:
        """Flip the setting of `view`; returns whether it is on now.  The caller remembers it
        (`remember`, in a worker)."""
        views = self.views()
        on = not views.pop(view, False)
        if on:
            views[view] = True
            while len(views) > MAX_VIEWS:
                views.pop(next(iter(views)))
        return on

    def remember(self) -> None:
        """Write the settings to the store's preferences (in a worker)."""
        self.store.set_preference(self.preference, dict(self.views()))

"""What a NewsStore is made of: the store core, the full-text index's sync, searching and
tagging, made when the store opens, and the other services (store.news_store says what each
does), each made on first use, so that a process that only tags (`newsdesk tag -- id:ID`)
neither makes nor imports the import path, rules, trash, care, feeds or stories."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from store.core import StoreCore
from store.search.searching import Searching
from store.search.text_sync import TextSync
from store.tagging import Tagging

if TYPE_CHECKING:
    from store.adding import Adding
    from store.care.backups import Backups
    from store.care.check import Check
    from store.care.trashing import Trash
    from store.lookup import ArticleLookup
    from store.stories.service import Stories
    from store.user.feeds import Feeds
    from store.user.rules import Rules
    from store.user.user_data import UserData

Service = TypeVar("Service")


class _service(Generic[Service]):  # lower case: a decorator, like functools.cached_property
    """A store service made on first use, once per store even when threads race for it
    (under the store's `_making` lock); then read from the instance's dict like any attribute."""

    def __init__(self, make: Callable[[StoreServices], Service]) -> None:
        self.make = make
        self.name = make.__name__
        self.__doc__ = make.__doc__

    def __get__(self, store: StoreServices, owner: object = None) -> Service:
        with store._making:
            found = store.__dict__.get(self.name)
            if found is None:
                found = store.__dict__[self.name] = self.make(store)
        return found


class StoreServices:
    """The services of one store directory (NewsStore's base)."""

    def __init__(self, root: Path | str, *, readonly: bool = False, create: bool = True) -> None:
        self.core = StoreCore(root, readonly=readonly, create=create)
        """The directory, lock, catalogue, document cache and sessions the services share."""
        self.root = self.core.root
        self.text_sync = TextSync(self.core)
        """The full-text index (`text_sync.index`) and its sync."""
        self._making = threading.RLock()
        """Held while a service is made (`_service`): each is made once per store."""
        self.searching = Searching(self.core, self.text_sync)
        self.searching.resolve = lambda query: self.stories.resolve_query(query)
        self.tagging = Tagging(self.core, self.searching)
        # The other services are made on first use (below): a `newsdesk tag` process needs the
        # ones above alone, and imports no more of the store than they do.

    @_service
    def writers(self) -> tuple[Rules, Adding, Trash]:
        """The services that reach each other: rules run after an add and may trash, trashing
        takes the add path back (undelete). Made together, wired once."""
        from store.adding import Adding
        from store.care.trashing import Trash
        from store.user.rules import Rules

        rules = Rules(self.core, self.searching, self.tagging)
        adding = Adding(self.core, self.text_sync, rules)
        trash = Trash(self.core, self.tagging, adding)
        rules.trash = trash
        return rules, adding, trash

    @property
    def rules(self) -> Rules:
        """Rules that tag, mark read, star or delete what matches (store.user.rules)."""
        return self.writers[0]

    @property
    def adding(self) -> Adding:
        return self.writers[1]

    @property
    def trashing(self) -> Trash:
        return self.writers[2]

    @_service
    def listing(self) -> ArticleLookup:
        from store.lookup import ArticleLookup

        return ArticleLookup(self.core, self.searching)

    @_service
    def user_data(self) -> UserData:
        from store.user.user_data import UserData

        return UserData(self.core)

    @_service
    def feeds(self) -> Feeds:
        from store.user.feeds import Feeds

        return Feeds(self.core)

    @_service
    def backups(self) -> Backups:
        from store.care.backups import Backups

        return Backups(self.core)

    @_service
    def checking(self) -> Check:
        from store.care.check import Check

        return Check(self.core, self.text_sync)

    @_service
    def stories(self) -> Stories:
        """Copies and stories (store.stories.service); it reads `story:` and `is:copy` queries."""
        from store.stories.service import Stories

        return Stories(self.core, self.searching)

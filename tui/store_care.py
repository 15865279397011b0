"""The reader's care of its store: automatic snapshots when due, and damaged files — said once,
kept aside, and repaired when the user accepts (store.care.recovery does the work, in workers)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from store import StoreCorrupt, StoreError
from tui.messages import StoreRepaired
from tui.screens.damaged import DamagedScreen

if TYPE_CHECKING:
    from pathlib import Path

    from store import Damage, NewsStore
    from tui.app import NewsdeskApp


class StoreCare:
    """Backups and repairs for the App (`root` and `reopen`: the store that could not be opened)."""

    def __init__(self, app: NewsdeskApp, root: Path | None, reopen: Callable[[], NewsStore] | None) -> None:
        self.app = app
        self.root = root
        self.reopen = reopen
        self.offered: set[str] = set()
        """The damaged files whose repair was offered (once per file)."""

    def _run(self, work: Callable[[], None], group: str, *, exclusive: bool = False) -> None:
        self.app.run_worker(work, group=group, exclusive=exclusive, thread=True, exit_on_error=False)

    # -- automatic backups ---------------------------------------------------------------------
    def auto_backup(self) -> None:
        """A snapshot when one is due (store.backups): in a worker, so it never holds up a key."""
        self._run(self._auto_backup, "backup", exclusive=True)

    def _auto_backup(self) -> None:
        app = self.app
        assert app.store is not None
        try:
            app.store.auto_backup(*app.backups)
        except StoreCorrupt as exc:
            app.call_from_thread(self.store_damaged, exc)
        except (StoreError, OSError) as exc:
            app.call_from_thread(
                app.notify, f"automatic backup skipped: {exc}", severity="warning", markup=False, timeout=8
            )

    # -- damaged files --------------------------------------------------------------------------
    def damaged_state(self, error: StoreCorrupt) -> None:
        """A damaged state shard (read as empty) or segment (left out): the reader goes on, and
        says so once per file."""
        from store import damage_notice

        self.app.notify(
            damage_notice(error),
            title="A store file is damaged",
            severity="warning",
            markup=False,
            timeout=30,
        )

    def store_damaged(self, error: StoreCorrupt) -> None:
        """A store file was found damaged: keep it aside and offer the remedy (once per file)."""
        key = str(error.path)
        if key in self.offered:
            return
        self.offered.add(key)
        self._run(partial(self._assess, error), "damage")

    def _assess(self, error: StoreCorrupt) -> None:
        from store import assess_damage as assess

        store = self.app.store
        if store is not None:
            damage = store.assess_damage(error)
        else:
            assert self.root is not None
            damage = assess(self.root, error)
        self.app.call_from_thread(self.show_damage, damage)

    def show_damage(self, damage: Damage) -> None:
        app = self.app
        self.offered.add(str(damage.path))

        def chosen(repair: bool | None) -> None:
            if repair:
                self._run(partial(self._repair, damage), "damage")
            elif app.store is None:
                app.exit(return_code=3)

        app.push_screen(DamagedScreen(damage, store_open=app.store is not None), chosen)

    def _repair(self, damage: Damage) -> None:
        from store import repair_damage as repair

        app = self.app
        try:
            if app.store is not None:
                done = app.store.repair_damage(damage)
            else:
                assert self.root is not None and self.reopen is not None
                done = repair(self.root, damage)
                app.store = self.reopen()
        except StoreCorrupt as exc:  # the next damaged file (the manifest first, then the rest)
            self.offered.discard(str(exc.path))
            app.call_from_thread(self.store_damaged, exc)
            return
        except (StoreError, OSError) as exc:
            app.call_from_thread(self._repair_failed, str(exc))
            return
        app.call_from_thread(self._repaired, done)

    def _repair_failed(self, text: str) -> None:
        self.app.notify(text, title="Repair failed", severity="error", markup=False, timeout=15)
        if self.app.store is None:
            self.app.exit(return_code=3)

    def _repaired(self, done: str) -> None:
        app = self.app
        app.notify(done, title="Repaired", markup=False, timeout=10)
        main = app.main_screen()
        if main is None:
            app.start()
        else:
            main.post_message(StoreRepaired())

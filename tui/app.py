"""NewsdeskApp: the Textual reader over a NewsStore (opened by the CLI, closed on exit)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from store import StoreCorrupt, StoreError
from tui.config import Settings
from tui.screens.damaged import DamagedScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from store import NewsStore
    from store.recovery import Damage

BACKUP_CHECK_SECONDS = 3600.0
"""How often a long-running reader asks whether an automatic snapshot is due."""


class NewsdeskApp(App[None]):
    """The reader.  Keys follow KEYMAP.md; every action is also in the command palette.

    | Key | id | Does |
    |---|---|---|
    | `?` | app.help | keys of the current screen |
    | `ctrl+p` | app.palette | command palette |
    | `q` `ctrl+c` | app.quit | quit |
    """

    CSS_PATH = "app.tcss"
    TITLE = "newsdesk"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
    ]

    def __init__(
        self,
        store: NewsStore | None,
        *,
        demo: bool = False,
        read_delay: float = 2.0,
        backups: tuple[float, int] = (24.0, 0),
        damage: Damage | None = None,
        root: Path | None = None,
        reopen: Callable[[], NewsStore] | None = None,
        settings: Settings | None = None,
    ) -> None:
        """`store` None means the store at `root` could not be opened: `damage` says why, and
        `reopen` opens it once repaired.  `backups` is ([store] backup_hours, [store] backups)."""
        super().__init__()
        self.settings = settings or Settings()
        self.store = store
        self.demo = demo
        self.read_delay = read_delay if settings is None else self.settings.reader.read_after
        self.backups = backups
        self.signalled: int | None = None
        """The signal (SIGHUP, SIGTERM) that ended the app, if one did."""
        self._damage = damage
        self._root = store.root if store is not None else root
        self._reopen = reopen
        self._offered: set[str] = set()

    def on_mount(self) -> None:
        self._apply_settings()
        if self.store is not None:
            self._start()
        elif self._damage is not None:
            self._show_damage(self._damage)
        if not self.is_headless:
            self._catch_hangups()

    def _apply_settings(self) -> None:
        """[keys] and [reader] theme; what is wrong in them is said, and the default kept."""
        from tui.keymap import check_keymap

        keys, warnings = check_keymap(self.settings.keys)
        if keys:
            self.set_keymap(keys)
        theme = self.settings.reader.theme
        if theme in self.available_themes:
            self.theme = theme
        else:
            warnings.append(f"[reader] theme: no theme {theme!r} (ctrl+p, 'Change theme', lists them)")
        for warning in (*self.settings.warnings, *warnings):
            self.notify(warning, title="Config", severity="warning", markup=False, timeout=12)

    def _start(self) -> None:
        assert self.store is not None
        self.push_screen(MainScreen(self.store, read_delay=self.read_delay, reader=self.settings.reader))
        if self.backups[1] > 0 and not self.store.readonly:
            self.auto_backup()
            self.set_interval(BACKUP_CHECK_SECONDS, self.auto_backup)

    # -- automatic backups and damaged files -----------------------------------------------------
    @work(thread=True, group="backup", exclusive=True, exit_on_error=False)
    def auto_backup(self) -> None:
        """A snapshot when one is due (store.backups): in a worker, so it never holds up a key."""
        assert self.store is not None
        try:
            self.store.auto_backup(*self.backups)
        except StoreCorrupt as exc:
            self.call_from_thread(self.store_damaged, exc)
        except (StoreError, OSError) as exc:
            self.call_from_thread(
                self.notify, f"automatic backup skipped: {exc}", severity="warning", markup=False, timeout=8
            )

    def store_damaged(self, error: StoreCorrupt) -> None:
        """A store file was found damaged: keep it aside and offer the remedy (once per file)."""
        key = str(error.path)
        if key in self._offered:
            return
        self._offered.add(key)
        self._assess(error)

    @work(thread=True, group="damage", exit_on_error=False)
    def _assess(self, error: StoreCorrupt) -> None:
        from store.recovery import assess

        if self.store is not None:
            damage = self.store.assess_damage(error)
        else:
            assert self._root is not None
            damage = assess(self._root, error)
        self.call_from_thread(self._show_damage, damage)

    def _show_damage(self, damage: Damage) -> None:
        self._offered.add(str(damage.path))

        def chosen(repair: bool | None) -> None:
            if repair:
                self._repair(damage)
            elif self.store is None:
                self.exit(return_code=3)

        self.push_screen(DamagedScreen(damage, store_open=self.store is not None), chosen)

    @work(thread=True, group="damage", exit_on_error=False)
    def _repair(self, damage: Damage) -> None:
        from store.recovery import repair

        try:
            if self.store is not None:
                done = self.store.repair_damage(damage)
            else:
                assert self._root is not None and self._reopen is not None
                done = repair(self._root, damage)
                self.store = self._reopen()
        except StoreCorrupt as exc:  # the next damaged file (the manifest first, then the rest)
            self._offered.discard(str(exc.path))
            self.call_from_thread(self.store_damaged, exc)
            return
        except (StoreError, OSError) as exc:
            self.call_from_thread(self._repair_failed, str(exc))
            return
        self.call_from_thread(self._repaired, done)

    def _repair_failed(self, text: str) -> None:
        self.notify(text, title="Repair failed", severity="error", markup=False, timeout=15)
        if self.store is None:
            self.exit(return_code=3)

    def _repaired(self, done: str) -> None:
        self.notify(done, title="Repaired", markup=False, timeout=10)
        main = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if main is None:
            self._start()
        else:
            main.reload(main.article_list.cursor)
            current = main.article_list.current
            if current is not None:
                main.load_article(current.id)

    def _catch_hangups(self) -> None:
        """SIGTERM ends the app through its normal exit (the terminal is still there to be
        restored).  SIGHUP means the terminal is gone (a dropped SSH session): Textual's own
        shutdown would block writing to it, so the process waits for any store write in flight
        to commit and leaves at once — every change it showed was already on disk."""
        import asyncio
        import signal

        try:
            asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, self._terminated, signal.SIGTERM)
            signal.signal(signal.SIGHUP, self._hung_up)
        except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - not the main thread
            return

    def _terminated(self, signum: int) -> None:
        self.signalled = signum
        self.exit()

    def _hung_up(self, signum: int, _frame: object) -> None:
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # whatever still writes to the terminal now writes nowhere
            os.dup2(devnull, fd)
        if self.store is not None:
            self.store.wait_for_writes()
        os._exit(128 + signum)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand("Help: keys", "Every key of this screen", self.action_help)
        if isinstance(screen, MainScreen):
            for title, help_text, action in (
                ("Open article", "Open the highlighted article and mark it read", screen.action_open),
                ("Toggle read", "Mark the highlighted article read or unread", screen.action_toggle_read),
                ("Toggle star", "Star or unstar the highlighted article", screen.action_toggle_star),
                ("Zen mode", "Show the text pane alone (toggle)", screen.action_toggle_zen),
                ("Go to newest", "Jump to the top of the list", screen.article_list.action_cursor_top),
                ("Go to oldest", "Jump to the bottom of the list", screen.article_list.action_cursor_bottom),
                ("Next pane", "Focus the next pane", self.action_focus_next),
                ("Previous pane", "Focus the previous pane", self.action_focus_previous),
                ("Back to the list", "Leave zen mode, or return to the article list", screen.action_back),
            ):
                yield SystemCommand(title, help_text, action)
        yield SystemCommand("Quit", "Quit newsdesk", self.action_quit)
        yield from super().get_system_commands(screen)

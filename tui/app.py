"""NewsdeskApp: the Textual reader over a NewsStore (opened by the CLI, closed on exit)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import SystemCommand
from textual.binding import BindingType
from textual.screen import Screen

from store import StoreError
from tui.background import REPORT_COMMAND, BackgroundJobs
from tui.config import Settings
from tui.key_order import KeyOrderApp
from tui.keymap import APP_BINDINGS, normalised_keymap
from tui.messages import ArticlesArrived, BackgroundStatus, ImportRequested, RefreshRequested, StoreDamaged
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.screens.terminal_title import TitleSetter, titled
from tui.store_care import StoreCare

if TYPE_CHECKING:
    from textual.driver import Driver

    from store import Damage, NewsStore

BACKUP_CHECK_SECONDS = 3600.0
"""How often a long-running reader asks whether an automatic snapshot is due."""
SECONDS_PER_MINUTE = 60.0
"""[reader] refresh_minutes is in minutes (a name, so a test can shorten the minute)."""


class NewsdeskApp(KeyOrderApp[None]):
    """The reader.  Keys follow docs/keymap.md; every action is also in the command palette.  Keys
    are handled one at a time, in the order typed, each by what has the focus when its turn
    comes (KeyOrderApp: type-ahead across the search bar, the tag editor and every dialog).

    | Key | id | Does |
    |---|---|---|
    | `?` | app.help | keys of the current screen |
    | `ctrl+p` | app.palette | command palette |
    | `q` | app.quit | quit |
    | `ctrl+c` `ctrl+q` | app.quit_ctrl_c | quit, from anywhere (the search bar too) |
    """

    CSS_PATH = "app.tcss"
    TITLE = "newsdesk"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

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
        # NO_COLOR: Textual strips every colour only in its native-ANSI mode (else it paints in
        # greys); the :nocolor rules in app.tcss and the widgets mark with reverse/bold/underline.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"  # nothing animates (SSH bandwidth); the variable opts in
        self.settings = settings or Settings()
        self.store = store
        self.demo = demo
        self.read_delay = read_delay if settings is None else self.settings.reader.read_after
        self.backups = backups
        self.signalled: int | None = None
        """The signal (SIGHUP, SIGTERM) that ended the app, if one did."""
        self._damage = damage
        self._theme_ready = False  # the remembered theme is applied: a theme picked from now on is remembered
        self.user_keymap: dict[str, str] = {}
        """[keys] as applied (binding id -> keys, in Textual's long key names), for the help."""
        self.care = StoreCare(self, store.root if store is not None else root, reopen)
        self.jobs = BackgroundJobs(self)

    title_setter: TitleSetter | None = None
    """The terminal's window title, where a real terminal is driven (tui.screens.terminal_title)."""

    def get_driver_class(self) -> type[Driver]:
        return titled(super().get_driver_class())

    def watch_sub_title(self, sub_title: str) -> None:
        if self.title_setter is not None:
            self.title_setter.set(f"newsdesk · {sub_title}" if sub_title else "newsdesk")

    @property
    def background_status(self) -> str:
        """What a background import or refresh is doing, for the top bar ("" when none runs)."""
        return self.jobs.status

    @property
    def ingest_report(self) -> tuple[str, str, list[str]] | None:
        """The last import's or refresh's (title, summary, every problem), for "Import report"."""
        return self.jobs.report

    def on_mount(self) -> None:
        if self.store is not None:
            self.store.watch_damage(lambda error: self.call_later(self.care.damaged_state, error))
        self._apply_settings()
        if self.store is not None:
            self.start()
            # Read-only for want of space (at open, or since): said once.
            self.store.watch_space(lambda message: self.call_later(self._no_space, message))
        elif self._damage is not None:
            self.care.show_damage(self._damage)
        if not self.is_headless:
            self._catch_hangups()

    def _no_space(self, message: str) -> None:
        self.notify(message, severity="warning", markup=False, timeout=30)

    def _apply_settings(self) -> None:
        """[keys] and [reader] theme; what is wrong in them is said, and the default kept."""
        from tui.config_check import config_warnings

        keys, warnings = config_warnings(self.settings, self.available_themes)  # as `config print` says
        if keys:
            self.user_keymap = normalised_keymap(keys)
            self.set_keymap(keys)
        theme = self.settings.reader.theme
        if theme in self.available_themes:
            self.theme = theme
        self._remembered_theme()
        self.theme_changed_signal.subscribe(self, self._theme_picked)
        for warning in warnings:
            self.notify(warning, title="Config", severity="warning", markup=False, timeout=12)

    def _remembered_theme(self) -> None:
        """The theme last picked in the palette, kept in the store (never in the user's TOML),
        wins while the config names the theme it named when the pick was made."""
        if self.store is None or self.demo:
            return
        try:
            picked = self.store.preferences().get("theme")
        except (StoreError, OSError):
            return
        if (
            isinstance(picked, dict)
            and picked.get("config") == self.settings.reader.theme
            and picked.get("name") in self.available_themes
        ):
            self.theme = str(picked["name"])
        self._theme_ready = True

    def _theme_picked(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        if not self._theme_ready or self.store is None or self.store.readonly or self.demo:
            return
        if name:
            self._remember_theme(str(name))

    @work(thread=True, group="preferences", exclusive=True, exit_on_error=False)
    def _remember_theme(self, name: str) -> None:
        assert self.store is not None
        with contextlib.suppress(StoreError, OSError):  # not remembered: no reason to interrupt reading
            self.store.set_preference("theme", {"name": name, "config": self.settings.reader.theme})

    def new_main_screen(self) -> MainScreen:
        """The three panes over the store, as the settings say (at start and after the welcome)."""
        assert self.store is not None
        return MainScreen(
            self.store,
            read_delay=self.read_delay,
            reader=self.settings.reader,
            demo=self.demo,
            background=self.background_status,
        )

    def main_screen(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def start(self) -> None:
        """The main screen over the open store, and the timers of the feeds and the backups."""
        assert self.store is not None
        self.push_screen(self.new_main_screen())
        warning = None if self.demo else self.store.privacy_warning()
        if warning:
            self.notify(warning, title="Store not private", severity="warning", markup=False, timeout=15)
        minutes = self.settings.reader.refresh_minutes
        if minutes > 0 and not self.store.readonly and not self.demo:
            self.set_interval(minutes * SECONDS_PER_MINUTE, self.refresh_feeds)
        if self.backups[1] > 0 and not self.store.readonly:
            self.care.auto_backup()
            self.set_interval(BACKUP_CHECK_SECONDS, self.care.auto_backup)

    # -- what the screens ask for ------------------------------------------------------------------
    @on(StoreDamaged)
    def store_damaged(self, message: StoreDamaged) -> None:
        self.care.store_damaged(message.error)

    @on(RefreshRequested)
    def refresh_requested(self, message: RefreshRequested) -> None:
        self.refresh_feeds(on_done=message.on_done)

    @on(ImportRequested)
    def import_requested(self, message: ImportRequested) -> None:
        self.ingest("import", message.sources, on_done=message.on_done)

    @on(ArticlesArrived)
    def articles_arrived(self, _message: ArticlesArrived) -> None:
        if self.main_screen() is None:  # the welcome screen's poll may say so twice
            self.switch_screen(self.new_main_screen())

    # -- importing and refreshing in the background (tui.background) ----------------------------------
    def refresh_feeds(self, on_done: Callable[[], object] | None = None) -> None:
        """Refresh the subscriptions in the background (R, or [reader] refresh_minutes)."""
        self.ingest("refresh", on_done=on_done)

    def ingest(self, kind: str, sources: list[str] | None = None, on_done: Callable[[], object] | None = None) -> None:
        """Run an import of `sources` ("import") or a refresh ("refresh") in the background."""
        self.jobs.start(kind, sources, on_done)

    def set_background_status(self, text: str) -> None:
        self.jobs.status = text
        main = self.main_screen()
        if main is not None:
            main.post_message(BackgroundStatus(text))

    def action_import_report(self) -> None:
        """The last import's or refresh's summary and every problem."""
        from tui.screens.report import ReportScreen

        if self.ingest_report is None:
            self.notify("No import or refresh has run in this session yet.", markup=False)
            return
        self.push_screen(ReportScreen(*self.ingest_report))

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
            self.push_screen(HelpScreen(self.screen, self.user_keymap))

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
                ("Trash", "Deleted articles: bring them back with their tags (undelete)", screen.action_trash),
                ("Full text", "Fetch the page: its main text replaces the teaser (f)", screen.action_full_text),
                ("Hide read / show all", "Hide this view's read articles, or show all (H)", screen.action_hide_read),
                ("Group by story", "One row per story in this view, or every article (S)", screen.action_group_stories),
                ("Save view", "Save the view shown as a saved view (w)", screen.action_save_view),
                ("Mark view read", "Mark every article of the view read (M)", screen.action_mark_listing_read),
                ("Pipe article", "Send the article to a [reader.pipe] command (|)", screen.action_pipe),
            ):
                yield SystemCommand(title, help_text, action)
        if self.ingest_report is not None:
            yield SystemCommand(
                REPORT_COMMAND, "The last import's or refresh's summary and every problem", self.action_import_report
            )
        yield SystemCommand("Quit", "Quit newsdesk", self.action_quit)
        # Textual's own commands, less the one of each title offered above (its "Quit")
        yield from (command for command in super().get_system_commands(screen) if command.title != "Quit")


"""NewsdeskApp: the Textual reader over a NewsStore (opened by the CLI, closed on exit)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from store import StoreCorrupt, StoreError
from tui.config import Settings
from tui.key_order import KeyOrder
from tui.screens.damaged import DamagedScreen
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from store import Damage, NewsStore

BACKUP_CHECK_SECONDS = 3600.0
"""How often a long-running reader asks whether an automatic snapshot is due."""
SECONDS_PER_MINUTE = 60.0
"""[reader] refresh_minutes is in minutes (a name, so a test can shorten the minute)."""
NOTICE_PROBLEMS = 5
"""Problems a notice names; the rest are in the report (REPORT_COMMAND in the palette)."""
REPORT_COMMAND = "Import report"


class NewsdeskApp(KeyOrder, App[None]):
    """The reader.  Keys follow KEYMAP.md; every action is also in the command palette.  Keys
    are handled one at a time, in the order typed, each by what has the focus when its turn
    comes (KeyOrder: type-ahead across the search bar, the tag editor and every dialog).

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
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        # ctrl+q is Textual's own quit key: named here so that it has an id (and can be remapped).
        Binding("ctrl+c,ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
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
        # NO_COLOR: Textual strips every colour only in its native-ANSI mode (else it paints in
        # greys); the :nocolor rules in app.tcss and the widgets mark with reverse/bold/underline.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        self._key_order_init()
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
        self._root = store.root if store is not None else root
        self._reopen = reopen
        self._offered: set[str] = set()
        self.background_status = ""
        """What a background import or refresh is doing, for the top bar ("" when none runs)."""
        self._after_ingest: list[Callable[[], object]] = []
        self.ingest_report: tuple[str, str, list[str]] | None = None
        """The last import's or refresh's (title, summary, every problem), for "Import report"."""

    def on_mount(self) -> None:
        if self.store is not None:
            self.store.watch_damage(lambda error: self.call_later(self._damaged_state, error))
        self._apply_settings()
        if self.store is not None:
            self._start()
            # Read-only for want of space (at open, or since): said once.
            self.store.watch_space(lambda message: self.call_later(self._no_space, message))
        elif self._damage is not None:
            self._show_damage(self._damage)
        if not self.is_headless:
            self._catch_hangups()

    def _no_space(self, message: str) -> None:
        self.notify(message, severity="warning", markup=False, timeout=30)

    def _apply_settings(self) -> None:
        """[keys] and [reader] theme; what is wrong in them is said, and the default kept."""
        from tui.config_check import config_warnings

        keys, warnings = config_warnings(self.settings, self.available_themes)  # as `config print` says
        if keys:
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
        if not getattr(self, "_theme_ready", False) or self.store is None or self.store.readonly or self.demo:
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
        return MainScreen(self.store, read_delay=self.read_delay, reader=self.settings.reader)

    def _main_screen(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def _start(self) -> None:
        assert self.store is not None
        self.push_screen(self.new_main_screen())
        warning = None if self.demo else self.store.privacy_warning()
        if warning:
            self.notify(warning, title="Store not private", severity="warning", markup=False, timeout=15)
        minutes = self.settings.reader.refresh_minutes
        if minutes > 0 and not self.store.readonly and not self.demo:
            self.set_interval(minutes * SECONDS_PER_MINUTE, self.refresh_feeds)
        if self.backups[1] > 0 and not self.store.readonly:
            self.auto_backup()
            self.set_interval(BACKUP_CHECK_SECONDS, self.auto_backup)

    # -- importing and refreshing in the background ----------------------------------------------
    def refresh_feeds(self, on_done: Callable[[], object] | None = None) -> None:
        """Refresh the subscriptions in the background (R, or [reader] refresh_minutes)."""
        self.ingest("refresh", on_done=on_done)

    def ingest(self, kind: str, sources: list[str] | None = None, on_done: Callable[[], object] | None = None) -> None:
        """Run an import of `sources` ("import") or a refresh ("refresh") in a worker, then the
        entity extraction of what is new in one low-priority process; one job at a time.  The
        list shows new articles as they are committed (the main screen follows the change feed)."""
        if on_done is not None:
            self._after_ingest.append(on_done)
        if self.store is None:
            return
        if self.background_status:
            if kind == "import":
                self.notify("An import or refresh is running; try again when it is done.", markup=False)
            return
        if self.store.readonly:
            self.notify("This store is read-only: import or refresh from a session that may write.", markup=False)
            return
        self._set_background_status("refreshing feeds…" if kind == "refresh" else "importing…")
        self._ingest_worker(kind, sources or [])

    @work(thread=True, group="ingest", exit_on_error=False)
    def _ingest_worker(self, kind: str, sources: list[str]) -> None:
        from tui.importing import import_sources
        from tui.refreshing import due_feeds, refresh_feeds

        assert self.store is not None
        problems: list[str] = []

        def status(text: str) -> None:
            self.call_from_thread(self._set_background_status, text)

        try:
            if kind == "refresh":
                summary = refresh_feeds(
                    self.store,
                    self.settings,
                    due_feeds(self.store),
                    progress=lambda done, total, _url: status(f"refreshing feeds {done}/{total}"),
                    report=problems.append,
                )
            else:
                summary = import_sources(
                    self.store,
                    sources,
                    self.settings,
                    progress=lambda count, _source: status(f"importing… {count} articles") if count >= 0 else None,
                    report=problems.append,
                )
            summary["entities"] = self._extract(summary.pop("ids", []), status, problems)
        except Exception as exc:  # whatever went wrong is said, and the reader goes on
            self.call_from_thread(self._ingested, kind, None, [*problems, f"{type(exc).__name__}: {exc}"])
            return
        self.call_from_thread(self._ingested, kind, summary, problems)

    def _extract(self, ids: list[str], status: Callable[[str], None], problems: list[str]) -> int:
        """Entities for new articles, in one spawned process at low priority (spaCy never loads in
        the reader's own process); nothing when no model is installed."""
        from articles.entities.extract import ExtractionUnavailable, model_available

        model = self.settings.entities.model
        if not ids or not model_available(model):
            return 0
        from tui.extracting import extract_entities

        _start_resource_tracker()
        try:
            counts = extract_entities(
                self.store,
                ids,
                processes=1,
                model=model,
                nice=10,
                progress=lambda done, total: status(f"extracting entities {done}/{total}"),
            )
        except ExtractionUnavailable as exc:
            problems.append(f"entities not extracted: {exc}")
            return 0
        return int(counts["extracted"])

    def _set_background_status(self, text: str) -> None:
        self.background_status = text
        main = self._main_screen()
        if main is not None:
            main.refresh_topbar()

    def _ingested(self, kind: str, summary: dict[str, Any] | None, problems: list[str]) -> None:
        self._set_background_status("")
        waiting, self._after_ingest = self._after_ingest, []
        for callback in waiting:
            callback()
        text = ""
        if summary is not None:
            counts = f"{summary['imported']} new, {summary['updated']} updated"
            if kind == "refresh":
                text = (
                    f"{summary['feeds']} feeds: {counts}"
                    + (f"; {summary['failed']} failing" if summary["failed"] else "")
                    + (f"; {summary['gone']} gone (paused)" if summary["gone"] else "")
                )
            else:
                text = (
                    counts
                    + (f", {summary['failed']} failed" if summary["failed"] else "")
                    + (f"; {summary['feeds']} new feeds" if summary.get("feeds") else "")
                )
            if summary.get("entities"):
                text += f"; entities for {summary['entities']}"
            self.notify(text, title="Refreshed" if kind == "refresh" else "Imported", markup=False, timeout=8)
        title = "Refresh" if kind == "refresh" else "Import"
        self.ingest_report = (f"{title} report", text, list(problems))
        if problems:
            shown = "\n".join(problems[:NOTICE_PROBLEMS])
            if len(problems) > NOTICE_PROBLEMS:
                shown += f"\n… and {len(problems) - NOTICE_PROBLEMS} more: ctrl+p, “{REPORT_COMMAND}”, lists them all"
            self.notify(shown, title="Problems", severity="warning", markup=False, timeout=12)

    def action_import_report(self) -> None:
        """The last import's or refresh's summary and every problem."""
        from tui.screens.report import ReportScreen

        if self.ingest_report is None:
            self.notify("No import or refresh has run in this session yet.", markup=False)
            return
        self.push_screen(ReportScreen(*self.ingest_report))

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

    def _damaged_state(self, error: StoreCorrupt) -> None:
        """A damaged state shard (read as empty) or segment (left out): the reader goes on, and
        says so once per file."""
        from store import damage_notice

        self.notify(
            damage_notice(error),
            title="A store file is damaged",
            severity="warning",
            markup=False,
            timeout=30,
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
        from store import assess_damage as assess

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
        from store import repair_damage as repair

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
        main = self._main_screen()
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
                ("Trash", "Deleted articles: bring them back with their tags (undelete)", screen.action_trash),
            ):
                yield SystemCommand(title, help_text, action)
        if self.ingest_report is not None:
            yield SystemCommand(
                REPORT_COMMAND, "The last import's or refresh's summary and every problem", self.action_import_report
            )
        yield SystemCommand("Quit", "Quit newsdesk", self.action_quit)
        # Textual's own commands, less the one of each title offered above (its "Quit")
        yield from (command for command in super().get_system_commands(screen) if command.title != "Quit")


def _start_resource_tracker() -> None:
    """multiprocessing's resource tracker passes sys.stderr's descriptor to its process; under
    Textual sys.stderr is a capture without one, so the first pool would fail ("bad value(s) in
    fds_to_keep").  Start the tracker once with stderr on /dev/null (what it would print there
    must not reach the reader's terminal anyway)."""
    import sys
    from multiprocessing import resource_tracker

    saved = sys.stderr
    with open(os.devnull, "w") as devnull:
        sys.stderr = devnull
        try:
            resource_tracker.ensure_running()
        finally:
            sys.stderr = saved

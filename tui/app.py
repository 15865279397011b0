"""NewsdeskApp: the Textual reader over a NewsStore (opened by the CLI, closed on exit)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from store import NewsStore


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

    def __init__(self, store: NewsStore, *, demo: bool = False, read_delay: float = 2.0) -> None:
        super().__init__()
        self.store = store
        self.demo = demo
        self.read_delay = read_delay
        self.signalled: int | None = None
        """The signal (SIGHUP, SIGTERM) that ended the app, if one did."""

    def on_mount(self) -> None:
        self.push_screen(MainScreen(self.store, read_delay=self.read_delay))
        if not self.is_headless:
            self._catch_hangups()

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

"""The welcome screen of an empty store: how to import, and the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.messages import ArticlesArrived, ImportRequested

if TYPE_CHECKING:
    from store import NewsStore

POLL_SECONDS = 2.0


def welcome_text(store_path: str) -> Text:
    text = Text(justify="left")
    text.append("Welcome to newsdesk\n\n", style="bold")
    text.append("This store is empty: ")
    text.append(store_path, style="italic")
    text.append("\n\nPress ")
    text.append("i", style="bold")
    text.append(" to import files, folders or feed urls here, or import from another terminal:\n\n")
    for example in (
        "newsdesk import ~/feeds.opml",
        "newsdesk import https://example.org/feed.xml",
        "newsdesk import ~/news/             (folders: feeds, HTML, text, Markdown, JSON)",
    ):
        text.append(f"  {example}\n", style="bold")
    text.append("\nOr look around first with sample articles (a throwaway store):\n\n")
    text.append("  newsdesk --demo\n", style="bold")
    text.append("\nPress ? for keys, q to quit.", style="dim")
    return text


class WelcomeScreen(Screen[None]):
    """Shown instead of the panes while the store has no article; switches when one arrives."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("i", "import", "Import", id="import.show"),
        Binding("r", "refresh", "Check again", id="welcome.refresh"),
    ]

    DEFAULT_CSS = """
    WelcomeScreen #welcome { width: auto; max-width: 90; padding: 1 3; border: round $accent; }
    """

    def __init__(self, store: NewsStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(welcome_text(str(self.store.root)), id="welcome")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(POLL_SECONDS, self.action_refresh)

    def action_refresh(self) -> None:
        self.check_store()

    def action_import(self) -> None:
        from tui.screens.import_dialog import ImportScreen

        def chosen(sources: list[str] | None) -> None:
            if sources:
                self.app.post_message(ImportRequested(sources, on_done=self.check_store))

        self.app.push_screen(ImportScreen(), chosen)

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False)
    def check_store(self) -> None:
        try:
            count = self.store.count()
        except Exception:  # the main screen reports store errors; here we just keep waiting
            return
        if count:  # to the screen, which bubbles it to the App: `self.app` from this thread
            self.post_message(ArticlesArrived())  # raises once the App has ended, posting does not

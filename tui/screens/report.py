"""The last import's or refresh's report: its summary and every problem, where a notice has room
for five (ctrl+p, "Import report")."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.literal import literal, one_line
from tui.screens.popup import SCROLLING, PopupScreen
from tui.widgets.footer import KeyFooter


class PagerScreen(PopupScreen[None]):
    """A titled text, literal, that scrolls with the text pane's keys (a pipe command's output).

    | Key | id | Does |
    |---|---|---|
    | `escape` | app.back | close |
    | `j` `k` `space` `b` `g` `G` … | text.* | scroll |
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Close", id="app.back"), *SCROLLING]

    DEFAULT_CSS = """
    PagerScreen { align: center middle; }
    PagerScreen > VerticalScroll { width: 90%; max-width: 120; height: 80%; border: round $accent;
                                   background: $panel; padding: 0 1; }
    PagerScreen #pager-title { text-style: bold; }
    """

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.pager_title = title
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(literal(one_line(self.pager_title)), id="pager-title")
            yield Static(literal(self.text or "(no output)"), id="pager-text")
        yield KeyFooter()

    def action_scroll(self, how: str) -> None:
        getattr(self.query_one(VerticalScroll), f"action_{how}")()


class ReportScreen(PagerScreen):
    """Every line of the report; it scrolls with the text pane's keys.

    | Key | id | Does |
    |---|---|---|
    | `escape` | app.back | close |
    | `j` `k` `space` `b` `g` `G` … | text.* | scroll |
    """

    def __init__(self, title: str, summary: str, problems: list[str]) -> None:
        super().__init__(title, summary)
        self.report_title = title
        self.summary = summary
        self.problems = problems

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(literal(self.report_title), id="pager-title")
            yield Static(literal(self.summary or "Nothing was imported."), id="report-summary")
            count = len(self.problems)
            heading = f"\n{count} problem{'s' if count != 1 else ''}" if count else "\nNo problems."
            yield Static(Text(heading, style="bold"))
            yield Static(literal("\n".join(one_line(problem) for problem in self.problems)), id="report-problems")
        yield KeyFooter()

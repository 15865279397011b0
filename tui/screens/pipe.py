"""`|` (article.pipe): the current article on a command's stdin — plain text, or its show record
as JSON (docs/cli.md) for a command configured so — to one of the commands of [reader] pipe
(tui.pipe_config), chosen by name when there are several.  The command runs as an argument
vector, never through a shell, in a thread worker, within its time limit; what it writes is
untrusted text: shown literally, control characters stripped, in a notice or a pager."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING, Any, ClassVar

import orjson
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from articles.sanitize import strip_controls
from tui.literal import clip, literal, one_line
from tui.screens.popup import PopupScreen
from tui.screens.report import PagerScreen
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from store import StoredArticle
    from tui.screens.main_habits import HabitsScreen

MAX_OUTPUT = 1_000_000
"""Characters of a command's output shown at most."""
NOTICE_LINES, NOTICE_CHARS = 6, 400
"""Output longer than this goes to the pager, whatever the command's `show` says."""


def article_text(stored: StoredArticle) -> str:
    """The article as plain text: title, byline, date, url, the body and its numbered links."""
    article = stored.article
    byline = " · ".join(v for v in (article.source, article.author) if v)
    head = [article.title, byline, article.published or "", article.url or ""]
    parts = ["\n".join(line for line in head if line), article.body]
    if article.links:
        parts.append("Links\n" + "\n".join(f"[{n}] {link}" for n, link in enumerate(article.links, start=1)))
    return "\n\n".join(part for part in parts if part) + "\n"


def pipe_article(screen: HabitsScreen) -> None:
    """Send the current article to the command of [reader] pipe (asking which when several)."""
    commands: dict[str, dict[str, Any]] = screen.reader.pipe
    item = screen.current
    if item is None:
        return
    if not commands:
        said = "No pipe command: name one in the config, [reader.pipe] NAME = COMMAND."
        screen.notify(said, severity="warning", markup=False)
        return
    if len(commands) == 1:
        run_pipe(screen, item.id, *next(iter(commands.items())))
        return

    def chosen(name: str | None) -> None:
        if name is not None and name in commands:
            run_pipe(screen, item.id, name, commands[name])

    screen.app.push_screen(PipeChooser(list(commands)), chosen)


def run_pipe(screen: HabitsScreen, article_id: str, name: str, command: dict[str, Any]) -> None:
    screen.notify(f"Piping to {name}…", title="Pipe", markup=False, timeout=2)

    def work() -> None:
        try:
            stored = screen.store.get(article_id)
        except Exception as exc:  # the store's error is said; the reader goes on
            screen.app.call_from_thread(screen.notify, one_line(exc), severity="error", markup=False)
            return
        if stored is None:
            return
        if command["input"] == "json":
            data = orjson.dumps(stored.to_json()) + b"\n"
        else:
            data = article_text(stored).encode("utf-8")
        title, output, failed = run_command(name, command, data)
        screen.app.call_from_thread(show_output, screen, title, output, failed, command["show"])

    screen.run_worker(work, group="pipe", thread=True, exit_on_error=False)


def run_command(name: str, command: dict[str, Any], data: bytes) -> tuple[str, str, bool]:
    """Run the command on `data`: (title, its output as safe text, whether it failed)."""
    argv: list[str] = command["command"]
    timeout: float = command["timeout"]
    try:
        with subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        ) as process:
            try:
                out, err = process.communicate(data, timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()
                return f"{name}: stopped after {timeout:g} s", "", True
    except OSError as exc:
        return f"{name}: could not run {argv[0]!r}", one_line(exc.strerror or exc), True
    text = strip_controls(out.decode("utf-8", errors="replace")[:MAX_OUTPUT])
    if process.returncode != 0:
        errors = strip_controls(err.decode("utf-8", errors="replace")[:MAX_OUTPUT])
        return f"{name}: exit status {process.returncode}", (errors or text).strip(), True
    return name, text.rstrip(), False


def show_output(screen: HabitsScreen, title: str, output: str, failed: bool, show: str) -> None:
    short = len(output) <= NOTICE_CHARS and output.count("\n") < NOTICE_LINES
    if show == "notice" and short:
        text, heading = output or "(no output)", clip(title, 60)
        if failed:
            screen.notify(text, title=heading, severity="error", markup=False, timeout=10)
        else:
            screen.notify(text, title=heading, markup=False, timeout=10)
    else:
        screen.app.push_screen(PagerScreen(title, output))


class PipeChooser(PopupScreen[str | None]):
    """The pipe commands by name: enter runs the highlighted one, escape none."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Close", id="app.back")]

    DEFAULT_CSS = """
    PipeChooser { align: center middle; }
    PipeChooser > Vertical { width: 60; height: auto; max-height: 80%; border: round $accent; background: $panel; }
    PipeChooser OptionList { height: auto; max-height: 20; border: none; }
    """

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = names

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Pipe the article to", style="bold"))
            yield OptionList(*(Option(literal(one_line(name)), id=str(n)) for n, name in enumerate(self.names)))
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.names[int(event.option.id or 0)])

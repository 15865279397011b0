"""Related articles: those sharing the most entities with the current one, rare names weighing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from articles.dates import local_display
from tui.literal import literal, one_line
from tui.screens.popup import PopupScreen
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListOptions

if TYPE_CHECKING:
    from store import ListItem, NewsStore


@dataclass
class RelatedLoaded(Message):
    related: list[tuple[ListItem, float]]


class RelatedScreen(PopupScreen[str | None]):
    """Articles related to one article; returns the id of the one opened.

    | Key | id | Does |
    |---|---|---|
    | `enter` `l` | list.open | show it in the text pane |
    | `j` `k` `g` `G` … | list.* | move, as in the main list (ListOptions) |
    | `escape` | app.back | close |
    | `r` | article.related | close (the key that opened it) |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="app.back"),
        Binding("r", "close", "Close", show=False, id="article.related"),
    ]

    DEFAULT_CSS = """
    RelatedScreen { align: center middle; }
    RelatedScreen > Vertical { width: 90%; max-width: 110; height: 70%; border: round $accent; background: $panel; }
    RelatedScreen #related-title { padding: 0 1; text-style: bold; height: auto; }
    RelatedScreen OptionList { height: 1fr; border: none; scrollbar-gutter: stable; }
    """

    def __init__(self, store: NewsStore, article_id: str, title: str) -> None:
        super().__init__()
        self.store = store
        self.article_id = article_id
        self.article_title = title
        self.related: list[tuple[ListItem, float]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            heading = literal(f"Related to “{one_line(self.article_title)}”")
            yield Static(heading, id="related-title")
            yield ListOptions(id="related-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        getattr(self.app, "hold_keys", lambda _holder: None)(self)  # keys typed ahead: for the rows
        self.load()

    def _keys_go_on(self) -> None:
        getattr(self.app, "release_keys", lambda _holder: None)(self)

    def on_unmount(self) -> None:
        self._keys_go_on()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            related = self.store.related(self.article_id)
        except Exception as exc:
            self.app.call_from_thread(self.notify, str(exc), title="Store error", severity="error", markup=False)
            self.app.call_from_thread(self._keys_go_on)
            return
        self.post_message(RelatedLoaded(related))

    @on(RelatedLoaded)
    def show_related(self, message: RelatedLoaded) -> None:
        self.related = message.related
        options = self.query_one(OptionList)
        options.clear_options()
        if not message.related:
            options.add_option(Option(Text("No article shares a name with this one.", style="dim"), disabled=True))
            self._keys_go_on()
            return
        for item, _score in message.related:
            when = local_display(item.published, "%Y-%m-%d", date_only=item.date_only) or "—"
            prompt = Text(f"{when:<10}  ", style="dim")
            prompt.append_text(literal(one_line(item.title)))
            prompt.append(f"  {one_line(item.source)}", style="dim")
            options.add_option(Option(prompt, id=item.id))
        options.highlighted = 0
        self._keys_go_on()

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)

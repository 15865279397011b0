"""Related articles: those of the current one's own story first (tui.screens.stories_group), then
those sharing the most entities with it, rare names weighing more."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from articles.dates import local_display
from tui.literal import clip, literal, one_line
from tui.screens.list_screen import ListScreen
from tui.screens.popup import PopupScreen
from tui.screens.stories_group import OWN_STORY, story_first
from tui.widgets.footer import KeyFooter
from tui.widgets.lists import ListOptions

if TYPE_CHECKING:
    from store import ListItem, NewsStore

Related = tuple["ListItem", float]
"""A related article and its score."""


class RelatedScreen(ListScreen[str | None, Related], PopupScreen[str | None]):
    """Articles related to one article; returns the id of the one opened.

    | Key | id | Does |
    |---|---|---|
    | `enter` `l` | list.open | show it in the text pane |
    | `j` `k` `g` `G` … | list.* | move, as in the main list (ListOptions) |
    | `escape` | app.back | close |
    | `r` | article.related | close (the key that opened it) |
    | `w` | view.save | save these articles (and the one they relate to) as a saved view |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="app.back"),
        Binding("r", "close", "Close", show=False, id="article.related"),
        Binding("w", "save_view", "Save view", id="view.save"),
    ]

    DEFAULT_CSS = """
    RelatedScreen { align: center middle; }
    RelatedScreen > Vertical { width: 90%; max-width: 110; height: 70%; border: round $accent; background: $panel; }
    RelatedScreen #related-title { padding: 0 1; text-style: bold; height: auto; }
    RelatedScreen OptionList { height: 1fr; border: none; scrollbar-gutter: stable; }
    """

    NAME = "related"

    def __init__(self, store: NewsStore, article_id: str, title: str) -> None:
        super().__init__(store)
        self.article_id = article_id
        self.article_title = title

    @property
    def related(self) -> list[Related]:
        return self.rows

    def compose(self) -> ComposeResult:
        with Vertical():
            heading = literal(f"Related to “{one_line(self.article_title)}”")
            yield Static(heading, id="related-title")
            yield ListOptions(id="related-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.keys_wait_for_rows()  # keys typed ahead: for the rows
        self.load()

    def fetch(self) -> list[Related]:
        return story_first(self.store, self.article_id, self.store.related(self.article_id))

    def show_rows(self, rows: list[Related]) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        if not rows:
            options.add_option(Option(Text("No article shares a name with this one.", style="dim"), disabled=True))
            return
        for item, score in rows:
            when = local_display(item.published, "%Y-%m-%d", date_only=item.date_only) or "—"
            prompt = Text(f"{when:<10}  ", style="dim")
            prompt.append_text(literal(one_line(item.title)))
            prompt.append(f"  {one_line(item.source)}", style="dim")
            prompt.append("  · same story" if score == OWN_STORY else "", style="dim")
            options.add_option(Option(prompt, id=item.id))
        options.highlighted = 0

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save_view(self) -> None:
        """A saved view of these articles: their ids, the article they relate to first."""
        ids = [self.article_id, *(item.id for item, _score in self.related)]
        name = clip(f"related: {self.article_title}", 80)
        query = " OR ".join(f"id:{article_id}" for article_id in ids)

        def save() -> str:
            saved = self.store.save_view(name, query, replace=True)
            return f"Saved the view “{one_line(saved.name)}”"

        self.write(save, title="Saved views")

"""The entity sidebar: the people, organisations and places of the current article."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.literal import literal, one_line

if TYPE_CHECKING:
    from articles.model import Entity

GROUPS = (("person", "People"), ("org", "Organisations"), ("place", "Places"), ("other", "Other"))


def entity_options(entities: Sequence[Entity] | None, *, language: str | None = None) -> list[Option]:
    """Grouped by type, most mentioned first; headers and notes are disabled options."""
    if entities is None:
        if language and language != "en":
            return [Option(Text(f"not extracted: language “{one_line(language)}”", style="dim"), disabled=True)]
        return [Option(Text("not extracted yet", style="dim italic"), disabled=True)]
    if not entities:
        return [Option(Text("no names found", style="dim italic"), disabled=True)]
    options: list[Option] = []
    for kind, heading in GROUPS:
        group = sorted((e for e in entities if e.type == kind), key=lambda e: (-e.mentions, e.name.casefold()))
        if not group:
            continue
        options.append(Option(Text(heading, style="bold"), disabled=True))
        for entity in group:
            prompt = literal(one_line(entity.name))
            prompt.append(f"  {entity.mentions}", style="dim")
            options.append(Option(prompt, id=f"{kind}:{entity.name}"))
    return options


class EntitySidebar(OptionList):
    """Entities of the article shown in the text pane.

    | Key | id | Does |
    |---|---|---|
    | `j` `down` / `k` `up` | sidebar.down / sidebar.up | move |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="sidebar.up"),
    ]

    DEFAULT_CSS = """
    EntitySidebar { background: $surface; border: none; }
    """

    def show(self, entities: Sequence[Entity] | None, *, language: str | None = None, loading: bool = False) -> None:
        self.clear_options()
        if loading:
            self.add_option(Option(Text("…", style="dim"), disabled=True))
            return
        self.add_options(entity_options(entities, language=language))

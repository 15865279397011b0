"""The entity sidebar: the people, organisations and places of the current article."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from articles.entities.salience import by_salience
from articles.model import Entity
from tui.literal import literal, one_line

GROUPS = (("person", "People"), ("org", "Organisations"), ("place", "Places"), ("other", "Other"))


def entity_options(entities: Sequence[Entity] | None, *, not_extracted: str | None = None) -> list[Option]:
    """Grouped by type, the names the story is about first (salience, then mentions); headers and
    notes are disabled options.  `not_extracted`: why an article has no names (the language gate's
    reason), else it is still to be extracted."""
    if entities is None:
        if not_extracted:
            return [Option(Text(f"not extracted: {one_line(not_extracted)}", style="dim"), disabled=True)]
        return [Option(Text("not extracted yet", style="dim italic"), disabled=True)]
    if not entities:
        return [Option(Text("no names found", style="dim italic"), disabled=True)]
    options: list[Option] = []
    for kind, heading in GROUPS:
        group = sorted((e for e in entities if e.type == kind), key=sidebar_order)
        if not group:
            continue
        options.append(Option(Text(heading, style="bold"), disabled=True))
        for entity in group:
            prompt = literal(one_line(entity.name))
            prompt.append(f"  {entity.mentions}", style="dim")
            options.append(Option(prompt, id=f"{kind}:{entity.name}"))
    return options


def sidebar_order(entity: Entity) -> tuple[float, int, str]:
    """Most salient first (an entity stored before salience existed counts as 0), then most
    mentioned, then by name."""
    return (*by_salience(entity.salience, entity.mentions), entity.name.casefold())


class EntitySidebar(OptionList):
    """Entities of the article shown in the text pane.  Moving through it marks the entity's
    mentions in the text; enter opens every article that names it.

    | Key | id | Does |
    |---|---|---|
    | `j` `down` / `k` `up` | sidebar.down / sidebar.up | move |
    | `enter` | entity.open | articles mentioning the entity |
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("enter", "select", "Articles", id="entity.open"),
    ]

    @dataclass
    class EntityFocused(Message):
        """The cursor is on an entity (None: on none, or the sidebar lost focus)."""

        entity: Entity | None

    @dataclass
    class EntityOpened(Message):
        entity: Entity

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entities: dict[str, Entity] = {}

    def current_entity(self) -> Entity | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return self.entities.get(option.id or "")

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if self.has_focus:
            self.post_message(self.EntityFocused(self.entities.get(event.option.id or "")))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entity = self.entities.get(event.option.id or "")
        if entity is not None:
            self.post_message(self.EntityOpened(entity))

    def on_focus(self) -> None:
        if self.current_entity() is None and self.entities:
            self.action_first()  # the first entity, past the group heading
        self.post_message(self.EntityFocused(self.current_entity()))

    def on_blur(self) -> None:
        self.post_message(self.EntityFocused(None))

    # The scrollbar's column is kept whether or not the list needs it: Textual's OptionList
    # measures how many lines each wrapped name takes at the width it has when it lays the new
    # options out (no scrollbar: `show` has just emptied the list) and does not measure again when
    # the scrollbar then takes its columns, so the last line of a long name, with its count, was cut.
    DEFAULT_CSS = """
    EntitySidebar { background: $surface; border: none; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    """

    def show(
        self, entities: Sequence[Entity] | None, *, not_extracted: str | None = None, loading: bool = False
    ) -> None:
        self.clear_options()
        self.entities = {}
        if loading:
            self.add_option(Option(Text("…", style="dim"), disabled=True))
            return
        self.entities = {f"{e.type}:{e.name}": e for e in entities or ()}
        self.add_options(entity_options(entities, not_extracted=not_extracted))

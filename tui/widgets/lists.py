"""The lists of the pop-up screens (tags, saved views, feeds, entities, related): the main list's
movement keys under the main list's binding ids, so `j`/`k`/`g`/`G` move in every list and one
`[keys]` entry remaps them all."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable, OptionList


def movement(top: str, bottom: str) -> list[BindingType]:
    """The list.* bindings (ArticleList's keys); `top`/`bottom` name the widget's jump actions."""
    return [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", top, "Top", show=False, id="list.top"),
        Binding("G,end", bottom, "Bottom", show=False, id="list.bottom"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
    ]


class ListTable(DataTable[object], inherit_bindings=False):
    """A table of rows (the tags, saved views and feeds lists); the screen binds enter and its verbs.

    | Key | id | Does |
    |---|---|---|
    | `j` `down` / `k` `up` | list.down / list.up | move |
    | `g` `home` / `G` `end` | list.top / list.bottom | jump |
    | `pagedown` / `pageup` | list.page_down / list.page_up | page |
    | `left` / `right` | list.scroll_left / list.scroll_right | see the columns that do not fit |
    """

    OWN_KEYS_ONLY: ClassVar[bool] = True
    """DataTable's own keys are off (inherit_bindings=False): these are the table's keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *movement("scroll_top", "scroll_bottom"),
        Binding("left", "cursor_left", "Scroll left", show=False, id="list.scroll_left"),
        Binding("right", "cursor_right", "Scroll right", show=False, id="list.scroll_right"),
    ]


class ListOptions(OptionList, inherit_bindings=False):
    """A list of options (the entity browser, related articles).

    | Key | id | Does |
    |---|---|---|
    | `j` `down` / `k` `up` | list.down / list.up | move |
    | `g` `home` / `G` `end` | list.top / list.bottom | jump |
    | `pagedown` / `pageup` | list.page_down / list.page_up | page |
    | `enter` `l` | list.open | open |
    """

    OWN_KEYS_ONLY: ClassVar[bool] = True
    """OptionList's own keys are off (inherit_bindings=False): these are the list's keys."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *movement("first", "last"),
        Binding("enter,l", "select", "Open", show=False, id="list.open"),
    ]

"""The footer: Textual's, with the help key first, so that a narrow terminal (80 columns) cuts
the other keys before it: help is the key that finds all the others.

Each focus change that changes the keys (opening and closing the search bar, moving between
panes) would recompose Textual's footer: a dozen key widgets made, styled and mounted, and as
many removed, the costliest message of a search cycle.  KeyFooter keeps the keys it made for each
set of bindings, mounted in a row of their own, and shows the row the focus asks for (the others
hidden): after the first time, a focus change only switches which row is displayed."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen

class KeyRow(Widget):
    """The keys of one set of bindings, across the footer (the command palette's docked right)."""

    DEFAULT_CSS = """
    KeyRow {
        layout: horizontal;
        width: 1fr;
        height: 1;
    }
    """


KEY_SETS = 6
"""Key sets kept (the least recently shown goes first): the list's, the search bar's, the
text pane's, the sidebar's and a couple more."""


class KeyFooter(Footer):
    def __init__(self, *, held: bool = False) -> None:
        """`held`: no keys until release() (the screen's first frame goes without them)."""
        super().__init__()
        self.held = held
        self.key_sets: OrderedDict[Hashable, KeyRow] = OrderedDict()
        """The row of keys made for each set of bindings, the one shown last."""
        self.shown: Hashable | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self.held:
            self._bindings_ready = True  # composed on release()
            return
        super().bindings_changed(screen)

    def release(self) -> None:
        """Show the keys (held until now)."""
        if self.held:
            self.held = False
            if self._bindings_ready and self.is_attached:
                # in the footer's own turn: its keys bind to its reactives (data_bind) there
                self.call_later(self.bindings_changed, self.screen)

    def compose(self) -> ComposeResult:
        help_keys = {key for key, active in self.screen.active_bindings.items() if active.binding.id == "app.help"}
        # newsdesk's bindings have no groups, so every item is a top-level key (a widget with a
        # `key` attribute) to reorder
        items = list(super().compose())
        first = [item for item in items if getattr(item, "key", None) in help_keys]
        yield from first
        yield from (item for item in items if item not in first)

    def key_set(self) -> Hashable | None:
        """What the footer's keys are made from (the screen's bindings shown, their keys as
        displayed, the command palette's key); None when a binding has a group (those keys are
        nested: recomposed as Textual does)."""
        app = self.app
        shown = []
        for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items():
            if not binding.show and key != app.COMMAND_PALETTE_BINDING:
                continue
            if binding.group is not None:
                return None
            shown.append(
                (key, binding.id, binding.action, binding.description, binding.tooltip, app.get_key_display(binding))
                + (enabled, tooltip, binding.show)
            )
        return (self.show_command_palette, app.ENABLE_COMMAND_PALETTE, tuple(shown))

    async def recompose(self) -> None:
        if not self.is_attached:
            return
        wanted = self.key_set()
        if wanted is None:
            await self._forget(list(self.key_sets))
            self.shown = None
            await super().recompose()
            self.mutate_reactive(Footer.compact)  # see _forget
            return
        if wanted == self.shown:
            return
        row = self.key_sets.pop(wanted, None)
        async with self.batch():
            for other in self.key_sets.values():
                other.display = False
            if row is None:
                row = KeyRow(*self.compose())
                known = set(self.key_sets.values())
                stray = [child for child in self.children if child not in known]  # composed on mount
                if stray:
                    await self.remove_children(stray)
                await self.mount(row)
            else:
                row.display = True
        self.key_sets[wanted] = row
        self.shown = wanted
        if len(self.key_sets) > KEY_SETS:
            await self._forget(list(self.key_sets)[: len(self.key_sets) - KEY_SETS])

    async def _forget(self, key_sets: list[Hashable]) -> None:
        """Remove the rows of `key_sets`."""
        gone = [self.key_sets.pop(key_set) for key_set in key_sets if key_set in self.key_sets]
        if not gone:
            return
        # Textual keeps the styles cache of the last 1,024 widgets it drew in an LRU of its own,
        # removed ones too, each with the lines it drew.  A full refresh empties a widget's lines.
        for row in gone:
            for key in row.children:
                key.refresh()
        await self.remove_children(gone)
        # Textual's Footer binds each key's `compact` to its own (data_bind) and forgets the
        # bindings of removed keys only when `compact` changes, which it never does here: running
        # the watchers once forgets the removed keys (else each kept its widget alive).
        self.mutate_reactive(Footer.compact)

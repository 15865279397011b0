"""The footer: Textual's, with the help key first, so that a narrow terminal (80 columns) cuts
the other keys before it: help is the key that finds all the others."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer


class KeyFooter(Footer):
    def compose(self) -> ComposeResult:
        help_keys = {key for key, active in self.screen.active_bindings.items() if active.binding.id == "app.help"}
        # newsdesk's bindings have no groups, so every item is a top-level key (a widget with a
        # `key` attribute) to reorder
        items = list(super().compose())
        first = [item for item in items if getattr(item, "key", None) in help_keys]
        yield from first
        yield from (item for item in items if item not in first)

    async def recompose(self) -> None:
        # Textual keeps the styles cache of the last 1,024 widgets it drew in an LRU of its own,
        # removed ones too, each with the lines it drew: about 30 MiB once the keys of 35 search
        # cycles filled it.  A full refresh empties a widget's lines; the keys about to go drop them.
        for key in self.children:
            key.refresh()
        await super().recompose()
        # Textual's Footer binds each key's `compact` to its own (data_bind) and forgets the
        # bindings of removed keys only when `compact` changes, which it never does here: every
        # recompose (each focus change that changes the keys) kept the old keys alive, about
        # 1 MiB per two searches.  Running the watchers once forgets the removed keys.
        self.mutate_reactive(Footer.compact)

"""What is wrong in the config, checked the same way for the reader and `newsdesk config print`:
the file's own problems (tui.config) and what only Textual knows — the theme names and the
binding ids.  Each warning is `FILE:LINE: key 'name': problem`."""

from __future__ import annotations

from collections.abc import Iterable

from tui.config import Settings


def config_warnings(settings: Settings, themes: Iterable[str] | None = None) -> tuple[dict[str, str], list[str]]:
    """The [keys] entries to apply (those whose binding id exists) and every warning about the
    config. `themes`: the theme names available (default: Textual's built-in themes)."""
    warnings = list(settings.warnings)
    keys: dict[str, str] = {}
    if settings.keys:  # collecting every binding id imports every screen: only if asked
        from tui.keymap import binding_table

        known = binding_table()
        keys = {bid: k for bid, k in settings.keys.items() if bid in known}
        warnings += [
            f"{settings.where('keys', bid)}: key {bid!r}: no such binding id in [keys] "
            "(`newsdesk config print` lists them); ignored"
            for bid in settings.keys
            if bid not in known
        ]
    if themes is None:
        from textual.theme import BUILTIN_THEMES

        themes = BUILTIN_THEMES
    theme = settings.reader.theme
    if theme not in set(themes):
        warnings.append(
            f"{settings.where('reader', 'theme')}: key 'theme': no theme {theme!r} "
            f"(ctrl+p, 'Change theme', lists them); default {Settings().reader.theme!r} used"
        )
    return keys, warnings

"""Every binding id of the reader (KEYMAP.md) with its default keys, read from the BINDINGS of
the app, its screens and widgets: what `[keys]` may remap and what `config print` lists."""

from __future__ import annotations

import importlib
import pkgutil

from textual.binding import Binding
from textual.dom import DOMNode


def binding_table() -> dict[str, tuple[str, str]]:
    """binding id -> (default keys, description)."""
    import tui.screens
    import tui.widgets
    from tui.app import NewsdeskApp
    from tui.screens.main import MainScreen
    from tui.widgets.article_list import ArticleList
    from tui.widgets.article_text import ArticleText

    # Their keys and descriptions first: the pop-up lists share the main list's ids (list.*).
    classes: list[type] = [NewsdeskApp, MainScreen, ArticleList, ArticleText]
    for package in (tui.screens, tui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            classes += [
                c
                for c in vars(module).values()
                if isinstance(c, type) and issubclass(c, DOMNode) and c.__module__ == module.__name__
            ]
    table: dict[str, tuple[list[str], str]] = {}
    for cls in classes:
        for binding in cls.__dict__.get("BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.id:
                continue
            keys, what = table.setdefault(binding.id, ([], binding.description or binding.action))
            for key in binding.key.split(","):
                if key.strip() and key.strip() not in keys:
                    keys.append(key.strip())
    return {bid: (",".join(keys), what) for bid, (keys, what) in sorted(table.items())}


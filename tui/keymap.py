"""Every binding id of the reader (docs/keymap.md) with its default keys, read from the BINDINGS of
the app, its screens and widgets: what `[keys]` may remap and what `config print` lists."""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.dom import DOMNode

APP_BINDINGS: list[BindingType] = [
    Binding("q", "quit", "Quit", id="app.quit"),
    # ctrl+q is Textual's own quit key: named here so that it has an id (and can be remapped).
    Binding("ctrl+c,ctrl+q", "quit", "Quit", show=False, priority=True, id="app.quit_ctrl_c"),
    Binding("question_mark", "help", "Help", id="app.help"),
    Binding("ctrl+p", "command_palette", "Commands", show=False, id="app.palette"),
]
"""The App's own keys (NewsdeskApp.BINDINGS), anywhere in the reader."""


def binding_table() -> dict[str, tuple[str, str]]:
    """binding id -> (default keys, description)."""
    import importlib
    import pkgutil

    import tui.screens
    import tui.widgets
    from tui.screens.main import MainScreen
    from tui.widgets.article_list import ArticleList
    from tui.widgets.article_text import ArticleText

    # Their keys and descriptions first (the App's first of all): the pop-up lists share the
    # main list's ids (list.*).
    classes: list[type] = [MainScreen, ArticleList, ArticleText]
    for package in (tui.screens, tui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            classes += [
                c
                for c in vars(module).values()
                if isinstance(c, type) and issubclass(c, DOMNode) and c.__module__ == module.__name__
            ]
    table: dict[str, tuple[list[str], str]] = {}
    for bindings in [APP_BINDINGS, *(cls.__dict__.get("BINDINGS", []) for cls in classes)]:
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.id:
                continue
            keys, what = table.setdefault(binding.id, ([], binding.description or binding.action))
            for key in binding.key.split(","):
                if key.strip() and key.strip() not in keys:
                    keys.append(key.strip())
    return {bid: (",".join(keys), what) for bid, (keys, what) in sorted(table.items())}



def normalised_keymap(keymap: dict[str, str]) -> dict[str, str]:
    """`[keys]` in the long key names Textual's set_keymap uses ("?" -> "question_mark"), as
    the app's bindings are matched against them."""
    return {bid: ",".join(key_name(key.strip()) for key in keys.split(",")) for bid, keys in keymap.items()}


def key_name(key: str) -> str:
    """A one-character key by its long name ("?" -> "question_mark", "a" stays); others as they are."""
    import unicodedata

    from textual.keys import ASCII_KEY_NAMES, KEY_NAME_REPLACEMENTS

    if len(key) != 1:
        return key
    name = key
    if not key.isalnum():
        try:
            name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            name = ASCII_KEY_NAMES.get(key, key)
    return KEY_NAME_REPLACEMENTS.get(name, name)

"""No key means two things on one screen: the App's and the screen's keys are each one binding
id, and a focusable widget of the screen takes none of them (it would shadow it while focused) —
with the default keys and with README's sample [keys].  The new keys are in docs/keymap.md,
README's key table, the `?` screen and the palette."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from newsdesk_testing import REPO, settle
from store import NewsStore
from tui.app import NewsdeskApp
from tui.keymap import APP_BINDINGS, normalised_keymap
from tui.screens.feeds import FeedsScreen
from tui.screens.help import HelpScreen, own_bindings
from tui.screens.main import MainScreen
from tui.screens.related import RelatedScreen
from tui.screens.saved_views import SavedViewsScreen
from tui.screens.tags import TagsScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText
from tui.widgets.entity_sidebar import EntitySidebar
from tui.widgets.lists import ListOptions, ListTable

NEW_IDS = ("article.full_text", "view.hide_read", "view.save", "article.pipe", "article.link_count")
SCREENS: dict[type[DOMNode], tuple[type[DOMNode], ...]] = {
    MainScreen: (ArticleList, ArticleText, EntitySidebar),
    FeedsScreen: (ListTable,),
    TagsScreen: (ListTable,),
    SavedViewsScreen: (ListTable,),
    RelatedScreen: (ListOptions,),
}


def keys_of(cls: type[DOMNode] | None, keymap: dict[str, str]) -> dict[str, set[str]]:
    """key -> the binding ids it has on `cls` (None: the App), each id's keys as `keymap`
    remaps them (Textual would silently drop the binding a remapped key takes: not here)."""
    bindings = BindingsMap(APP_BINDINGS) if cls is None else own_bindings(cls)
    found: dict[str, set[str]] = {}
    for key, listed in bindings.key_to_bindings.items():
        for binding in listed:
            if isinstance(binding, Binding) and binding.id:
                remapped = keymap.get(binding.id)
                for each in remapped.split(",") if remapped else [key]:
                    found.setdefault(each, set()).add(binding.id)
    return found


def conflicts(keymap: dict[str, str]) -> list[str]:
    problems = []
    for screen, widgets in SCREENS.items():
        top: dict[str, set[str]] = {}
        for part in (keys_of(None, keymap), keys_of(screen, keymap)):
            for key, ids in part.items():
                top.setdefault(key, set()).update(ids)
        problems += [f"{screen.__name__}: {key} is {sorted(ids)}" for key, ids in top.items() if len(ids) > 1]
        for widget in widgets:
            for key, ids in keys_of(widget, keymap).items():
                if key in top and not ids <= top[key]:
                    taken = f"{sorted(top[key])} and {widget.__name__}'s {sorted(ids)}"
                    problems.append(f"{screen.__name__}: {key} is {taken}")
    return problems


def test_no_key_means_two_things_on_a_screen() -> None:
    assert conflicts({}) == []


def test_a_remapped_key_that_takes_another_is_found() -> None:
    found = conflicts({"article.toggle_star": "s,f"})
    assert found == ["MainScreen: f is ['article.full_text', 'article.toggle_star']"]


def test_nor_with_the_readme_sample_keys() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    sample = re.search(r"```toml\n(.*?)```", text[text.index("## Configuration") :], re.S)
    assert sample is not None
    keys = tomllib.loads(sample.group(1))["keys"]
    keymap = normalised_keymap({k: ",".join(v) if isinstance(v, list) else v for k, v in keys.items()})
    assert conflicts(keymap) == []


def test_the_new_keys_are_documented() -> None:
    keymap_doc = (REPO / "docs" / "keymap.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for binding_id in NEW_IDS:
        assert f"| {binding_id} |" in keymap_doc or f"| {binding_id} " in keymap_doc, binding_id
        assert f"| {binding_id} |" in readme, binding_id


async def test_the_help_and_the_palette_list_them(store: NewsStore, tmp_path: Path) -> None:
    from articles.model import Article

    store.add_articles([Article.create(title="One", body="Body.", url="https://a.example/1")])
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        ids = {binding_id for _where, _keys, binding_id, _does in help_screen.rows}
        assert set(NEW_IDS) <= ids and "view.mark_all_read" in ids
        await pilot.press("escape")
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Full text", "Hide read / show all", "Save view", "Mark view read", "Pipe article"} <= titles

"""One direction of imports: tui -> store -> articles; only store imports TinyDB and tantivy, only tui
Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from newsdesk_testing import REPO


def imported_roots(package: str) -> set[str]:
    """Top-level names every module of a package imports (at any depth of the module)."""
    roots: set[str] = set()
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                roots.add(node.module.split(".")[0])
    return roots


def test_packages_import_in_one_direction() -> None:
    articles, store, tui = imported_roots("articles"), imported_roots("store"), imported_roots("tui")
    assert not articles & {"store", "tui", "tinydb", "tantivy", "textual", "rich"}, articles
    assert not store & {"tui", "textual", "rich"}, store
    assert {"tinydb", "tantivy"} <= store
    assert not tui & {"tinydb", "tantivy"}, tui


def test_store_and_articles_load_without_the_ui(tmp_path: Path) -> None:
    code = "import sys, store, articles.importers; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    loaded = {name.split(".")[0] for name in done.stdout.split()}
    assert not loaded & {"textual", "rich", "tui"}


def test_the_reader_start_path_never_imports_spacy(tmp_path: Path) -> None:
    """Opening the reader (app, screens, widgets, CLI, store) must not load spaCy or numpy:
    extraction runs in its own processes."""
    code = (
        "import sys, tui.cli, tui.app, tui.screens.main, tui.screens.saved_views, tui.launch, store;"
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    loaded = {name.split(".")[0] for name in done.stdout.split()}
    assert not loaded & {"spacy", "thinc", "numpy", "torch"}, loaded & {"spacy", "thinc", "numpy"}

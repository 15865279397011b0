"""The layers and the shape of the code.

One direction of imports: tui -> store -> articles; only store imports TinyDB and tantivy, only tui
Textual, and the reader's start path never spaCy.  No Python file outside tests/ and bench/ over 400
lines; no import circle between files (imports under `if TYPE_CHECKING:` aside, imports inside
functions counted); no module uses a private name of another module or package, Textual's included;
the CLI and the background jobs (importing, refreshing, extracting) never import Textual."""

from __future__ import annotations

import ast
import functools
import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
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


# --- The shape of the code: file sizes, import circles, private names, Textual-free CLI and jobs ---
#
# The checkers below read source text with ast (nothing is imported), take {path: source} so that the
# tests at the end can feed them small synthetic sources, and return one message per violation that
# names the file and line.

MAX_LINES = 400
SOURCE_PACKAGES = ("articles", "store", "tui")
# Names with a leading underscore that are public by their documentation.
PUBLIC_UNDERSCORED = {"_asdict", "_replace", "_fields", "_field_defaults", "_make", "_exit"}
# The command line and the background jobs, which run without the UI toolkit.
TEXTUAL_FREE = re.compile(r"^tui/(cli/.*\.py|importing\.py|refreshing\.py|extracting\.py)$")


def repo_sources(*, include_tests: bool = False) -> dict[str, str]:
    """Every Python file of the repository by its relative path (tests/ and bench/ only if asked)."""
    skip = {"build", "dist", "__pycache__"} | (set() if include_tests else {"tests", "bench"})
    sources: dict[str, str] = {}
    for path in sorted(REPO.rglob("*.py")):
        parts = path.relative_to(REPO).parts
        if any(part.startswith(".") or part in skip for part in parts[:-1]):
            continue
        sources["/".join(parts)] = path.read_text(encoding="utf-8")
    return sources


def package_sources() -> dict[str, str]:
    return {path: text for path, text in repo_sources().items() if path.split("/")[0] in SOURCE_PACKAGES}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: str) -> str:
    """`store/query.py` -> `store.query`; `store/__init__.py` -> `store`."""
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that runs, at any depth (functions too), except under `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                yield from runtime_imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from runtime_imports(node)


def from_base(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module a `from ... import` reads from, relative levels resolved."""
    if not node.level:
        return node.module or ""
    package = importer if is_package else importer.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imported_modules(path: str, source: str, modules: set[str]) -> Iterator[tuple[str, int]]:
    """(module, line) for every runtime import of a module in `modules` (the nearest enclosing one
    for a name imported from a module)."""
    importer, is_package = module_name(path), path.endswith("__init__.py")

    def nearest(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    for node in runtime_imports(ast.parse(source, path)):
        if isinstance(node, ast.Import):
            targets = [nearest(alias.name) for alias in node.names]
        else:
            base = from_base(node, importer, is_package)
            targets = [nearest(f"{base}.{alias.name}") for alias in node.names]
        for target in targets:
            if target and target != importer:
                yield target, node.lineno


def import_cycles(sources: dict[str, str]) -> list[str]:
    """One message per circle of imports between files: a shortest circle, as a chain of
    FILE:LINE steps, and every file caught in it."""
    path_of = {module_name(path): path for path in sources}
    graph: dict[str, dict[str, int]] = {module: {} for module in path_of}
    for path, source in sources.items():
        for target, line in imported_modules(path, source, set(path_of)):
            graph[module_name(path)].setdefault(target, line)
    messages = []
    for component in strongly_connected(graph):
        if len(component) < 2:
            continue
        start = min(component)
        chain = shortest_circle(graph, start, component)
        steps = " -> ".join(f"{path_of[a]}:{graph[a][b]}" for a, b in zip(chain, chain[1:], strict=False))
        members = ", ".join(sorted(path_of[m] for m in component))
        messages.append(f"import circle: {steps} -> {path_of[start]} (files in circles with these: {members})")
    return messages


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[set[str]]:
    """Tarjan's strongly connected components, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def shortest_circle(graph: dict[str, dict[str, int]], start: str, component: set[str]) -> list[str]:
    """start -> ... -> start by breadth-first search inside one component (start last left off)."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child == start:
                    chain = [node]
                    while chain[-1] != start:
                        chain.append(came_from[chain[-1]])
                    return [*reversed(chain), start]
                if child in component and child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no circle through {start}")


def long_files(sources: dict[str, str], limit: int = MAX_LINES) -> list[str]:
    return [
        f"{path}:{limit + 1}: {count} lines, more than {limit}"
        for path, source in sources.items()
        if (count := len(source.splitlines())) > limit
    ]


def textual_imports(sources: dict[str, str]) -> list[str]:
    """Imports of Textual (under TYPE_CHECKING excepted) in the CLI and the background jobs."""
    messages = []
    for path, source in sources.items():
        if not TEXTUAL_FREE.match(path):
            continue
        for node in runtime_imports(ast.parse(source, path)):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.split(".")[0] == "textual" and not (isinstance(node, ast.ImportFrom) and node.level):
                    messages.append(f"{path}:{node.lineno}: imports {name}, and must run without Textual")
    return messages


def defined_names(tree: ast.AST) -> set[str]:
    """Names a file defines for itself: functions, classes, variables, arguments and the attributes it
    assigns (`self._x = ...`).  Stubs that only describe a name defined elsewhere do not count: what is
    under `if TYPE_CHECKING:`, and a bare annotation in a class body (`_lock: Any`, a mixin's host)."""
    names: set[str] = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and is_type_checking(node.test):
            for child in node.orelse:
                names |= defined_names(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, ast.ClassDef):
            bare = [n for n in node.body if isinstance(n, ast.AnnAssign) and n.value is None]
            names.add(node.name)
            names |= defined_names(ast.Module(body=[n for n in node.body if n not in bare], type_ignores=[]))
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        names |= defined_names(node)
    return names


def private_uses(sources: dict[str, str], is_module: Callable[[str], bool]) -> list[str]:
    """Private names (a leading underscore, not a dunder) of other modules used by each file:
    - `from M import _x`, and any import through a private module (`textual._types`) of another package;
    - `M._x` where M is a name bound to a module by an import (`store._reading`, `importing._stderr`);
    - `obj._x` where the file itself never defines `_x` (`self._bindings` in a Textual screen,
      `screen._bindings`, `self._lock` in a mixin whose host defines it elsewhere).
    Attribute access on objects is judged by name only: `other._x` passes wherever the file defines an
    `_x` of its own, whichever class that belongs to."""
    messages = []
    for path, source in sources.items():
        tree = ast.parse(source, path)
        importer, is_package = module_name(path), path.endswith("__init__.py")
        own = defined_names(tree)
        bound: dict[str, str] = {}  # local name -> the module it names

        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if private := private_module(alias.name, importer):
                        messages.append(f"{path}:{node.lineno}: imports the private module {private}")
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound[alias.name.split(".")[0]] = alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                base = from_base(node, importer, is_package)
                if private := private_module(base, importer):
                    messages.append(f"{path}:{node.lineno}: imports the private module {private}")
                for alias in node.names:
                    if is_private(alias.name) and alias.name not in PUBLIC_UNDERSCORED:
                        messages.append(f"{path}:{node.lineno}: imports {alias.name} from {base}, a private name")
                    elif alias.name != "*" and is_module(f"{base}.{alias.name}"):
                        bound[alias.asname or alias.name] = f"{base}.{alias.name}"
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and is_private(node.attr)) or node.attr in PUBLIC_UNDERSCORED:
                continue
            dotted = dotted_name(node.value)
            root = dotted.split(".")[0] if dotted else None
            if root in bound and is_module(bound[root] + dotted[len(root) :]):
                messages.append(f"{path}:{node.lineno}: uses {dotted}.{node.attr}, a private name of a module")
            elif node.attr not in own:
                where = dotted or type(node.value).__name__
                messages.append(f"{path}:{node.lineno}: uses {where}.{node.attr}, a private name defined elsewhere")
    return sorted(messages, key=by_place)


def by_place(message: str) -> tuple[str, int]:
    path, line, _ = message.split(":", 2)
    return path, int(line)


def private_module(module: str, importer: str) -> str | None:
    """The first private module on the way to `module` (`textual._two_way_dict`), unless it lies in
    a package the importer belongs to."""
    parts = module.split(".")
    for depth, part in enumerate(parts):
        parent = ".".join(parts[:depth])
        if is_private(part) and not (depth and (importer == parent or importer.startswith(parent + "."))):
            return ".".join(parts[: depth + 1])
    return None


def dotted_name(node: ast.expr) -> str | None:
    """`a.b.c` for a chain of attributes on a name, else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (base := dotted_name(node.value)):
        return f"{base}.{node.attr}"
    return None


def module_exists(first_party: set[str]) -> Callable[[str], bool]:
    """Whether a dotted name is a module: a file of the repository, or one Python can find."""

    @functools.cache
    def is_module(name: str) -> bool:
        if name in first_party:
            return True
        if name.split(".")[0] in SOURCE_PACKAGES:
            return False
        try:
            return importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            return False

    return is_module


def report(messages: list[str]) -> str:
    return f"{len(messages)} violation(s):\n" + "\n".join(messages)


def test_no_source_file_is_longer_than_400_lines() -> None:
    assert not (found := long_files(repo_sources())), report(found)


def test_no_import_circles_between_files() -> None:
    assert not (found := import_cycles(package_sources())), report(found)


def test_no_module_uses_a_private_name_of_another() -> None:
    sources = package_sources()
    found = private_uses(sources, module_exists({module_name(path) for path in sources}))
    assert not found, report(found)


def test_the_cli_and_background_jobs_never_import_textual(tmp_path: Path) -> None:
    assert not (found := textual_imports(package_sources())), report(found)
    modules = sorted(module_name(path) for path in package_sources() if TEXTUAL_FREE.match(path))
    code = f"import sys, {', '.join(modules)}; print(' '.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    loaded = {name for name in done.stdout.split() if name.split(".")[0] == "textual"}
    assert not loaded, f"importing {', '.join(modules)} loads {sorted(loaded)[:5]}"


# --- The checkers catch what they are for (small synthetic sources) ---


def test_long_files_names_the_file_and_its_length() -> None:
    assert long_files({"tui/big.py": "x = 1\n" * 401, "tui/ok.py": "x = 1\n" * 400}) == [
        "tui/big.py:401: 401 lines, more than 400"
    ]


def test_import_cycles_are_reported_as_chains_of_files() -> None:
    sources = {
        "store/__init__.py": "from store.a import A\n",
        "store/a.py": "import os\n\n\ndef f():\n    from store import b\n",  # inside a function: counts
        "store/b.py": "from .c import C\n",
        "store/c.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from store.a import A\nfrom store.a import f\n"
        ),
        "store/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from store.e import E\n",
        "store/e.py": "from store import d\n",  # d -> e only under TYPE_CHECKING: no circle
    }
    assert import_cycles(sources) == [
        "import circle: store/a.py:5 -> store/b.py:1 -> store/c.py:4 -> store/a.py"
        " (files in circles with these: store/a.py, store/b.py, store/c.py)"
    ]


def test_private_names_of_other_modules_are_found() -> None:
    sources = {
        "tui/x.py": (
            "import store\n"
            "from store import news_store\n"
            "from tui.importing import _stderr\n"
            "from textual._two_way_dict import TwoWayDict\n"
            "from collections import namedtuple\n"
            "store._reading()\n"
            "news_store._lock\n"
            "class S:\n"
            "    _mine = 1\n"
            "    def f(self, other):\n"
            "        self._mine, other._mine, self.__class__\n"
            "        self._bindings\n"
            "        other._seq\n"
            "        namedtuple('P', 'a')(1)._replace(a=2)\n"
            "class Mixin:\n"
            "    _lock: object\n"
            "    if TYPE_CHECKING:\n"
            "        def _reading(self): ...\n"
            "    def g(self):\n"
            "        self._lock, self._reading()\n"
        ),
    }
    found = private_uses(sources, module_exists({"store", "store.news_store", "tui.importing", "tui.x"}))
    assert found == [
        "tui/x.py:3: imports _stderr from tui.importing, a private name",
        "tui/x.py:4: imports the private module textual._two_way_dict",
        "tui/x.py:6: uses store._reading, a private name of a module",
        "tui/x.py:7: uses news_store._lock, a private name of a module",
        "tui/x.py:12: uses self._bindings, a private name defined elsewhere",
        "tui/x.py:13: uses other._seq, a private name defined elsewhere",
        "tui/x.py:20: uses self._lock, a private name defined elsewhere",
        "tui/x.py:20: uses self._reading, a private name defined elsewhere",
    ]


def test_textual_imports_are_found_in_the_cli_and_the_jobs_only() -> None:
    sources = {
        "tui/cli/common.py": "def f():\n    from textual.theme import BUILTIN_THEMES\n",
        "tui/cli.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from textual.app import App\n",
        "tui/importing.py": "import textual.app\n",
        "tui/app.py": "import textual\n",
    }
    assert textual_imports(sources) == [
        "tui/cli/common.py:2: imports textual.theme, and must run without Textual",
        "tui/importing.py:1: imports textual.app, and must run without Textual",
    ]

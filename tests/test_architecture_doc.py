"""docs/architecture.md names files, modules and methods of the code: each must exist, so that the
document cannot fall behind a rename or a move without a failing test."""

from __future__ import annotations

import re

from newsdesk_testing import REPO

DOC = REPO / "docs" / "architecture.md"
PACKAGES = ("tui", "store", "articles")
OUTSIDE = {"Input"}
"""Classes the document names that are not newsdesk's own (Textual's)."""


def quoted() -> list[str]:
    """Every `code span` of the document, a trailing call's `()` left off."""
    return [span.removesuffix("()") for span in re.findall(r"`([^`\n]+)`", DOC.read_text(encoding="utf-8"))]


def test_every_path_named_exists() -> None:
    """`tui/screens/main.py`, `store/disk/`, and the bare file names of the picture."""
    text = DOC.read_text(encoding="utf-8")
    paths = [s for s in quoted() if s.split("/")[0] in (*PACKAGES, "docs", "tests", "bench") and "/" in s]
    missing = [p for p in paths if (p.endswith((".py", "/")) and not (REPO / p).exists())]
    names = set(re.findall(r"\b([a-z_][a-z0-9_]*\.py)\b", text))
    files = {path.name for folder in (*PACKAGES, "tests", "bench", "docs") for path in (REPO / folder).rglob("*.py")}
    missing += sorted(names - files)
    links = re.findall(r"\]\(([^)#]+)\)", text)
    missing += [link for link in links if not (DOC.parent / link).exists()]
    assert paths and not missing, missing


def test_every_module_named_exists() -> None:
    """`store.care.recovery`, `tui.launch`: each a module or package of the repository."""
    modules = [s for s in quoted() if re.fullmatch(r"(tui|store|articles)(\.[a-z_]+)*", s)]
    paths = {m: REPO / m.replace(".", "/") for m in modules}
    missing = [m for m, p in paths.items() if not p.with_suffix(".py").exists() and not (p / "__init__.py").exists()]
    assert modules and not missing, missing


def test_every_class_attribute_named_exists() -> None:
    """`NewsStore.search`, `ArticleList.RowsWanted`: a class of that name defines the name."""
    sources = [path.read_text(encoding="utf-8") for package in PACKAGES for path in (REPO / package).rglob("*.py")]
    named = {tuple(s.split(".")) for s in quoted() if re.fullmatch(r"[A-Z]\w*\.\w+", s)}
    missing = []
    for owner, name in sorted(named):
        if owner in OUTSIDE:
            continue
        defines = re.compile(rf"^\s*(def {name}\b|class {name}\b|{name}\s*[:=])", re.MULTILINE)
        owns = re.compile(rf"^\s*class {owner}\b", re.MULTILINE)
        if not any(owns.search(source) and defines.search(source) for source in sources):
            missing.append(f"{owner}.{name}")
    assert named and not missing, missing

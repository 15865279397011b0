"""Helpers shared by the tests (a uniquely named module: tests/ is not a package)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NEWSDESK_SHARED_DATA", REPO.parent / "shared" / "data"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data; the test is skipped with a reason when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not available: {path} (tests read it in place, never a copy)")
    return path


def shared_names(folder: str, suffixes: tuple[str, ...]) -> list[object]:
    """File names in a shared folder, for parametrize; one skipped param when it is absent."""
    path = SHARED_DATA / folder
    if not path.is_dir():
        return [pytest.param("absent", marks=pytest.mark.skip(reason=f"shared data not available: {path}"))]
    return sorted(p.name for p in path.iterdir() if p.suffix in suffixes)

"""Helpers shared by the tests (a uniquely named module: tests/ is not a package)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from articles.entities.consolidate import RawMention
    from store import NewsStore

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("NEWSDESK_SHARED_DATA", REPO.parent / "shared" / "data"))


def newsdesk(
    store: Path, *args: str, stdin: str | None = None, config: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The CLI as a process of its own, on `store` (with `config` as its config file); `stdin`
    is its input (none: an empty one)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if config is not None:
        env["NEWSDESK_CONFIG"] = str(config)
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(store), *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin if stdin is not None else "",
        timeout=120,
    )


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


@contextlib.contextmanager
def index_behind(store: NewsStore, changes: int) -> Iterator[None]:
    """The full-text index's applied mark moved back by `changes` (at most to the start), so
    that many changes look pending; the mark is put back on the way out."""
    applied = store.core.catalogue.text_applied()
    assert applied is not None
    store.core.catalogue.set_text_applied((applied[0], max(applied[1] - changes, 0), applied[2]))
    try:
        yield
    finally:
        store.core.catalogue.set_text_applied(applied)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Let the app's workers finish and their messages be handled (no fixed sleeps): a worker's
    result message can start another worker, hence a few rounds."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:  # an exclusive worker replaced by a newer one (waited for next round)
            pass
        await pilot.pause()


async def wait_until(pilot, condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Poll `condition` between message-loop turns until it holds (timers such as the search
    debounce fire in between); fail after `timeout` seconds, a hang guard, not a pace."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {condition}")
        await pilot.pause(0.01)
    await settle(pilot)


def spans(text: str, *labelled: tuple[str, str]) -> list[RawMention]:
    """Mentions of each (surface, label) wherever the surface occurs in text, except inside a
    span labelled earlier in the list (as NER never nests spans)."""
    from articles.entities.consolidate import RawMention

    found: list[RawMention] = []
    for surface, label in labelled:
        start = text.find(surface)
        assert start >= 0, surface
        while start >= 0:
            end = start + len(surface)
            if not any(m.start < end and start < m.end for m in found):
                found.append(RawMention(surface, label, start, end))
            start = text.find(surface, start + 1)
    return sorted(found, key=lambda m: m.start)


def wait_for_snapshots() -> None:
    """Wait for the snapshot processes `tui.cli.main` started in this process (a hang guard)."""
    from tui.cli import STARTED_SNAPSHOTS

    while STARTED_SNAPSHOTS:
        STARTED_SNAPSHOTS.pop().wait(timeout=120)

"""Layout guards: SVG snapshots of the demo at 120x40 and 80x24, and of the welcome screen.

Update with `pytest tests/test_snapshots.py --snapshot-update` only after reading the report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsdesk_testing import settle
from store import NewsStore
from tui.app import NewsdeskApp
from tui.launch import fill_demo_store

WELCOME_STORE = Path("/tmp/newsdesk-snapshot-empty-store")  # fixed: the welcome text shows it


@pytest.fixture
def demo_app(tmp_path: Path):
    store = NewsStore(tmp_path / "demo")
    fill_demo_store(store)
    yield NewsdeskApp(store, demo=True, read_delay=3600)
    store.close()


def test_demo_three_panes_120x40(snap_compare, demo_app: NewsdeskApp) -> None:
    """Topbar with 27 articles; the list (seed first, then samples newest first, unread dots,
    stars, tag chips) on top; the seed's text below with 'not extracted yet' in the sidebar."""
    assert snap_compare(demo_app, terminal_size=(120, 40), run_before=settle)


def test_demo_second_article_80x24(snap_compare, demo_app: NewsdeskApp) -> None:
    """80x24: a shorter list (date without time, source column kept), the second article open
    in the text pane beside a narrow sidebar; nothing overlaps or is cut mid-pane."""

    async def move(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)

    assert snap_compare(demo_app, terminal_size=(80, 24), run_before=move)


def test_demo_wide_200x60(snap_compare, demo_app: NewsdeskApp) -> None:
    """200x60: list, text and sidebar side by side."""
    assert snap_compare(demo_app, terminal_size=(200, 60), run_before=settle)


def test_welcome_screen(snap_compare) -> None:
    """An empty store: the welcome box says how to import and mentions --demo."""
    shutil.rmtree(WELCOME_STORE, ignore_errors=True)
    store = NewsStore(WELCOME_STORE)
    try:
        assert snap_compare(NewsdeskApp(store), terminal_size=(100, 30), run_before=settle)
    finally:
        store.close()
        shutil.rmtree(WELCOME_STORE, ignore_errors=True)

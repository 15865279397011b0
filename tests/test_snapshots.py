"""Layout guards: SVG snapshots of the demo at 120x40 and 80x24, and of the welcome screen.

Update with `pytest tests/test_snapshots.py --snapshot-update` only after reading the report."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from newsdesk_testing import settle
from store import NewsStore
from tui.app import NewsdeskApp
from tui.demo import fill_demo_store

WELCOME_STORE = Path("/tmp/newsdesk-snapshot-empty-store")  # fixed: the welcome text shows it


@pytest.fixture
def demo_app(tmp_path: Path):
    store = NewsStore(tmp_path / "demo")
    fill_demo_store(store)
    yield NewsdeskApp(store, demo=True, read_delay=3600)
    store.close()


def test_demo_three_panes_120x40(snap_compare, demo_app: NewsdeskApp) -> None:
    """Topbar with 27 articles; the list (seed first, then samples newest first, unread dots,
    stars, tag chips) on top; the seed's text below, its shipped entities in the sidebar
    (people, then organisations, with their mention counts)."""
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


def test_strange_text_keeps_the_panes_intact_80x24(snap_compare, tmp_path: Path) -> None:
    """Very long unbroken lines, CJK (two cells a character), emoji with ZWJ, right-to-left text
    and stacked combining marks in a title, body, source, tags and entities: at 80x24 every pane
    keeps its borders and width (the snapshot shows nothing spilling over)."""
    from articles.model import Article, Entity

    store = NewsStore(tmp_path / "strange")
    strange = Article.create(
        title="上海市长访问以色列 👩‍👩‍👧‍👦 مرحبا بالعالم Z̵̡̢̛̗̘̙̜̝̞̟̠͇͈͉͍͎ạ̸̡̛̗̘̙ l̷̢̛̗̘̙̜g̶̡̛̗̘̙o " + "W" * 150,
        body=("x" * 500 + "\n\n" + "日本語のテキスト" * 40 + "\n\n" + "שלום עולם " * 30 + "\n\n" + "👨‍💻🏳️‍🌈" * 50),
        url="https://strange.example/1",
        source="Ünïcödé 新聞 " + "S" * 60,
        published="2026-11-20T10:00:00Z",
        entities=(Entity("李明" * 10, "person", 3), Entity("مدينة" * 8, "place", 2)),
    )
    plain = Article.create(title="A plain neighbour", body="Ordinary text.", url="https://strange.example/2")
    store.add_articles([strange, plain])
    store.update_state([strange.id], add_tags=["标签" * 6, "👩‍👩‍👧‍👦 family", "t" * 60])
    app = NewsdeskApp(store, read_delay=3600)

    async def open_strange(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("j")  # the strange article, below the undated neighbour
        await settle(pilot)

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=open_strange)
    finally:
        store.close()

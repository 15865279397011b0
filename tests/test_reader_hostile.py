"""Article text is shown literally in every pane: markup payloads stay text, escapes never render."""

from __future__ import annotations

import pytest

from articles.model import Article, Entity
from newsdesk_testing import settle
from store import NewsStore
from tui.app import NewsdeskApp
from tui.messages import StoreFailed
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText
from tui.widgets.entity_sidebar import EntitySidebar

MARKUP = [
    "[bold]bold[/bold]",
    "[link=https://evil.example]link[/link]",
    "[@click=app.quit]click[/]",
    "[ @click=app.quit]spaced",
    "[$accent @click=app.quit]var",
    "a [/] b",
    "[/x]",
    "[B]upper[/B]",
    "[/",
    "[0]",
]
ESCAPES = "\x1b]52;c;cHduZWQ=\x07\x1b]8;;https://evil.example\x1b\\x\x1b[2J\x1b[6n\x9b31m\u202etxt\u2066\x00"


def hostile_article(payload: str) -> Article:
    """Built without the importer, so the render path alone must make it safe."""
    return Article(
        id="a0a0a0a0a0a0",
        key="guid:hostile",
        title=f"T {payload} {ESCAPES}",
        body=f"Body {payload}\n\nsecond {ESCAPES} paragraph",
        summary=f"Sum {payload}",
        author=f"Au {payload}",
        source=f"So {payload}",
        url="https://news.example/x",
        published="2026-11-01T10:00:00+00:00",
        entities=(Entity(f"En {payload}{ESCAPES}", "person", 2),),
    )


def rendered_text(strips) -> str:  # type: ignore[no-untyped-def]
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.mark.parametrize("payload", MARKUP)
async def test_payload_is_literal_in_every_pane(store: NewsStore, payload: str) -> None:
    store.add_articles([hostile_article(payload)])
    store.update_state(["a0a0a0a0a0a0"], add_tags=[f"tag {payload}"])
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        screen = app.screen
        listing = screen.query_one(ArticleList)
        row = rendered_text([listing.render_line(0)])
        full_row = listing.row_text(listing.item_at(0), 500).plain  # type: ignore[arg-type]
        view = screen.query_one(ArticleText)
        text = " ".join(view.plain_lines())  # wrapped lines joined back at the dropped space
        sidebar = screen.query_one(EntitySidebar)
        names = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]

        assert f"T {payload} " in full_row and f"#tag {payload}" in full_row
        for expected in (
            f"T {payload}",
            f"So {payload}",
            f"Au {payload}",
            f"Sum {payload}",
            f"Body {payload}",
            f"#tag {payload}",
        ):
            assert expected in text, expected
        assert any(f"En {payload}" in name for name in names)

        everything = row + full_row + text + rendered_text(view._lines) + "".join(names)
        for forbidden in ("\x1b", "\x9b", "\x07", "\x00", "\u202e", "\u2066"):
            assert forbidden not in everything
        assert "]52;c;cHduZWQ=" in text  # the harmless remainder is shown, not interpreted

        screen.post_message(StoreFailed(f"bad {payload}"))
        await pilot.pause()
        assert any(n.message == f"bad {payload}" for n in app._notifications)

        await pilot.click(ArticleList, offset=(40, 0))
        await pilot.click(ArticleText, offset=(4, 0))
        await pilot.pause()
        assert app.is_running  # no injected action ran

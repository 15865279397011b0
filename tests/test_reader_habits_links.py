"""Links in an article: an HTML body keeps its links, numbered `[1]`, `[2]` … in the text and listed
at its end; `3o` opens link 3 and `3y` copies it (a count before the key, no timeout, `escape`
clears it), `o` and `y` alone act on the article's own url.  The links are stored beside the
body, exported and imported again."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import orjson
import pytest

from articles.importers.records import export_record, record_to_article
from articles.sanitize import html_to_text_and_links
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.config import parse_settings
from tui.widgets.article_text import ArticleText

URL = "https://blog.example/post"
BODY = (
    "<p>Read <a href='https://one.example/report'>the report</a> and "
    "<a href='javascript:alert(1)'>this trap</a>, then "
    "<a href='/about'>the about page</a>.</p>"
    "<p>Write to <a href='mailto:editor@blog.example'>the editor</a> or see "
    "<a href='https://one.example/report'>the report again</a> and "
    "<a href='https://x.example/[bold]red[/bold]?\x1b[31m'>markup</a>.</p>"
)


def test_html_keeps_each_link_numbered_in_the_text() -> None:
    text, links = html_to_text_and_links(BODY, base=URL)
    assert links == ("https://one.example/report", "https://blog.example/about", "mailto:editor@blog.example",
                     "https://x.example/[bold]red[/bold]?[31m")
    assert "the report[1] and this trap, then the about page[2]." in text
    assert "the editor[3] or see the report again[1] and markup[4]." in text


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    article = record_to_article({"title": "A linked post", "body": BODY, "url": URL}, fetched="2026-01-01T00:00:00Z")
    assert article is not None
    store.add_articles([article])
    return store


def test_links_are_stored_exported_and_imported_again(news: NewsStore, tmp_path: Path) -> None:
    stored = next(news.iter_articles())
    assert len(stored.article.links) == 4
    record = orjson.loads(orjson.dumps(export_record(stored.article, [], False, False)))
    assert record["links"] == list(stored.article.links)
    assert stored.to_json()["links"] == list(stored.article.links)
    again = record_to_article(record, fetched="2026-02-01T00:00:00Z")
    assert again is not None and again.links == stored.article.links and again.body == stored.article.body
    with NewsStore(tmp_path / "other") as other:
        other.add_articles([again])
        assert next(other.iter_articles()).article.links == stored.article.links


async def test_the_text_pane_lists_the_links_literally(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = app.screen.query_one(ArticleText).plain_lines()
        text = " ".join(lines)
        assert "the report[1]" in text and "the editor[3]" in text
        assert "Links" in lines
        assert "[1] https://one.example/report" in lines
        assert "[4] https://x.example/[bold]red[/bold]?[31m" in lines  # literal, no markup, no escape


async def test_a_count_picks_the_link_and_escape_clears_it(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2", "y")
        await settle(pilot)
        assert app.clipboard == "https://blog.example/about"
        await pilot.press("y")  # alone: the article's own url, at once
        await settle(pilot)
        assert app.clipboard == URL
        await pilot.press("3", "escape", "y")  # escape cleared the count (and did nothing else)
        await settle(pilot)
        assert app.clipboard == URL
        await pilot.press("1", "j", "y")  # another key takes the count away
        await settle(pilot)
        assert app.clipboard == URL
        await pilot.press("9", "y")
        await settle(pilot)
        assert app.clipboard == URL
        assert any("No link 9: this article has 4 links" in n.message for n in app._notifications)
        await pilot.press("tab", "3", "y")  # from the text pane too
        await settle(pilot)
        assert app.clipboard == "mailto:editor@blog.example"


async def test_a_count_before_o_opens_that_link(news: NewsStore, tmp_path: Path) -> None:
    out = tmp_path / "opened.txt"
    script = (
        f"import pathlib, sys; t = pathlib.Path({str(out) + '.part'!r}); t.write_text(repr(sys.argv[1:]));"
        f" t.rename({str(out)!r})"
    )
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}"
    settings = parse_settings({"reader": {"open_command": command, "read_after": 3600}}, Path("c.toml"))
    app = NewsdeskApp(news, settings=settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1", "o")
        await wait_until(pilot, out.exists)
    assert out.read_text() == repr(["https://one.example/report"])


def test_feeds_and_markdown_keep_their_links_too(tmp_path: Path) -> None:
    from articles.importers import read_source
    from articles.model import Article

    feed = tmp_path / "feed.xml"
    feed.write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>F</title><item><title>Linked</title>"
        "<link>https://f.example/1</link><description>&lt;p&gt;See &lt;a href='/docs'&gt;the docs&lt;/a&gt;"
        " and &lt;a href='data:text/html,x'&gt;this&lt;/a&gt;.&lt;/p&gt;</description></item></channel></rss>",
        encoding="utf-8",
    )
    (item,) = [i for i in read_source(str(feed)) if isinstance(i, Article)]
    assert item.body == "See the docs[1] and this." and item.links == ("https://f.example/docs",)
    assert item.summary == ""  # the description is the body: not shown twice
    note = tmp_path / "note.md"
    note.write_text("# A note\n\nRead [the paper](https://p.example/x) and [this](file:///etc/passwd).\n")
    (md,) = [i for i in read_source(str(note)) if isinstance(i, Article)]
    assert md.body == "Read the paper[1] and this." and md.links == ("https://p.example/x",)


async def test_digits_typed_in_the_search_bar_are_no_count(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"post 2", "enter", "y")
        await settle(pilot)
        assert app.clipboard == URL


async def test_the_top_bar_shows_the_count_waiting(news: NewsStore) -> None:
    from tui.widgets.top_bar import TopBar

    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(TopBar)
        await pilot.press("1", "2")
        await settle(pilot)
        assert "12… (o opens link 12" in str(bar.render())
        await pilot.press("escape")
        await settle(pilot)
        assert "…" not in str(bar.render())


def test_show_lists_the_links_after_the_body(news: NewsStore, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    article_id = next(news.iter_articles()).article.id
    root = str(news.root)
    news.close()
    assert main(["--store", root, "show", article_id]) == 0
    out = capsys.readouterr().out
    assert "the report[1]" in out and "Links:\n[1] https://one.example/report\n[2] https://blog.example/about" in out
    assert "\x1b" not in out

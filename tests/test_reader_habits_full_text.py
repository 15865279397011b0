"""Full text now: `f` fetches the current article's page (a loopback server here) in the
background and puts its main text in place of the feed's teaser; `u` puts the teaser back and
`ctrl+r` the full text again; a later read of the feed bringing the same teaser keeps the full
text, a changed item replaces it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from articles.importers import read_source
from articles.entities.extract import model_available
from articles.model import Article, Entity
from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.widgets.article_text import ArticleText
from tui.widgets.entity_sidebar import EntitySidebar

PAGE = (
    b"<html><head><title>Harbour report</title></head><body><nav><a href='/'>Home</a></nav><article>"
    b"<h1>Harbour report</h1>"
    + b"".join(
        b"<p>The harbour authority reported record cargo volumes in paragraph %d, as the port's "
        b"<a href='https://port.example/figures'>own figures</a> show.</p>" % i
        for i in range(6)
    )
    + b"<p>Maria Keller, the director of the Port of Kessford, said the figures would be published in Rotterdam.</p>"
    + b"</article></body></html>"
)


def feed(description: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Teasers</title>"
        "<link>http://127.0.0.1/</link><item><title>Harbour report</title><link>{base}/page.html</link>"
        f"<guid>harbour-1</guid><description>{description}</description>"
        "<pubDate>Wed, 05 Jun 2024 09:00:00 GMT</pubDate></item></channel></rss>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    base = ""
    teaser = "Record cargo at the harbour…"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path == "/feed.xml":
            body, kind = feed(Handler.teaser).replace(b"{base}", Handler.base.encode()), "application/rss+xml"
        elif self.path == "/page.html":
            body, kind = PAGE, "text/html; charset=utf-8"
        else:
            body, kind = b"", "text/plain"
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.teaser = "Record cargo at the harbour…"
    yield Handler.base
    httpd.shutdown()
    httpd.server_close()


def read_feed(base: str) -> list[Article]:
    return [item for item in read_source(f"{base}/feed.xml") if isinstance(item, Article)]


def text_of(app: NewsdeskApp) -> str:
    return " ".join(app.screen.query_one(ArticleText).plain_lines())


async def test_f_replaces_the_teaser_undoably_and_a_refresh_keeps_it(store: NewsStore, server: str) -> None:
    store.add_articles(read_feed(server))
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Record cargo at the harbour…" in text_of(app)
        await pilot.press("f")
        await wait_until(pilot, lambda: "paragraph 5" in text_of(app))
        stored = next(store.iter_articles()).article
        assert stored.teaser == "Record cargo at the harbour…"
        assert stored.links == ("https://port.example/figures",)
        assert "own figures[1]" in stored.body and "[1] https://port.example/figures" in text_of(app)
        assert store.search("cargo volumes").count == 1  # the search index has the full text

        await pilot.press("u")
        await wait_until(pilot, lambda: "paragraph 5" not in text_of(app))
        assert next(store.iter_articles()).article.body == "Record cargo at the harbour…"
        assert next(store.iter_articles()).article.teaser == ""
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "paragraph 5" in text_of(app))

        counts = store.add_articles(read_feed(server))  # the feed again, with the same teaser
        assert counts.duplicates == 1 and counts.updated == 0
        assert "paragraph 5" in next(store.iter_articles()).article.body

        await pilot.press("f")  # again: said, nothing fetched over it
        await wait_until(pilot, lambda: any("already" in n.message for n in app._notifications))

    Handler.teaser = "Record cargo at the harbour, and a strike."  # the source changed the item
    store.add_articles(read_feed(server))
    changed = next(store.iter_articles()).article
    assert changed.body == "Record cargo at the harbour, and a strike." and changed.teaser == "" and not changed.links


def sidebar_text(app: NewsdeskApp) -> str:
    sidebar = app.screen.query_one(EntitySidebar)
    return " ".join(str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count))


def entity_names(store: NewsStore) -> set[str]:
    return {e.name for e in next(store.iter_articles()).article.entities or ()}


@pytest.mark.skipif(not model_available(None), reason="no spaCy model installed: entities cannot be extracted")
async def test_f_extracts_the_entities_of_the_full_text_again(store: NewsStore, server: str) -> None:
    store.add_articles(read_feed(server))
    (stored,) = store.iter_articles()
    store.set_entities({stored.article.id: [Entity("Teaser Person", "PERSON")]})  # what the teaser named
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_until(pilot, lambda: "Maria Keller" in entity_names(store), timeout=120)
        assert "Teaser Person" not in entity_names(store)
        await wait_until(pilot, lambda: "Maria Keller" in sidebar_text(app), timeout=30)
        await pilot.press("u")  # the teaser back: its names are those of the teaser's text (none)
        await wait_until(pilot, lambda: "Maria Keller" not in entity_names(store), timeout=120)


async def test_f_on_a_page_with_no_more_text_says_so(store: NewsStore, server: str) -> None:
    long_body = "A body longer than any page. " * 400
    store.add_articles([Article.create(title="Long", body=long_body, url=f"{server}/page.html")])
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await wait_until(pilot, lambda: any("no more text" in n.message for n in app._notifications))
    assert next(store.iter_articles()).article.teaser == ""

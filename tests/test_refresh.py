"""Subscriptions and `refresh` against a loopback server: conditional GETs (ETag and
Last-Modified), a permanent move, a feed that is gone (410), a failing feed beside good ones;
`feeds` remove, pause, resume; and the reader's F view and R."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from newsdesk_testing import settle, wait_until
from store import NewsStore
from tui.app import NewsdeskApp
from tui.cli import main


def rss(title: str, items: list[str], link: str = "http://127.0.0.1/") -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>{link}{t.replace(' ', '-')}</link><guid>{t}</guid>"
        f"<description>{t} happened.</description><pubDate>Wed, 05 Jun 2024 09:0{n}:00 GMT</pubDate></item>"
        for n, t in enumerate(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'.encode()


class Feeds:
    """What the server serves; tests change it between refreshes."""

    def __init__(self) -> None:
        self.items = {"/a.xml": ["Bridge reopens"], "/b.xml": ["Ferry strike"], "/new.xml": ["Harbour dredged"]}
        self.etags = {"/a.xml": '"a1"', "/b.xml": None, "/new.xml": '"n1"'}
        self.modified = {"/b.xml": "Wed, 05 Jun 2024 10:00:00 GMT"}
        self.status: dict[str, int] = {}
        self.requests: list[tuple[str, str | None, str | None]] = []
        self.link = "http://127.0.0.1/"


@pytest.fixture
def server() -> Iterator[tuple[str, Feeds]]:
    feeds = Feeds()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path
            feeds.requests.append((path, self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")))
            if path.startswith("/page/"):
                data = (
                    "<html><head><title>Page</title></head><body><article><h1>Page</h1>"
                    + "".join(
                        f"<p>The full report, paragraph {n}, says much more than the teaser.</p>" for n in range(8)
                    )
                    + "</article></body></html>"
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            if path == "/old.xml":
                self.send_response(301)
                self.send_header("Location", "/new.xml")
                self.end_headers()
                return
            status = feeds.status.get(path, 200)
            if status != 200 or path not in feeds.items:
                self.send_response(status if status != 200 else 404)
                self.end_headers()
                return
            etag, modified = feeds.etags.get(path), feeds.modified.get(path)
            if (etag and self.headers.get("If-None-Match") == etag) or (
                modified and not etag and self.headers.get("If-Modified-Since") == modified
            ):
                self.send_response(304)
                self.end_headers()
                return
            data = rss(f"Feed {path}", feeds.items[path], feeds.link)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(data)))
            if etag:
                self.send_header("ETag", etag)
            if modified:
                self.send_header("Last-Modified", modified)
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", feeds
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(capsys: pytest.CaptureFixture[str], store: str, *args: str) -> tuple[int, str, str]:
    code = main(["--store", store, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def subscribe(capsys: pytest.CaptureFixture[str], store: str, *urls: str) -> None:
    code, _out, err = run(capsys, store, "import", "--no-entities", *urls)
    assert code == 0, err


def feeds_of(capsys: pytest.CaptureFixture[str], store: str) -> dict[str, dict]:  # type: ignore[type-arg]
    code, out, _err = run(capsys, store, "feeds", "--json")
    assert code == 0
    return {f["url"]: f for f in json.loads(out)}


def test_refresh_asks_conditionally_and_imports_only_what_is_new(
    server: tuple[str, Feeds], capsys: pytest.CaptureFixture[str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    base, feeds = server
    store = str(tmp_path / "s")
    subscribe(capsys, store, f"{base}/a.xml", f"{base}/b.xml")
    stored = feeds_of(capsys, store)
    assert stored[f"{base}/a.xml"]["unread"] == 1 and stored[f"{base}/b.xml"]["articles"] == 1

    assert stored[f"{base}/a.xml"]["etag"] == '"a1"'  # the import keeps the validators of its fetch

    # So the first refresh asks "changed since?" and reads nothing again.
    feeds.requests.clear()
    code, out, _err = run(capsys, store, "refresh", "--json", "--no-entities")
    summary = json.loads(out)
    assert code == 0 and summary["feeds"] == 2 and summary["imported"] == 0 and summary["duplicates"] == 0
    assert summary["unchanged"] == 2 and summary["new"] == 0, summary
    sent = {path: (etag, since) for path, etag, since in feeds.requests}
    assert sent["/a.xml"][0] == '"a1"' and sent["/b.xml"][1] == "Wed, 05 Jun 2024 10:00:00 GMT"

    feeds.items["/a.xml"].append("Bridge closes again")
    feeds.etags["/a.xml"] = '"a2"'
    code, out, _err = run(capsys, store, "refresh", "--json", "--no-entities")
    summary = json.loads(out)
    assert summary["new"] == 1 and summary["imported"] == 1 and summary["unchanged"] == 1
    after = feeds_of(capsys, store)[f"{base}/a.xml"]
    assert after["etag"] == '"a2"' and after["unread"] == 2 and after["checked"] and after["error"] == ""


def test_a_permanent_move_updates_the_subscription(server: tuple[str, Feeds], capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base, feeds = server
    store = str(tmp_path / "s")
    subscribe(capsys, store, f"{base}/a.xml")
    with NewsStore(store) as opened:  # a subscription made before the feed moved
        opened.update_feed(f"{base}/a.xml", url=f"{base}/old.xml")
    code, out, _err = run(capsys, store, "refresh", "--json", "--no-entities")
    assert code == 0 and json.loads(out)["moved"] == 1
    assert f"{base}/new.xml" in feeds_of(capsys, store)
    feeds.requests.clear()
    run(capsys, store, "refresh", "--no-entities")
    assert [r[0] for r in feeds.requests] == ["/new.xml"]  # straight to the new url


def test_a_gone_feed_is_paused_and_a_failing_one_does_not_stop_the_rest(
    server: tuple[str, Feeds], capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    base, feeds = server
    store = str(tmp_path / "s")
    subscribe(capsys, store, f"{base}/a.xml", f"{base}/b.xml", f"{base}/new.xml")
    feeds.status["/a.xml"] = 410
    feeds.status["/b.xml"] = 500
    feeds.items["/new.xml"].append("Harbour reopens")
    feeds.etags["/new.xml"] = '"n2"'
    code, out, err = run(capsys, store, "refresh", "--json", "--no-entities")
    summary = json.loads(out)
    assert code == 1 and summary["gone"] == 1 and summary["failed"] == 1 and summary["imported"] == 1
    assert "410" in err and f"{base}/b.xml: HTTP 500" in err
    stored = feeds_of(capsys, store)
    assert stored[f"{base}/a.xml"]["paused"] is True and "410" in stored[f"{base}/a.xml"]["note"]
    assert "HTTP 500" in stored[f"{base}/b.xml"]["error"] and not stored[f"{base}/b.xml"]["paused"]

    feeds.requests.clear()
    run(capsys, store, "refresh", "--no-entities")
    assert "/a.xml" not in [r[0] for r in feeds.requests]  # paused: not asked
    feeds.status.clear()
    assert run(capsys, store, "feeds", "resume", f"{base}/a.xml")[0] == 0
    assert run(capsys, store, "refresh", "--json", "--no-entities")[0] == 0
    assert not feeds_of(capsys, store)[f"{base}/a.xml"]["paused"]


def test_a_feed_that_fails_during_an_opml_import_shows_its_error_at_once(
    server: tuple[str, Feeds], capsys, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The OPML's feeds are fetched at import: one that answers 500 is subscribed with that
    error, so `feeds` says it is failing before any refresh; the good one has none.  Imported
    again once the server is well, the error is cleared."""
    base, feeds = server
    store = str(tmp_path / "s")
    feeds.status["/b.xml"] = 500
    opml = tmp_path / "subs.opml"
    opml.write_text(
        f'<opml version="2.0"><body><outline text="A" xmlUrl="{base}/a.xml"/>'
        f'<outline text="B" xmlUrl="{base}/b.xml"/></body></opml>'
    )
    code, out, err = run(capsys, store, "import", "--no-entities", "--json", str(opml))
    assert code == 1 and json.loads(out)["feeds"] == 2 and f"{base}/b.xml: HTTP 500" in err
    stored = feeds_of(capsys, store)
    assert "HTTP 500" in stored[f"{base}/b.xml"]["error"] and stored[f"{base}/b.xml"]["checked"]
    assert stored[f"{base}/a.xml"]["error"] == "" and stored[f"{base}/a.xml"]["unread"] == 1
    code, out, _err = run(capsys, store, "feeds")
    (line,) = [row for row in out.splitlines() if f"{base}/b.xml" in row]
    assert line.endswith("(failing)")
    assert not [row for row in out.splitlines() if f"{base}/a.xml" in row and "(failing)" in row]

    feeds.status.clear()
    code, out, err = run(capsys, store, "import", "--no-entities", "--json", str(opml))
    assert code == 0, err
    assert feeds_of(capsys, store)[f"{base}/b.xml"]["error"] == ""


def test_feeds_remove_and_pause_by_hand(server: tuple[str, Feeds], capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base, _feeds = server
    store = str(tmp_path / "s")
    subscribe(capsys, store, f"{base}/a.xml", f"{base}/b.xml")
    assert run(capsys, store, "feeds", "pause", f"{base}/b.xml")[0] == 0
    assert feeds_of(capsys, store)[f"{base}/b.xml"]["paused"] is True
    code, out, _err = run(capsys, store, "feeds", "remove", f"{base}/a.xml")
    assert code == 0 and "articles stay" in out
    assert set(feeds_of(capsys, store)) == {f"{base}/b.xml"}
    assert run(capsys, store, "search", "--count", "Bridge")[1].strip() == "1"  # its article stays
    assert run(capsys, store, "feeds", "remove", f"{base}/nope.xml")[0] == 1
    assert run(capsys, store, "feeds", "frobnicate", "x")[0] == 2


async def test_reader_feeds_view_and_refresh(server: tuple[str, Feeds], capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tui.screens.feeds import FeedsScreen
    from tui.screens.main import MainScreen

    base, feeds = server
    root = tmp_path / "s"
    subscribe(capsys, str(root), f"{base}/a.xml", f"{base}/b.xml")
    feeds.items["/a.xml"] += ["Bridge closes again", "Bridge reopens again"]
    feeds.etags["/a.xml"] = '"a2"'
    with NewsStore(root) as news:
        app = NewsdeskApp(news, read_delay=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            main_screen = app.screen
            assert isinstance(main_screen, MainScreen) and main_screen.article_list.total == 2
            await pilot.press("R")  # refresh in the background: the reader keeps answering
            await wait_until(pilot, lambda: app.background_status == "" and main_screen.article_list.total == 4)
            assert any(n.title == "Refreshed" and "2 new" in n.message for n in app._notifications)

            await pilot.press("F")
            await wait_until(pilot, lambda: isinstance(app.screen, FeedsScreen) and len(app.screen.feeds) == 2)
            screen = app.screen
            assert isinstance(screen, FeedsScreen)
            by_url = {f["url"]: f for f in screen.feeds}
            assert by_url[f"{base}/a.xml"]["unread"] == 3 and by_url[f"{base}/b.xml"]["articles"] == 1
            row = [f["url"] for f in screen.feeds].index(f"{base}/b.xml")
            screen.query_one("DataTable").move_cursor(row=row)  # type: ignore[attr-defined]
            await pilot.press("p")  # pause it
            await wait_until(pilot, lambda: next(f for f in screen.feeds if f["url"].endswith("b.xml")).get("paused"))
            await pilot.press("enter")  # open the paused feed's articles
            await wait_until(pilot, lambda: isinstance(app.screen, MainScreen) and main_screen.article_list.total == 1)
            current = main_screen.article_list.current
            assert current is not None and current.title == "Ferry strike"
    with NewsStore(root) as news:
        assert {f["url"]: f["paused"] for f in news.subscriptions()} == {f"{base}/a.xml": False, f"{base}/b.xml": True}


def test_a_teaser_feed_opted_in_gets_each_new_items_page(server: tuple[str, Feeds], capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base, feeds = server
    feeds.link = f"{base}/page/"
    store = str(tmp_path / "s")
    subscribe(capsys, store, f"{base}/a.xml")
    assert run(capsys, store, "feeds", "fulltext", "on", f"{base}/a.xml")[0] == 0
    assert feeds_of(capsys, store)[f"{base}/a.xml"]["full_text"] is True
    feeds.items["/a.xml"].append("Bridge inquiry")
    feeds.etags["/a.xml"] = '"a3"'
    feeds.requests.clear()
    code, out, err = run(capsys, store, "refresh", "--json", "--no-entities")
    assert code == 0 and json.loads(out)["imported"] == 1, err
    assert [r[0] for r in feeds.requests if r[0].startswith("/page/")] == ["/page/Bridge-inquiry"]  # new items only
    code, out, _err = run(capsys, store, "search", "--json", "inquiry")
    item = json.loads(out)[0]
    shown = json.loads(run(capsys, store, "show", item["id"], "--json")[1])
    assert "says much more than the teaser" in shown["body"]
    old = json.loads(run(capsys, store, "search", "--json", '"bridge reopens"')[1])[0]
    assert "happened" in json.loads(run(capsys, store, "show", old["id"], "--json")[1])["body"]  # kept as it was
    assert run(capsys, store, "feeds", "fulltext", "sideways", f"{base}/a.xml")[0] == 2


async def test_the_reader_refreshes_on_its_interval(server: tuple[str, Feeds], capsys, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import tui.app
    from tui.config import parse_settings

    base, feeds = server
    root = tmp_path / "s"
    subscribe(capsys, str(root), f"{base}/a.xml")
    feeds.requests.clear()
    monkeypatch.setattr(tui.app, "SECONDS_PER_MINUTE", 0.2)  # [reader] refresh_minutes = 1 → 0.2 s
    settings = parse_settings({"reader": {"refresh_minutes": 1}}, root / "c.toml")
    with NewsStore(root) as news:
        app = NewsdeskApp(news, settings=settings)
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: len(feeds.requests) >= 2 and app.background_status == "")
    assert {r[0] for r in feeds.requests} == {"/a.xml"}


async def test_a_cron_refresh_beside_an_open_reader(server: tuple[str, Feeds], capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`newsdesk refresh` from another process (cron) while the reader is open on the same
    store: the reader shows the new articles, and its own change made meanwhile is kept."""
    import asyncio
    import subprocess
    import sys

    from newsdesk_testing import REPO

    base, feeds = server
    root = tmp_path / "s"
    subscribe(capsys, str(root), f"{base}/a.xml")
    feeds.items["/a.xml"] += ["Bridge closes again", "Bridge reopens again"]
    feeds.etags["/a.xml"] = '"a2"'
    with NewsStore(root) as news:
        app = NewsdeskApp(news, read_delay=3600)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("s")  # star the one article, in the reader
            cron = asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "tui.cli", "--store", str(root), "refresh", "--no-entities"],
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=120,
            )
            done = await cron
            assert done.returncode == 0, done.stderr
            await wait_until(pilot, lambda: app.screen.article_list.total == 3)
        assert news.count_matching("is:starred") == 1

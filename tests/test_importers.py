"""Importers on the customer's seed, the real feeds and the Wikinews corpus, plus crafted cases."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from articles.importers import Problem, Skipped, Subscription, read_source
from articles.model import Article
from newsdesk_testing import shared_names, shared_path


def split(items) -> tuple[list[Article], list[Problem], list[Subscription]]:
    items = list(items)
    return (
        [i for i in items if isinstance(i, Article)],
        [i for i in items if isinstance(i, Problem)],
        [i for i in items if isinstance(i, Subscription)],
    )


# -- the seed -----------------------------------------------------------------------------------
def test_seed_text_title_paragraphs_and_no_section_label() -> None:
    seed = shared_path("seed", "shanghai-mayor-visits-israel.txt")
    articles, problems, _ = split(read_source(str(seed)))
    assert problems == []
    (article,) = articles
    assert article.title == "Shanghai mayor visits Israel to deepen cooperation in innovation and key industries"
    assert "Special Reports" not in article.body
    assert article.body.endswith(
        "attend the signing ceremony of Shanghai International Port Co’s terminal project at port of Haifa."
    )
    assert article.body.count("\n\n") >= 10  # paragraphs kept
    # The standfirst repeated at the start of the next paragraph becomes the summary.
    assert article.summary == "Shanghai Mayor Ying Yong led a delegation to visit Israel from June 5 to 7."
    assert article.body.startswith("Shanghai Mayor Ying Yong led a delegation to visit Israel from June 5 to 7. During")
    assert article.language == "en"
    assert article.published is None
    assert len(article.id) == 12


# -- feeds --------------------------------------------------------------------------------------
BROKEN_FEEDS = {
    "feedparser__aaa_illformed.xml": "unclosed token",
    "feedparser__rss_empty_document.xml": "no element found",
    "feedparser__rss_incomplete_cdata.xml": "no item could be recovered",
    "feedrs__rss_2.0_invalid_1.xml": "line 19, column 84",
}
EMPTY_BUT_VALID = {"feedparser__utf-16le-bom.xml"}


@pytest.mark.parametrize("name", shared_names("feeds", (".xml", ".json")))
def test_every_feed_file_imports_or_fails_clearly(name: str) -> None:
    path = shared_path("feeds", name)
    articles, problems, _ = split(read_source(str(path)))
    fatal = [p for p in problems if p.fatal]
    if name in BROKEN_FEEDS:
        assert articles == []
        assert len(fatal) == 1, problems
        assert BROKEN_FEEDS[name] in fatal[0].reason
        assert str(path) in str(fatal[0])
    elif name in EMPTY_BUT_VALID:
        assert articles == [] and fatal == []
    else:
        assert articles, problems
        assert fatal == []
        assert all(article.title for article in articles)
        assert any(article.body or article.summary for article in articles)
        assert all(a.url is None or a.url.startswith(("http://", "https://")) for a in articles)


def test_feed_dates_sources_and_languages() -> None:
    bbc, _, _ = split(read_source(str(shared_path("feeds", "feedrs__rss_2.0_bbc.xml"))))
    assert bbc[0].published == "2021-02-25T10:15:00+00:00"
    assert bbc[0].language == "en"
    assert bbc[0].source
    spiegel, _, _ = split(read_source(str(shared_path("feeds", "feedrs__rss_2.0_spiegel.xml"))))
    assert spiegel[0].language == "de"
    koi8, _, _ = split(read_source(str(shared_path("feeds", "feedparser__koi8r.xml"))))
    assert koi8[0].title == "Как пережить новогоднюю ночь"  # undeclared KOI8-R decoded correctly


def test_json_feed_is_read() -> None:
    articles, problems, _ = split(read_source(str(shared_path("feeds", "feedrs__jsonfeed_elastic_1.1.json"))))
    assert [p for p in problems if p.fatal] == []
    assert len(articles) == 3
    assert articles[0].title == "InfluxDB vs. Graphite for Time Series Data & Metrics Benchmark"
    assert articles[0].published == "2019-05-31T12:17:58-07:00"


def test_atom_entries() -> None:
    articles, _, _ = split(read_source(str(shared_path("feeds", "feedrs__atom_mediarss_reddit_1.xml"))))
    assert len(articles) == 25
    assert len({a.id for a in articles}) == 25


def test_whole_feeds_folder_never_crashes() -> None:
    articles, problems, _ = split(read_source(str(shared_path("feeds"))))
    assert len(articles) > 40
    assert {Path(p.source).name for p in problems if p.fatal} == set(BROKEN_FEEDS)


# -- wikinews -----------------------------------------------------------------------------------
def test_wikinews_jsonl_records() -> None:
    articles, problems, _ = split(read_source(str(shared_path("wikinews", "articles.jsonl"))))
    assert problems == []
    assert len(articles) == 193
    assert len({a.id for a in articles}) == 163  # 30 records repeat a url
    first = articles[0]
    assert first.source == "Wikinews"
    assert first.published == "2008-03-01T00:00:00+00:00"
    assert first.url and first.url.startswith("http://en.wikinews.org/wiki/")


# -- crafted cases ------------------------------------------------------------------------------
def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "note.md",
        "---\ntitle: Harbour *opens*\ndate: 2024-06-05\nauthor: Ana Lima\n"
        "tags: [ports, Energy]\nurl: https://example.org/harbour\n---\n\n"
        "The **new** harbour [opened](https://example.org) today.\n\n- one\n- two\n",
    )
    (article,), problems, _ = split(read_source(str(path)))
    assert problems == []
    assert article.title == "Harbour opens"
    assert article.published == "2024-06-05T00:00:00+00:00"
    assert article.author == "Ana Lima"
    assert article.tags == ("ports", "Energy")
    assert article.body == "The new harbour opened[1] today.\n• one\n• two"  # link 1, kept beside it
    assert article.links == ("https://example.org",)
    assert article.url == "https://example.org/harbour"


def test_markdown_heading_title_without_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.markdown", "# Council votes\n\nThe council voted on Tuesday.\n")
    (article,), _, _ = split(read_source(str(path)))
    assert article.title == "Council votes"
    assert article.body == "The council voted on Tuesday."


def test_bad_front_matter_warns_and_imports(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.md", "---\ntitle: [unclosed\n---\n# Still here\n\nBody.\n")
    articles, problems, _ = split(read_source(str(path)))
    assert len(articles) == 1 and articles[0].title == "Still here"
    assert problems and problems[0].warning and "front matter" in problems[0].reason


def test_html_page_main_text_without_scripts_or_navigation(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i} of the report on the river delta flooding, with enough words to count as text.</p>"
        for i in range(8)
    )
    page = (
        "<!DOCTYPE html><html lang='en'><head><title>Delta floods | Example News</title>"
        "<meta property='og:title' content='Delta floods recede'>"
        "<meta name='author' content='Kim Osei'>"
        "<meta property='article:published_time' content='2024-05-01T08:30:00Z'>"
        "<script>alert('x'); var secret = 1;</script><style>body{color:red}</style></head>"
        "<body><nav><a href='/'>Home</a> <a href='/world'>World navigation link</a></nav>"
        f"<article><h1>Delta floods recede</h1>{paragraphs}</article>"
        "<footer>Copyright footer text</footer></body></html>"
    )
    path = write(tmp_path, "page.html", page)
    (article,), problems, _ = split(read_source(str(path)))
    assert [p for p in problems if p.fatal] == []
    assert article.title == "Delta floods recede"
    assert "Paragraph 7 of the report" in article.body
    assert "alert" not in article.body and "secret" not in article.body and "color:red" not in article.body
    assert "World navigation link" not in article.body
    assert article.author == "Kim Osei"
    assert article.published is not None and article.published.startswith("2024-05-01")
    assert article.language == "en"


def test_folder_recursive_by_content_not_extension(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    write(nested, "feed.dat", (shared_path("feeds", "feedrs__rss_2.0_bbc.xml")).read_bytes())
    write(tmp_path / "a", "story", "A title\n\nA body paragraph.\n")
    write(tmp_path, "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    write(tmp_path, ".hidden.txt", "Hidden\n\nnot imported\n")
    items = list(read_source(str(tmp_path)))
    articles, problems, _ = split(items)
    assert sorted(a.title for a in articles) == ["A title", "Marcus Aurelius"]
    assert problems == []  # the png is skipped: counted, and named with --verbose, not a failure
    (skipped,) = [i for i in items if isinstance(i, Skipped)]
    assert skipped.source.endswith("image.png") and not skipped.outside


def test_unknown_file_given_explicitly_fails(tmp_path: Path) -> None:
    path = write(tmp_path, "blob.bin", bytes(range(256)) * 4)
    _, problems, _ = split(read_source(str(path)))
    assert problems[0].fatal and "not a format" in problems[0].reason


def test_missing_source_and_other_schemes() -> None:
    _, problems, _ = split(read_source("/no/such/file.xml"))
    assert problems[0].fatal and "no such file" in problems[0].reason
    _, problems, _ = split(read_source("ftp://example.org/feed.xml"))
    assert problems[0].fatal and "http" in problems[0].reason
    _, problems, _ = split(read_source("file:///no/such/file.xml"))  # the user's own file:// url is read
    assert problems[0].fatal and "No such file" in problems[0].reason


def test_jsonl_bad_lines_are_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "One", "body": "First.", "url": "https://example.org/1", "date": "2024-01-02"}),
        "{not json",
        json.dumps(["not", "an", "object"]),
        json.dumps(
            {
                "headline": "Two",
                "content": "<p>Second &amp; last</p>",
                "link": "https://example.org/2",
                "pubDate": "Tue, 04 Jun 2024 10:00:00 +0200",
                "author": {"name": "Ren"},
            }
        ),
    ]
    path = write(tmp_path, "export.jsonl", "\n".join(lines) + "\n")
    articles, problems, _ = split(read_source(str(path)))
    assert [a.title for a in articles] == ["One", "Two"]
    assert articles[1].body == "Second & last"
    assert articles[1].published == "2024-06-04T10:00:00+02:00"
    assert articles[1].author == "Ren"
    # named as FILE:LINE, as compilers and grep name a place
    assert [p.source for p in problems] == [f"{path}:2", f"{path}:3"]
    assert str(problems[0]).startswith(f"{path}:2: invalid JSON")
    assert not any(p.fatal for p in problems)


def test_json_document_with_items_list(tmp_path: Path) -> None:
    doc = {"items": [{"title": "A", "text": "Alpha."}, {"title": "B", "text": "Beta.", "published": 1717600000}]}
    path = write(tmp_path, "dump.json", json.dumps(doc, indent=2))
    articles, problems, _ = split(read_source(str(path)))
    assert problems == []
    assert [a.title for a in articles] == ["A", "B"]
    assert articles[1].published == "2024-06-05T15:06:40+00:00"


def test_json_with_no_usable_record_fails_once(tmp_path: Path) -> None:
    path = write(tmp_path, "junk.json", json.dumps([{"x": 1}, {"y": 2}]))
    articles, problems, _ = split(read_source(str(path)))
    assert articles == []
    assert len(problems) == 1 and problems[0].fatal


def test_opml_lists_subscriptions_and_refuses_non_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>subs</title></head><body>'
        '<outline text="News"><outline text="Example" type="rss" xmlUrl="http://127.0.0.1:9/feed.xml"/></outline>'
        '<outline text="Local" type="rss" xmlUrl="file:///etc/passwd"/>'
        "</body></opml>"
    )
    path = write(tmp_path, "subs.opml", opml)
    _, problems, subs = split(read_source(str(path)))
    assert [(s.url, s.title, s.category) for s in subs] == [("http://127.0.0.1:9/feed.xml", "Example", "News")]
    assert any("file:///etc/passwd refused (in the OPML outline 'Local')" in p.reason for p in problems)
    assert any("127.0.0.1:9" in p.source for p in problems if p.fatal)  # the dead feed fails clearly


def test_feed_with_entity_declarations_is_refused(tmp_path: Path) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        "<rss version='2.0'><channel><title>&lol2;</title><item><title>&lol2;</title></item></channel></rss>"
    )
    path = write(tmp_path, "bomb.xml", bomb)
    articles, problems, _ = split(read_source(str(path)))
    assert articles == [] and problems[0].fatal and "entities" in problems[0].reason


# -- hostile feeds (issue 7): each refused or parsed in bounded time, with no file or network access
LOLZ = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)


def test_billion_laughs_behind_padding_is_refused(tmp_path: Path) -> None:
    padding = "<!-- " + "x" * 100_000 + " -->"  # pushes the DOCTYPE past any fixed-size head
    bomb = f'<?xml version="1.0"?>{padding}{LOLZ}<rss version="2.0"><channel><title>&lol9;</title></channel></rss>'
    started = time.monotonic()
    articles, problems, _ = split(read_source(str(write(tmp_path, "lolz.xml", bomb))))
    assert time.monotonic() - started < 10  # a hang guard: the refusal is immediate
    assert articles == [] and problems[0].fatal and "entities" in problems[0].reason


def test_external_entities_touch_no_file_and_no_server(tmp_path: Path) -> None:
    import http.server
    import threading

    requests: list[str] = []

    class Spy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"leaked")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Spy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    try:
        for target in (secret.as_uri(), f"http://127.0.0.1:{server.server_port}/xxe"):
            doc = (
                f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "{target}">]>'
                "<rss version='2.0'><channel><title>t</title><item><title>&xxe;</title></item></channel></rss>"
            )
            items = list(read_source(str(write(tmp_path, "xxe.xml", doc))))
            assert not any(isinstance(i, Article) and "TOP-SECRET" in i.title for i in items)
            assert any(isinstance(i, Problem) and i.fatal for i in items)
    finally:
        server.shutdown()
    assert requests == []


def test_deeply_nested_and_badly_encoded_feeds_end_in_bounded_time(tmp_path: Path) -> None:
    nested = "<rss version='2.0'><channel><title>deep</title><item><title>t</title><description>"
    nested += "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</description></item></channel></rss>"
    latin1 = "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Caf\xe9</title>"
    latin1 += "<item><title>Na\xefve caf\xe9 news</title><description>Cr\xe8me</description></item></channel></rss>"
    for name, data in (("nested.xml", nested.encode()), ("latin1.xml", latin1.encode("latin-1"))):
        path = tmp_path / name
        path.write_bytes(data)
        started = time.monotonic()
        items = list(read_source(str(path)))  # no exception escapes
        assert time.monotonic() - started < 60, name  # a hang guard
        assert items and all(isinstance(i, Article | Problem | Subscription) for i in items)
    titles = [i.title for i in read_source(str(tmp_path / "latin1.xml")) if isinstance(i, Article)]
    assert titles and "caf" in titles[0].lower()


def test_a_50mb_feed_file_is_refused_by_the_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    with path.open("wb") as handle:
        handle.write(b"<?xml version='1.0'?><rss version='2.0'><channel><title>huge</title>")
        item = b"<item><title>x</title><description>" + b"y" * 10_000 + b"</description></item>"
        for _ in range(5_300):
            handle.write(item)
        handle.write(b"</channel></rss>")
    assert path.stat().st_size > 50 * 1024 * 1024
    articles, problems, _ = split(read_source(str(path)))
    assert articles == [] and problems[0].fatal and "limit" in problems[0].reason


# -- a feed inside another document (issue 14, item 7) -------------------------------------------
def xhtml_wrapped_atom(entries: int = 10) -> str:
    """What a browser saves for an Atom feed it rendered: the feed inside an XHTML body."""
    items = "\n".join(
        f"""  <entry>
    <title>Wrapped story {n}</title>
    <link rel="alternate" href="https://wrapped.example/story/{n}"/>
    <id>tag:wrapped.example,2024:story-{n}</id>
    <updated>2024-03-{n:02d}T09:00:00Z</updated>
    <summary type="html">&lt;p&gt;Story {n} of the wrapped feed, in a sentence.&lt;/p&gt;</summary>
  </entry>"""
        for n in range(1, entries + 1)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Saved page</title></head>
<body>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Wrapped Gazette</title>
  <link rel="alternate" href="https://wrapped.example/"/>
  <id>tag:wrapped.example,2024:feed</id>
  <updated>2024-03-10T09:00:00Z</updated>
{items}
</feed>
</body></html>
"""


@pytest.mark.parametrize("name", ["capture.xhtml", "capture.html", "capture"])
def test_atom_feed_inside_an_xhtml_document_imports_its_entries(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, xhtml_wrapped_atom(10))
    articles, problems, _ = split(read_source(str(path)))
    assert [p for p in problems if not p.warning] == []
    assert [a.title for a in articles] == [f"Wrapped story {n}" for n in range(1, 11)]
    assert {a.source for a in articles} == {"Wrapped Gazette"}  # the feed's title, not the page's
    assert articles[2].url == "https://wrapped.example/story/3"
    assert articles[2].published == "2024-03-03T09:00:00+00:00"
    # in a folder walk too
    folder_articles, _, _ = split(read_source(str(tmp_path)))
    assert len(folder_articles) == 10


def test_a_page_that_only_mentions_feeds_is_still_a_page(tmp_path: Path) -> None:
    page = (
        "<!DOCTYPE html><html><head><title>About feeds</title>"
        '<link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>'
        "<body><article><h1>About feeds</h1><p>Write &lt;rss version='2.0'&gt; at the top of a feed, "
        "then a channel. " + "Feeds are how news readers keep up with sites. " * 20 + "</p>"
        "<rss version='2.0'><channel><title>An empty example</title></channel></rss></article></body></html>"
    )
    articles, problems, _ = split(read_source(str(write(tmp_path, "page.html", page))))
    assert [a.title for a in articles] == ["About feeds"]


def test_a_feed_inside_a_page_declaring_entities_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<html><body><rss version='2.0'><channel><title>t</title>"
        "<item><title>&xxe;</title><link>https://x.example/1</link></item></channel></rss></body></html>"
    )
    items = list(read_source(str(write(tmp_path, "xxe.xhtml", doc))))
    assert not any(isinstance(i, Article) and "TOP-SECRET" in (i.title + i.body) for i in items)


def test_a_feed_url_serving_an_xhtml_wrapped_feed_is_subscribed(tmp_path: Path) -> None:
    import http.server
    import threading

    body = xhtml_wrapped_atom(3).encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "application/xhtml+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/feed"
        articles, problems, subscriptions = split(read_source(url))
    finally:
        server.shutdown()
        server.server_close()
    assert [a.title for a in articles] == ["Wrapped story 1", "Wrapped story 2", "Wrapped story 3"]
    assert [s.url for s in subscriptions] == [url]

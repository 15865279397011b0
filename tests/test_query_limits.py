"""The search language's limits (store.search.query): nesting depth, url:/feed: length, the words of a
prefix phrase.  Every query past a limit is a QueryError with a position (exit 2 on the command
line, the note in the reader), never a RecursionError or tantivy's "Compiled regex exceeds size
limit"; every query within them runs through everything that walks the tree."""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual import events

from articles.model import Article, Entity
from newsdesk_testing import REPO, index_behind, settle, wait_until
from store import Highlighter, NewsStore, QueryError, parse_query
from store.search.query import MAX_DEPTH, MAX_PREFIX_PHRASE_WORD_BYTES, MAX_SUBSTRING_BYTES, narrowed
from store.search.text_fields import MAX_WORD_BYTES
from tui.app import NewsdeskApp
from tui.cli import main
from tui.screens.main import MainScreen
from tui.screens.saved_views import SavedViewsScreen
from tui.widgets.article_list import ArticleList
from tui.widgets.search_bar import SearchBar

LONG = "q" * MAX_WORD_BYTES  # the longest word the index keeps
CYRILLIC = "ж" * (MAX_WORD_BYTES // 2)  # as long, in two-byte characters
URL_PART = "/".join(f"part{i:03d}" for i in range(100))  # 799 characters

# The inputs of issue 15, item 4, and where each is refused.
REFUSED = [
    pytest.param("(" * 250 + "a" + ")" * 250, "nests too deeply", MAX_DEPTH, id="250-parentheses"),
    pytest.param("NOT " * 1000 + "a", "nests too deeply", 4 * MAX_DEPTH, id="1000-NOTs"),
    pytest.param("-" + "(-" * 200 + "a" + ")" * 200, "nests too deeply", MAX_DEPTH, id="200-minus-parens"),
    pytest.param("flood url:" + "u" * 500, "'url:' value too long: 500 bytes", 6, id="url-500"),
    pytest.param("feed:" + "f" * 600, "'feed:' value too long: 600 bytes", 0, id="feed-600"),
    pytest.param('url:"' + "日" * 134 + '"', "value too long: 402 bytes", 0, id="url-multibyte"),
    pytest.param("tel-" + "c" * 995 + "*", "a word too long in a phrase ending in '*'", 0, id="prefix-phrase"),
    pytest.param("title:" + "c" * 901 + "-x*", "901 bytes", 0, id="field-prefix-phrase"),
]


def deepest(kind: str) -> str:
    """A query exactly at MAX_DEPTH, of the shape that makes the deepest tree for its kind."""
    if kind == "parentheses":  # Or(…, And(…, Or(…))): two tree levels a level
        return "(zurich OR harbour person:obama " * MAX_DEPTH + "tram*" + ")" * MAX_DEPTH
    if kind == "not-parentheses":  # Not(Or(…, And(…, Not(…))))
        half = MAX_DEPTH // 2
        return "-(zurich OR tram harbour* " * half + "bank" + ")" * half
    return "NOT " * (MAX_DEPTH - 1) + "(tram OR is:starred)"


def article(n: int, title: str, body: str, url: str) -> Article:
    return Article.create(
        title=title,
        body=body,
        url=url,
        feed=url,
        published=f"2026-11-{n:02d}T08:00:00+00:00",
        source="Example Times",
        entities=(Entity("Barack Obama", "person", aliases=("Obama",)),) if n == 1 else None,
    )


ARTICLES = [
    article(1, "Zürich bank opens harbour office", f"A word {LONG} ends here.", f"https://news.example/{URL_PART}"),
    article(2, "Tram line approved", f"Tel {CYRILLIC} tram depot.", "https://news.example/tram"),
    article(3, "Harbour festival returns", "The festival returns to the harbour.", "https://news.example/festival"),
]


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles(ARTICLES)
    return store


def ids(store: NewsStore, query: str) -> set[str]:
    result = store.search(query)
    assert result.count == len(result.items) == store.count_matching(query)
    return {i.id for i in result.items}


def both_ways(store: NewsStore, query: str) -> set[str]:
    """The ids matching `query` from the index, and (the same) with every article evaluated
    outside it, as articles changed since the index caught up are."""
    indexed = ids(store, query)
    with index_behind(store, 1000):
        assert ids(store, query) == indexed
    return indexed


@pytest.mark.parametrize(("text", "message", "position"), REFUSED)
def test_past_a_limit_is_a_query_error_at_its_position(news: NewsStore, text: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert message in caught.value.message and caught.value.position == position
    with pytest.raises(QueryError):
        news.search(text)
    with pytest.raises(QueryError):
        news.count_matching(text)


def test_the_limits_are_where_the_documentation_says(news: NewsStore) -> None:
    at_depth = "(" * MAX_DEPTH + "tram" + ")" * MAX_DEPTH
    assert both_ways(news, at_depth) == {ARTICLES[1].id}
    with pytest.raises(QueryError, match="nests too deeply"):
        parse_query("(" + at_depth + ")")
    assert both_ways(news, "NOT " * MAX_DEPTH + "tram") == {ARTICLES[1].id}  # an even number
    with pytest.raises(QueryError, match="nests too deeply"):
        parse_query("NOT " * (MAX_DEPTH + 1) + "tram")
    # url: and feed: up to MAX_SUBSTRING_BYTES, whatever the characters; found as substrings.
    part = URL_PART[-MAX_SUBSTRING_BYTES:]
    assert both_ways(news, f"url:{part}") == both_ways(news, f"feed:{part.upper()}") == {ARTICLES[0].id}
    assert both_ways(news, 'url:"' + "日" * (MAX_SUBSTRING_BYTES // 3) + '"') == set()
    assert both_ways(news, "feed:" + "😀" * (MAX_SUBSTRING_BYTES // 4)) == set()
    with pytest.raises(QueryError, match=f"{MAX_SUBSTRING_BYTES + 1} bytes"):
        parse_query("url:" + URL_PART[-MAX_SUBSTRING_BYTES - 1 :])
    # Each word of a prefix phrase up to MAX_PREFIX_PHRASE_WORD_BYTES.
    assert both_ways(news, "a-word-" + LONG[:MAX_PREFIX_PHRASE_WORD_BYTES] + "*") == {ARTICLES[0].id}
    assert both_ways(news, "tel-" + CYRILLIC[: MAX_PREFIX_PHRASE_WORD_BYTES // 2] + "*") == {ARTICLES[1].id}
    with pytest.raises(QueryError, match=f"{MAX_PREFIX_PHRASE_WORD_BYTES + 1} bytes"):
        parse_query("a-word-" + LONG[: MAX_PREFIX_PHRASE_WORD_BYTES + 1] + "*")


@pytest.mark.parametrize("size", [980, 990, 995, 999, MAX_WORD_BYTES])
def test_a_prefix_up_to_the_word_limit_is_searched(news: NewsStore, size: int) -> None:
    """word* of 990–1,000 bytes is inside the documented word limit: searched, not refused."""
    assert both_ways(news, LONG[:size] + "*") == {ARTICLES[0].id}
    assert both_ways(news, "body:" + LONG[:size] + "*") == {ARTICLES[0].id}
    assert both_ways(news, CYRILLIC[: size // 2] + "*") == {ARTICLES[1].id}
    assert both_ways(news, "id:" + "0" * size) == set()
    assert both_ways(news, LONG + "q*") == set()  # longer than any indexed word


def within_frames(frames: int, run: Callable[[], object]) -> object:
    """`run` with only `frames` Python frames to spare beyond the caller's: an accepted query
    must leave the rest of Python's default limit (1,000) to whoever calls the store."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + frames)
    try:
        return run()
    finally:
        sys.setrecursionlimit(limit)


@pytest.mark.parametrize("kind", ["parentheses", "not-parentheses", "nots"])
def test_the_deepest_accepted_query_runs_through_everything(news: NewsStore, kind: str) -> None:
    """Parsing, the index's query, the evaluation outside the index, counting, positions,
    highlighting, the unread count of a saved view, and the tree's equality, hash and repr:
    none of them comes near the recursion limit for a query at MAX_DEPTH."""
    text = deepest(kind)
    query = within_frames(600, lambda: parse_query(text))
    assert isinstance(query, type(parse_query("")))
    expected = ids(news, text)
    assert expected  # the queries are built to match something

    def everything() -> None:
        assert ids(news, text) == expected
        with index_behind(news, 1000):
            assert ids(news, text) == expected
            news.search(text, limit=1, offset=1)
        for article_id in expected:
            news.search_position(text, article_id)
        news.count_matching(narrowed(query, "is:unread"))
        Highlighter(query).spans("Zürich tram harbour bank festival")
        assert query == parse_query(text) and hash(query) == hash(parse_query(text))
        repr(query)

    within_frames(600, everything)


def run_cli(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--store", str(store), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store_dir(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "cli-store"
    with NewsStore(root) as store:
        store.add_articles(ARTICLES)
    yield root


@pytest.mark.parametrize(("text", "message", "position"), REFUSED)
def test_the_command_line_refuses_with_exit_2_and_a_pointer(
    capsys: pytest.CaptureFixture[str], store_dir: Path, text: str, message: str, position: int
) -> None:
    for command in (["search", "--", text], ["search", "--count", "--", text], ["export", "--", text]):
        code, out, err = run_cli(capsys, store_dir, *command)
        assert code == 2 and out == ""
        assert "Traceback" not in err and message in err
        lines = err.splitlines()
        assert lines[0].startswith("newsdesk: malformed query")
        assert lines[1] == f"  {text}"
        assert lines[2] == " " * (position + 2) + "^"


def test_a_real_newsdesk_process_refuses_them_without_a_traceback(store_dir: Path) -> None:
    for text in ("(" * 250 + "a" + ")" * 250, "NOT " * 1000 + "a", "url:" + "u" * 500, "q" * 995 + "*"):
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "--store", str(store_dir), "search", "--count", "--", text],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )
        if text.endswith("*"):  # inside the word limit: searched
            assert (done.returncode, done.stdout, done.stderr) == (0, "1\n", "")
            continue
        assert done.returncode == 2 and done.stdout == ""
        assert done.stderr.startswith("newsdesk: malformed query") and "Traceback" not in done.stderr


async def test_the_search_bar_shows_the_note_and_searches_the_deepest_query(news: NewsStore) -> None:
    app = NewsdeskApp(news, read_delay=0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        status = screen.query_one("#search-status")
        await pilot.press("slash")
        await settle(pilot)
        bar = screen.query_one(SearchBar)
        assert bar.has_focus
        bar.post_message(events.Paste(deepest("parentheses")))
        await wait_until(pilot, lambda: screen.listing.query == deepest("parentheses"))
        assert screen.query_one(ArticleList).total == len(ids(news, deepest("parentheses")))
        for text, note in (
            ("(" * 250 + "a" + ")" * 250, f"at most {MAX_DEPTH} levels of ( and NOT (at {MAX_DEPTH + 1})"),
            ("NOT " * 1000 + "a", f"nests too deeply: at most {MAX_DEPTH} levels"),
            ("url:" + "u" * 500, f"'url:' value too long: 500 bytes, at most {MAX_SUBSTRING_BYTES} (at 1)"),
        ):
            bar.value = ""
            bar.post_message(events.Paste(text))
            await wait_until(pilot, lambda note=note: note in str(status.render()))
            assert app.is_running
            assert screen.query_one(ArticleList).total == len(ids(news, deepest("parentheses")))
        bar.value = ""
        bar.post_message(events.Paste("festival"))
        await wait_until(pilot, lambda: screen.listing.query == "festival")
        assert screen.query_one(ArticleList).total == 1


async def test_a_saved_view_at_the_depth_limit_shows_its_counts(news: NewsStore) -> None:
    """The views screen counts a view's unread articles with is:unread added to the view's
    tree: wrapped in another pair of parentheses, a view at the limit would go past it ("?")."""
    text = "(" * MAX_DEPTH + "tram OR harbour" + ")" * MAX_DEPTH
    news.save_view("Deep", text)
    news.update_state([ARTICLES[1].id], read=True)
    app = NewsdeskApp(news)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("V")
        await settle(pilot)
        views = app.screen
        assert isinstance(views, SavedViewsScreen)
        table = views.query_one("#views-table")
        assert [str(c) for c in table.get_row_at(0)[:3]] == ["Deep", "3", "2"]

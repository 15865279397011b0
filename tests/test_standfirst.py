"""A standfirst repeated at the start of the body (the seed's shape, a feed whose description is
cut from its content) is shown once: in the reader's text pane and in `show`."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.importers import read_source
from articles.model import Article
from newsdesk_testing import settle, shared_path
from store import NewsStore
from tui.app import NewsdeskApp
from tui.widgets.article_text import ArticleText

STANDFIRST = "Shanghai Mayor Ying Yong led a delegation to visit Israel from June 5 to 7."
DEMO_SEED = Path(__file__).resolve().parent.parent / "tui" / "demo" / "articles" / "shanghai-mayor-visits-israel.txt"


@pytest.mark.parametrize("which", ["shared seed", "demo copy"])
async def test_the_seeds_standfirst_shows_once_in_the_text_pane(store: NewsStore, which: str) -> None:
    path = shared_path("seed", "shanghai-mayor-visits-israel.txt") if which == "shared seed" else DEMO_SEED
    (article,) = [a for a in read_source(str(path)) if isinstance(a, Article)]
    assert article.summary == STANDFIRST  # the importer still keeps it as the summary
    store.add_articles([article])
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        view = app.screen.query_one(ArticleText)
        text = " ".join(" ".join(view.plain_lines()).split())
        assert text.count("Shanghai Mayor Ying Yong led a delegation") == 1, text[:600]
        assert "7. During the trip" in text  # the body keeps its opening sentence


def test_show_prints_the_standfirst_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    seed = shared_path("seed", "shanghai-mayor-visits-israel.txt")
    store = tmp_path / "s"
    assert main(["--store", str(store), "import", "--no-entities", str(seed)]) == 0
    capsys.readouterr()
    assert main(["--store", str(store), "list", "--json"]) == 0
    import json

    (item,) = json.loads(capsys.readouterr().out)
    assert main(["--store", str(store), "show", item["id"]]) == 0
    out = capsys.readouterr().out
    assert out.count("Shanghai Mayor Ying Yong led a delegation") == 1


@pytest.mark.parametrize(
    ("summary", "body", "shown"),
    [
        ("A lead.", "A lead. And more.", ""),  # the body opens with it
        ("A  lead\nsplit.", "A lead split. And more.", ""),  # whitespace does not count
        ("A lead that was cut…", "A lead that was cut short. More.", ""),  # a feed's cut description
        ("A lead that was cut [...]", "A lead that was cut short. More.", ""),
        ("A different summary.", "The body. A different summary.", "A different summary."),
        ("Only a summary.", "", "Only a summary."),
        # a feed's description that is its content as text: the body has the link numbers
        ("submitted by /u/x [link] [comments]", "submitted by /u/x [1]\n[link][2] [comments][2]", ""),
        ("See [3] here.", "See here. More.", "See [3] here."),  # a summary's own brackets count
    ],
)
def test_standfirst_is_the_summary_unless_the_body_opens_with_it(summary: str, body: str, shown: str) -> None:
    article = Article.create(title="T", summary=summary, body=body)
    assert article.standfirst() == shown

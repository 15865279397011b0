"""bench/newsboat_cache.py and bench/bench_side_by_side.py: the newsboat cache holds the corpus's
articles as newsboat reads them, and the screen tests recognise newsboat's screens."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from newsdesk_testing import REPO

sys.path.insert(0, str(REPO / "bench"))

import bench_side_by_side  # noqa: E402
import newsboat_cache  # noqa: E402

FEEDS = """\
newsboat 2.21.0 - Your feeds (40 unread, 40 total)
   1 N     (23/23) The Beateashes Times
   2 N     (24/24) The Brouflulut Times
   3 N     (21/21) The Bruhaila Times
   4 N     (28/28) The Creapom Times
   5       (0/29) The Criomair Times
q:Quit ENTER:Open n:Next Unread r:Reload R:Reload All A:Mark Read C:Mark All Read /:Search ?:Help
"""
RESULTS = """\
newsboat 2.21.0 - Search results (670 unread, 670 total)
   1 N  Dec 29   3.1K  |The Creapom Times|  Breetaihopri and is thaicagradrio ministry the has
   2 N  Dec 24   4.2K  |The Vupleenu Time|  Would Codai Labs flaklouniplaind the of at greerk
   3 N  Dec 23   3.6K  |The Hedavai Times|  Graprarirk kleagri Feaflat Pihaifleer propuner eli
   4 N  Dec 21   4.1K  |The Tastee Times |  Feaflat Pihaifleer plaheazairk mim have on yahav
   5    Dec 20   4.1K  |The Tastee Times |  Pihaifleer plaheazairk mim have on yahav
"""


def test_newsboat_screens_are_recognised() -> None:
    assert bench_side_by_side.feed_list(FEEDS)
    assert not bench_side_by_side.feed_list(FEEDS.splitlines()[0])
    assert bench_side_by_side.item_list("Search results (")(RESULTS)
    assert not bench_side_by_side.item_list("Search results (")(FEEDS)
    assert bench_side_by_side.RESULTS.search(RESULTS).group(2) == "670"
    with pytest.raises(RuntimeError, match="already running"):
        bench_side_by_side.feed_list("Error: an instance of newsboat is already running\n\nPane is dead (status 1)")


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed")
def test_cache_holds_the_corpus_for_newsboat(tmp_path: Path) -> None:
    corpus = tmp_path / "articles-html-6.jsonl"
    records = [
        {"title": f"Title {n}", "body": f"<p>Body {n} said</p>", "source": f"The {'AB'[n % 2]} Times",
         "author": "Ann", "url": f"https://news.example/x/{n}", "published": f"2024-01-0{n + 1}T10:00:00Z"}
        for n in range(6)
    ]
    corpus.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    directory = newsboat_cache.build(tmp_path / "out", 6, corpus)
    with sqlite3.connect(directory / "cache.db") as db:
        assert db.execute("SELECT count(*), sum(unread) FROM rss_item").fetchone() == (6, 6)
        assert {row[0] for row in db.execute("SELECT title FROM rss_feed")} == {"The A Times", "The B Times"}
    assert (directory / "urls").read_text().splitlines() == sorted(
        newsboat_cache.feed_url(s) for s in ("The A Times", "The B Times")
    )
    files = ["-u", "urls", "-c", "cache.db", "-C", "config", "-x", "print-unread"]
    env = {"HOME": str(directory), "PATH": os.environ["PATH"]}
    done = subprocess.run(["newsboat", *files], cwd=directory, env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "6 unread articles", done

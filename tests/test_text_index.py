"""The full-text index (store.search.text_index, store.search.text_sync): a derived tantivy index that catches up
with the SQLite change feed, never loses an update when processes contend for its writer, and is
rebuilt whenever it cannot be trusted — while every search stays exact."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from articles.model import Article
from newsdesk_testing import REPO, index_behind
from store import NewsStore
from store.disk import catalogue as index_module
from store.search.text_index import VERSION_FILE, TextIndex


def story(n: int, **changes: Any) -> Article:
    fields: dict[str, Any] = {
        "title": f"Story {n}",
        "body": f"Body of story number{n} about harbour cranes.",
        "url": f"https://news.example/{n}",
        "published": f"2024-06-{n % 28 + 1:02d}T08:00:00+00:00",
        "source": "Example",
    }
    fields.update(changes)
    return Article.create(**fields)


def found(store: NewsStore, query: str) -> set[str]:
    result = store.search(query)
    assert result.count == len(result.items) == store.count_matching(query)
    return {i.id for i in result.items}


def test_a_close_leaves_the_index_current(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(30)])
        store.update_state([story(3).id], add_tags=["Harbour Watch"], starred=True)
    with NewsStore(store_root) as store:
        assert store.pending_text() == 0
        assert found(store, 'tag:"harbour watch" is:starred cranes') == {story(3).id}


def test_writes_while_another_holds_the_writer_are_found_and_applied_later(store: NewsStore) -> None:
    """tantivy's writer lock fails at once when taken: the store then leaves its changes to the
    holder, and searches evaluate them outside the index meanwhile."""
    store.add_articles([story(n) for n in range(20)])
    assert store.sync_text()
    other = TextIndex(store.root / "text-index", readonly=False)
    held = other.writer()  # another process's writer, as far as tantivy's lock file can tell
    assert held is not None
    try:
        store.update_state([story(n).id for n in range(5)], add_tags=["late"], read=True)
        store.add_articles([story(99, title="Freshly arrived")])
        assert not store.sync_text()
        assert store.pending_text() == 6
        assert found(store, "tag:late is:read") == {story(n).id for n in range(5)}
        assert found(store, "freshly") == {story(99).id}
        assert found(store, "cranes -tag:late") == {story(n).id for n in [*range(5, 20), 99]}
        # ranked: an article the index has never seen cannot be scored yet, but is listed
        assert story(99).id in {i.id for i in store.search("freshly OR story").items}
    finally:
        held.wait_merging_threads()
        other.close()
    assert store.sync_text() and store.pending_text() == 0
    assert found(store, "tag:late is:read") == {story(n).id for n in range(5)}
    assert found(store, "freshly") == {story(99).id}


def test_a_damaged_index_is_rebuilt(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(12)])
        store.update_state([story(1).id], add_tags=["kept"])
    (store_root / "text-index" / "meta.json").write_bytes(b"\x00garbage{")
    with NewsStore(store_root) as store:
        assert found(store, "tag:kept cranes") == {story(1).id}
        assert found(store, "harbour") == {story(n).id for n in range(12)}
        assert store.pending_text() == 0


def test_an_index_of_another_version_is_rebuilt(store_root: Path) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(8)])
    (store_root / "text-index" / VERSION_FILE).write_bytes(b"0 abc")
    with NewsStore(store_root) as store:
        assert store.pending_text() == 8  # not trusted
        assert found(store, "cranes") == {story(n).id for n in range(8)}
        assert store.sync_text() and store.pending_text() == 0
        assert (store_root / "text-index" / VERSION_FILE).read_bytes() != b"0 abc"


def test_a_pruned_change_feed_means_a_rebuild(store_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the changes the index has not applied were pruned from the feed, it cannot catch up
    change by change: it is rebuilt whole."""
    monkeypatch.setattr(index_module, "KEEP_CHANGES", 5)
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(6)])
        assert store.sync_text()
        applied = store.core.catalogue.text_applied()
        assert applied is not None
        store.text_sync.stop()  # no background sync from here on
        store.core.after_commit = lambda: None
        for n in range(6):
            store.update_state([story(n).id], add_tags=[f"t{n}"])
        for n in range(6):
            store.update_state([story(n).id], remove_tags=[f"t{n}"], add_tags=["after"])
        assert store.core.catalogue.changes_since(applied[1], strict=True)[1] is None
        assert found(store, "tag:after cranes") == {story(n).id for n in range(6)}
        assert store.sync_text() and store.pending_text() == 0
        assert found(store, "tag:after") == {story(n).id for n in range(6)} and not found(store, "tag:t1")


def test_a_stray_temp_file_goes_with_the_next_writer(store: NewsStore) -> None:
    store.add_articles([story(1)])
    assert store.sync_text()
    stray = store.root / "text-index" / ".tmpAbCdEf"
    stray.write_bytes(b"half a segment")
    store.update_state([story(1).id], read=True)
    assert store.sync_text()
    assert not stray.exists()


def test_a_mark_for_another_index_is_not_trusted(store: NewsStore) -> None:
    """The applied mark names the index it speaks of: after the index was made anew, an old
    mark's numbers mean nothing."""
    store.add_articles([story(n) for n in range(4)])
    assert store.sync_text()
    store.core.catalogue.set_text_applied(("another-index", 10**6, 1))
    assert store.pending_text() == 4
    assert found(store, "cranes") == {story(n).id for n in range(4)}
    assert store.sync_text() and store.pending_text() == 0


_SYNC_LOOP = """
import sys
from articles.model import Article
from store import NewsStore
root, start = sys.argv[1], int(sys.argv[2])
with NewsStore(root) as store:
    for n in range(start, start + 400):
        store.add_articles([Article.create(title=f"Story {n}", body=f"Body of story number{n} about cranes.",
                                           url=f"https://news.example/{n}", published="2024-06-01T08:00:00+00:00")])
        store.update_state([store.list(limit=1)[0].id], add_tags=[f"k{n % 7}"])
        store.sync_text()
        print(n, flush=True)
"""


def test_a_writer_killed_at_random_moments_loses_no_index_update(tmp_path: Path) -> None:
    """SIGKILL a process that writes and syncs in a loop, at random moments: the next process
    finds the index in a state it can catch up from, and once it has, the index alone gives
    exactly what the files say."""
    root = tmp_path / "store"
    rng = random.Random(20261126)
    start = 0
    for _ in range(12):
        child = subprocess.Popen(
            [sys.executable, "-c", _SYNC_LOOP, str(root), str(start)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert child.stdout is not None
        for _ in range(rng.randint(1, 6)):  # wait for some commits, then kill mid-way through more
            line = child.stdout.readline()
            assert line, "the writer died on its own"
            start = int(line.split()[0]) + 1
        child.send_signal(signal.SIGKILL)
        child.wait()
        start += 1
    with NewsStore(root) as store:
        articles = {s.article.id: s for s in store.iter_articles()}
        expected_tags: dict[str, set[str]] = {}
        for article_id, stored in articles.items():
            for tag in stored.state.tags:
                expected_tags.setdefault(tag, set()).add(article_id)
        assert store.sync_text() and store.pending_text() == 0
        assert found(store, "cranes") == set(articles)
        for tag, ids in expected_tags.items():
            assert found(store, f"tag:{tag}") == ids
        for article_id, stored in list(articles.items())[::5]:
            number = stored.article.title.split()[1]
            assert found(store, f"number{number}") == {article_id}
        assert not list((root / "text-index").glob(".tmp*"))


def test_a_state_change_is_applied_without_parsing_a_segment(store: NewsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """The index stores each article's text in its indexed form: a change of tags or state
    re-adds the article from there (parsing a 4 MB segment would hold the store for ~30 ms),
    and a search evaluating it meanwhile reads it from there too."""
    from store.disk import documents

    store.add_articles([story(n) for n in range(10)])
    assert store.sync_text()
    loads: list[Path] = []
    original = documents.DocumentCache.load

    def counting(self: Any, path: Path, gen: int) -> Any:
        if "articles" in path.parts:
            loads.append(path)
        return original(self, path, gen)

    monkeypatch.setattr(documents.DocumentCache, "load", counting)
    store.core.cache = documents.DocumentCache()  # nothing cached: a read would have to parse
    store.text_sync.stop()
    store.core.after_commit = lambda: None
    store.update_state([story(4).id], add_tags=["Ports"], read=True)
    assert found(store, "tag:ports harbour is:read") == {story(4).id}  # evaluated outside the index
    assert store.sync_text() and store.pending_text() == 0
    assert found(store, "tag:ports harbour is:read number4") == {story(4).id}  # in the index
    assert loads == []
    store.add_articles([story(4, body="Now about container ships.")])  # new text: read from the file
    assert store.sync_text()
    assert found(store, "container tag:ports") == {story(4).id} and not found(store, "number4")


def test_phrases_of_stopwords_are_exact(store: NewsStore) -> None:
    """Two stopwords in a row are looked up as one indexed pair: the same matches as the
    positional phrase, per field, punctuation between them ignored, never across fields."""
    store.add_articles(
        [
            story(1, title="Lord of the rings", body="Nothing here."),
            story(2, title="A matter of", body="The end."),  # "of" ends the title, "the" starts the body
            story(3, title="Notes", body="Out of, the box — and of-the-shelf."),
            story(4, title="Notes", body="Of course. The end of it.", author="The Of"),
            story(5, title="Notes", body=f"of {'x' * 1200} the"),  # a word too long to index between
        ]
    )
    for path in ("pending", "index"):
        if path == "index":
            assert store.sync_text() and store.pending_text() == 0
        assert found(store, '"of the"') == {story(1).id, story(3).id}, path
        assert found(store, 'title:"of the"') == {story(1).id}, path
        assert found(store, 'body:"of the"') == {story(3).id}, path
        assert found(store, '"the of"') == {story(4).id}, path  # in the author field
        assert found(store, '"out of the box"') == {story(3).id}, path
        assert found(store, "of-the-sh*") == {story(3).id}, path
        assert found(store, '-"of the"') == {story(n).id for n in (2, 4, 5)}, path


def test_a_large_import_indexes_in_a_process_of_its_own(
    store: NewsStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past BULK_PROCESS_AFTER articles, an import hands indexing to store.search.text_indexer (two
    cores instead of one interpreter lock); at its end that process has applied everything."""
    import json

    from store.search import text_sync, text_workers
    from tui.config import Settings
    from tui.importing import import_sources

    monkeypatch.setattr(text_sync, "BULK_PROCESS_AFTER", 40)
    started: list[Any] = []
    original = text_workers.Indexer.start

    def start(root: Any) -> Any:
        indexer = original(root)
        started.append(indexer)
        return indexer

    monkeypatch.setattr(text_workers.Indexer, "start", staticmethod(start))
    source = tmp_path / "many.jsonl"
    source.write_text(
        "\n".join(
            json.dumps(
                {"title": f"Bulk {n}", "body": f"Body of bulk story number{n}.", "url": f"https://b.example/{n}"}
            )
            for n in range(300)
        )
    )
    summary = import_sources(store, [str(source)], Settings())
    assert summary["imported"] == 300
    assert len(started) == 1 and started[0] is not None
    assert started[0].process.returncode == 0  # it finished, and applied everything
    assert store.pending_text() == 0
    assert store.search("bulk").count == 300 and len(found(store, "number299")) == 1


def test_an_indexing_process_that_dies_leaves_the_work_to_the_importer(
    store: NewsStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from store.search import text_sync

    monkeypatch.setattr(text_sync, "BULK_PROCESS_AFTER", 5)
    with store.bulk_import():
        store.add_articles([story(n) for n in range(10)])
        assert store.text_sync.indexer is not None
        store.text_sync.indexer.process.kill()
        store.add_articles([story(n) for n in range(10, 20)])
    assert found(store, "cranes") == {story(n).id for n in range(20)}  # exact meanwhile
    store.close()
    with NewsStore(store.root) as again:
        assert again.pending_text() == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('url:".*"', {1}),  # literally, not "anything"
        ('url:"a(b"', {1}),
        ('url:"[x]"', {2}),
        ("url:\\", set()),
        ('url:"^http"', set()),
        ("url:https", {1, 2, 3}),
        ("url:HTTPS://S", {3}),  # any case, like SQL LIKE
        ('feed:"?{2}"', {3}),
        ("id:.", set()),
        ("lang:EN", {1}),
        ("lang:en-gb", {1}),
        ("lang:en-", set()),
    ],
)
def test_regular_expression_characters_in_values_match_literally(
    store: NewsStore, query: str, expected: set[int]
) -> None:
    store.add_articles(
        [
            story(1, url="https://x.example/a.*b/a(b", language="en-GB"),
            story(2, url="https://x.example/list[x]", language="de"),
            story(3, url="https://s.example/3", feed="https://s.example/feed?{2}"),
        ]
    )
    for path in ("pending", "index"):
        if path == "index":
            assert store.sync_text()
        assert found(store, query) == {_id(store, n) for n in expected}, path


def _id(store: NewsStore, n: int) -> str:
    urls = {1: "https://x.example/a.*b/a(b", 2: "https://x.example/list[x]", 3: "https://s.example/3"}
    return next(i.id for i in store.list() if i.url == urls[n])


def test_equal_scores_come_newest_first(store: NewsStore) -> None:
    """Relevance with a slight lift for newer articles: the same text published on different
    days ranks newest first, however the articles came in; a better match still wins."""
    days = [5, 1, 9, 3, 7]
    store.add_articles(
        [
            story(d, title="Ferry strike", body="Ferries stop.", published=f"2025-03-{d:02d}T08:00:00+00:00")
            for d in days
        ]
    )
    store.add_articles(
        [story(2, title="Ferry strike ferry strike", body="Ferry strike.", published="2025-01-01T08:00:00+00:00")]
    )
    for path in ("pending", "index"):
        if path == "index":
            assert store.sync_text()
        ranked = [i.id for i in store.search("ferry strike").items]
        assert ranked == [story(2).id] + [story(d).id for d in sorted(days, reverse=True)], path


@pytest.mark.parametrize(
    "query", ["cranes OR -cranes", "(-cranes) OR story", "-cranes tag:solo OR cranes", "story -zebra"]
)
def test_an_article_alone_in_its_segment_keeps_its_score(store: NewsStore, query: str) -> None:
    """tantivy drops the clauses of an intersection that match a whole segment and, when none is
    left, scores the match 0 (the CI run that found this: `(apple) OR (-(apple))` ranked a
    pending article last).  Scoring an article outside the index restricts the query to that one
    article, which is a whole segment when the article was the last one added; "everything"
    therefore never reaches tantivy as a bare all_query (store.search.text_query.everything)."""
    store.add_articles([story(n, body=f"Story {n} of cranes.") for n in range(6)])
    assert store.sync_text()
    store.add_articles([story(50, body="A quiet day.")])  # alone in its own commit: its own segment
    store.update_state([story(50).id], add_tags=["solo"])
    assert store.sync_text() and store.pending_text() == 0
    expected = [i.id for i in store.search(query).items]
    assert story(50).id in expected
    with index_behind(store, 1):
        assert store.pending_text() == 1
        assert [i.id for i in store.search(query).items] == expected


def test_stop_pairs_split_words_as_the_regex_does() -> None:
    """stop_pairs splits ASCII text with bytes methods: the same words as `[a-z0-9]+` over the
    lower-cased text, so the same pairs, on random text of stopwords, digits and punctuation."""
    import random
    import re

    from store.search.text_fields import STOPWORDS, stop_pair, stop_pairs

    pieces = ["of", "The", "THE", "a", "in", "to", "x", "9", "B2B", " ", "  ", ",", ".", "-", "_", "'", "\n", "\t"]
    pieces += ["é", "Über", "of\u00a0the"]
    rng = random.Random(18)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        if text.isascii():
            words = re.findall(r"[a-z0-9]+", text.lower())
            expected = [stop_pair("body", a, b) for a, b in zip(words, words[1:]) if a in STOPWORDS and b in STOPWORDS]
            assert stop_pairs("body", text) == expected, repr(text)
        else:
            assert all(p.startswith("b:") for p in stop_pairs("body", text))

"""Tags and state in bulk: by query, rename/merge/delete, dump and restore, rules; and the CLI
commands of docs/cli.md (tag, mark, tags, rules, dump-tags, restore-tags)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from articles.model import Article, Entity
from store import NewsStore
from store.tags import TagError
from tui.cli import main


def story(n: int, title: str, body: str = "") -> Article:
    return Article.create(
        title=title, body=body or title, url=f"https://t.example/{n}", published=f"2026-03-{n:02d}T09:00:00+00:00"
    )


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles(
        [
            story(1, "Flood in Kessford", "The river flooded the town."),
            story(2, "Flood defences approved"),
            story(3, "Tram line opens"),
            story(4, "Budget vote delayed"),
        ]
    )
    return store


def tags_of(store: NewsStore, n: int) -> tuple[str, ...]:
    got = store.get(story(n, "").id)
    assert got is not None
    return got.state.tags


def test_tag_by_query_in_one_commit_and_case_insensitive(news: NewsStore) -> None:
    changed = news.tag_query("flood", add=["Climate", "to read"])
    assert sorted(changed) == sorted([story(1, "").id, story(2, "").id])
    assert news.tag_query("flood", add=["CLIMATE"]) == []  # the same tag, any case: nothing changes
    assert tags_of(news, 1) == ("Climate", "to read")
    news.tag_query("tag:climate", remove=["TO READ"])
    assert tags_of(news, 1) == ("Climate",)
    with pytest.raises(TagError, match="comma"):
        news.tag_query("flood", add=["a,b"])


def test_rename_merge_and_delete(news: NewsStore) -> None:
    news.tag_query("flood", add=["climate"])
    news.tag_query("tram", add=["transit"])
    news.update_state([story(1, "").id], add_tags=["weather"])
    assert len(news.rename_tag("climate", "Climate Change")) == 2
    assert tags_of(news, 2) == ("Climate Change",)
    news.rename_tag("climate change", "Climate change")  # a change of case only is a rename too
    assert tags_of(news, 2) == ("Climate change",)
    news.rename_tag("weather", "climate change")  # onto an existing tag: merged, one each
    assert tags_of(news, 1) == ("Climate change",)
    counts = {c["tag"]: c["articles"] for c in news.tag_counts()}
    assert counts == {"Climate change": 2, "transit": 1}
    assert len(news.delete_tag("TRANSIT")) == 1
    assert {c["tag"] for c in news.tag_counts()} == {"Climate change"}


def test_dump_and_restore_round_trip_into_a_fresh_store(news: NewsStore, tmp_path: Path) -> None:
    news.tag_query("flood", add=["climate"])
    news.update_state([story(3, "").id], read=True, starred=True)
    dumped = list(news.dump_states())
    assert {d["id"] for d in dumped} == {story(n, "").id for n in (1, 2, 3)}
    fresh = NewsStore(tmp_path / "fresh")
    fresh.add_articles([story(n, t) for n, t in ((1, "x"), (2, "y"), (3, "z"), (4, "w"))])
    fresh.update_state([story(1, "").id], add_tags=["mine"])
    changed, problems = fresh.restore_states([*dumped, {"id": "ffffffffffff", "url": "https://nowhere"}])
    assert len(changed) == 3 and problems == ["line 4: no such article (ffffffffffff)"]
    assert tags_of(fresh, 1) == ("mine", "climate")  # tags are unioned
    got = fresh.get(story(3, "").id)
    assert got is not None and got.state.read and got.state.starred
    by_url = [{"url": "https://t.example/4", "tags": ["found by url"]}]
    assert len(fresh.restore_states(by_url)[0]) == 1
    fresh.close()


def test_rules_tag_at_import_and_when_entities_arrive(news: NewsStore) -> None:
    news.rules.add("flood", tag="floods")
    news.rules.add("person:lima", tag="people")
    assert [r.tag for r in news.rules.list()] == ["floods", "people"]
    assert news.rules.apply().changed and tags_of(news, 1) == ("floods",)
    later = story(9, "Flood warning for Mill Ashby")
    news.add_articles([later])
    assert tags_of(news, 9) == ("floods",)  # a new article is tagged at import
    news.set_entities({story(3, "").id: [Entity("Ana Lima", "person", 1)]})
    assert tags_of(news, 3) == ("people",)  # and when its entities are stored
    assert news.rules.remove("FLOODS") and not news.rules.remove("floods")
    news.add_articles([story(10, "Flood again")])
    assert tags_of(news, 10) == ()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_tag_mark_tags_rules(news: NewsStore, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(news.root)
    assert run(capsys, "--store", root, "tag", "+climate", "+later", "--json", "--", "flood") == (
        0,
        '{"changed":2}\n',
        "",
    )
    code, out, _ = run(capsys, "tag", "-later", "--store", root, "--", "flood", "-defences")
    assert code == 0 and out == "1 article changed\n"
    assert tags_of(news, 1) == ("climate",) and tags_of(news, 2) == ("climate", "later")
    code, _, err = run(capsys, "--store", root, "tag", "+x", "flood")
    assert code == 2 and "--" in err
    code, _, err = run(capsys, "--store", root, "tag", "+a,b", "--", "flood")
    assert code == 2 and "comma" in err
    assert (
        run(capsys, "--store", root, "mark", "read", "starred", "--json", "--", "tag:climate")[1] == '{"changed":2}\n'
    )
    assert news.search("is:read is:starred").count == 2
    code, _, err = run(capsys, "--store", root, "mark", "sideways", "--", "x")
    assert code == 2 and "sideways" in err
    code, out, _ = run(capsys, "--store", root, "tags", "--json")
    assert json.loads(out) == [
        {"tag": "climate", "articles": 2, "unread": 0},
        {"tag": "later", "articles": 1, "unread": 0},
    ]
    assert run(capsys, "--store", root, "tags", "rename", "later", "soon")[0] == 0
    assert run(capsys, "--store", root, "tags", "delete", "soon", "--json")[1] == '{"changed":1}\n'
    assert run(capsys, "--store", root, "tags", "frobnicate")[0] == 2
    code, out, _ = run(capsys, "--store", root, "rules", "add", "transit", "tram", "OR", "bus")
    assert code == 0 and "1 article tagged" in out
    assert json.loads(run(capsys, "--store", root, "rules", "list", "--json")[1]) == [
        {"id": 1, "action": "tag", "tag": "transit", "query": "tram OR bus"}
    ]
    assert run(capsys, "--store", root, "rules", "add", "bad", '"open')[0] == 2
    assert run(capsys, "--store", root, "rules", "remove", "nothing")[0] == 1


def test_cli_dump_and_restore(
    news: NewsStore, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = str(news.root)
    news.tag_query("flood", add=["climate"])
    code, dumped, _ = run(capsys, "--store", root, "dump-tags")
    lines = [json.loads(line) for line in dumped.splitlines()]
    assert code == 0 and len(lines) == 2 and set(lines[0]) == {"id", "url", "tags", "read", "starred"}
    other = str(tmp_path / "other")
    fresh = NewsStore(other)
    fresh.add_articles([story(1, "x"), story(2, "y")])
    fresh.close()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((dumped + "not json\n").encode())))
    code, out, err = run(capsys, "--store", other, "restore-tags")
    assert code == 1 and out == "2 articles changed\n" and "line 3: not JSON" in err
    with NewsStore(other) as reopened:
        assert reopened.search("tag:climate").count == 2

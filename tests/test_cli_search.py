"""`newsdesk search` and `newsdesk export QUERY` (docs/cli.md): JSON and counts, limit and order, a
query starting with '-', malformed queries as usage errors with a pointer, never a traceback."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from articles.model import Article, Entity
from store import NewsStore
from tui.cli import main

STORIES = {
    "flood_title": Article.create(
        title="Flood warning for the delta",
        body="Residents move inland before the weekend.",
        url="https://news.example/flood-warning",
        published="2024-06-01T08:00:00+00:00",
        source="Delta Daily",
    ),
    "flood_body": Article.create(
        title="Weekend outlook",
        body="Heavy rain may bring a flood to low streets.",
        url="https://news.example/outlook",
        published="2024-06-03T08:00:00+00:00",
        source="Delta Daily",
    ),
    "solar": Article.create(
        title="Solar power sets a record",
        body="Grid operators cheered.",
        url="https://news.example/solar",
        published="2024-06-02T08:00:00+00:00",
        source="Grid Weekly",
        entities=(Entity("Barack Obama", "person", aliases=("Obama",)),),
    ),
    "telaviv": Article.create(
        title="Startups in Tel-Aviv",
        body="Investors arrive.",
        url="https://news.example/tel-aviv",
        published="2024-05-20T08:00:00+00:00",
        source="Meridian Wire",
    ),
}


@pytest.fixture
def store_dir(tmp_path: Path) -> str:
    root = tmp_path / "store"
    with NewsStore(root) as store:
        store.add_articles(STORIES.values())
        store.update_state([STORIES["flood_title"].id, STORIES["solar"].id], add_tags=["Climate Change"])
        store.update_state([STORIES["solar"].id], read=True, starred=True)
    return str(root)


def run(capsys: pytest.CaptureFixture[str], store: str, *args: str) -> tuple[int, str, str]:
    code = main(["--store", store, *args])
    out, err = capsys.readouterr()
    return code, out, err


def names(records: list[dict[str, object]]) -> list[str]:
    by_id = {a.id: name for name, a in STORIES.items()}
    return [by_id[str(r["id"])] for r in records]


def test_search_json_prints_list_records_in_relevance_order(capsys: pytest.CaptureFixture[str], store_dir: str) -> None:
    code, out, err = run(capsys, store_dir, "search", "flood", "--json")
    assert code == 0 and err == ""
    records = json.loads(out)
    assert names(records) == ["flood_title", "flood_body"]  # the title hit first, though older
    assert {"id", "title", "source", "url", "published", "tags", "read", "starred"} <= set(records[0])
    assert records[0]["tags"] == ["Climate Change"] and records[0]["read"] is False


def test_query_words_are_joined_and_fields_quoted(capsys: pytest.CaptureFixture[str], store_dir: str) -> None:
    code, out, _ = run(capsys, store_dir, "search", "flood", "OR", "solar", "--json")
    assert code == 0 and set(names(json.loads(out))) == {"flood_title", "flood_body", "solar"}
    code, out, _ = run(capsys, store_dir, "search", 'tag:"climate change"', "is:unread", "--json")
    assert names(json.loads(out)) == ["flood_title"]
    code, out, _ = run(capsys, store_dir, "search", "person:obama", "--json")
    assert names(json.loads(out)) == ["solar"]
    code, out, _ = run(capsys, store_dir, "search", '"tel aviv"', "--json")
    assert names(json.loads(out)) == ["telaviv"]


def test_count_prints_a_bare_number_or_a_json_object(capsys: pytest.CaptureFixture[str], store_dir: str) -> None:
    assert run(capsys, store_dir, "search", "flood", "--count") == (0, "2\n", "")
    code, out, _ = run(capsys, store_dir, "search", "flood", "--count", "--json")
    assert code == 0 and json.loads(out) == {"count": 2}
    assert run(capsys, store_dir, "search", "--count")[1] == "4\n"  # the empty query: everything
    assert run(capsys, store_dir, "search", "nothing-like-this", "--count")[1] == "0\n"


def test_limit_and_sort(capsys: pytest.CaptureFixture[str], store_dir: str) -> None:
    code, out, _ = run(capsys, store_dir, "search", "flood", "--limit", "1", "--json")
    assert code == 0 and names(json.loads(out)) == ["flood_title"]
    code, out, _ = run(capsys, store_dir, "search", "flood", "--sort", "new", "--json")
    assert names(json.loads(out)) == ["flood_body", "flood_title"]
    code, out, _ = run(capsys, store_dir, "search", "--sort", "old", "--json")
    assert names(json.loads(out)) == ["telaviv", "flood_title", "solar", "flood_body"]
    code, out, _ = run(capsys, store_dir, "search", "--json")
    assert names(json.loads(out)) == ["flood_body", "solar", "flood_title", "telaviv"]
    code, out, _ = run(capsys, store_dir, "search", "sort:old", "--limit", "2", "--json")
    assert names(json.loads(out)) == ["telaviv", "flood_title"]


def test_text_output_is_one_line_per_match(capsys: pytest.CaptureFixture[str], store_dir: str) -> None:
    code, out, _ = run(capsys, store_dir, "search", "flood", "--sort", "old")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith(STORIES["flood_title"].id) and "Flood warning for the delta" in lines[0]
    assert lines[1].startswith(STORIES["flood_body"].id)


def test_a_query_starting_with_a_minus_follows_a_double_dash(
    capsys: pytest.CaptureFixture[str], store_dir: str
) -> None:
    code, out, err = run(capsys, store_dir, "search", "--json", "--", "-flood")
    assert code == 0, err
    assert set(names(json.loads(out))) == {"solar", "telaviv"}
    code, out, _ = run(capsys, store_dir, "search", "--count", "--", '-tag:"climate change"')
    assert out == "2\n"
    code, out, _ = run(capsys, store_dir, "search", "--count", "--", "-tag:climate", "change")
    assert out == "0\n"  # two arguments, two parts: NOT tag:climate, and the word "change"
    with pytest.raises(SystemExit) as exited:  # without it the query is taken for an option
        main(["--store", store_dir, "search", "-flood"])
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("query", "message", "position"),
    [
        ('flood "tel aviv', "unbalanced quote", 6),
        ("(flood OR solar", "'(' without ')'", 0),
        ("flood colour:red", "unknown field 'colour:'", 6),
        ("flood date:2024-13-01", "bad date", 6),
        ("flood OR", "OR needs something on its right", 6),
        ("is:bold", "unknown is:bold", 0),
    ],
)
def test_malformed_query_exits_2_with_a_pointer(
    capsys: pytest.CaptureFixture[str], store_dir: str, query: str, message: str, position: int
) -> None:
    for command in (["search", query], ["search", query, "--count"], ["export", query]):
        code, out, err = run(capsys, store_dir, *command)
        assert code == 2 and out == ""
        assert "Traceback" not in err and message in err
        lines = err.splitlines()
        assert lines[0].startswith("newsdesk: malformed query")
        assert lines[1] == f"  {query}"
        assert lines[2] == " " * (position + 2) + "^"


def test_export_writes_only_the_matches(capsys: pytest.CaptureFixture[str], store_dir: str) -> None:
    code, out, _ = run(capsys, store_dir, "export", 'tag:"climate change"', "--format", "jsonl")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert names(records) == ["solar", "flood_title"]  # newest first
    assert all(r["tags"] == ["Climate Change"] for r in records)
    assert records[0]["read"] is True and records[0]["starred"] is True
    assert records[0]["body"] == "Grid operators cheered."
    code, out, _ = run(capsys, store_dir, "export", "flood", "--format", "jsonl")
    assert {r["id"] for r in map(json.loads, out.splitlines())} == {
        STORIES["flood_title"].id,
        STORIES["flood_body"].id,
    }
    code, out, _ = run(capsys, store_dir, "export", "--format", "jsonl", "--", "-flood")
    assert code == 0 and set(names([json.loads(line) for line in out.splitlines()])) == {"solar", "telaviv"}
    code, out, _ = run(capsys, store_dir, "export", "--format", "jsonl")
    assert len(out.splitlines()) == len(STORIES)


def test_export_csv_with_a_query(capsys: pytest.CaptureFixture[str], store_dir: str) -> None:
    code, out, _ = run(capsys, store_dir, "export", "is:starred", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0][0] == "id"
    assert [r[0] for r in rows[1:]] == [STORIES["solar"].id]


def test_an_exported_selection_reimports_with_its_state(
    capsys: pytest.CaptureFixture[str], store_dir: str, tmp_path: Path
) -> None:
    _, out, _ = run(capsys, store_dir, "export", "tag:climate*", "--format", "jsonl")
    assert out == ""  # tag: takes an exact name, no prefix
    _, out, _ = run(capsys, store_dir, "export", 'tag:"Climate Change"', "--format", "jsonl")
    backup = tmp_path / "selection.jsonl"
    backup.write_text(out, encoding="utf-8")
    other = str(tmp_path / "other")
    code, _, _ = run(capsys, other, "import", "--no-entities", str(backup))
    assert code == 0
    code, out, _ = run(capsys, other, "search", 'tag:"climate change"', "--json")
    assert sorted(names(json.loads(out))) == ["flood_title", "solar"]
    assert run(capsys, other, "search", "is:starred", "--count")[1] == "1\n"

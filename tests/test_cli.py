"""The CLI contract of docs/cli.md: options anywhere, JSON documents, exit codes, round trips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk_testing import shared_path
from tui.cli import build_parser, main

SEED = "shanghai-mayor-visits-israel.txt"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_import_list_show_with_store_before_or_after(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    code, out, _ = run(capsys, "--store", store, "import", str(shared_path("seed")), "--json", "--no-entities")
    assert code == 0
    summary = {"imported": 1, "duplicates": 0, "updated": 0, "failed": 0, "warnings": 0, "feeds": 0, "skipped": 0, "entities": 0, "stories": 1, "trashed": 0}
    assert json.loads(out) == summary
    code, out, _ = run(capsys, "list", "--json", "--store", store)
    (item,) = json.loads(out)
    # docs/cli.md adds fields
    assert {"id", "title", "source", "url", "published", "tags", "read", "starred"} <= set(item)
    assert item["title"].startswith("Shanghai mayor visits Israel")
    code, out, _ = run(capsys, "show", item["id"], "--store", store, "--json")
    shown = json.loads(out)
    assert code == 0
    assert {"body", "summary", "author", "language", "feed", "entities"} <= set(shown)
    assert shown["entities"] is None and shown["language"] == "en"
    code, out, _ = run(capsys, "show", item["id"][:6], "--store", store)
    assert code == 0 and "Ying Yong" in out and out.startswith("Shanghai mayor")


def test_store_from_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSDESK_STORE", str(tmp_path / "env-store"))
    assert run(capsys, "import", "--no-entities", str(shared_path("seed")))[0] == 0
    assert (tmp_path / "env-store" / "store.json").exists()
    code, out, _ = run(capsys, "list")
    assert code == 0 and "Shanghai mayor" in out


def test_import_failures_exit_1_and_name_the_source(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(
        capsys, "--store", str(tmp_path / "s"), "import", str(shared_path("feeds")), "--json", "--no-entities"
    )
    summary = json.loads(out)
    assert code == 1
    assert summary["failed"] == 4 and summary["imported"] > 40
    failure_lines = [line for line in err.splitlines() if "warning:" not in line and ": skipped " not in line]
    assert len(failure_lines) == 4
    assert all(line.startswith(str(shared_path("feeds"))) and ": " in line for line in failure_lines)


def test_show_unknown_id_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, "--store", str(tmp_path / "s"), "import", "--no-entities", str(shared_path("seed")))
    code, out, err = run(capsys, "--store", str(tmp_path / "s"), "show", "abcdefabcdef")
    assert code == 1 and out == "" and "no article" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["list", "--limit", "-3"], ["frobnicate"], ["import"], ["export", "--format", "xml"]):
        with pytest.raises(SystemExit) as exited:
            main(args)
        assert exited.value.code == 2


def test_missing_or_corrupt_store_exits_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--store", str(tmp_path / "nothing"), "list")
    assert code == 3 and "no store" in err
    store = tmp_path / "s"
    run(capsys, "--store", str(store), "import", "--no-entities", str(shared_path("seed")))
    (store / "store.json").write_bytes(b'{"meta": [')
    before = (store / "store.json").read_bytes()
    code, _, err = run(capsys, "--store", str(store), "list")
    assert code == 3 and "store.json" in err
    assert (store / "store.json").read_bytes() == before


def test_export_jsonl_round_trip_through_the_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src, dst = str(tmp_path / "src"), str(tmp_path / "dst")
    run(
        capsys,
        "--store",
        src,
        "import",
        "--no-entities",
        str(shared_path("wikinews", "articles.jsonl")),
        str(shared_path("seed")),
    )
    code, out, _ = run(capsys, "--store", src, "export", "--format", "jsonl")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 164 and all(json.loads(line)["newsdesk"] == 1 for line in lines)
    export = tmp_path / "export.jsonl"
    export.write_text(out)
    code, out, _ = run(capsys, "--store", dst, "import", str(export), "--json", "--no-entities")
    assert json.loads(out)["imported"] == 164
    listed = [json.loads(run(capsys, "--store", s, "list", "--json")[1]) for s in (src, dst)]
    for records in listed:  # `added` is each store's own (when the article entered it)
        for record in records:
            assert record.pop("added")
    assert listed[0] == listed[1]


def test_export_csv_and_opml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    run(capsys, "--store", store, "import", "--no-entities", str(shared_path("seed")))
    code, out, _ = run(capsys, "--store", store, "export", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "id,title,source,url,published,tags,read,starred"
    code, out, _ = run(capsys, "--store", store, "export", "--format", "opml")
    assert code == 0 and out.startswith("<?xml") and "<opml" in out


def test_list_limit_and_human_output_is_terminal_safe(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_text(
        json.dumps({"title": "Evil \x1b]52;c;cHduZWQ=\x07 title \x1b[2J\u202e", "body": "b"})
        + "\n"
        + json.dumps({"title": "Second", "body": "b"})
        + "\n"
    )
    store = str(tmp_path / "s")
    assert run(capsys, "--store", store, "import", "--no-entities", str(hostile))[0] == 0
    code, out, _ = run(capsys, "--store", store, "list", "--limit", "1")
    assert code == 0 and len(out.splitlines()) == 1
    _, out, _ = run(capsys, "--store", store, "list")
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "Evil ]52;c;cHduZWQ= title [2J" in out


def test_every_command_has_help_with_an_example() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert {"import", "list", "show", "export"} <= set(commands)
    for name, sub in commands.items():
        assert "example:" in sub.format_help(), name


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    env = {**os.environ, "NEWSDESK_STORE": str(tmp_path / "s")}
    version = subprocess.run([sys.executable, "-m", "tui.cli", "--version"], capture_output=True, text=True, env=env)
    assert version.returncode == 0 and version.stdout.startswith("newsdesk ")
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "import", "--no-entities", str(shared_path("seed"))],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0
    assert "importing" not in done.stderr  # no progress bar when stderr is not a terminal
    assert done.stdout.strip() == "imported 1, updated 0, duplicates 0, failed 0"


def test_reader_refuses_a_non_terminal(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "--demo")
    assert code == 2 and "needs a terminal" in err
    assert not (tmp_path / "default-store").exists()  # the demo never touches the user's store


def test_a_small_cli_tag_leaves_the_index_to_the_next_search_a_large_one_syncs_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`newsdesk tag` on a few articles does not commit the full-text index (searches stay
    exact: they read the pending articles themselves); on more than SYNC_BEFORE_SEARCH it does,
    before it exits."""
    from articles.model import Article
    from store import NewsStore
    from store.search.text_sync import SYNC_BEFORE_SEARCH

    root = tmp_path / "store"
    with NewsStore(root) as store:
        store.add_articles(
            [Article.create(title=f"Deferred {n}", body=f"Body {n}.", url=f"https://d.example/{n}") for n in range(300)]
        )
        store.sync_text()
        ids = [item.id for item in store.list()]
    assert run(capsys, "--store", str(root), "tag", "+few", "--", f"id:{ids[0]}")[0] == 0
    with NewsStore(root, readonly=True) as store:
        assert store.pending_text() == 1
        assert [i.id for i in store.search("tag:few").items] == [ids[0]]
    assert run(capsys, "--store", str(root), "tag", "+many", "--", "deferred")[0] == 0
    assert len(ids) > SYNC_BEFORE_SEARCH
    with NewsStore(root, readonly=True) as store:
        assert store.pending_text() == 0
        assert store.search("tag:many").count == len(ids) and store.search("tag:few").count == 1


def test_version_needs_no_parser(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("newsdesk ")

"""Folder imports (issue 14, item 6): links that leave the folder are not followed, text that does
not read like an article is skipped (counted, named with --verbose), and a broken record in a JSON
or JSONL file is a failure named FILE:LINE (or FILE: .[INDEX]) while the good records import.
Real files, real symlinks and a real FIFO in tmp_path; the CLI through its main()."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from articles.importers import Problem, Skipped, read_source
from articles.importers.text import why_not_an_article
from articles.model import Article
from newsdesk_testing import shared_path
from tui.cli import main

REPO = Path(__file__).resolve().parent.parent
SEED_NAME = "shanghai-mayor-visits-israel.txt"
SHORT_NEWS = "Fire at the harbour\n\nA fire broke out in a warehouse at the harbour on Tuesday. No one was hurt.\n"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def titles(capsys: pytest.CaptureFixture[str], store: Path) -> list[str]:
    code, out, _ = run(capsys, "--store", str(store), "list", "--json")
    assert code == 0
    return sorted(item["title"] for item in json.loads(out))


# -- links ----------------------------------------------------------------------------------------
def test_links_leading_out_of_the_folder_are_not_followed(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    # Outside the folder, text that would make a fine article: only the link keeps it out.
    (outside / "private.txt").write_text("Private diary\n\nI told nobody about the harbour fire on Tuesday.\n")
    (outside / "more").mkdir()
    (outside / "more" / "other.txt").write_text("Other private note\n\nThis is not for the archive at all.\n")
    news = tmp_path / "news"
    news.mkdir()
    (news / "fire.txt").write_text(SHORT_NEWS)
    (news / "passwd").symlink_to("/etc/passwd")
    (news / "diary.txt").symlink_to(outside / "private.txt")
    (news / "relative.txt").symlink_to(Path("..") / "outside" / "private.txt")
    (news / "elsewhere").symlink_to(outside / "more", target_is_directory=True)
    store = tmp_path / "store"

    code, out, err = run(capsys, "--store", str(store), "import", "--no-entities", str(news))
    assert code == 0, err
    assert out.startswith("imported 1, ") and "failed 0" in out
    assert titles(capsys, store) == ["Fire at the harbour"]
    # said once, with how many and which
    notes = [line for line in err.splitlines() if "out of the folder" in line]
    assert len(notes) == 1, err
    assert notes[0].startswith(f"{news}: 4 links leading out of the folder were not followed: ")
    assert "diary.txt" in notes[0] and "--verbose" in notes[0]

    code, out, err = run(capsys, "--store", str(store), "import", "--no-entities", "--verbose", "--json", str(news))
    assert json.loads(out)["skipped"] == 4
    for name, target in (
        ("passwd", Path("/etc/passwd").resolve()),
        ("diary.txt", outside / "private.txt"),
        ("relative.txt", outside / "private.txt"),
        ("elsewhere", outside / "more"),
    ):
        assert f"{news / name}: skipped: a link to {target}, outside the folder: not followed" in err.splitlines()
    assert titles(capsys, store) == ["Fire at the harbour"]


def test_links_inside_the_folder_are_read_once_and_loops_end(tmp_path: Path) -> None:
    news = tmp_path / "news"
    (news / "a").mkdir(parents=True)
    (news / ".archive").mkdir()
    (news / "a" / "fire.txt").write_text(SHORT_NEWS)
    (news / ".archive" / "storm.txt").write_text(
        "Storm warning\n\nThe weather service warned of storms along the coast on Friday.\n"
    )
    (news / "same-fire.txt").symlink_to(news / "a" / "fire.txt")  # a second name for one file
    (news / "archive").symlink_to(".archive", target_is_directory=True)  # a hidden folder, linked
    (news / "a" / "up").symlink_to("..", target_is_directory=True)  # a loop
    (news / "a" / "self").symlink_to(".", target_is_directory=True)  # another loop
    (news / "dangling.txt").symlink_to(news / "gone.txt")
    items = list(read_source(str(news)))
    articles = [i for i in items if isinstance(i, Article)]
    assert sorted(a.title for a in articles) == ["Fire at the harbour", "Storm warning"]
    assert [i for i in items if isinstance(i, Problem)] == []
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [(Path(s.source).name, s.reason, s.outside) for s in skipped] == [("dangling.txt", "a broken link", False)]


def test_a_fifo_in_a_folder_is_skipped_without_blocking(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "fire.txt").write_text(SHORT_NEWS)
    os.mkfifo(news / "pipe.txt")  # opening it for reading would wait for a writer forever
    done: list[list[object]] = []
    reader = threading.Thread(target=lambda: done.append(list(read_source(str(news)))), daemon=True)
    reader.start()
    reader.join(timeout=60)  # a hang guard, not a pace: the walk never opens the FIFO
    if reader.is_alive():  # release the stuck open() so the thread ends, then fail
        os.close(os.open(news / "pipe.txt", os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=10)
        pytest.fail("the folder walk blocked on a FIFO")
    (items,) = done
    assert [i.title for i in items if isinstance(i, Article)] == ["Fire at the harbour"]
    assert [(Path(i.source).name, i.reason) for i in items if isinstance(i, Skipped)] == [
        ("pipe.txt", "not a regular file")
    ]


# -- text that is not an article ------------------------------------------------------------------
def junk_folder(tmp_path: Path) -> Path:
    """The shared data's licence and source notes (under their own names and neutral ones), a
    password file, next to the seed and a short news item."""
    news = tmp_path / "news"
    news.mkdir()
    notice = shared_path("wikinews", "NOTICE.txt").read_text(encoding="utf-8")
    sources = shared_path("feeds", "SOURCES.txt").read_text(encoding="utf-8")
    (news / "NOTICE.txt").write_text(notice)
    (news / "SOURCES.txt").write_text(sources)
    (news / "about-the-corpus.txt").write_text(notice)  # judged by content alone
    (news / "list.txt").write_text(sources)
    (news / "accounts.txt").write_text(
        "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
    )
    seed = shared_path("seed", "shanghai-mayor-visits-israel.txt")
    (news / seed.name).write_bytes(seed.read_bytes())
    (news / "fire.txt").write_text(SHORT_NEWS)
    return news


def test_text_that_is_not_an_article_is_skipped_and_named_with_verbose(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    news = junk_folder(tmp_path)
    store = tmp_path / "store"
    code, out, err = run(capsys, "--store", str(store), "import", "--no-entities", str(news))
    assert code == 0, err
    assert out.startswith("imported 2, ") and "skipped 5" in out
    assert titles(capsys, store) == [
        "Fire at the harbour",
        "Shanghai mayor visits Israel to deepen cooperation in innovation and key industries",
    ]
    note = "skipped 5 files that newsdesk does not take for articles (--verbose names each and says why)"
    assert f"{news}: {note}" in err.splitlines()
    assert "NOTICE" not in err  # counted, not named, without --verbose

    code, out, err = run(capsys, "--store", str(store), "import", "--no-entities", "--verbose", "--json", str(news))
    assert json.loads(out)["skipped"] == 5 and json.loads(out)["failed"] == 0
    named = {
        Path(line.split(": skipped: ")[0]).name for line in err.splitlines() if ": skipped: not an article" in line
    }
    assert named == {"NOTICE.txt", "SOURCES.txt", "about-the-corpus.txt", "list.txt", "accounts.txt"}


def test_a_text_file_named_on_the_command_line_is_imported_whatever_it_looks_like(tmp_path: Path) -> None:
    notice = tmp_path / "NOTICE.txt"
    notice.write_bytes(shared_path("wikinews", "NOTICE.txt").read_bytes())
    articles = [i for i in read_source(str(notice)) if isinstance(i, Article)]
    assert [a.title for a in articles] == ["wikinews_demo_articles.jsonl -- 193 English news articles from Wikinews"]


MIT = """MIT License

Copyright (c) 2024 Example Person

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction.
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("notes.txt", MIT),
        ("table.txt", "Feeds\n\nname | url | kind\nbbc | https://b.example/rss | rss\ncnn | https://c.example | rss\n"),
        ("links.txt", "Reading list\n\nhttps://a.example/one\nhttps://b.example/two\nhttps://c.example/three\n"),
        ("config.txt", "Settings\n\nname = newsdesk\ntheme = dark\nkeep_days = 30\n"),
        ("title.txt", "Only a title\n"),
        ("shout.txt", "TODO\n\nBUY MILK\nCALL BANK\n"),
    ],
)
def test_what_is_not_prose_is_not_an_article(name: str, text: str) -> None:
    assert why_not_an_article(text, name) is not None


@pytest.mark.parametrize(
    "text",
    [
        SHORT_NEWS,
        "A title\n\nA body paragraph.\n",
        "Breaking: Ship sinks off Cornwall\n\nAll 12 crew were rescued by the coastguard, officials said.\n",
        # hard-wrapped, with a list of dates inside
        "Consultation opens on the tram line\n\nThe city is asking residents what they think of the\n"
        "proposed tram line, which would run from the harbour to the university.\n\n"
        "Drop-in sessions:\n\n- Harbour Centre, 12 November\n- City Library, 14 November\n\n"
        "Responses will be published in January.\n",
        # paragraphs indented, one per line
        "Council approves budget\n\n    The council approved its budget on Monday after a long debate.\n"
        "    The mayor said the vote was a relief for everyone involved.\n",
    ],
)
def test_short_news_texts_read_like_articles(text: str) -> None:
    assert why_not_an_article(text, "story.txt") is None


def test_the_seed_and_every_wikinews_article_as_a_text_file_read_like_articles() -> None:
    seed, demo = shared_path("seed", "shanghai-mayor-visits-israel.txt"), REPO / "tui" / "demo" / "articles" / SEED_NAME
    for path in (seed, demo):
        assert why_not_an_article(path.read_text(encoding="utf-8"), path.name) is None
    with shared_path("wikinews", "articles.jsonl").open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    rejected = [r["title"] for r in records if why_not_an_article(f"{r['title']}\n\n{r['body']}\n", "story.txt")]
    assert rejected == []


# -- broken records ---------------------------------------------------------------------------------
def test_a_broken_jsonl_line_is_a_failure_named_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    news = tmp_path / "news"
    news.mkdir()
    good = [json.dumps({"title": f"Good {n}", "body": f"Body {n}.", "url": f"https://x.example/{n}"}) for n in (1, 2)]
    first_bad = news / "first-bad.jsonl"
    first_bad.write_text("not json {{{\n" + "\n".join(good) + "\n")
    middle_bad = news / "middle-bad.jsonl"
    middle_bad.write_text(good[0] + "\n\nnot json {{{\n" + json.dumps(["a list"]) + "\n")
    unnamed = news / "records"  # JSON Lines by content, no extension, broken first line
    unnamed.write_text("{broken\n" + "\n".join(good).replace("Good", "Other").replace("x.example", "y.example") + "\n")
    array = news / "array.json"
    array.write_text(json.dumps([{"title": "In an array", "body": "Text."}, "a string", {"x": 1}]))
    store = tmp_path / "store"

    code, out, err = run(capsys, "--store", str(store), "import", "--no-entities", str(news), "--json")
    assert code == 1
    summary = json.loads(out)
    assert summary["failed"] == 6 and summary["imported"] == 5
    lines = err.splitlines()
    assert f"{first_bad}:1: invalid JSON (invalid literal, expected 'null' at column 1)" in lines
    assert f"{middle_bad}:3: invalid JSON (invalid literal, expected 'null' at column 1)" in lines
    assert f"{middle_bad}:4: not a JSON object" in lines
    assert any(line.startswith(f"{unnamed}:1: invalid JSON") for line in lines)
    assert f"{array}: .[1]: not a JSON object" in lines
    assert f"{array}: .[2]: no title, text or url" in lines
    assert "not json {{{" not in titles(capsys, store)
    assert titles(capsys, store) == ["Good 1", "Good 2", "In an array", "Other 1", "Other 2"]


def test_a_projects_json_files_in_a_folder_are_skipped_not_articles_or_failures(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "package.json").write_text(json.dumps({"name": "my-lib", "version": "1.0.0", "description": "A lib."}))
    (news / "tsconfig.json").write_text(json.dumps({"compilerOptions": {"strict": True}}))
    (news / "story.json").write_text(json.dumps({"title": "One story", "body": "It happened today."}))
    items = list(read_source(str(news)))
    assert [i.title for i in items if isinstance(i, Article)] == ["One story"]
    assert [i for i in items if isinstance(i, Problem)] == []
    assert sorted(Path(i.source).name for i in items if isinstance(i, Skipped)) == ["package.json", "tsconfig.json"]
    # named on the command line, a lone record is read as before
    assert [i.title for i in read_source(str(news / "package.json")) if isinstance(i, Article)] == ["my-lib"]

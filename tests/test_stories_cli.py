"""Stories through the command line, as real processes: records carry "story" and "copy_of",
`is:copy` and `story:ID` search, `stories` lists, join/split corrections survive `stories
rebuild` and an export re-imported into another store, and `check` verifies them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from newsdesk_testing import newsdesk

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "tui" / "demo" / "articles" / "samples.jsonl"


def as_json(done: subprocess.CompletedProcess[str]) -> Any:
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def corpus(tmp_path: Path) -> Path:
    """The demo's articles and a reprint of its first: other title, source, url, boilerplate."""
    lines = DEMO.read_text().splitlines()
    first = json.loads(lines[0])
    reprint = {
        **first,
        "title": "UPDATE: Flood forces evacuations - Metro Wire",
        "source": "Metro Wire",
        "url": "https://wire.invalid/flood-evacuations",
        "published": "2026-10-26T09:10:00+01:00",
        "body": "KESSFORD (Metro Wire) — " + first["body"].replace("\n\n", " ") + "\n\nSubscribe to our newsletter.",
        "tags": [],
        "read": False,
    }
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join([*lines, json.dumps(reprint)]) + "\n")
    return path


def test_records_carry_story_and_copy_of_and_the_query_language_finds_them(tmp_path: Path) -> None:
    store = tmp_path / "s"
    summary = as_json(newsdesk(store, "import", "--no-entities", "--json", str(corpus(tmp_path))))
    assert summary["stories"] == 27
    records = as_json(newsdesk(store, "list", "--json"))
    assert all("story" in r and "copy_of" in r for r in records)
    copies = as_json(newsdesk(store, "search", "is:copy", "--json"))
    assert [c["title"] for c in copies] == ["UPDATE: Flood forces evacuations - Metro Wire"]
    original = copies[0]["copy_of"]
    assert as_json(newsdesk(store, "show", original, "--json"))["copy_of"] is None
    story = as_json(newsdesk(store, "search", f"story:{copies[0]['story']}", "--json"))
    assert {original, copies[0]["id"]} <= {r["id"] for r in story}
    assert all(r["story"] == copies[0]["story"] for r in story)
    exported = [json.loads(line) for line in newsdesk(store, "export").stdout.splitlines()]
    assert {r["id"]: r["copy_of"] for r in exported}[copies[0]["id"]] == original
    stories = as_json(newsdesk(store, "stories", "--json"))
    mayor = [s for s in stories if any("Portugal" in a["title"] for a in s["articles"])]
    assert mayor and mayor[0]["count"] >= 2 and mayor[0]["first"] <= mayor[0]["last"]
    assert as_json(newsdesk(store, "stories", "Portugal", "--json")) == mayor
    human = newsdesk(store, "stories")
    assert human.returncode == 0 and f"story {mayor[0]['story']}" in human.stdout


def test_corrections_survive_rebuild_and_export_and_check_verifies(tmp_path: Path) -> None:
    store = tmp_path / "s"
    as_json(newsdesk(store, "import", "--no-entities", "--json", str(corpus(tmp_path))))
    stories = as_json(newsdesk(store, "stories", "--json"))
    mayor = next(s for s in stories if any("Portugal" in a["title"] for a in s["articles"]))
    last = mayor["articles"][-1]["id"]
    split = as_json(newsdesk(store, "stories", "split", last, "--json"))
    assert split["story"] != mayor["story"]
    kelp = as_json(newsdesk(store, "search", "kelp", "--json"))[0]["id"]
    joined = as_json(newsdesk(store, "stories", "join", kelp, mayor["story"], "--json"))
    assert joined["story"] == mayor["story"] and kelp in joined["articles"]
    rebuilt = newsdesk(store, "stories", "rebuild")
    assert rebuilt.returncode == 0 and rebuilt.stdout.startswith("placed 27 articles")

    def story_of(where: Path, article: str) -> str:
        return str(as_json(newsdesk(where, "show", article, "--json"))["story"])

    assert story_of(store, kelp) == mayor["story"] and story_of(store, last) != mayor["story"]
    check = as_json(newsdesk(store, "check", "--json"))["stories"]
    assert check["problems"] == [] and check["unplaced"] == 0 and check["corrections"] >= 2
    export = tmp_path / "export.jsonl"
    export.write_text(newsdesk(store, "export").stdout)
    other = tmp_path / "other"
    as_json(newsdesk(other, "import", "--no-entities", "--json", str(export)))
    assert story_of(other, kelp) == mayor["story"] and story_of(other, last) != mayor["story"]
    assert newsdesk(other, "check").stdout.count("stories ok") == 1


def test_stories_usage_errors_exit_2(tmp_path: Path) -> None:
    store = tmp_path / "s"
    newsdesk(store, "import", "--no-entities", str(corpus(tmp_path)))
    assert newsdesk(store, "stories", "join", "abcd").returncode == 2
    assert newsdesk(store, "stories", "split", "not-an-id").returncode == 2

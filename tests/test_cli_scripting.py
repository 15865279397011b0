"""notmuch-style scripting (issue 19), as real processes: `search --output=ids|tags|urls|count`,
`tag --batch` from stdin (all lines checked before any is applied, one commit), the
`[hooks] post_import` command run with the new ids on stdin, and `tag +x --foo` refused."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from newsdesk_testing import newsdesk
from store import NewsStore

RECORDS = [
    {"title": "Flood closes the harbour road", "url": "https://script.test/1", "source": "Post",
     "date": "2026-03-01T09:00:00+00:00", "tags": ["Climate", "later"]},
    {"title": "Drought in the valley", "url": "https://script.test/2", "source": "Post",
     "date": "2026-03-02T09:00:00+00:00", "tags": ["climate"]},
    {"title": "Tram line approved", "source": "Post", "date": "2026-03-03T09:00:00+00:00", "tags": ["city"]},
]  # fmt: skip


def imported(tmp_path: Path, records: list[dict[str, Any]] = RECORDS, **kwargs: Any) -> Path:
    source = tmp_path / f"in-{len(list(tmp_path.glob('in-*')))}.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    root = tmp_path / "store"
    done = newsdesk(root, "import", "--no-entities", str(source), **kwargs)
    assert done.returncode == 0, done.stderr
    return root


def test_search_output_as_notmuch(tmp_path: Path) -> None:
    root = imported(tmp_path)
    ids = newsdesk(root, "search", "--output=ids", "--sort", "old")
    assert ids.returncode == 0 and len(ids.stdout.splitlines()) == 3
    assert all(len(line) == 12 for line in ids.stdout.splitlines())
    urls = newsdesk(root, "search", "--output=urls", "--sort", "old")
    assert urls.stdout == "https://script.test/1\nhttps://script.test/2\n"  # an article without a url has no line
    tags = newsdesk(root, "search", "--output", "tags")
    assert tags.stdout == "city\nclimate\nlater\n"  # each tag once, as the newest match spells it, sorted
    assert newsdesk(root, "search", "--output=tags", "--json", "tag:city").stdout == '["city"]\n'
    assert newsdesk(root, "search", "--output=count", "tag:climate").stdout == "2\n"
    assert newsdesk(root, "search", "--output=count", "--json", "tag:climate").stdout == '{"count":2}\n'
    assert newsdesk(root, "search", "--output=ids", "--limit", "1").stdout.count("\n") == 1
    both = newsdesk(root, "search", "--count", "--output=ids")
    assert both.returncode == 2 and "give one" in both.stderr
    wrong = newsdesk(root, "search", "--output=titles")
    assert wrong.returncode == 2 and "invalid choice" in wrong.stderr
    typo = newsdesk(root, "serach", "flood")  # a mistyped command: the close ones, not all 26
    assert typo.returncode == 2 and typo.stderr.splitlines()[-1] == (
        "newsdesk: error: 'serach' is not a newsdesk command; did you mean search?"
    )
    assert "is not a newsdesk command (newsdesk --help lists them)" in newsdesk(root, "zzz").stderr


def test_tag_batch_applies_every_line_in_one_commit(tmp_path: Path) -> None:
    root = imported(tmp_path)
    generation = json.loads((root / "manifest.json").read_bytes())["gen"]
    lines = "# the morning's sorting\n\n+flooding -later -- flood\n+'dry spell' -- drought OR flood\n-city -- tram\n"
    done = newsdesk(root, "tag", "--batch", "--json", stdin=lines)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"changed": 3}
    with NewsStore(root, create=False) as store:
        tags = {i.title.split()[0]: list(i.tags) for i in store.list()}
        assert tags == {
            "Flood": ["Climate", "flooding", "dry spell"],
            "Drought": ["climate", "dry spell"],
            "Tram": [],
        }
    assert json.loads((root / "manifest.json").read_bytes())["gen"] == generation + 1  # one commit


def test_tag_batch_applies_nothing_when_a_line_is_bad(tmp_path: Path) -> None:
    root = imported(tmp_path)
    before = newsdesk(root, "dump-tags").stdout
    lines = "+ok -- flood\n+missing dash flood\n\n+x --json -- flood\n+y -- title:(\n+a,b -- flood\n"
    done = newsdesk(root, "tag", "--batch", stdin=lines)
    assert done.returncode == 2 and done.stdout == ""
    err = done.stderr
    assert "line 2: needs -- between the tags and the query" in err
    assert "line 4: tag takes +TAG and -TAG before --, not '--json'" in err
    assert "line 5: malformed query" in err and "line 6: a tag cannot contain a comma" in err
    assert "line 1" not in err and "nothing was changed" in err
    assert newsdesk(root, "dump-tags").stdout == before
    given = newsdesk(root, "tag", "--batch", "+x", "--", "flood")
    assert given.returncode == 2 and "from stdin" in given.stderr


def test_an_option_among_the_tag_words_is_a_usage_error(tmp_path: Path) -> None:
    root = imported(tmp_path)
    done = newsdesk(root, "tag", "+x", "--foo", "--", "flood")
    assert done.returncode == 2 and "not '--foo'" in done.stderr
    assert "foo" not in newsdesk(root, "dump-tags").stdout


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_post_import_hook_gets_the_new_ids_and_its_failure_never_undoes_the_import(tmp_path: Path) -> None:
    got = tmp_path / "hook got.txt"
    script = write_script(tmp_path / "hook.sh", 'cat > "$1"\necho "store: $NEWSDESK_STORE" >> "$1"\necho chatter\n')
    config = tmp_path / "config.toml"
    config.write_text(f"[hooks]\npost_import = '{script} \"{got}\"'\n", encoding="utf-8")
    root = imported(tmp_path, RECORDS[:2], config=config)
    lines = got.read_text(encoding="utf-8").splitlines()
    with NewsStore(root, create=False) as store:
        assert sorted(lines[:2]) == sorted(i.id for i in store.list())
    assert lines[2] == f"store: {root}"
    source = tmp_path / "again.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    done = newsdesk(root, "import", "--no-entities", "--json", str(source), config=config)
    assert done.returncode == 0 and json.loads(done.stdout)["imported"] == 1  # one JSON document: no chatter
    assert len(got.read_text(encoding="utf-8").splitlines()) == 2  # only the new article's id

    write_script(script, "echo 'cannot reach the server' >&2\nexit 3\n")
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"title": "Ferry strike ends", "source": "Post"}) + "\n", encoding="utf-8")
    failed = newsdesk(root, "import", "--no-entities", str(more), config=config)
    assert failed.returncode == 0, failed.stderr
    assert "[hooks] post_import:" in failed.stderr and "failed (exit status 3); the import stays" in failed.stderr
    assert "cannot reach the server" in failed.stderr
    assert newsdesk(root, "search", "--output=count", "ferry").stdout == "1\n"


def test_a_hook_past_its_time_is_stopped_and_a_missing_one_reported(tmp_path: Path) -> None:
    script = write_script(tmp_path / "slow.sh", "exec sleep 60\n")
    config = tmp_path / "config.toml"
    config.write_text(f"[hooks]\npost_import = '{script}'\ntimeout = 0.5\n", encoding="utf-8")
    source = tmp_path / "one.jsonl"
    source.write_text(json.dumps(RECORDS[0]) + "\n", encoding="utf-8")
    root = tmp_path / "store"
    done = newsdesk(root, "import", "--no-entities", str(source), config=config)
    assert done.returncode == 0 and "stopped after 0.5 s ([hooks] timeout); the import stays" in done.stderr
    config.write_text("[hooks]\npost_import = 'no-such-command-here --x'\n", encoding="utf-8")
    done = newsdesk(root, "import", "--no-entities", str(source), config=config)
    assert done.returncode == 0 and "no-such-command-here --x: cannot run it" in done.stderr


@pytest.mark.parametrize("value", ["3", "'unclosed \"quote'"])
def test_a_bad_hook_setting_is_a_config_warning(tmp_path: Path, value: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[hooks]\npost_import = {value}\n", encoding="utf-8")
    done = newsdesk(tmp_path / "store", "config", "print", config=config)
    assert done.returncode == 0 and f"{config}:2: key 'post_import':" in done.stderr


def complete(words: list[str]) -> list[str]:
    """What the bash completion script offers for `words` (the last one being typed)."""
    script = subprocess.run(
        [sys.executable, "-m", "tui.cli", "completion", "bash"], capture_output=True, text=True, check=True
    ).stdout
    probe = f'{script}\nCOMP_WORDS=({" ".join(words)}); COMP_CWORD={len(words) - 1}; _newsdesk; echo "${{COMPREPLY[@]}}"'
    return subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout.split()


def test_completion_knows_the_new_options_and_their_values() -> None:
    assert complete(["newsdesk", "search", "--ou"]) == ["--output"]
    assert complete(["newsdesk", "search", "--output", ""]) == ["ids", "tags", "urls", "count"]
    assert complete(["newsdesk", "tag", "--b"]) == ["--batch"]
    assert complete(["newsdesk", "rules", "--action", "d"]) == ["delete"]
    assert complete(["newsdesk", "rules", "--d"]) == ["--dry-run"]
    assert complete(["newsdesk", "rules", "a"]) == ["add", "apply"]


def test_the_hook_is_not_given_what_a_delete_rule_took(tmp_path: Path) -> None:
    got = tmp_path / "got.txt"
    script = write_script(tmp_path / "hook.sh", f'cat > "{got}"\n')
    config = tmp_path / "config.toml"
    config.write_text(f"[hooks]\npost_import = '{script}'\n", encoding="utf-8")
    root = tmp_path / "store"
    assert newsdesk(root, "rules", "add", "--action", "delete", "--", "tram", config=config).returncode == 0
    imported(tmp_path, [{**r, "tags": []} for r in RECORDS], config=config)
    with NewsStore(root, create=False) as store:
        assert sorted(got.read_text(encoding="utf-8").split()) == sorted(i.id for i in store.list())
        assert store.count() == 2 and [e.why for e in store.trash()] == ["rule"]

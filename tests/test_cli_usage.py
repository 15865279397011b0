"""Usage mistakes on the command line are said, with the way to do it right (issue 14, items 9-11):
an option written after `--` among the query words, a --config that is not there, what the reader
would say about the config, a too-short id prefix, an occupied backup DEST, no subscriptions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import REPO
from store import NewsStore
from tui.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def article(n: int, **fields: object) -> Article:
    return Article.create(
        title=f"Harbour story {n}",
        body=f"The harbour council met on day {n}.",
        url=f"https://usage.example/{n}",
        published=f"2026-01-{n + 1:02d}T00:00:00+00:00",
        **fields,  # type: ignore[arg-type]
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    with NewsStore(tmp_path / "store") as store:
        store.add_articles([article(n) for n in range(3)])
        store.update_state([article(0).id], add_tags=["apple"])
    return tmp_path / "store"


# -- item 9: options after `--` ------------------------------------------------------------------
def test_an_option_after_the_double_dash_is_refused_with_where_it_goes(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--store", str(root), "search", "--", "-tag:apple", "--count")
    assert (code, out) == (2, "")
    assert "'--count' is an option of search, not a query word; put it before '--'" in err
    assert f"newsdesk --store {root} search --count -- -tag:apple" in err
    # the README's example: an option with its value, and a second option, move together
    code, out, err = run(
        capsys, "--store", str(root), "search", "--", "-tag:apple", '"harbour council"', "--sort", "old", "--json"
    )
    assert (code, out) == (2, "")
    assert "'--sort', '--json' are options of search" in err
    assert f"search --sort old --json -- -tag:apple '\"harbour council\"'" in err
    # where it is told to go, it works
    code, out, _ = run(capsys, "--store", str(root), "search", "--sort", "old", "--json", "--", "-tag:apple", "harbour")
    assert code == 0 and [a["title"] for a in json.loads(out)] == ["Harbour story 1", "Harbour story 2"]
    assert run(capsys, "--store", str(root), "search", "--count", "--", "-tag:apple")[1] == "2\n"


@pytest.mark.parametrize(
    ("words", "option"),
    [
        (["tag", "+x", "--", "harbour", "--json"], "--json"),
        (["mark", "read", "--", "harbour", "--json"], "--json"),
        (["delete", "--", "harbour", "--json"], "--json"),
        (["export", "--", "harbour", "--format", "csv"], "--format"),
        (["export", "--", "harbour", "--format=csv"], "--format"),
        (["entities", "--", "harbour", "--type", "person"], "--type"),
        (["entities", "--", "extract", "harbour", "--limit", "3"], "--limit"),
        (["rules", "add", "later", "--", "harbour", "--json"], "--json"),
        (["search", "--", "harbour", "--store", "/elsewhere"], "--store"),
    ],
)
def test_every_query_command_refuses_its_own_options_among_the_words(
    root: Path, capsys: pytest.CaptureFixture[str], words: list[str], option: str
) -> None:
    before = NewsStore(root, create=False)
    with before:
        states = list(before.dump_states())
    code, out, err = run(capsys, "--store", str(root), *words)
    assert (code, out) == (2, ""), err
    assert f"{option!r} is an option of {words[0]}" in err
    with NewsStore(root, create=False) as after:
        assert list(after.dump_states()) == states and after.count() == 3 and after.rules.list() == []  # nothing done


def test_query_text_that_only_contains_an_option_word_is_a_query(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--store", str(root), "search", "--count", "--", '"--json harbour"')
    assert code == 0 and out == "0\n", err
    code, out, err = run(capsys, "--store", str(root), "search", "--count", "--", "-tag:apple", "--jsonish")
    assert code == 0 and "option" not in err  # not an option of search: a (strange) query word


def test_the_usage_error_of_a_command_module_is_caught_under_python_m(root: Path) -> None:
    """`python -m tui.cli` runs tui/cli/__main__.py; the command modules raise
    tui.cli.common.UsageError, which must be the one main() catches (exit 2, no traceback)."""
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(root), "tag", "+x", "--", "harbour", "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "put it before '--'" in done.stderr


# -- item 10: the config ---------------------------------------------------------------------------
def test_a_config_named_with_the_flag_must_exist(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.toml"
    code, out, err = run(capsys, "--store", str(root), "--config", str(missing), "list")
    assert (code, out) == (2, "")
    assert f"--config {missing}: does not exist" in err
    code, _, err = run(capsys, "--store", str(root), "--config", str(tmp_path), "list")
    assert code == 2 and "is not a regular file" in err


def test_config_print_says_what_the_reader_would_with_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[reader]\nsort = "new"\ntheme = "nordd"\n[keys]\n"no.such.id" = "x"\n', encoding="utf-8")
    code, out, err = run(capsys, "--config", str(config), "config", "print")
    assert code == 0
    assert f"{config}:3: key 'theme': no theme 'nordd'" in err
    assert f"{config}:5: key 'no.such.id': no such binding id" in err
    assert 'theme = "textual-dark"' in out and "no.such.id" not in out  # what is in effect


async def test_the_reader_gives_the_same_located_warnings(tmp_path: Path, root: Path) -> None:
    from newsdesk_testing import settle
    from tui.app import NewsdeskApp
    from tui.config import load_settings

    config = tmp_path / "config.toml"
    config.write_text('[reader]\ntheme = "nordd"\n[keys]\n"no.such.id" = "x"\n', encoding="utf-8")
    with NewsStore(root) as store:
        app = NewsdeskApp(store, settings=load_settings(config))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            said = [n.message for n in app._notifications]
    theme = f"{config}:2: key 'theme': no theme 'nordd' (ctrl+p, 'Change theme', lists them); default 'textual-dark'"
    assert f"{theme} used" in said
    assert any(m.startswith(f"{config}:4: key 'no.such.id': no such binding id") for m in said), said


# -- item 11 -----------------------------------------------------------------------------------------
def test_show_says_a_prefix_needs_four_characters(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wanted = article(1).id
    code, out, err = run(capsys, "--store", str(root), "show", wanted[:3])
    assert (code, out) == (2, "")
    assert f"{wanted[:3]!r} is too short: an id prefix needs at least 4 characters" in err
    code, out, err = run(capsys, "--store", str(root), "show", "xyz!")
    assert code == 2 and "is not an article id" in err
    code, out, _ = run(capsys, "--store", str(root), "show", wanted[:4])
    assert code == 0 and out.startswith("Harbour story 1")


def test_show_says_when_a_prefix_is_shared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seen: dict[str, Article] = {}
    n = 0
    while True:  # two articles whose ids share their first four characters (birthday odds: a few hundred)
        candidate = article(n)
        if candidate.id[:4] in seen:
            pair = [seen[candidate.id[:4]], candidate]
            break
        seen[candidate.id[:4]] = candidate
        n += 1
    with NewsStore(tmp_path / "s") as store:
        store.add_articles(pair)
    code, out, err = run(capsys, "--store", str(tmp_path / "s"), "show", pair[0].id[:4])
    assert (code, out) == (1, "")
    assert f"2 articles have ids starting with {pair[0].id[:4]!r}; give more characters" in err


def test_backup_into_an_occupied_directory_is_a_usage_error(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "mine").write_text("kept")
    code, out, err = run(capsys, "--store", str(root), "backup", str(occupied))
    assert (code, out) == (2, "") and "backup makes a new directory" in err
    assert [p.name for p in occupied.iterdir()] == ["mine"]
    afile = tmp_path / "afile"
    afile.write_text("kept")
    assert run(capsys, "--store", str(root), "backup", str(afile))[0] == 2
    assert afile.read_text() == "kept"


def test_feeds_without_subscriptions_says_how_to_add_one(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--store", str(root), "feeds")
    assert code == 0 and "no subscriptions yet" in out and "newsdesk import" in out
    code, out, _ = run(capsys, "--store", str(root), "feeds", "--json")
    assert code == 0 and json.loads(out) == []


def test_tags_rules_and_entities_say_when_there_are_none(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same class as `feeds`: human output that would be empty says so and how to start."""
    with NewsStore(tmp_path / "bare") as store:
        store.add_articles([article(7)])
    bare = str(tmp_path / "bare")
    assert "no tags yet; add one with: newsdesk tag +TAG -- QUERY" in run(capsys, "--store", bare, "tags")[1]
    assert "no rules yet; add one with: newsdesk rules add" in run(capsys, "--store", bare, "rules", "list")[1]
    code, out, _ = run(capsys, "--store", bare, "entities")
    assert code == 0 and "no entities" in out and "newsdesk entities extract" in out
    for words in (["tags", "--json"], ["rules", "list", "--json"], ["entities", "--json"]):
        assert run(capsys, "--store", bare, *words)[1] == "[]\n"  # scripts get the empty document


def test_entities_extract_takes_its_options_before_the_double_dash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`entities extract --json -- QUERY`: the query's first word came before the option, and
    argparse left the words after `--` unparsed ("unrecognized arguments")."""
    store = str(tmp_path / "s")
    with NewsStore(store) as opened:
        opened.add_articles([Article.create(title="Kelp", body="Kelp forests recover.", url="https://e.example/k")])
    for args in (
        ["entities", "extract", "--json", "--", "nothing-matches"],
        ["entities", "--json", "extract", "--", "nothing-matches"],
    ):
        code, out, err = run(capsys, "--store", store, *args)
        assert code == 0, err
        assert json.loads(out) == {"extracted": 0, "checked": 0}
    code, _, err = run(capsys, "--store", store, "entities", "extract", "--json", "nothing", "--", "more")
    assert code == 0, err
    with pytest.raises(SystemExit) as exited:  # anything else left unparsed is still refused
        main(["--store", store, "entities", "extract", "--json", "--bogus", "--", "more"])
    assert exited.value.code == 2 and "unrecognized arguments: --bogus -- more" in capsys.readouterr().err

"""The TOML config: problems are named (file, line, key) and never stop newsdesk; `config print`
prints what is in effect; [keys] remaps binding ids in the real reader; [reader] settings apply;
TERM=dumb gets a message instead of escape soup."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import settle
from store import NewsStore
from tui import launch
from tui.app import NewsdeskApp
from tui.cli import main
from tui.config import ReaderSettings, Settings, load_settings, parse_settings, render_config
from tui.keymap import binding_table


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_toml_names_the_line_and_keeps_every_default(tmp_path: Path) -> None:
    path = write(tmp_path, '[reader]\ntheme = "nord"\nsort = \n')
    settings = load_settings(path)
    assert settings.reader == ReaderSettings()
    assert len(settings.warnings) == 1 and settings.warnings[0].startswith(f"{path}:3: not valid TOML")


def test_each_bad_setting_is_named_with_its_line_and_the_rest_apply(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[reader]\n"
        'theme = "nord"\n'
        'read_after = "soon"\n'
        "colour = 1\n"
        'panes = ["list", "text"]\n'
        "[fetch]\n"
        "max_bytes = -3\n"
        "connect_timeout = 5\n"
        "[store]\n"
        "backups = 3\n"
        "[keys]\n"
        '"article.toggle_star" = ["S", "asterisk"]\n'
        '"article.tags" = "two words"\n'
        "[colours]\n"
        "x = 1\n",
    )
    settings = load_settings(path)
    assert settings.reader.theme == "nord" and settings.reader.panes == ("list", "text")
    assert settings.reader.read_after == 2.0  # the wrong type: the default
    assert settings.fetch.connect_timeout == 5.0 and settings.fetch.max_bytes == 20 * 1024 * 1024
    assert settings.backups == 3
    assert settings.keys == {"article.toggle_star": "S,asterisk"}
    said = "\n".join(settings.warnings)
    for line, key in ((3, "read_after"), (4, "colour"), (7, "max_bytes"), (13, "article.tags")):
        assert f"{path}:{line}: key {key!r}: " in said, said
    assert f"{path}:14: unknown section [colours]" in said


def test_cli_reports_config_problems_and_still_works(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write(tmp_path, "[reader]\nsort = 'sideways'\n")
    assert main(["--config", str(config), "--store", str(tmp_path / "s"), "list"]) == 3  # no store yet
    err = capsys.readouterr().err
    assert f"{config}:2: key 'sort': expected one of 'new', 'old'" in err


def test_config_print_is_the_effective_config_and_loads_back(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = write(tmp_path, '[reader]\ntheme = "nord"\nread_after = 0\n[keys]\n"article.toggle_read" = "m,R"\n')
    assert main(["--config", str(config), "config", "print"]) == 0
    printed = capsys.readouterr().out
    assert 'theme = "nord"' in printed and '(default: "textual-dark")' in printed
    assert '"article.toggle_read" = "m,R"' in printed and '"list.down" = "j,down"' in printed
    reloaded = parse_settings(tomllib.loads(printed), Path("printed.toml"))
    assert reloaded.warnings == ()
    assert reloaded.reader == load_settings(config).reader
    assert reloaded.keys["article.toggle_read"] == "m,R"
    assert set(binding_table()) <= set(reloaded.keys)  # every binding id is listed


def test_every_binding_id_is_unique_per_meaning() -> None:
    table = binding_table()
    assert table["app.back"][0] == "escape"  # closing keys of views have the opening key's id
    assert table["tags.show"][0] == "T" and table["views.show"][0] == "V"


def test_render_marks_only_what_differs_from_the_default() -> None:
    text = render_config(Settings(), binding_table())
    assert "(default:" not in text and "(set)" not in text


@pytest.fixture
def news(store: NewsStore) -> NewsStore:
    store.add_articles(
        [
            Article.create(
                title=f"Config story {n}",
                body="Body.",
                url=f"https://cfg.example/{n}",
                published=f"2026-01-0{n + 1}T00:00:00+00:00",
            )
            for n in range(5)
        ]
    )
    return store


async def test_keys_remap_binding_ids_in_the_reader(news: NewsStore) -> None:
    settings = parse_settings({"keys": {"article.toggle_star": ["S", "f"], "no.such.id": "x"}}, Path("c.toml"))
    app = NewsdeskApp(news, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("no.such.id" in m for m in said), said
        first = app.screen.article_list.current
        assert first is not None
        await pilot.press("s")  # the default key no longer stars
        await settle(pilot)
        assert news.get(first.id).state.starred is False  # type: ignore[union-attr]
        await pilot.press("S")
        await settle(pilot)
        assert news.get(first.id).state.starred is True  # type: ignore[union-attr]
        await pilot.press("f")  # the second key of the list
        await settle(pilot)
        assert news.get(first.id).state.starred is False  # type: ignore[union-attr]


async def test_reader_settings_apply(news: NewsStore) -> None:
    settings = parse_settings(
        {"reader": {"theme": "nord", "panes": ["list", "text"], "date_format": "%Y", "sort": "old"}},
        Path("c.toml"),
    )
    app = NewsdeskApp(news, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"
        assert not app.screen.query_one("#sidebar").display
        listing = app.screen.article_list
        assert listing.date_format == "%Y"
        assert listing.current is not None and listing.current.title == "Config story 0"  # oldest first


async def test_an_unknown_theme_is_said_and_the_default_kept(news: NewsStore) -> None:
    app = NewsdeskApp(news, settings=parse_settings({"reader": {"theme": "no-such"}}, Path("c.toml")))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert any("no-such" in n.message for n in app._notifications)


def test_a_dumb_terminal_gets_a_message_not_escape_soup(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEWSDESK_HEADLESS", raising=False)
    monkeypatch.setattr(launch.sys.stdout, "isatty", lambda: True)
    for term in ("dumb", ""):
        monkeypatch.setenv("TERM", term)
        assert launch.can_run() is False
        err = capsys.readouterr().err
        assert "cannot show the reader" in err and "\x1b" not in err
    monkeypatch.setenv("TERM", "xterm")
    assert launch.can_run() is True


def _complete(words: list[str]) -> list[str]:
    import subprocess
    import sys

    script = subprocess.run(
        [sys.executable, "-m", "tui.cli", "completion", "bash"], capture_output=True, text=True, check=True
    ).stdout
    probe = (
        f'{script}\nCOMP_WORDS=({" ".join(words)}); COMP_CWORD={len(words) - 1}; _newsdesk; echo "${{COMPREPLY[@]}}"'
    )
    return subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True).stdout.split()


def test_bash_completion_knows_commands_options_and_choices() -> None:
    assert _complete(["newsdesk", "ba"]) == ["backup", "backups"]
    assert _complete(["newsdesk", "check", "--r"]) == ["--repair"]
    assert _complete(["newsdesk", "--store", "/tmp", "completion", "z"]) == ["zsh"]
    assert "print" in _complete(["newsdesk", "config", ""])


def test_zsh_completion_is_valid_zsh(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    script = subprocess.run(
        [sys.executable, "-m", "tui.cli", "completion", "zsh"], capture_output=True, text=True, check=True
    ).stdout
    assert script.startswith("#compdef newsdesk") and "'backups:" in script and "--repair" in script
    if shutil.which("zsh") is None:
        pytest.skip("zsh is not installed here: only the script's content was checked")
    (tmp_path / "_newsdesk").write_text(script)
    subprocess.run(["zsh", "-n", str(tmp_path / "_newsdesk")], check=True)


async def test_a_theme_picked_in_the_reader_is_remembered_in_the_store(news: NewsStore) -> None:
    settings = parse_settings({"reader": {"theme": "nord"}}, Path("c.toml"))
    app = NewsdeskApp(news, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.theme = "gruvbox"  # as the palette's "Change theme" does
        await settle(pilot)
    assert news.preferences()["theme"] == {"name": "gruvbox", "config": "nord"}
    app = NewsdeskApp(news, settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "gruvbox"  # the pick wins while the config names the same theme
    changed = parse_settings({"reader": {"theme": "dracula"}}, Path("c.toml"))
    app = NewsdeskApp(news, settings=changed)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "dracula"  # a new theme in the config wins over an old pick


async def test_nothing_animates_or_blinks(news: NewsStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widgets import Input

    monkeypatch.delenv("TEXTUAL_ANIMATIONS", raising=False)
    app = NewsdeskApp(news, read_delay=3600)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.animation_level == "none"
        await pilot.press("/")
        await pilot.press("t")  # into the search bar
        await settle(pilot)
        fields = list(app.screen.query(Input))
        assert fields and all(not f.cursor_blink for f in fields)
        await pilot.press("escape", "t")  # the tag editor's field too
        await settle(pilot)
        assert all(not f.cursor_blink for f in app.screen.query(Input))


@pytest.mark.timeout(60)  # the FIFO case hung forever before: a hang guard, not a pace
@pytest.mark.parametrize("kind", ["fifo", "device", "huge"])
def test_a_config_that_is_no_regular_file_or_too_big_is_refused_unread(tmp_path: Path, kind: str) -> None:
    """NEWSDESK_CONFIG (or the default path) naming a FIFO blocked every command forever, and
    /dev/zero filled memory: only a regular file of at most 1 MB is read."""
    import os
    import subprocess
    import sys

    from newsdesk_testing import REPO

    if kind == "fifo":
        path = tmp_path / "config.toml"
        os.mkfifo(path)
    elif kind == "device":
        path = Path("/dev/zero")
    else:
        path = tmp_path / "config.toml"
        with open(path, "wb") as handle:
            handle.truncate(2 * 1024 * 1024 * 1024)  # sparse: 2 GB that take no disk
    env = {**os.environ, "NEWSDESK_CONFIG": str(path), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(tmp_path / "store"), "list"],
        capture_output=True,
        text=True,
        env=env,
        timeout=50,
    )
    assert "Traceback" not in done.stderr
    assert f"{path}: cannot read it" in done.stderr and "every setting is at its default" in done.stderr
    assert done.returncode == 3  # the store is missing: the command went on with the defaults

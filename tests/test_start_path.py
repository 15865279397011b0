"""What a CLI process loads: `newsdesk --version` and a scripted `newsdesk tag ... -- id:ID` stay
clear of the reader (Textual), the full-text index (tantivy) and entity extraction (spaCy);
only the running command's parser is built (tui.cli.parser.COMMANDS).  Not timed: the times are
bench/ab_cli.py's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk_testing import REPO, wait_for_snapshots
from tui.cli import main
from tui.cli.parser import COMMANDS, FAMILIES, build_parser, command_of, handler

NEVER = {"textual", "rich", "tantivy", "spacy", "thinc", "numpy"}


def imported(*args: str, cwd: Path) -> set[str]:
    """The modules `python -X importtime -m tui.cli ARGS` imports (it must exit 0)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tui.cli", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")
    } - {"imported package"}


def test_version_imports_neither_the_store_nor_the_parser(tmp_path: Path) -> None:
    loaded = imported("--version", cwd=tmp_path)
    roots = {name.split(".")[0] for name in loaded}
    assert not roots & (NEVER | {"store", "articles", "argparse", "orjson"}), roots
    assert "importlib.metadata" not in loaded  # the METADATA file is read as it is


def test_a_tag_by_id_imports_no_reader_no_full_text_index_no_spacy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "store"
    source = tmp_path / "items.jsonl"
    source.write_text('{"title": "One", "body": "Text.", "url": "https://x.example/1"}\n')
    assert main(["--store", str(root), "import", "--no-entities", str(source)]) == 0
    wait_for_snapshots()
    capsys.readouterr()
    assert main(["--store", str(root), "search", "--output=ids"]) == 0
    article = capsys.readouterr().out.split()[0]
    loaded = imported("--store", str(root), "tag", "+scripted", "--", f"id:{article}", cwd=tmp_path)
    roots = {name.split(".")[0] for name in loaded}
    assert not roots & NEVER, roots & NEVER
    assert not {m for m in loaded if m.startswith("tui.cli.")} - {
        "tui.cli.__main__", "tui.cli.version", "tui.cli.parser", "tui.cli.arguments", "tui.cli.common", "tui.cli.tags", "tui.cli.batch"
    }  # the tag family alone
    assert main(["--store", str(root), "search", "--output=tags", f"id:{article}"]) == 0
    assert capsys.readouterr().out.split() == ["scripted"]


def test_every_command_has_its_family_and_its_handler() -> None:
    full = build_parser()
    assert set(full.commands) == set(COMMANDS)
    assert list(full.commands) == list(COMMANDS)  # --help lists them in the table's order
    for command, (family, _) in COMMANDS.items():
        assert family in FAMILIES
        assert command in build_parser(command).commands
        assert callable(handler(command))


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["tag", "+x", "--", "id:abc"], "tag"),
        (["--store", "tag", "list"], "list"),  # `tag` is the store's directory
        (["--config=c.toml", "search", "x"], "search"),
        (["--help", "tag"], None),
        (["--demo"], None),
        (["taggg"], None),  # argparse says what the commands are
        ([], None),
        (["--", "tag"], None),
    ],
)
def test_the_command_is_found_before_the_parser_is_built(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command

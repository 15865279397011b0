"""A deeply nested OPML file (outlines in outlines) is read, not a RecursionError: the walk keeps
its own stack, and folders deeper than MAX_FOLDER_LEVELS file under their last level."""

from __future__ import annotations

from pathlib import Path

import pytest

from articles.importers import ImportOptions, Subscription, read_source
from articles.importers.fetch import FetchSettings
from articles.importers.opml import MAX_FOLDER_LEVELS
from tui.cli import main


def nested_opml(depth: int) -> str:
    """Folders f0/f1/… `depth` deep; a feed at the top, one at level 3 and one at the bottom."""
    feed = '<outline text="{0}" type="rss" xmlUrl="http://127.0.0.1:9/{0}.xml"/>'
    return (
        '<?xml version="1.0"?><opml version="2.0"><body>'
        + feed.format("top")
        + "".join(f'<outline text="f{i}">' + (feed.format("third") if i == 2 else "") for i in range(depth))
        + feed.format("bottom")
        + "</outline>" * depth
        + feed.format("last")
        + "</body></opml>"
    )


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_outlines_are_read_in_order(tmp_path: Path, depth: int) -> None:
    path = tmp_path / "deep.opml"
    path.write_text(nested_opml(depth), encoding="utf-8")
    options = ImportOptions(fetch=FetchSettings(connect_timeout=1, read_timeout=1, total_timeout=2))
    subs = [i for i in read_source(str(path), options) if isinstance(i, Subscription)]
    folders = "/".join(f"f{i}" for i in range(MAX_FOLDER_LEVELS))
    assert [(s.title, s.category) for s in subs] == [
        ("top", ""),
        ("third", "f0/f1/f2"),
        ("bottom", folders),
        ("last", ""),
    ]


def test_the_command_line_imports_it_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "quick.toml"
    config.write_text("[fetch]\nconnect_timeout = 1\nread_timeout = 1\ntotal_timeout = 2\n", encoding="utf-8")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    path = tmp_path / "deep.opml"
    path.write_text(nested_opml(5_000), encoding="utf-8")
    code = main(["--store", str(tmp_path / "store"), "import", "--no-entities", str(path)])
    _out, err = capsys.readouterr()
    assert "Traceback" not in err and "RecursionError" not in err and "recursion" not in err
    assert code in (0, 1)  # the feeds' server is not there: their fetches fail, and say so

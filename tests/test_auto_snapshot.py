"""A CLI write's automatic snapshot is taken by a detached process (store.care.auto_snapshot),
and no second one starts while a snapshot holds backups/.lock."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from newsdesk_testing import wait_for_snapshots
from store.care import auto_snapshot
from store.care.snapshots import BACKUPS_DIR, LOCK_FILE, snapshot_due, snapshots
from tui.cli import STARTED_SNAPSHOTS, main


@pytest.fixture
def imported(tmp_path: Path) -> Path:
    """A store of one article, without its first snapshot (it is due)."""
    root = tmp_path / "store"
    source = tmp_path / "items.jsonl"
    source.write_text('{"title": "One", "body": "Text.", "url": "https://x.example/1"}\n')
    assert main(["--store", str(root), "--config", str(_config(tmp_path, 0)), "import", "--no-entities", str(source)]) == 0
    assert not STARTED_SNAPSHOTS and snapshots(root) == []
    return root


def _config(tmp_path: Path, keep: int) -> Path:
    config = tmp_path / f"backups-{keep}.toml"
    config.write_text(f"[store]\nbackups = {keep}\n")
    return config


def test_a_due_snapshot_is_taken_by_a_detached_process(imported: Path) -> None:
    assert snapshot_due(imported, 24, 7)
    assert main(["--store", str(imported), "tag", "+a", "--", ""]) == 0
    assert len(STARTED_SNAPSHOTS) == 1
    process = STARTED_SNAPSHOTS[0]
    assert process.args[1:3] == ["-m", "store.care.auto_snapshot"]
    assert os.getsid(process.pid) == process.pid  # a session of its own: the terminal's Ctrl-C is not for it
    wait_for_snapshots()
    assert process.returncode == 0
    assert len(snapshots(imported)) == 1
    assert not snapshot_due(imported, 24, 7)
    assert main(["--store", str(imported), "tag", "-a", "--", ""]) == 0
    assert STARTED_SNAPSHOTS == []  # the next is due in a day


def test_no_second_snapshot_starts_while_one_holds_the_lock(imported: Path) -> None:
    (imported / BACKUPS_DIR).mkdir(mode=0o700, exist_ok=True)
    fd = os.open(imported / BACKUPS_DIR / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a snapshot in progress holds it
        assert not snapshot_due(imported, 24, 7)
        for word in ("+a", "-a", "+b"):
            assert main(["--store", str(imported), "tag", word, "--", ""]) == 0
        assert STARTED_SNAPSHOTS == []
        assert auto_snapshot.main([str(imported), "24", "7"]) == 0  # started all the same: it takes none
        assert snapshots(imported) == []
    finally:
        os.close(fd)
    assert snapshot_due(imported, 24, 7)  # the lock let go (the probe left it free)
    assert main(["--store", str(imported), "tag", "+c", "--", ""]) == 0
    assert len(STARTED_SNAPSHOTS) == 1
    wait_for_snapshots()
    assert len(snapshots(imported)) == 1


def test_a_snapshot_process_on_a_missing_store_fails_quietly(tmp_path: Path) -> None:
    assert auto_snapshot.main([str(tmp_path / "none"), "24", "7"]) == 1
    assert not (tmp_path / "none").exists()


def test_a_failed_snapshot_is_said_by_the_next_command_that_tries_again(
    imported: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from store.news_store import NewsStore

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    (imported / BACKUPS_DIR).mkdir(mode=0o700, exist_ok=True)
    with monkeypatch.context() as patched:
        patched.setattr(NewsStore, "auto_backup", no_space)
        assert auto_snapshot.main([str(imported), "24", "7"]) == 1  # the detached process: no terminal
    assert "No space left on device" in (auto_snapshot.last_failure(imported) or "")
    capsys.readouterr()
    assert main(["--store", str(imported), "tag", "+a", "--", ""]) == 0  # still due: said, and tried again
    err = capsys.readouterr().err
    assert "the last automatic backup failed" in err and "No space left on device" in err
    wait_for_snapshots()
    assert len(snapshots(imported)) == 1 and auto_snapshot.last_failure(imported) is None  # taken: the note goes
    assert main(["--store", str(imported), "tag", "-a", "--", ""]) == 0
    assert "backup" not in capsys.readouterr().err

"""Automatic backups and damaged files: every kind of damage to every kind of store file is kept
aside, named, and repaired from the newest good backup (or rebuilt) — in the store, the CLI and
the reader, which starts even when the store cannot be opened."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import REPO, settle, wait_for_snapshots, wait_until
from store import NewsStore, StoreCorrupt
from store.care.recovery import DAMAGED_DIR, assess, repair
from store.care.snapshots import BACKUPS_DIR, snapshots
from tui.app import NewsdeskApp
from tui.cli import main
from tui.screens.damaged import DamagedScreen
from tui.screens.main import MainScreen

DAMAGE = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "nul-padded": lambda raw: raw + b"\0" * 512,
    "trailing garbage": lambda raw: raw + b"}{garbage",
    "wrong JSON type": lambda raw: b"[1, 2, 3]",
    "invalid UTF-8": lambda raw: raw[:10] + b"\xff\xfe\xc3" + raw[10:],
    "empty": lambda raw: b"",
}


def story(n: int) -> Article:
    return Article.create(title=f"Backed-up story {n}", body=f"Body of story {n}.", url=f"https://b.example/{n}")


@pytest.fixture
def backed_up(store: NewsStore) -> NewsStore:
    """30 articles, a tag, a saved view, then a snapshot."""
    store.add_articles([story(n) for n in range(30)])
    store.update_state([story(3).id], add_tags=["keep"], starred=True)
    store.save_view("kept", "tag:keep")
    assert store.snapshot() is not None
    return store


def segment_of(store: NewsStore) -> Path:
    return next((store.root / "articles").glob("seg-*.json"))


def shard_of_story(store: NewsStore, n: int) -> Path:
    return store.root / "state" / f"state-{int(story(n).id[:2], 16) % 64:02x}.json"


# -- snapshots -------------------------------------------------------------------------------------
def test_snapshots_are_incremental_copies_never_the_store_files(backed_up: NewsStore) -> None:
    first = backed_up.snapshots()[0]
    backed_up.update_state([story(3).id], add_tags=["later"])
    second = backed_up.snapshot()
    assert second is not None and second.gen > first.gen
    segment = segment_of(backed_up)
    rel = str(segment.relative_to(backed_up.root))
    shard = str(shard_of_story(backed_up, 3).relative_to(backed_up.root))
    # the unchanged segment is shared between snapshots, never with the store (in-place damage
    # to the store file cannot reach it); the changed shard is a new copy
    assert os.stat(first.path / rel).st_ino == os.stat(second.path / rel).st_ino
    assert os.stat(second.path / rel).st_ino != os.stat(segment).st_ino
    assert os.stat(first.path / shard).st_ino != os.stat(second.path / shard).st_ino
    assert (second.path / shard).read_bytes() == (backed_up.root / shard).read_bytes()
    with NewsStore(second.path) as copy:  # a snapshot is a whole store
        assert copy.check()["articles"] == 30
        assert copy.search("tag:later").count == 1 and copy.search("tag:keep is:starred").count == 1


def test_auto_backup_runs_when_due_and_keeps_the_newest(backed_up: NewsStore) -> None:
    now = snapshots(backed_up.root)[0].taken
    assert backed_up.auto_backup(24, 3, now=now + 3600) is None  # not due yet
    assert backed_up.auto_backup(24, 3, now=now + 90_000) is None  # due, but nothing changed
    taken = []
    for day in range(1, 6):
        backed_up.update_state([story(day).id], add_tags=[f"day{day}"])
        taken.append(backed_up.auto_backup(24, 3, now=now + day * 90_000))
    assert all(t is not None for t in taken)
    kept = backed_up.snapshots()
    assert [s.path for s in kept] == [t.path for t in reversed(taken[-3:])]  # type: ignore[union-attr]
    assert backed_up.auto_backup(24, 0, now=now + 10 * 90_000) is None  # backups = 0: none


def test_a_damaged_file_is_never_backed_up_as_good(backed_up: NewsStore) -> None:
    backed_up.update_state([story(1).id], add_tags=["new"])
    segment = segment_of(backed_up)
    segment.write_bytes(segment.read_bytes()[:50])
    with pytest.raises(StoreCorrupt) as caught:
        backed_up.snapshot()
    assert caught.value.path == segment
    assert len(backed_up.snapshots()) == 1
    assert [n for n in os.listdir(backed_up.root / BACKUPS_DIR) if n.startswith(".partial")] == []


def test_a_snapshot_taken_while_another_process_writes_is_one_generation(backed_up: NewsStore) -> None:
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from store import NewsStore\n"
            f"s = NewsStore({str(backed_up.root)!r})\n"
            f"ids = {[story(n).id for n in range(30)]!r}\n"
            "for i in range(150):\n"
            "    s.update_state([ids[i % 30]], add_tags=[f'w{i:03d}'])\n",
        ],
        cwd=REPO,
    )
    taken = []
    try:
        while writer.poll() is None:
            shot = backed_up.snapshot(keep=100)
            if shot is not None:
                taken.append(shot)
    finally:
        assert writer.wait(timeout=120) == 0
    assert taken
    for shot in taken:
        with NewsStore(shot.path, readonly=True) as copy:
            copy.check()  # every file parses
        with NewsStore(shot.path) as copy:
            written = sorted(t["tag"] for t in copy.tag_counts() if t["tag"].startswith("w"))
            assert written == [f"w{i:03d}" for i in range(len(written))]  # a prefix: never a mix


# -- damage: every kind, every file ------------------------------------------------------------------
def files_to_damage(store: NewsStore) -> dict[str, Path]:
    return {
        "segment": segment_of(store),
        "state shard": shard_of_story(store, 3),
        "schema record": store.root / "store.json",
        "saved views": store.root / "views.json",
        "manifest": store.root / "manifest.json",
    }


@pytest.mark.parametrize("kind", sorted(DAMAGE))
@pytest.mark.parametrize("which", ["segment", "state shard", "schema record", "saved views", "manifest"])
def test_every_damage_is_kept_aside_and_repaired(backed_up: NewsStore, which: str, kind: str) -> None:
    root = backed_up.root
    path = files_to_damage(backed_up)[which]
    backed_up.close()
    damaged = DAMAGE[kind](path.read_bytes())
    path.write_bytes(damaged)
    with pytest.raises(StoreCorrupt) as caught, NewsStore(root) as store:  # opening, or using it
        store.check()
    assert caught.value.path == path
    damage = assess(root, caught.value)
    assert damage.aside is not None and damage.aside.parent == root / DAMAGED_DIR
    assert damage.aside.read_bytes() == damaged  # kept before anything else happens
    assert str(path) in damage.describe()
    assert damage.remedy == ("rebuild" if which == "manifest" else "restore")
    repair(root, damage)
    with NewsStore(root) as store:
        report = store.check()
        assert report["articles"] == 30
        assert store.search("tag:keep is:starred").count == 1
        assert [v.name for v in store.saved_views()] == ["kept"]
    assert damage.aside.read_bytes() == damaged  # still there after the repair


def test_without_a_backup_the_file_is_left_as_it_is(store: NewsStore) -> None:
    store.add_articles([story(n) for n in range(3)])
    segment = segment_of(store)
    segment.write_bytes(b"\0" * 64)
    with pytest.raises(StoreCorrupt) as caught:
        store.check()
    damage = store.assess_damage(caught.value)
    assert damage.remedy == "" and "leaves it as it is" in damage.describe()
    assert damage.aside is not None and damage.aside.read_bytes() == b"\0" * 64
    with pytest.raises(Exception, match="no good backup"):
        store.repair_damage(damage)
    assert segment.read_bytes() == b"\0" * 64


def test_the_newest_good_copy_is_chosen_past_a_damaged_backup(backed_up: NewsStore) -> None:
    older = backed_up.snapshots()[0]
    backed_up.update_state([story(3).id], add_tags=["newer"])
    newer = backed_up.snapshot()
    assert newer is not None
    shard = shard_of_story(backed_up, 3)
    rel = str(shard.relative_to(backed_up.root))
    os.unlink(newer.path / rel)
    (newer.path / rel).write_bytes(b"{broken")  # the newest backup's own copy is damaged
    shard.write_bytes(b"")
    with NewsStore(backed_up.root) as other, pytest.raises(StoreCorrupt) as caught:
        other.update_state([story(3).id], add_tags=["fails"])  # another process reads the shard
    damage = backed_up.assess_damage(caught.value)
    assert damage.backup is not None and damage.backup.path == older.path


# -- the CLI ----------------------------------------------------------------------------------------
def test_cli_writes_take_an_automatic_snapshot(store_root: Path, tmp_path: Path) -> None:
    source = tmp_path / "items.jsonl"
    source.write_text('{"title": "One", "body": "Text.", "url": "https://x.example/1"}\n')
    assert main(["--store", str(store_root), "import", "--no-entities", str(source)]) == 0
    wait_for_snapshots()  # taken by a process of its own, after the command's commit
    assert len(snapshots(store_root)) == 1
    assert main(["--store", str(store_root), "tag", "+a", "--", ""]) == 0
    wait_for_snapshots()
    assert len(snapshots(store_root)) == 1  # the next one is due in a day
    config = tmp_path / "off.toml"
    config.write_text("[store]\nbackups = 0\n")
    other = tmp_path / "other"
    assert main(["--store", str(other), "--config", str(config), "import", "--no-entities", str(source)]) == 0
    wait_for_snapshots()
    assert snapshots(other) == []


# -- the reader -------------------------------------------------------------------------------------
async def test_reader_offers_the_backup_for_a_file_damaged_while_it_runs(backed_up: NewsStore) -> None:
    segment = segment_of(backed_up)
    good = segment.read_bytes()
    segment.write_bytes(good[: len(good) // 3])  # damaged in place: the index still lists it
    backed_up.close()
    reader = NewsStore(segment.parent.parent)  # a reader started after the damage
    app = NewsdeskApp(reader, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # opening an article reads the damaged segment
        await wait_until(pilot, lambda: isinstance(app.screen, DamagedScreen))
        text = str(app.screen.query_one("#damaged-text").render())
        assert str(segment) in text and "newest good backup" in text
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_until(pilot, lambda: app.screen.article_text.article is not None)
        shown = app.screen.article_text.article  # the article is shown once restored
        assert shown is not None and shown.article.title.startswith("Backed-up story")
    reader.close()
    assert segment.read_bytes() == good
    kept = list((reader.root / DAMAGED_DIR).iterdir())
    assert [p.read_bytes() for p in kept] == [good[: len(good) // 3]]


async def test_reader_starts_on_a_store_that_cannot_be_opened(backed_up: NewsStore) -> None:
    root = backed_up.root
    backed_up.close()
    (root / "store.json").write_bytes(b"\0\0\0")
    with pytest.raises(StoreCorrupt) as caught:
        NewsStore(root)
    app = NewsdeskApp(None, damage=assess(root, caught.value), root=root, reopen=lambda: NewsStore(root))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DamagedScreen)
        assert "store.json" in str(app.screen.query_one("#damaged-text").render())
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert app.screen.article_list.total == 30
    assert app.store is not None
    app.store.close()


async def test_leaving_an_unopenable_store_as_it_is_quits_with_code_3(backed_up: NewsStore) -> None:
    root = backed_up.root
    backed_up.close()
    manifest = root / "manifest.json"
    manifest.write_bytes(b'{"gen": "x"')
    with pytest.raises(StoreCorrupt) as caught:
        NewsStore(root)
    app = NewsdeskApp(None, damage=assess(root, caught.value), root=root, reopen=lambda: NewsStore(root))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert app.return_code == 3
    assert manifest.read_bytes() == b'{"gen": "x"'  # nothing overwritten


def test_check_names_the_damage_and_repair_restores_it(backed_up: NewsStore, capsys) -> None:  # type: ignore[no-untyped-def]
    shard = shard_of_story(backed_up, 3)
    root = backed_up.root
    backed_up.close()
    shard.write_bytes(shard.read_bytes() + b"\0\0")
    assert main(["--store", str(root), "check"]) == 3
    err = capsys.readouterr().err
    assert str(shard) in err and "check --repair" in err and "newest good backup" in err
    assert shard.read_bytes().endswith(b"\0\0")  # plain check changes nothing
    assert main(["--store", str(root), "check", "--repair", "--json"]) == 0
    assert f'"repaired":["{shard}"]' in capsys.readouterr().out
    with NewsStore(root) as store:
        assert store.search("tag:keep is:starred").count == 1
    assert main(["--store", str(root), "backups", "--json"]) == 0
    assert '"generation"' in capsys.readouterr().out


async def test_the_reader_takes_a_due_snapshot_in_the_background(store: NewsStore) -> None:
    store.add_articles([story(n) for n in range(3)])
    app = NewsdeskApp(store, read_delay=3600, backups=(24.0, 3))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: len(store.snapshots()) == 1)
        await pilot.press("m")  # a change; the next snapshot is not due for a day
        await settle(pilot)
    assert len(store.snapshots()) == 1

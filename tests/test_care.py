"""Store care: `newsdesk check` (verify files, repair the index) and `newsdesk backup DEST`
(a consistent copy while another process writes)."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from articles.model import Article
from newsdesk_testing import REPO, settle, shared_path
from store import NewsStore, StoreCorrupt
from store.disk.files import TMP_MARK
from tui.cli import main


def story(n: int) -> Article:
    return Article.create(title=f"Care story {n}", body=f"Body {n}.", url=f"https://c.example/{n}")


@pytest.fixture
def filled(store: NewsStore) -> NewsStore:
    store.add_articles([story(n) for n in range(30)])
    store.update_state([story(3).id], add_tags=["keep"], starred=True)
    return store


def test_check_passes_and_repairs_a_damaged_index(filled: NewsStore) -> None:
    files = len(filled.core.current_manifest().files)
    assert filled.check() == {
        "files": files,
        "articles": 30,
        "index": "ok",
        "text_index": "ok",
        "partial_backups_removed": 0,
    }
    db = sqlite3.connect(filled.root / "index.sqlite")
    db.execute("DELETE FROM articles WHERE id = ?", (story(5).id,))  # the index loses an article
    db.commit()
    db.close()
    assert filled.check()["index"] == "rebuilt"
    assert filled.count() == 30 and filled.search("tag:keep is:starred").count == 1


def test_check_rebuilds_a_search_index_that_lost_an_article(filled: NewsStore) -> None:
    """The full-text index is compared with index.sqlite: a document gone from it (its mark
    still saying it is current) is found, and the index rebuilt."""
    assert filled.sync_text()
    writer = filled.text_sync.index.writer()
    assert writer is not None
    writer.delete_documents_by_term("id", story(7).id)
    writer.commit()
    writer.wait_merging_threads()
    assert filled.search(f"id:{story(7).id}").count == 0  # the damage: the index lost it
    assert filled.check()["text_index"] == "rebuilt"
    assert filled.check()["text_index"] == "ok"
    assert story(7).id in {i.id for i in filled.search(f"id:{story(7).id}").items}


def test_check_names_a_corrupt_file_and_leaves_it(filled: NewsStore, capsys: pytest.CaptureFixture[str]) -> None:
    segment = next((filled.root / "articles").glob("seg-*.json"))
    segment.write_bytes(segment.read_bytes()[:100])  # truncated
    before = segment.read_bytes()
    with pytest.raises(StoreCorrupt):
        NewsStore(filled.root).check()
    assert main(["--store", str(filled.root), "check"]) == 3
    assert str(segment) in capsys.readouterr().err
    assert segment.read_bytes() == before


def test_backup_is_a_consistent_copy_while_another_process_writes(filled: NewsStore, tmp_path: Path) -> None:
    """Backups taken while another process keeps tagging, one tag per commit: the backups start
    after its first commit, and it goes on committing past the last one, so each backup holds
    some of its tags but not all; and what it holds is a prefix of the writer's sequence (one
    commit's state, never a mix)."""
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import select, sys\nfrom store import NewsStore\n"
            f"s = NewsStore({str(filled.root)!r})\n"
            f"ids = {[story(n).id for n in range(30)]!r}\n"
            "for i in range(100_000):\n"
            "    s.update_state([ids[i % 30]], add_tags=[f'w{i:05d}'])\n"
            "    print(i + 1, flush=True)  # committed: i + 1 tags\n"
            "    if select.select([sys.stdin], [], [], 0)[0]:\n"
            "        break  # told to stop\n"
            "s.close()\n",
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdin is not None and writer.stdout is not None
    try:
        assert int(writer.stdout.readline()) == 1  # its first commit is on disk
        copies = []
        for k in range(8):  # several backups during the writes (fewer let a mixed copy slip through)
            dest = tmp_path / f"backup-{k}"
            assert main(["--store", str(filled.root), "backup", str(dest), "--json"]) == 0
            copies.append(dest)
        held = []
        for dest in copies:
            with NewsStore(dest) as copy:
                assert copy.check()["articles"] == 30  # every file parses; the index rebuilds from them
                tags = {t["tag"] for t in copy.tag_counts()}
                written = sorted(t for t in tags if t.startswith("w"))
                # a prefix of the writer's sequence: the copy is one commit's state, never a mix
                assert written == [f"w{i:05d}" for i in range(len(written))]
                assert copy.search("tag:keep is:starred").count == 1
                held.append(len(written))
            assert not list(dest.parent.glob(f".{dest.name}.partial-*"))
        committed = 0
        while committed <= max(held):  # the writer goes on past the last backup
            committed = int(writer.stdout.readline())
        writer.stdin.write("stop\n")
        writer.stdin.flush()
    finally:
        writer.stdin.close()
        rest = writer.stdout.read().split()
        assert writer.wait(timeout=120) == 0
    total = int(rest[-1]) if rest else committed
    assert all(0 < n < total for n in held), (held, total)  # each backup: some of its tags, not all


def test_backup_refuses_a_non_empty_destination(filled: NewsStore, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "occupied"
    dest.mkdir()
    (dest / "mine.txt").write_text("precious")
    assert main(["--store", str(filled.root), "backup", str(dest)]) == 2  # DEST is a usage error, not the store's
    assert (dest / "mine.txt").read_text() == "precious"
    assert "is a directory that is not empty: backup makes a new directory" in capsys.readouterr().err
    assert main(["--store", str(filled.root), "backup", str(tmp_path / "fresh"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["files"] >= 3


RO_USER = "newsdesk-ro-test"


def _runtime_for(user: Any, stage: Path) -> tuple[list[str], dict[str, str]]:
    """A Python the user can run with newsdesk's CLI importable: this one if they can reach it,
    else the system Python of the same version with the CLI's packages staged in `stage` (this
    Python may live under root's private home, as on the CI machine)."""
    try:
        probe = subprocess.run(
            [sys.executable, "-c", "import tui.cli"], cwd=REPO, user=user.pw_uid, group=user.pw_gid,
            capture_output=True, check=False, timeout=120,
        )  # fmt: skip
    except PermissionError:  # the interpreter itself is out of the user's reach
        probe = None
    if probe is not None and probe.returncode == 0:
        return [sys.executable], {}
    import importlib
    import shutil

    system = Path(f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}")
    if not system.exists():
        pytest.skip(f"{user.pw_name} cannot run this Python, and there is no {system}")
    lib = stage / "lib"
    for package in ("articles", "store", "tui"):
        shutil.copytree(REPO / package, lib / package, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("orjson", "platformdirs", "tinydb", "tantivy"):
        module = importlib.import_module(name)
        source = Path(module.__file__).parent  # type: ignore[arg-type]
        shutil.copytree(source, lib / name, ignore=shutil.ignore_patterns("__pycache__"))
    for path in [stage, *stage.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return [str(system), "-S"], {"PYTHONPATH": str(lib)}


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to run as another user")
def test_a_store_another_user_can_only_read(filled: NewsStore, tmp_path: Path) -> None:
    """As a non-root user created for the test, on a store they may read but not write: the CLI
    reads, and a write exits 3 with a message, nothing changed."""
    import pwd
    import shutil
    import stat

    created = False
    try:
        user = pwd.getpwnam(RO_USER)
    except KeyError:
        done = subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RO_USER], capture_output=True
        )
        if done.returncode != 0:
            pytest.skip(f"cannot create a user here: {done.stderr.decode(errors='replace').strip()[:200]}")
        created = True
        user = pwd.getpwnam(RO_USER)
    shared = Path("/tmp") / f"newsdesk-ro-{os.getpid()}"
    shutil.rmtree(shared, ignore_errors=True)
    # Closed first, as an owner's store is when nobody works in it: every writer gone, no
    # -wal/-shm beside index.sqlite, which SQLite would have to create to read it in place.
    filled.close()
    shutil.copytree(filled.root, shared / "store")
    for path in [shared, *shared.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    before = {p: p.read_bytes() for p in (shared / "store").rglob("*") if p.is_file()}
    try:
        python, extra = _runtime_for(user, shared / "runtime")
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "NEWSDESK_CONFIG": "/nonexistent.toml", **extra}

        def as_user(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [*python, "-m", "tui.cli", "--store", str(shared / "store"), *args],
                cwd="/tmp",
                env=env,
                user=user.pw_uid,
                group=user.pw_gid,
                capture_output=True,
                text=True,
                timeout=120,
            )

        listed = as_user("search", "--count", "care")
        assert listed.returncode == 0, listed.stderr
        assert listed.stdout.strip() == "30"
        tagged = as_user("tag", "+x", "--", "care")
        assert tagged.returncode == 3 and "read-only" in tagged.stderr
        assert {p: p.read_bytes() for p in (shared / "store").rglob("*") if p.is_file()} == before
        assert stat.S_IMODE((shared / "store").stat().st_mode) == 0o755
    finally:
        shutil.rmtree(shared, ignore_errors=True)
        if created:
            subprocess.run(["userdel", RO_USER], capture_output=True)


def test_a_full_disk_fails_the_import_visibly_and_changes_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """On a real small filesystem (tmpfs, root only): an import that does not fit fails with a
    message naming the store, exit 3, and the store's files are byte-identical."""
    import hashlib

    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode(errors='replace').strip()[:200]}")
    try:
        root = mount / "store"
        with NewsStore(root) as store:
            store.add_articles([story(n) for n in range(20)])
            store.update_state([story(1).id], add_tags=["kept"])
        filler = mount / "filler"
        with filler.open("wb") as handle:  # leave ~200 KB: less than the import needs
            free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
            handle.write(b"\0" * max(free - 200_000, 0))

        def digest() -> dict[str, str]:
            return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*.json")}

        before = digest()
        big = tmp_path / "big.jsonl"
        rng = random.Random(7)  # words that do not compress away: segments are stored compressed
        big.write_text(
            "\n".join(
                json.dumps(
                    {
                        "title": f"Big {n}",
                        "body": " ".join(f"{rng.getrandbits(40):x}" for _ in range(1_000)),
                        "url": f"https://big.example/{n}",
                    }
                )
                for n in range(400)
            )
        )
        code = main(["--store", str(root), "import", "--no-entities", str(big)])
        err = capsys.readouterr().err
        assert code == 3, err
        assert "could not be written" in err and str(root) in err and "Traceback" not in err
        assert digest() == before  # nothing already stored was lost or half-written
        assert not [p for p in root.rglob("*") if TMP_MARK in p.name]  # no temp file left behind
        filler.unlink()
        with NewsStore(root) as store:  # with space again, the store works as before
            assert store.count() == 20 and store.search("tag:kept").count == 1
            store.add_articles([story(99)])
            assert store.count() == 21
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_delete_and_restore_and_retention(filled: NewsStore) -> None:
    deleted = filled.delete_articles([story(3).id, story(4).id, "ffffffffffff"])
    assert {d["record"]["id"] for d in deleted} == {story(3).id, story(4).id}
    assert filled.count() == 28 and filled.get(story(3).id) is None
    assert filled.search("tag:keep").count == 0 and filled.search('"care story 3"').count == 0
    assert filled.check()["index"] == "ok"
    other = NewsStore(filled.root)  # another process sees the deletion through catch-up
    assert other.count() == 28 and other.search('"care story 4"').count == 0
    assert filled.restore_articles(deleted) == 2
    got = filled.get(story(3).id)
    assert got is not None and got.state.tags == ("keep",) and got.state.starred
    assert other.count() == 30
    other.close()
    old = [
        Article.create(title=f"Old {n}", body="b", url=f"https://old.example/{n}", published="2020-01-01")
        for n in range(3)
    ]
    filled.add_articles(old)
    filled.update_state([old[0].id], starred=True)
    filled.update_state([old[1].id], add_tags=["archive"])
    assert filled.prune(days=365) == []  # counted from when they were added (now): none goes
    pruned = filled.prune(days=365, by="published")  # by date: only the old, unstarred, untagged one goes
    assert [d["record"]["id"] for d in pruned] == [old[2].id]
    assert filled.count() == 32


def test_cli_delete_and_prune(filled: NewsStore, capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = str(filled.root)
    assert main(["--store", root, "delete", "--json", "--", '"care story 1"', "OR", '"care story 2"']) == 0
    assert json.loads(capsys.readouterr().out) == {"deleted": 2}
    assert main(["--store", root, "delete"]) == 2  # -- is required
    assert main(["--store", root, "delete", "--"]) == 2  # and an empty query would delete everything
    assert main(["--store", root, "prune"]) == 2  # no --days and no keep_days in the config
    config = tmp_path / "config.toml"
    config.write_text('[store]\nkeep_days = 30\nkeep_by = "published"\n')
    old = Article.create(title="Very old", body="b", url="https://old.example/v", published="2019-05-05")
    filled.add_articles([old])
    capsys.readouterr()
    assert main(["--store", root, "--config", str(config), "prune", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"deleted": 1}
    assert filled.count() == 28


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_every_file_and_directory_is_private_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    """Real command-line processes under umask 000 and 022: every directory newsdesk makes (a
    new store's parents, backups/, a backup's destination and its parents) is 0700 and every
    file 0600, tantivy's files in text-index/ included."""
    root = tmp_path / "new" / "nested" / "store"
    dest = tmp_path / "copies" / "deep" / "one"

    def cli(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", "--store", str(root), *args],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            preexec_fn=lambda: os.umask(umask),  # that process's umask alone
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "open to other users" not in done.stderr

    cli("import", "--no-entities", str(shared_path("feeds", "feedrs__rss_2.0_bbc.xml")))
    cli("tag", "+seen", "--", "")
    cli("backups", "--now")
    cli("backup", str(dest))
    cli("check")
    assert [p for p in (root / "text-index").iterdir() if p.suffix == ".idx"]  # tantivy's files are there
    assert list((root / "backups").iterdir()) and (dest / "manifest.json").exists()
    for base in (tmp_path / "new", tmp_path / "copies"):
        for path in [base, *base.rglob("*")]:
            expected = 0o700 if path.is_dir() else 0o600
            assert stat.S_IMODE(path.stat().st_mode) == expected, (oct(stat.S_IMODE(path.stat().st_mode)), path)


def test_a_store_directory_open_to_others_is_warned_about(
    filled: NewsStore, capsys: pytest.CaptureFixture[str],
) -> None:
    """newsdesk makes the store 0700; one opened up by hand is said on stderr (once per
    command), with the command that closes it, and the command still runs."""
    root = filled.root
    assert main(["--store", str(root), "search", "--count", "care"]) == 0
    assert "open to other users" not in capsys.readouterr().err
    for mode in (0o750, 0o704, 0o711):
        root.chmod(mode)
        assert main(["--store", str(root), "tag", "+x", "--", "care"]) == 0
        err = capsys.readouterr().err
        assert err.count("open to other users") == 1, err  # the automatic backup does not say it again
        assert f"{root} is open to other users (mode {mode:o})" in err and f"`chmod 700 {root}`" in err
    assert main(["--store", str(root), "search", "--count", "care"]) == 0  # said again by the next command
    assert capsys.readouterr().err.count("open to other users") == 1
    root.chmod(0o700)


async def test_the_reader_says_when_the_store_is_open_to_others(filled: NewsStore) -> None:
    from tui.app import NewsdeskApp

    filled.root.chmod(0o755)
    with NewsStore(filled.root) as opened:
        app = NewsdeskApp(opened)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            said = [(n.title, n.message) for n in app._notifications]
            assert any(
                title == "Store not private" and f"chmod 700 {filled.root}" in message for title, message in said
            ), said
    filled.root.chmod(0o700)
    with NewsStore(filled.root) as opened:
        app = NewsdeskApp(opened)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            assert not [n for n in app._notifications if n.title == "Store not private"]


def _killed_backup(root: Path, dest: Path) -> Path:
    """`backup DEST` in its own process, SIGKILLed by itself after copying two files; returns
    the hidden partial copy it leaves behind."""
    killer = (
        "import os, signal, sys\n"
        "import store.care.backups as care\n"
        "from store import NewsStore\n"
        "real, copied = care.write_new, []\n"
        "def dying(path, data):\n"
        "    real(path, data)\n"
        "    copied.append(path)\n"
        "    if len(copied) == 2:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "care.write_new = dying\n"
        "NewsStore(sys.argv[1]).backup(sys.argv[2])\n"
    )
    done = subprocess.run([sys.executable, "-c", killer, str(root), str(dest)], cwd=REPO, timeout=120, check=False)
    assert done.returncode == -9
    (partial,) = dest.parent.glob(f".{dest.name}.partial-*")
    assert not dest.exists() and (partial / "store.json").exists()
    return partial


def test_the_next_backup_removes_what_a_killed_backup_left(
    filled: NewsStore, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """A `backup DEST` killed mid-copy leaves `.DEST.partial-PID`; the next backup into the same
    folder removes it (its process is gone), and leaves alone one whose process still runs and
    a directory of someone else's that is named alike."""
    filled.close()
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    stale = _killed_backup(filled.root, shelf / "monday")
    running = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        busy = shelf / f".tuesday.partial-{running.pid}"  # a backup still copying
        busy.mkdir()
        (busy / "store.json").write_text("{}")
        foreign = shelf / f".photos.partial-{_dead_pid()}"  # not a store copy, whatever its name
        foreign.mkdir()
        (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
        assert main(["--store", str(filled.root), "backup", str(shelf / "wednesday")]) == 0
        assert not stale.exists()
        assert busy.exists() and (foreign / "holiday.jpg").exists()
        assert {p.name for p in shelf.iterdir()} == {foreign.name, busy.name, "wednesday"}
    finally:
        running.communicate(b"", timeout=60)
    assert main(["--store", str(filled.root), "backup", str(shelf / "monday")]) == 0  # the killed one, again
    assert not busy.exists()  # its process has ended since
    capsys.readouterr()


def test_check_removes_what_killed_backups_left_in_the_store(
    filled: NewsStore, capsys: pytest.CaptureFixture[str],
) -> None:
    """A backup killed while writing into the store's backups/ (`backup STORE/backups/NAME`, or
    a snapshot) leaves a hidden partial copy there; `check` removes it and says so."""
    filled.snapshot()
    filled.close()
    backups = filled.root / "backups"
    stale = _killed_backup(filled.root, backups / "by-hand")
    snapshot = backups / f".partial-{_dead_pid()}-0a1b2c3d"  # a snapshot's, named as store.care.backups does
    snapshot.mkdir()
    (snapshot / "store.json").write_text("{}")
    kept = {p.name for p in backups.iterdir()} - {stale.name, snapshot.name}
    assert main(["--store", str(filled.root), "check", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["partial_backups_removed"] == 2
    assert {p.name for p in backups.iterdir()} == kept
    assert main(["--store", str(filled.root), "check"]) == 0
    assert "unfinished backup" not in capsys.readouterr().out


def _dead_pid() -> int:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(gone.stdout)

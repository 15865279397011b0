"""One damaged state shard (tags and reading state) with no backup costs the states it held,
never the use of the store: reads go on with a warning, writes to that file are refused, and
`check --repair` starts it afresh once told exactly what that loses (issue 14, item 8)."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from articles.model import Article
from newsdesk_testing import REPO, settle, wait_until
from store import NewsStore, StoreCorrupt
from store.care.recovery import DAMAGED_DIR
from store.care.snapshots import snapshots
from store.disk.layout import shard_of
from tui.app import NewsdeskApp
from tui.cli import main
from tui.screens.damaged import DamagedScreen
from tui.screens.main import MainScreen
from tui.widgets.search_bar import SearchBar

Captured = pytest.CaptureFixture[str]

ARTICLES = 40
DAMAGED_BYTES = 50


def story(n: int) -> Article:
    return Article.create(title=f"Harbour story {n}", body=f"Body of harbour story {n}.", url=f"https://d.example/{n}")


def ids() -> list[str]:
    return [story(n).id for n in range(ARTICLES)]


def busiest_shard() -> int:
    return Counter(shard_of(i) for i in ids()).most_common(1)[0][0]


def shard_path(root: Path, shard: int) -> Path:
    return root / "state" / f"state-{shard:02x}.json"


@pytest.fixture
def damaged(store_root: Path) -> Path:
    """A store of 40 tagged, starred articles, never backed up, whose busiest state shard has been
    cut to 50 bytes; its derived indexes are gone (as in a `newsdesk backup` copy, or after an
    upgrade), so the next process must read every file, the damaged one included."""
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(ARTICLES)])
        store.update_state(ids(), add_tags=["keep"], starred=True)
    assert snapshots(store_root) == []
    path = shard_path(store_root, busiest_shard())
    path.write_bytes(path.read_bytes()[:DAMAGED_BYTES])
    (store_root / "index.sqlite").unlink()
    shutil.rmtree(store_root / "text-index")
    return store_root


def in_damaged_shard() -> list[str]:
    return [i for i in ids() if shard_of(i) == busiest_shard()]


def test_reads_go_on_with_a_warning_naming_the_file(damaged: Path, capsys: Captured) -> None:
    path = shard_path(damaged, busiest_shard())
    lost = set(in_damaged_shard())
    assert main(["--store", str(damaged), "list", "--json"]) == 0
    captured = capsys.readouterr()
    assert str(path) in captured.err and "check --repair" in captured.err
    rows = json.loads(captured.out)
    assert len(rows) == ARTICLES  # every article is still there
    for row in rows:
        if row["id"] in lost:  # as if the file were empty
            assert (row["tags"], row["read"], row["starred"]) == ([], False, False)
        else:
            assert (row["tags"], row["starred"]) == (["keep"], True)
    assert main(["--store", str(damaged), "search", "--count", "tag:keep", "harbour"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(ARTICLES - len(lost)) and str(path) in captured.err
    assert main(["--store", str(damaged), "show", in_damaged_shard()[0]]) == 0
    assert str(path) in capsys.readouterr().err  # every read says so, not only the first


def test_a_write_to_the_damaged_file_is_refused_and_others_go_on(damaged: Path, capsys: Captured) -> None:
    path = shard_path(damaged, busiest_shard())
    cut = path.read_bytes()
    elsewhere = next(i for i in ids() if shard_of(i) != busiest_shard())
    assert main(["--store", str(damaged), "tag", "+more", "--", f"id:{in_damaged_shard()[0]}"]) == 3
    err = capsys.readouterr().err
    assert str(path) in err and "cannot be changed until it is repaired" in err and "check --repair" in err
    assert path.read_bytes() == cut  # never overwritten
    assert main(["--store", str(damaged), "tag", "+more", "--", f"id:{elsewhere}"]) == 0
    assert "1 article" in capsys.readouterr().out
    assert main(["--store", str(damaged), "search", "--count", "tag:more"]) == 0
    assert capsys.readouterr().out.strip() == "1"


def test_check_says_what_starting_afresh_loses_and_repair_does_it(damaged: Path, capsys: Captured) -> None:
    path = shard_path(damaged, busiest_shard())
    cut = path.read_bytes()
    lost = in_damaged_shard()
    assert main(["--store", str(damaged), "check"]) == 3
    err = capsys.readouterr().err
    assert str(path) in err and "check --repair" in err
    assert f"the {len(lost)} articles whose ids begin" in err and "the articles themselves stay" in err
    # Without a terminal to confirm at, and without --yes, nothing is changed.
    run = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(damaged), "check", "--repair"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
    )
    assert run.returncode == 3, run.stderr
    assert "Starting it afresh loses" in run.stderr and "--yes" in run.stderr
    assert path.read_bytes() == cut
    assert main(["--store", str(damaged), "check", "--repair", "--yes", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["repaired"] == [str(path)]
    assert "Starting it afresh loses" in captured.err  # said before it was done
    kept = list((damaged / DAMAGED_DIR).iterdir())
    assert [p.read_bytes() for p in kept] == [cut]  # the damaged copy is kept
    assert main(["--store", str(damaged), "check"]) == 0
    capsys.readouterr()
    assert main(["--store", str(damaged), "tag", "+more", "--", f"id:{lost[0]}"]) == 0
    assert capsys.readouterr().err == ""  # no warning once repaired
    with NewsStore(damaged) as store:
        assert store.search("tag:keep").count == ARTICLES - len(lost)
        assert store.search("tag:more").count == 1


def test_a_backup_still_wins_over_starting_afresh(store_root: Path, capsys: Captured) -> None:
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(ARTICLES)])
        store.update_state(ids(), add_tags=["keep"])
        store.snapshot()
    path = shard_path(store_root, busiest_shard())
    path.write_bytes(path.read_bytes()[:DAMAGED_BYTES])
    assert main(["--store", str(store_root), "check", "--repair", "--json"]) == 0  # no question asked
    assert "restored from the backup" in capsys.readouterr().err
    with NewsStore(store_root) as store:
        assert store.search("tag:keep").count == ARTICLES




async def test_the_reader_opens_with_a_notice_and_searches_work(damaged: Path) -> None:
    path = shard_path(damaged, busiest_shard())
    store = NewsStore(damaged)
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.article_list.total == ARTICLES
        await wait_until(pilot, lambda: any(str(path) in n.message for n in app._notifications))
        assert not any(n.title == "Store error" for n in app._notifications)
        await pilot.press("slash")
        await settle(pilot)
        assert screen.query_one(SearchBar).has_focus
        await pilot.press(*"tag:keep")
        await wait_until(pilot, lambda: screen.listing.query == "tag:keep")
        assert screen.article_list.total == ARTICLES - len(in_damaged_shard())
        assert not any(n.title == "Store error" for n in app._notifications)
        await pilot.press("escape", "escape")
        await settle(pilot)
        # Starring an article of the damaged file is refused, and starting it afresh offered.
        at = store.position(in_damaged_shard()[0])
        assert at is not None
        screen.article_list.cursor = at
        await settle(pilot)
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, DamagedScreen))
        text = str(app.screen.query_one("#damaged-text").render())
        assert str(path) in text and "Starting it afresh loses" in text
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_until(pilot, lambda: any(n.title == "Repaired" for n in app._notifications))
    store.close()
    with NewsStore(damaged) as again:
        assert again.check()["files"] > 0  # the fresh file parses
        assert again.search("tag:keep").count == ARTICLES - len(in_damaged_shard())


# -- damaged in place while the index is current -----------------------------------------------------
@pytest.fixture
def cut_in_place(store_root: Path) -> Path:
    """The same store, its busiest state shard cut to 50 bytes in place: the index, which applied
    that file's last generation, still holds an exact copy of what it held."""
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(ARTICLES)])
        store.update_state(ids(), add_tags=["keep"], starred=True)
        store.update_state(in_damaged_shard()[:1], read=True)
    path = shard_path(store_root, busiest_shard())
    path.write_bytes(path.read_bytes()[:DAMAGED_BYTES])
    return store_root


def test_a_shard_cut_in_place_is_rebuilt_from_the_index_losing_nothing(cut_in_place: Path, capsys: Captured) -> None:
    root = cut_in_place
    path = shard_path(root, busiest_shard())
    first = in_damaged_shard()[0]
    assert main(["--store", str(root), "search", "--count", "tag:keep"]) == 0
    assert capsys.readouterr().out.strip() == str(ARTICLES)  # reads go on from the index
    assert main(["--store", str(root), "mark", "unread", "--", f"id:{first}"]) == 3
    assert "cannot be changed until it is repaired" in capsys.readouterr().err
    assert main(["--store", str(root), "check"]) == 3
    err = capsys.readouterr().err
    assert "the index holds an exact copy" in err and "losing nothing" in err
    assert main(["--store", str(root), "check", "--repair"]) == 0  # nothing lost: nothing to confirm
    assert "rebuilt from the index" in capsys.readouterr().err
    states = json.loads(path.read_bytes())["state"]
    assert len(states) == len(in_damaged_shard())
    assert all(s["tags"] == ["keep"] and s["starred"] for s in states.values())
    assert sum(s["read"] for s in states.values()) == 1
    assert main(["--store", str(root), "mark", "unread", "--", f"id:{first}"]) == 0
    with NewsStore(root) as store:
        assert store.check()["index"] == "ok"
        assert store.search("tag:keep is:starred").count == ARTICLES


def landing_in(shard: int, count: int) -> list[Article]:
    found = []
    n = 0
    while len(found) < count:
        article = Article.create(title=f"Late story {n}", body="Late.", url=f"https://late.example/{n}")
        if shard_of(article.id) == shard:
            found.append(article)
        n += 1
    return found


def test_an_import_goes_on_beside_a_damaged_shard(cut_in_place: Path, tmp_path: Path, capsys: Captured) -> None:
    new = landing_in(busiest_shard(), 2)  # their state would live in the damaged file
    source = tmp_path / "late.jsonl"
    source.write_text("".join(json.dumps({"title": a.title, "body": a.body, "url": a.url}) + "\n" for a in new))
    assert main(["--store", str(cut_in_place), "import", "--no-entities", str(source)]) == 0
    assert "imported 2" in capsys.readouterr().out
    with NewsStore(cut_in_place) as store:
        assert store.count() == ARTICLES + 2
        assert store.search("tag:keep").count == ARTICLES  # the index's copy was not disturbed


def test_a_damaged_state_shard_does_not_stop_the_backup_of_the_rest(cut_in_place: Path) -> None:
    path = shard_path(cut_in_place, busiest_shard())
    rel = str(path.relative_to(cut_in_place))
    noticed: list[StoreCorrupt] = []
    with NewsStore(cut_in_place) as store:
        store.watch_damage(noticed.append)
        assert store.search("tag:keep").count == ARTICLES and noticed == []  # the index still knows
        taken = store.snapshot()
    assert taken is not None
    assert rel not in taken.files and not (taken.path / rel).exists()
    assert any(name.startswith("articles/") for name in taken.files)
    assert len(taken.files) > 10  # the other shards, the segment, the schema record
    assert [e.path for e in noticed] == [path]  # and the damage it met is said


def answer_at_a_terminal(root: Path, answer: bytes) -> tuple[int, str]:
    """`check --repair` in a pseudo-terminal, answering its question; (exit code, what it wrote)."""
    import pty
    import select
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its terminal (stdin, stdout, stderr)
        os.chdir(REPO)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        os.execve(sys.executable, [sys.executable, "-m", "tui.cli", "--store", str(root), "check", "--repair"], env)
    seen = b""
    deadline = time.monotonic() + 60  # a hang guard, not a pace
    answered = False
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child is gone and the pty closed
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(fd, answer)
            answered = True
    os.close(fd)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), seen.decode(errors="replace")


@pytest.mark.parametrize("answer", [b"n\n", b"y\n"])
def test_at_a_terminal_repair_asks_before_starting_afresh(damaged: Path, answer: bytes) -> None:
    path = shard_path(damaged, busiest_shard())
    cut = path.read_bytes()
    code, said = answer_at_a_terminal(damaged, answer)
    flat = " ".join(said.split())  # the terminal wraps nothing, but may end lines with \r\n
    assert "Starting it afresh loses" in flat and f"Start {path} afresh? [y/N]" in flat
    if answer == b"n\n":
        assert code == 3 and path.read_bytes() == cut and "left as it is" in flat
    else:
        assert code == 0 and json.loads(path.read_bytes()) == {"state": {}}


# -- the other small files of the user's own things ---------------------------------------------------
@pytest.mark.parametrize(
    ("name", "loses"),
    [("views.json", "saved views"), ("entities.json", "entity merges"), ("feeds.json", "subscriptions")],
)
def test_a_damaged_user_file_with_no_backup_can_be_started_afresh(
    store_root: Path,
    capsys: Captured,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    loses: str,
) -> None:
    from articles.importers.base import Subscription

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no terminal to answer at, even under pytest -s

    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(3)])
        store.update_state([story(0).id], add_tags=["keep"])
        store.save_view("kept", "tag:keep")
        store.merge_entity("Harbor", "Harbour")
        store.add_subscriptions([Subscription(url="https://d.example/feed.xml", title="D")])
    path = store_root / name
    cut = path.read_bytes()[:5]
    path.write_bytes(cut)
    assert main(["--store", str(store_root), "check", "--repair"]) == 3  # not without asking
    assert f"Starting it afresh loses the {loses}" in capsys.readouterr().err
    assert main(["--store", str(store_root), "check", "--repair", "--yes", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["repaired"] == [str(path)]
    assert main(["--store", str(store_root), "show", story(0).id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tags"] == ["keep"]  # only that file's things are gone
    assert [p.read_bytes() for p in (store_root / DAMAGED_DIR).iterdir()] == [cut]


# -- a damaged segment ---------------------------------------------------------------------------------
def test_a_damaged_segment_costs_its_articles_not_the_store(
    store_root: Path,
    tmp_path: Path,
    capsys: Captured,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store.disk import tables

    monkeypatch.setattr(tables, "SEGMENT_MAX_DOCS", 10)
    with NewsStore(store_root) as store:
        store.add_articles([story(n) for n in range(30)])  # three segments of 10
        store.update_state([story(n).id for n in range(30)], add_tags=["keep"])
    middle = store_root / "articles" / "seg-000002.json"
    cut = middle.read_bytes()[:DAMAGED_BYTES]
    middle.write_bytes(cut)
    (store_root / "index.sqlite").unlink()  # a new index must read every file, the damaged one too
    shutil.rmtree(store_root / "text-index")
    assert main(["--store", str(store_root), "list", "--json"]) == 0
    captured = capsys.readouterr()
    assert str(middle) in captured.err and "check --repair" in captured.err
    kept = [*range(10), *range(20, 30)]
    assert {row["title"] for row in json.loads(captured.out)} == {story(n).title for n in kept}
    assert main(["--store", str(store_root), "search", "--count", "tag:keep", "harbour"]) == 0
    assert capsys.readouterr().out.strip() == "20"
    source = tmp_path / "again.jsonl"  # the lost articles, imported again from their source
    lines = [json.dumps({"title": a.title, "body": a.body, "url": a.url}) for a in map(story, range(10, 20))]
    source.write_text("\n".join(lines) + "\n")
    assert main(["--store", str(store_root), "import", "--no-entities", str(source)]) == 0
    assert "imported 10" in capsys.readouterr().out
    assert main(["--store", str(store_root), "search", "--count", "harbour"]) == 0
    assert capsys.readouterr().out.strip() == "30"
    assert middle.read_bytes() == cut  # the damaged file is left as it is
    assert main(["--store", str(store_root), "check"]) == 3  # and still named by check
    assert str(middle) in capsys.readouterr().err

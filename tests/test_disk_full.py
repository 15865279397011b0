"""A full disk, for real: the store on a 5 MB tmpfs filled by a file until N KB are left, for a
sweep of N around every write of a tag, a mark and an import (issue 15 items 1-3).

Every command exits 0 or 3, never with a traceback; a failure says truthfully whether the change
was saved ("saved", finishing on next use) or "not saved"; once space is freed, `check` is clean
(or `check --repair` makes it clean) and the search index catches up.  Reading needs no space.
Needs root to mount the tmpfs (CI runs as root); skipped with the reason otherwise."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from newsdesk_testing import REPO, shared_path

pytestmark = pytest.mark.slow

ARTICLES = 40


@pytest.fixture
def disk() -> Iterator[Path]:
    """A fresh 5 MB tmpfs, unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs (CI runs as root)")
    mount = Path(tempfile.mkdtemp(prefix="newsdesk-full-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=5m", "tmpfs", str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        with contextlib.suppress(OSError):
            mount.rmdir()


def newsdesk(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(store), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, (done.args, done.returncode, done.stdout, done.stderr)
    return done


def free_bytes(mount: Path) -> int:
    st = os.statvfs(mount)
    return st.f_bavail * st.f_frsize


def fill(mount: Path, leave_kb: int) -> None:
    """Fill the disk with a file until `leave_kb` KB are free (0: none at all)."""
    filler = mount / "filler"
    with contextlib.suppress(FileNotFoundError):
        filler.unlink()
    want = free_bytes(mount) - leave_kb * 1024
    with filler.open("wb") as out:
        while want > 0:
            try:
                out.write(b"\0" * min(want, 1 << 20))
                out.flush()
            except OSError:
                break
            want -= 1 << 20


def unfill(mount: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (mount / "filler").unlink()


def seeded(mount: Path, tmp_path: Path, count: int = ARTICLES) -> tuple[Path, list[str]]:
    source = shared_path("wikinews", "articles.jsonl")
    part = tmp_path / "part.jsonl"
    with source.open("rb") as lines:
        part.write_bytes(b"".join(line for _, line in zip(range(count), lines, strict=False)))
    store = mount / "store"
    ok(newsdesk(store, "import", "--no-entities", str(part)))
    ids = [item["id"] for item in json.loads(ok(newsdesk(store, "list", "--json")).stdout)]
    return store, ids


def tags_of(store: Path, article_id: str) -> list[str]:
    return json.loads(ok(newsdesk(store, "show", article_id, "--json")).stdout)["tags"]


def assert_clean(store: Path) -> None:
    """`check` clean, or made clean by `check --repair`; never a traceback."""
    done = newsdesk(store, "check")
    assert "Traceback" not in done.stderr, done.stderr
    if done.returncode != 0:
        repaired = newsdesk(store, "check", "--repair")
        assert "Traceback" not in repaired.stderr, repaired.stderr
    checked = ok(newsdesk(store, "check"))
    assert "index ok; search index ok" in checked.stdout, checked.stdout
    from store import NewsStore

    with NewsStore(store) as opened:  # the search index caught up: nothing left for a search to evaluate
        assert opened.pending_text() == 0


def assert_failure_is_told(done: subprocess.CompletedProcess[str]) -> str:
    """Exit 0, or exit 3 saying which case it is; returns 'ok', 'saved' or 'not saved'."""
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 3), (done.returncode, done.stderr)
    if done.returncode == 0:
        return "ok"
    if "not saved" in done.stderr or "nothing was changed" in done.stderr:
        return "not saved"
    assert "saved" in done.stderr, done.stderr
    return "saved"


def search_ids(store: Path, query: str) -> set[str]:
    return {item["id"] for item in json.loads(ok(newsdesk(store, "search", query, "--json")).stdout)}


SWEEP_KB = [0, 4, 8, 12, 16, 20, 28, 36, 44, 52, 60, 70, 80, 90, 100, 120, 140, 170, 200]


def test_a_full_disk_during_tags_and_marks_says_what_was_saved(disk: Path, tmp_path: Path) -> None:
    """Item 1: every amount of free space around a tag and a mark write."""
    store, ids = seeded(disk, tmp_path)
    outcomes: dict[int, tuple[str, str]] = {}
    for step, leave in enumerate(SWEEP_KB):
        article = ids[step % len(ids)]
        tag = f"full{leave}"
        fill(disk, leave)
        try:
            tagged = assert_failure_is_told(newsdesk(store, "tag", f"+{tag}", "--", f"id:{article}"))
            marked = assert_failure_is_told(newsdesk(store, "mark", "read", "--", f"id:{article}"))
            listed = ok(newsdesk(store, "list", "--json"))  # reading needs no space
            rows = {row["id"]: row for row in json.loads(listed.stdout)}
            assert len(rows) == len(ids) and (tag in rows[article]["tags"]) == (tagged != "not saved")
        finally:
            unfill(disk)
        outcomes[leave] = (tagged, marked)
        has_tag = tag in tags_of(store, article)
        assert has_tag == (tagged != "not saved"), (leave, tagged)
        shown = json.loads(ok(newsdesk(store, "show", article, "--json")).stdout)
        assert shown["read"] == (marked != "not saved"), (leave, marked)
        assert_clean(store)
        assert (article in search_ids(store, f"tag:{tag}")) == has_tag, leave
    # the sweep did reach the full disk
    assert any("not saved" in pair for pair in outcomes.values()), outcomes


def test_check_repairs_what_a_full_disk_left_in_the_text_index(disk: Path, tmp_path: Path) -> None:
    """Item 2: tags at 90 and 100 KB free (and 60, 40), then space back: `check` and
    `check --repair` run clean (no FileAlreadyExists from a failed commit's leftover), and later
    tags reach the text index without a `reindex`."""
    store, ids = seeded(disk, tmp_path)
    for step in range(3):  # the leftover's name depends on the commit count: a few rounds
        for leave, tag in ((90, f"a{step}"), (100, f"b{step}"), (60, f"c{step}"), (40, f"d{step}")):
            fill(disk, leave)
            try:
                assert_failure_is_told(newsdesk(store, "tag", f"+{tag}", "--", f"id:{ids[step]}"))
            finally:
                unfill(disk)
        for args in (("check",), ("check", "--repair"), ("check",)):
            done = newsdesk(store, *args)
            assert "Traceback" not in done.stderr, done.stderr
            assert done.returncode == 0, (args, done.stderr)
            assert "search index ok" in done.stdout or "search index rebuilt" in done.stdout, done.stdout
        ok(newsdesk(store, "tag", f"+later{step}", "--", f"id:{ids[-1 - step]}"))
        from store import NewsStore

        with NewsStore(store) as opened:  # a CLI tag leaves the index to the next sync (TextSync.defer)
            assert opened.sync_text() and opened.pending_text() == 0, "the text index did not catch up"
        assert search_ids(store, f"tag:later{step}") == {ids[-1 - step]}


def test_reading_needs_no_space(disk: Path, tmp_path: Path) -> None:
    """Item 3: at 0 bytes free, list, search, show and check work (read-only, saying so);
    a write fails saying it was not saved; the store is unchanged afterwards."""
    store, ids = seeded(disk, tmp_path)
    ok(newsdesk(store, "tag", "+kept", "--", f"id:{ids[0]}"))
    fill(disk, 0)
    try:
        assert free_bytes(disk) < 4096
        listed = ok(newsdesk(store, "list", "--json"))
        assert len(json.loads(listed.stdout)) == ARTICLES
        assert "no space left on the device; nothing was changed" in listed.stderr
        found = ok(newsdesk(store, "search", "tag:kept", "--json"))
        assert [item["id"] for item in json.loads(found.stdout)] == [ids[0]]
        ok(newsdesk(store, "show", ids[1]))
        checked = newsdesk(store, "check")
        assert checked.returncode == 0 and "Traceback" not in checked.stderr, checked.stderr
        tagged = newsdesk(store, "tag", "+lost", "--", f"id:{ids[1]}")
        assert tagged.returncode == 3 and "not saved" in tagged.stderr and "Traceback" not in tagged.stderr
        from store import NewsStore

        with NewsStore(store) as opened:  # what the reader opens
            assert opened.readonly and opened.no_space
            assert opened.count() == ARTICLES
    finally:
        unfill(disk)
    assert tags_of(store, ids[0]) == ["kept"]
    assert tags_of(store, ids[1]) == []
    assert_clean(store)


IMPORT_SWEEP_KB = [0, 16, 32, 48, 56, 60, 64, 68, 72, 76, 80, 90, 100, 150, 220]


def test_a_full_disk_during_imports_says_what_was_saved(disk: Path, tmp_path: Path) -> None:
    """Every amount of free space around an import of three new articles: all of them or none,
    as the message says; clean and searchable once space is back."""
    store, _ = seeded(disk, tmp_path, count=20)
    source = shared_path("wikinews", "articles.jsonl")
    with source.open("rb") as lines:
        pool = [line for _, line in zip(range(20 + 3 * len(IMPORT_SWEEP_KB)), lines, strict=False)][20:]
    outcomes = []
    for step, leave in enumerate(IMPORT_SWEEP_KB):
        batch = tmp_path / f"batch{step}.jsonl"
        batch.write_bytes(b"".join(pool[3 * step : 3 * step + 3]))
        before = len(json.loads(ok(newsdesk(store, "list", "--json")).stdout))
        fill(disk, leave)
        try:
            told = assert_failure_is_told(newsdesk(store, "import", "--no-entities", str(batch)))
        finally:
            unfill(disk)
        outcomes.append(told)
        listed = {item["id"] for item in json.loads(ok(newsdesk(store, "list", "--json")).stdout)}
        assert len(listed) == (before if told == "not saved" else before + 3), (leave, told)
        assert_clean(store)
    assert "not saved" in outcomes and "ok" in outcomes, outcomes


async def test_the_reader_opens_a_store_on_a_full_disk(disk: Path, tmp_path: Path) -> None:
    """Item 3, the reader: at 0 bytes free it opens on the articles, read-only, saying why."""
    from newsdesk_testing import settle
    from store import NewsStore
    from tui.app import NewsdeskApp
    from tui.widgets.article_list import ArticleList

    store, _ = seeded(disk, tmp_path)
    fill(disk, 0)
    try:
        with NewsStore(store) as opened:
            app = NewsdeskApp(opened)
            async with app.run_test(size=(120, 40)) as pilot:
                await settle(pilot)
                assert app.screen.query_one(ArticleList).total == ARTICLES
                said = [str(n.message) for n in app._notifications]
                assert any("no space left on the device; nothing was changed" in m for m in said), said
    finally:
        unfill(disk)

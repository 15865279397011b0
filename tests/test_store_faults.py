"""Fault injection and multi-process tests of the store.

1. Crash safety: a writer process is SIGKILLed at random moments while it commits; after every
   kill the store (opened, so recovered) holds exactly the state after the last acknowledged
   commit or after the one in flight.  A deterministic variant makes each os.write / os.fsync /
   os.replace of one commit fail in turn.
2. Concurrency: processes importing, tagging and reading at once lose nothing.
3. A long-lived store object sees other processes' commits (list/get/changes_since).

The workers live in tests/fault_workers.py (run as a script; imported here by path for the shared
workload model).  Coordination is by pipes (a "ready"/"go" barrier) and fsynced log files; the
only sleep is the random delay before a SIGKILL, which is the fault being injected."""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

import store.disk.files as store_files
import store.disk.layout as store_layout
import store.disk.tables as store_tables
from articles.model import Article
from store import NewsStore, StoreCorrupt, StoreError
from store.disk.documents import plain_bytes
from store.errors import StoreWriteFailed
from store.tags import merge_tags

REPO = Path(__file__).resolve().parent.parent
WORKERS = Path(__file__).with_name("fault_workers.py")


def _load_workers() -> Any:
    spec = importlib.util.spec_from_file_location("newsdesk_fault_workers", WORKERS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


fw = _load_workers()

Snapshot = dict[str, tuple[str, tuple[str, ...], bool, bool]]  # id -> (title, tags, read, starred)

SEG_RE = re.compile(r"^seg-(\d{6})\.json$")
STATE_RE = re.compile(r"^state-([0-9a-f]{2})\.json$")
COPY_WITHOUT_TEXT_INDEX = (
    "import shutil, sys; shutil.copytree(*sys.argv[1:], symlinks=True, ignore=shutil.ignore_patterns('text-index'))"
)
ROOT_FILES = {
    "store.json",
    "feeds.json",
    "trash.json",  # what delete and retention removed, written in the deletion's commit (store.care.trash)
    "manifest.json",
    "newsdesk.lock",
    "index.sqlite",
    "index.sqlite-wal",
    "index.sqlite-shm",
    "index.sqlite-journal",
    ".newsdesk-create.lock",  # serialises making the full-text index (store.search.text_index)
}
ARTICLE_FIELDS = {
    "id",
    "key",
    "title",
    "body",
    "summary",
    "author",
    "source",
    "url",
    "published",
    "language",
    "feed",
    "fetched",
    "entities",
    "hash",
}


# -- worker processes ----------------------------------------------------------------------------


class Worker:
    """A fault_workers.py subprocess with line-oriented, timeout-guarded pipes."""

    def __init__(self, mode: str, spec: dict[str, Any], directory: Path, name: str) -> None:
        spec_path = directory / f"{name}.spec.json"
        spec_path.write_text(json.dumps(spec))
        self.name = name
        self.stderr_path = directory / f"{name}.stderr"
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, str(WORKERS), mode, str(spec_path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                cwd=REPO,
                bufsize=0,
            )
        self._buf = b""

    def line(self, timeout: float = 60.0) -> str | None:
        """The next stdout line, or None at end of file."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{self.name}: no output within {timeout}s; stderr:\n{self.stderr()}")
            if not select.select([fd], [], [], left)[0]:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return line.decode()

    def expect(self, wanted: str, timeout: float = 60.0) -> None:
        got = self.line(timeout)
        assert got == wanted, f"{self.name}: expected {wanted!r}, got {got!r}; stderr:\n{self.stderr()}"

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(text.encode() + b"\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise AssertionError(f"{self.name} died; stderr:\n{self.stderr()}") from None

    def request(self, **cmd: Any) -> Any:
        self.send(json.dumps(cmd))
        line = self.line()
        assert line is not None, f"{self.name} died; stderr:\n{self.stderr()}"
        return json.loads(line)["reply"]

    def result(self, timeout: float = 120.0) -> dict[str, Any]:
        """The final JSON line, after which the worker must exit 0 with nothing on stderr."""
        line = self.line(timeout)
        rc = self.proc.wait(timeout)
        assert rc == 0 and line is not None, f"{self.name} exited {rc}; stderr:\n{self.stderr()}"
        assert self.stderr() == "", f"{self.name} wrote to stderr:\n{self.stderr()}"
        return json.loads(line)

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.wait(30)
        self.close_pipes()

    def close_pipes(self) -> None:
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


@contextlib.contextmanager
def workers(*items: Worker) -> Iterator[tuple[Worker, ...]]:
    """Kill whatever is still running when the test leaves (normally nothing)."""
    try:
        yield items
    finally:
        for w in items:
            if w.proc.poll() is None:
                w.kill()
            else:
                w.close_pipes()


def start_together(group: list[Worker]) -> None:
    """Barrier: every worker has opened its store and said ready before any is told to go."""
    for w in group:
        w.expect("ready")
    for w in group:
        w.send("go")


# -- reading the store's files directly ------------------------------------------------------------


def _load_json(path: Path) -> Any:
    """A TinyDB file's content; segments are zlib-compressed JSON (store.disk.documents)."""
    raw = path.read_bytes()
    try:
        return orjson.loads(plain_bytes(path, raw))
    except (orjson.JSONDecodeError, StoreCorrupt) as exc:
        raise AssertionError(f"{path} is not valid JSON ({exc}): {raw[:200]!r}") from exc


def _check_tables(path: Path, data: Any, allowed: set[str]) -> None:
    assert isinstance(data, dict), f"{path}: top level is {type(data).__name__}"
    assert set(data) <= allowed, f"{path}: unexpected tables {sorted(set(data) - allowed)}"
    for name, table in data.items():
        assert isinstance(table, dict), f"{path}: table {name} is {type(table).__name__}"
        for key, doc in table.items():
            assert key.isdigit() and isinstance(doc, dict), f"{path}: bad document {key!r}"


def scan_files(root: Path, *, recovered: bool = True, temps_ok: bool = False) -> Snapshot:
    """Parse and shape-check every TinyDB file; return what they hold.  With recovered=False
    (a store nobody opened since a crash) temp files may exist and the content may be
    mid-roll-forward, but every file in place must still be complete and valid.
    temps_ok: a store recovered by an already-open object's read, which rolls a commit forward
    but leaves temp files of a commit that died before its manifest to the next write or open."""
    if not recovered and not root.exists():
        return {}
    leftovers = sorted(str(p.relative_to(root)) for p in root.rglob("*") if store_files.TMP_MARK in p.name)
    if recovered:
        unwanted = [p for p in leftovers if not (temps_ok and store_files.TMP_MARK in Path(p).name)]
        assert not unwanted, f"left after recovery: {leftovers}"
    for path in root.iterdir():
        if path.is_dir():
            assert path.name in ("articles", "state", "text-index"), f"unexpected directory {path}"
        elif store_files.TMP_MARK not in path.name:
            assert path.name in ROOT_FILES, f"unexpected file {path}"
    if (root / store_files.MANIFEST).exists():
        manifest = _load_json(root / store_files.MANIFEST)
        assert isinstance(manifest.get("gen"), int) and isinstance(manifest.get("files"), dict), manifest
        if recovered:
            assert not store_files.needs_recovery(root, store_files.read_manifest(root)), manifest

    if recovered or (root / "store.json").exists():  # a kill may land before the store existed
        meta = _load_json(root / "store.json")
        _check_tables(root / "store.json", meta, {"meta"})
        assert isinstance(meta["meta"]["1"]["schema"], int)
    if (root / "feeds.json").exists():
        _check_tables(root / "feeds.json", _load_json(root / "feeds.json"), {"feeds"})
    if (root / "trash.json").exists():
        _check_tables(root / "trash.json", _load_json(root / "trash.json"), {"trash"})

    titles: dict[str, str] = {}
    where: dict[str, str] = {}
    articles_dir = root / "articles"
    for path in sorted(articles_dir.iterdir()) if articles_dir.exists() else []:
        if store_files.TMP_MARK in path.name:
            continue
        assert SEG_RE.match(path.name), f"unexpected file {path}"
        data = _load_json(path)
        _check_tables(path, data, {"articles"})
        for key, doc in data.get("articles", {}).items():
            assert set(doc) >= ARTICLE_FIELDS, f"{path}: {key} lacks {ARTICLE_FIELDS - set(doc)}"
            assert int(key) == int(doc["id"], 16), f"{path}: document {key} holds {doc['id']}"
            assert doc["id"] not in where, f"{doc['id']} in {where.get(doc['id'])} and {path.name}"
            where[doc["id"]] = path.name
            titles[doc["id"]] = doc["title"]

    states: dict[str, tuple[tuple[str, ...], bool, bool]] = {}
    state_dir = root / "state"
    for path in sorted(state_dir.iterdir()) if state_dir.exists() else []:
        if store_files.TMP_MARK in path.name:
            continue
        match = STATE_RE.match(path.name)
        assert match, f"unexpected file {path}"
        data = _load_json(path)
        _check_tables(path, data, {"state"})
        for key, doc in data.get("state", {}).items():
            aid = f"{int(key):012x}"
            shard = int(aid[:2], 16) % store_layout.STATE_SHARDS
            assert shard == int(match.group(1), 16), f"{aid} in {path.name}"
            assert set(doc) == {"tags", "read", "starred"}, f"{path}: {doc}"
            assert isinstance(doc["tags"], list), doc
            assert all(isinstance(t, str) for t in doc["tags"]), doc
            assert isinstance(doc["read"], bool) and isinstance(doc["starred"], bool), doc
            assert doc["tags"] or doc["read"] or doc["starred"], f"{path}: default state for {aid}"
            states[aid] = (tuple(doc["tags"]), doc["read"], doc["starred"])
    if recovered:
        unknown = sorted(set(states) - set(titles))
        assert not unknown, f"state for unknown articles {unknown}"
    return {aid: (title, *states.get(aid, fw.DEFAULT)) for aid, title in titles.items()}


def api_snapshot(store: NewsStore) -> Snapshot:
    items = store.list()
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids)), "list() holds an article twice"
    assert store.count() == len(items)
    return {i.id: (i.title, tuple(i.tags), i.read, i.starred) for i in items}


def assert_search_agrees(store: NewsStore, want: Snapshot) -> None:
    """The full-text and tag index say what the files say: every tag finds exactly its
    articles, and every article is found by its own body words.  Checked as the writers left it
    (the articles the full-text index has not caught up with evaluated outside it), and again
    once it has caught up (the index alone: no writer's update to it was lost)."""
    _search_agrees(store, want)
    if not store.readonly:
        assert store.sync_text()
        assert store.pending_text() == 0
        _search_agrees(store, want)


def _search_agrees(store: NewsStore, want: Snapshot) -> None:
    by_tag: dict[str, set[str]] = {}
    for aid, (_title, tags, _read, _starred) in want.items():
        for tag in tags:
            by_tag.setdefault(tag.casefold(), set()).add(aid)
    for tag, ids in by_tag.items():
        assert {i.id for i in store.search(f'tag:"{tag}"').items} == ids, tag
    assert store.count_matching("article") == len(want)
    assert store.count_matching("is:read") == sum(1 for v in want.values() if v[2])
    assert store.count_matching("is:starred") == sum(1 for v in want.values() if v[3])
    for aid in list(want)[:: max(len(want) // 25, 1)]:
        got = store.get(aid)
        assert got is not None
        number = got.article.title.split()[1]
        assert [i.id for i in store.search(f'"body of article {number}"').items] == [aid]


def as_sets(snapshot: Snapshot) -> dict[str, tuple[str, frozenset[str], bool, bool]]:
    """Tag order depends on how concurrent writers interleaved; compare tags as sets."""
    return {i: (v[0], frozenset(v[1]), v[2], v[3]) for i, v in snapshot.items()}


def tag_pairs(snapshot: Snapshot) -> set[tuple[str, str]]:
    return {(i, t) for i, v in snapshot.items() for t in v[1]}


def diff(a: Snapshot, b: Snapshot, limit: int = 5) -> str:
    lines = [f"only left: {sorted(set(a) - set(b))[:limit]}", f"only right: {sorted(set(b) - set(a))[:limit]}"]
    lines += [f"{i}: {a[i]} != {b[i]}" for i in sorted(set(a) & set(b)) if a[i] != b[i]][:limit]
    return "\n".join(lines)


def seed_store(root: Path, numbers: Iterable[int], *, tags: Callable[[int], list[str]] = lambda n: []) -> Snapshot:
    with NewsStore(root) as store:
        store.add_articles([fw.make_article(n, tags=tags(n)) for n in numbers])
        return api_snapshot(store)


# -- 1. crash safety: SIGKILL ---------------------------------------------------------------


class Expected:
    """The model's snapshots after n operations of a scenario, computed forward on demand."""

    def __init__(self, scenario: str, ballast: Snapshot | None = None) -> None:
        self.scenario = scenario
        self.model = fw.Model()
        self.n = 0
        self.ballast = ballast or {}
        """Articles the store held before the workload, which no operation touches."""
        self.snapshots: dict[int, Snapshot] = {0: dict(self.ballast)}

    def after(self, n: int) -> Snapshot:
        while self.n < n:
            self.n += 1
            fw.apply_op(self.model, fw.make_op(self.scenario, self.n, self.model))
            self.snapshots[self.n] = {**self.ballast, **self.model.snapshot()}
        return self.snapshots[n]

    def forget_before(self, n: int) -> None:
        for old in [k for k in self.snapshots if k < n]:
            del self.snapshots[old]


def read_log(path: Path, start: int) -> tuple[int, int | None]:
    """(last acknowledged commit, commit in flight or None) from a crash worker's log."""
    done, inflight = start, None
    expected_next = start + 1
    text = path.read_text() if path.exists() else ""
    for line in text.splitlines():
        word, number = line.split()
        j = int(number)
        if word == "intent":
            assert j == expected_next and inflight is None, f"log out of order: {text!r}"
            inflight = j
        else:
            assert word == "done" and j == inflight, f"log out of order: {text!r}"
            done, inflight, expected_next = j, None, j + 1
    return done, inflight


CRASH_SCENARIOS = [
    # scenario, kills, SEGMENT_MAX_DOCS in the writer, ballast articles stored first
    pytest.param("mixed", 30, 25, 0, id="mixed"),
    pytest.param("multi", 26, None, 0, id="multi-shard"),
    pytest.param("append", 26, 30, 0, id="append-segments"),
    pytest.param("shrink", 30, 25, 0, id="shrink-deletes"),
    # On a store of more than 10 MB (BALLAST articles of ~2.7 kB), 200 kills each: growing
    # commits (appends filling and opening segments beside 4 MB ones), shrinking commits
    # (deletions) and rewriting commits (state changes over many shards, revisions in place).
    pytest.param("append", 200, 30, 4000, id="growing-10mb"),
    pytest.param("shrink", 200, 25, 4000, id="shrinking-10mb"),
    pytest.param("multi", 200, None, 4000, id="rewriting-10mb"),
]
BIG_STORE_BYTES = 10 * 1024 * 1024
KILLS_CAP = 10
"""A scenario kills up to this many times its number of kills until every outcome was seen (a
roll-forward is seen about once in 26 kills of small appends: 260 leave ~1 run in 20,000 short)."""
REINDEX_EVERY = 20
"""On a big store, the full rebuild of the index is compared every this many kills (it costs
seconds there); the index's catch-up after the crash is compared after every kill."""


def ballast_article(k: int) -> Any:
    """A long article the workload never touches (to make the store big and its segments full)."""
    rng = random.Random(k)
    words = ["harbour", "council", "tram", "budget", "minister", "river", "port", "school", "energy", "vote"]
    body = "\n\n".join(" ".join(rng.choice(words) for _ in range(60)) + "." for _ in range(7))
    return Article.create(title=f"Ballast {k}", body=body, url=f"https://ballast.example/{k}")


def build_ballast(root: Path, count: int) -> Snapshot:
    if not count:
        return {}
    with NewsStore(root) as store:
        for start in range(0, count, 1000):
            store.add_articles([ballast_article(k) for k in range(start, min(count, start + 1000))])
        held = api_snapshot(store)
    # The JSON the store holds (segments are written compressed, these ~2.7 kB bodies to ~1/5).
    files = (*root.glob("articles/*"), *root.glob("state/*"))
    size = sum(len(plain_bytes(p, p.read_bytes())) for p in files)
    assert size >= BIG_STORE_BYTES, f"the ballast makes a store of {size} bytes only"
    return held


# After a kill, who meets the crashed store first (cycling):
#   "fresh"     a store opened in the test process (its open recovers);
#   "long-lived" a store object the test process has kept open since before the writer started:
#               its next list() must recover and catch its index up, and changes_since() must
#               report every article that changed;
#   "writer"    nobody: the checks run on a copy and the next writer recovers the original itself
#               (and may be killed while doing so).
RECOVERERS = ("fresh", "long-lived", "writer")


def _check_recovered(
    store: NewsStore, root: Path, candidates: list[int], expected: Expected, context: str, *, temps_ok: bool = False
) -> tuple[Snapshot, list[int]]:
    store.count()  # the store's first read after the crash: recovery and index catch-up
    on_disk = scan_files(root, temps_ok=temps_ok)  # (a) valid files, (b) no temps, no journal
    matched = [n for n in candidates if expected.after(n) == on_disk]
    assert matched, (  # (c) exactly a committed state: the acknowledged one or the one in flight
        f"{context}: the store is neither the state after commit {candidates[0]} nor after the "
        f"in-flight {candidates[1:]}:\n" + "\n---\n".join(diff(expected.after(n), on_disk) for n in candidates)
    )
    # The index (left behind by the killed writer) has caught up with the files.
    before = api_snapshot(store)
    assert before == on_disk, f"{context}: index differs from the files:\n{diff(on_disk, before)}"
    return on_disk, matched


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a hang guard: the 10 MB scenarios' kills and reindexes ran past 600 s at load 10
@pytest.mark.parametrize(("scenario", "kills", "segment_max", "ballast"), CRASH_SCENARIOS)
def test_sigkill_at_random_moments_leaves_a_committed_state(
    tmp_path: Path, scenario: str, kills: int, segment_max: int | None, ballast: int
) -> None:
    root = tmp_path / "store"
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    expected = Expected(scenario, build_ballast(root, ballast))
    applied = 0  # operations known to be in the store
    acknowledged_total = 0
    outcomes = {"at_acknowledged": 0, "in_flight_landed": 0, "rollforward_seen": 0, "temps_seen": 0}
    long_lived: NewsStore | None = None
    last_seen: tuple[int, Snapshot] | None = None  # (change seq, snapshot) of root's index
    cycle = -1
    try:
        # `kills` kills at least, and more (up to KILLS_CAP times as many) until the kills have
        # landed in every window below: the test proves nothing about a window it never hit.
        while (cycle := cycle + 1) < kills or (not all(outcomes.values()) and cycle < kills * KILLS_CAP):
            recoverer = RECOVERERS[cycle % len(RECOVERERS)]
            log = tmp_path / f"log-{cycle}.txt"
            spec = {
                "root": str(root),
                "log": str(log),
                "scenario": scenario,
                "start": applied,
                "segment_max_docs": segment_max,
            }
            context = f"{scenario}, seed {seed}, cycle {cycle} ({recoverer}), start {applied}"
            writer = Worker("crash", spec, tmp_path, f"writer-{cycle}")
            with workers(writer):
                writer.expect("ready")
                # Let it acknowledge a random number of commits, then kill it a random moment
                # later (none acknowledged: the kill may land in open/recovery or the 1st commit).
                wait_for = rng.choice([0, 1, 1, 2, 3, 5])
                for _ in range(wait_for):
                    line = writer.line()
                    assert line is not None and line.startswith("done"), f"{context}: {line!r}\n{writer.stderr()}"
                acknowledged_total += wait_for
                time.sleep(rng.uniform(0.0, 0.06))
                writer.proc.send_signal(signal.SIGKILL)
                rc = writer.proc.wait(30)
                assert rc == -signal.SIGKILL, f"{context}: writer exited {rc} before the kill:\n{writer.stderr()}"

            done, inflight = read_log(log, applied)
            assert done >= applied + wait_for, context
            candidates = [done] + ([inflight] if inflight is not None else [])
            leftovers = {p.name for p in root.rglob("*")}
            manifest = store_files.read_manifest(root)
            outcomes["rollforward_seen"] += bool(manifest and store_files.needs_recovery(root, manifest))
            outcomes["temps_seen"] += any(store_files.TMP_MARK in n for n in leftovers)
            scan_files(root, recovered=False)  # before recovery: every file in place is whole

            if recoverer == "long-lived" and long_lived is not None:
                live, matched = _check_recovered(long_lived, root, candidates, expected, context, temps_ok=True)
                if last_seen is not None:
                    changed = {i for i in live if last_seen[1].get(i) != live[i]}
                    latest, ids = long_lived.changes_since(last_seen[0])
                    assert ids is not None and changed <= set(ids), (
                        f"{context}: changes_since misses {sorted(changed - set(ids or []))[:5]}"
                    )

            checked = root
            if recoverer == "writer" and root.exists():
                checked = tmp_path / f"check-{cycle}"
                if long_lived is not None:
                    # Its background search-index sync reads the store, and reading finishes (or
                    # discards) a killed commit: not while the store is being copied.
                    long_lived.text_sync.stop()
                # In another process: reading the live index files here and closing them would
                # drop the POSIX locks the long-lived store's SQLite holds on them.  Without the
                # full-text index, which the long-lived store may be updating meanwhile (the copy
                # rebuilds its own).
                subprocess.run([sys.executable, "-c", COPY_WITHOUT_TEXT_INDEX, str(root), str(checked)], check=True)
            with NewsStore(checked) as store:  # runs recovery (unless the long-lived one did)
                on_disk, matched = _check_recovered(store, checked, candidates, expected, context)
                count = store.count()
                if not ballast or cycle % REINDEX_EVERY == 0:
                    assert store.reindex() == count  # (d) a rebuilt index agrees with the old one
                    after = api_snapshot(store)
                    assert len(after) == count, context
                    assert after == on_disk, f"{context}:\n{diff(on_disk, after)}"
                sample = rng.choice(sorted(on_disk)) if on_disk else None
                if sample is not None:
                    got = store.get(sample)
                    assert (
                        got is not None
                        and (got.article.title, got.state.tags, got.state.read, got.state.starred) == on_disk[sample]
                    )
                last_seen = (store.last_change(), on_disk) if checked == root else None
            if checked != root:
                shutil.rmtree(checked)
            if long_lived is None:
                long_lived = NewsStore(root)
            applied = matched[-1]
            outcomes["at_acknowledged" if applied == done else "in_flight_landed"] += 1
            expected.forget_before(applied)
    finally:
        if long_lived is not None:
            long_lived.close()

    assert applied >= acknowledged_total
    print(f"{scenario}: seed {seed}, {cycle} kills, {applied} commits survived, {outcomes}")
    # Every window was hit: a kill after an acknowledged commit (the store is at it), one whose
    # in-flight commit landed, one past the commit point with files still to roll forward,
    # and one before it that left temp files to discard.
    assert all(outcomes.values()), f"{scenario}, seed {seed}: a window no kill hit in {cycle} kills: {outcomes}"


# -- 1b. crash safety: deterministic I/O failures -------------------------------------------


class InjectedFault(OSError):
    pass


class FaultyOs:
    """Stands in for the `os` module inside store.disk.files: records every os.write, os.fsync and
    os.replace, and makes the `fail_at`-th call (0-based) of `fail_fn` raise EIO."""

    def __init__(self, root: Path, fail_fn: str | None = None, fail_at: int = -1) -> None:
        self.root = root
        self.fail_fn = fail_fn
        self.fail_at = fail_at
        self.trace: list[tuple[str, str]] = []
        self.failed = False

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def _call(self, fn: str, what: str, *args: Any) -> Any:
        nth = sum(1 for f, _ in self.trace if f == fn)
        self.trace.append((fn, what))
        if fn == self.fail_fn and nth == self.fail_at:
            self.failed = True
            raise InjectedFault(errno.EIO, f"injected failure of os.{fn} call #{nth} ({what})")
        return getattr(os, fn)(*args)

    def _name(self, path: Any) -> str:
        """A path relative to the store, temp tags elided: the same in every copy of the store."""
        path = Path(path)
        rel = str(path.relative_to(self.root)) if path.is_relative_to(self.root) else str(path)
        return re.sub(r"\.tmp-[0-9a-f]+$", ".tmp-*", rel)

    def _fd_name(self, fd: int) -> str:
        try:
            path = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return f"fd {fd}"
        # Directories are fsynced in set order, which depends on the store's path: not named.
        return "a directory" if os.path.isdir(path) else self._name(path)

    def replace(self, src: Any, dst: Any) -> None:
        return self._call("replace", f"{self._name(src)} -> {self._name(dst)}", src, dst)

    def fsync(self, fd: int) -> None:
        return self._call("fsync", self._fd_name(fd), fd)

    def write(self, fd: int, data: Any) -> int:
        return self._call("write", self._fd_name(fd), fd, data)


def _op_tag_many(store: NewsStore) -> None:
    ids = [fw.article_id(n) for n in range(1, 60, 4)]  # 15 articles over many state shards
    changed = store.update_state(ids, add_tags=["fault"], remove_tags=["seed"], read=True)
    assert sorted(changed) == sorted(ids)


def _op_import_span(store: NewsStore) -> None:
    # 18 new articles: 15 fill segment 3, 3 open segment 4; two revisions rewrite segment 1;
    # four carry a tag (state shards).  One commit of about nine files.
    new = [fw.make_article(n, tags=["carried"] if n % 5 == 0 else []) for n in range(100, 118)]
    revised = [fw.make_article(n, rev=7) for n in (2, 3)]
    counts = store.add_articles([*new, *revised])
    assert (counts.imported, counts.updated) == (18, 2)


def _op_single(store: NewsStore) -> None:
    assert store.update_state([fw.article_id(5)], add_tags=["solo"], starred=True)


def _op_delete(store: NewsStore) -> None:
    # Articles in all three segments, some tagged or read: segments and state shards shrink.
    deleted = store.delete_articles([fw.article_id(n) for n in (3, 8, 15, 30, 33, 50, 57)])  # not 1: the follow-up
    assert len(deleted) == 7


FAULT_OPS = {
    "tag_many": _op_tag_many,
    "import_span": _op_import_span,
    "single": _op_single,
    "delete": _op_delete,
}


@pytest.fixture
def fault_base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A closed store of 60 articles in three segments (25 per segment), some tagged or read."""
    monkeypatch.setattr(store_tables, "SEGMENT_MAX_DOCS", 25)
    root = tmp_path / "base"
    seed_store(root, range(1, 61), tags=lambda n: ["seed"] if n % 3 == 0 else [])
    with NewsStore(root) as store:
        early = [fw.article_id(n) for n in range(1, 61, 7)]
        store.update_state(early, read=True, add_tags=["early"])
    assert len(list((root / "articles").iterdir())) == 3
    return root


def _with_after_tag(snapshot: Snapshot, aid: str) -> Snapshot:
    out = dict(snapshot)
    title, tags, read, starred = out[aid]
    out[aid] = (title, tuple(merge_tags(tags, ["after"])), read, starred)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("op_name", list(FAULT_OPS))
def test_failing_io_call_in_a_commit_leaves_old_or_new_state(
    tmp_path: Path, fault_base: Path, monkeypatch: pytest.MonkeyPatch, op_name: str
) -> None:
    op = FAULT_OPS[op_name]
    old = scan_files(fault_base)

    # Dry run: the new state, and the sequence of I/O calls the commit makes.
    dry_root = tmp_path / "dry"
    shutil.copytree(fault_base, dry_root)
    recorder = FaultyOs(dry_root)
    with NewsStore(dry_root) as store, monkeypatch.context() as patch:
        patch.setattr(store_files, "os", recorder)
        op(store)
    new = scan_files(dry_root)
    assert new != old
    trace = recorder.trace
    replaces = [i for i, (fn, _) in enumerate(trace) if fn == "replace"]
    # The commit point: the rename of the manifest (every commit, one file or many).
    commit_point = next(i for i in replaces if trace[i][1].endswith(store_files.MANIFEST))
    assert commit_point + 1 < len(trace) and trace[commit_point + 1][0] == "fsync"
    assert replaces[-1] > commit_point  # the data files are renamed after the commit point
    per_fn = {fn: [i for i, (f, _) in enumerate(trace) if f == fn] for fn in ("write", "fsync", "replace")}
    assert all(per_fn.values()), per_fn

    follow_up = fw.article_id(1)
    seen: dict[str, int] = {"old": 0, "new": 0}
    outcomes: list[str] = []
    for fn, positions in per_fn.items():
        for nth, position in enumerate(positions):
            where = f"{op_name}: os.{fn} call #{nth} ({trace[position][1]}), call {position} of {len(trace)}"
            root = tmp_path / f"run-{fn}-{nth}"
            shutil.copytree(fault_base, root)
            store = NewsStore(root)
            try:
                faulty = FaultyOs(root, fn, nth)
                with monkeypatch.context() as patch:
                    patch.setattr(store_files, "os", faulty)
                    with pytest.raises(StoreWriteFailed) as raised:
                        op(store)
                cause = raised.value.__cause__
                assert isinstance(cause, InjectedFault), where
                assert faulty.failed and "injected failure" in str(cause), where
                saved = "was saved" in str(raised.value)
                assert saved == (position > commit_point), f"{where}: says {raised.value}"
                assert faulty.trace[: position + 1] == trace[: position + 1], f"{where}: took another path"
                if position != commit_point + 1:  # past the commit point the renames still happen
                    assert len(faulty.trace) == position + 1, f"{where}: went on after the failure"
                # The same store object: recovers on its next read and agrees with the files.
                in_process = api_snapshot(store)
                assert in_process in (old, new), f"{where}: mixed state in process:\n{diff(old, in_process)}"
                # ...and its next write works on that state (no stale cached documents).
                store.update_state([follow_up], add_tags=["after"])
            finally:
                store.close()
            outcome = "old" if in_process == old else "new"
            if position <= commit_point:
                assert outcome == "old", f"{where}: failed before the commit point, yet applied"
            elif position > commit_point + 1:
                assert outcome == "new", f"{where}: failed after the commit point, yet lost"
            seen[outcome] += 1
            outcomes.append(f"{fn}#{nth}@{position}:{outcome}")
            with NewsStore(root) as reopened:
                on_disk = scan_files(root)
                want = _with_after_tag(in_process, follow_up)
                assert on_disk == want, f"{where}: reopened store differs:\n{diff(want, on_disk)}"
                assert api_snapshot(reopened) == on_disk
            shutil.rmtree(root)
    assert seen["old"] and seen["new"], seen
    print(f"{op_name}: commit point at call {commit_point} of {len(trace)}; {' '.join(outcomes)}")


def test_a_failing_fsync_among_many_files_leaves_the_old_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit of more than PARALLEL_FSYNC_AFTER files fsyncs them from threads: one of those
    fsyncs failing fails the commit before its commit point (old state, no temp file left), and
    the next commit works."""
    root = tmp_path / "store"
    seed_store(root, range(1, 121))
    ids = [fw.article_id(n) for n in range(1, 121)]
    with NewsStore(root) as store:
        before = api_snapshot(store)
        real_fsync, calls = os.fsync, []

        def failing(fd: int) -> None:
            calls.append(fd)
            if len(calls) == 12:
                raise InjectedFault(errno.EIO, "injected failure of one fsync among many")
            real_fsync(fd)

        class Os:
            def __getattr__(self, name: str) -> Any:
                return failing if name == "fsync" else getattr(os, name)

        with monkeypatch.context() as patch:
            patch.setattr(store_files, "os", Os())
            with pytest.raises(StoreWriteFailed) as raised:
                store.update_state(ids, add_tags=["many"])  # ~64 state shards: one commit
        assert "was saved" not in str(raised.value) and isinstance(raised.value.__cause__, InjectedFault)
        assert len(calls) > store_files.PARALLEL_FSYNC_AFTER
        assert api_snapshot(store) == before
        assert not [p for p in root.rglob("*") if store_files.TMP_MARK in p.name]
        assert sorted(store.update_state(ids, add_tags=["many"])) == sorted(ids)
    with NewsStore(root) as store:
        assert store.search("tag:many").count == len(ids)


# -- 2. concurrency -----------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_import_tagging_and_reading(tmp_path: Path) -> None:
    """One importer, two taggers on the same pre-seeded articles and a reader, started together."""
    root = tmp_path / "store"
    seeded = range(1, 121)
    base = seed_store(root, seeded)
    rng = random.Random(20240601)

    import_ops = []
    for b in range(25):
        fresh = list(range(1000 + 8 * b, 1008 + 8 * b))
        # duplicates: two seeded articles and two of the previous batch
        again = rng.sample(list(seeded), 2) + ([n - 8 for n in fresh[:2]] if b else [])
        import_ops.append(
            {
                "kind": "append",
                "numbers": fresh + again,
                "tags": ["imported"] if b % 2 == 0 else [],
                "expect": {"imported": 8, "duplicates": len(again), "updated": 0},
            }
        )
    tag_ops: dict[str, list[dict[str, Any]]] = {}
    for who in ("a", "b"):
        ops = []
        for i in range(50):
            numbers = rng.sample(list(seeded), 10)
            ops.append(
                {
                    "kind": "tag",
                    "numbers": numbers,
                    "add": [f"{who}{i}", f"tmp-{who}{i}"],
                    "remove": [f"tmp-{who}{i - 1}"],
                    "read": True if who == "a" and i % 5 == 0 else None,
                    "starred": True if who == "b" and i % 7 == 0 else None,
                }
            )
        tag_ops[who] = ops

    # Expected: the taggers' tag names are disjoint and "imported" is only ever added, so the
    # final set of (id, tag) pairs does not depend on the interleaving.
    model = fw.Model()
    for n in seeded:
        fw.apply_op(model, {"kind": "append", "numbers": [n], "tags": []})
    for op in [*import_ops, *tag_ops["a"], *tag_ops["b"]]:
        if op["kind"] == "append":
            for n in op["numbers"]:
                aid = fw.article_id(n)
                if aid not in model.titles:
                    fw.apply_op(model, {"kind": "append", "numbers": [n], "tags": op["tags"]})
                elif op["tags"]:
                    fw.apply_op(
                        model,
                        {"kind": "tag", "numbers": [n], "add": op["tags"], "remove": [], "read": None, "starred": None},
                    )
        else:
            fw.apply_op(model, op)
    want = model.snapshot()
    assert len(want) == 120 + 200

    group = [
        Worker("script", {"root": str(root), "ops": import_ops}, tmp_path, "importer"),
        Worker("script", {"root": str(root), "ops": tag_ops["a"]}, tmp_path, "tagger-a"),
        Worker("script", {"root": str(root), "ops": tag_ops["b"], "open_after_go": True}, tmp_path, "tagger-b"),
    ]
    reader = Worker("observe", {"root": str(root), "volatile_prefix": "tmp-"}, tmp_path, "reader")
    with workers(*group, reader):
        start_together([*group, reader])
        finished = {w.name: w.result() for w in group}
        reader.send("stop")
        observed = reader.result()
    results = {name: r["results"] for name, r in finished.items()}
    spans = [r["span"] for r in finished.values()]
    assert max(a for a, _ in spans) < min(b for _, b in spans), f"writers did not overlap: {spans}"

    imported_ids = [i for r in results["importer"] for i in r["ids"]]
    assert len(imported_ids) == len(set(imported_ids)) == 200
    for who in ("a", "b"):
        for op, result in zip(tag_ops[who], results[f"tagger-{who}"], strict=True):
            assert sorted(result["changed"]) == sorted(fw.article_id(n) for n in op["numbers"])

    with NewsStore(root) as store:
        on_disk = scan_files(root)
        assert as_sets(on_disk) == as_sets(want), diff(want, on_disk)
        assert tag_pairs(on_disk) == tag_pairs(want)
        assert as_sets(api_snapshot(store)) == as_sets(on_disk)
        assert set(base) <= set(on_disk)
        assert_search_agrees(store, on_disk)
    final = {i: (v[0], tuple(v[1]), v[2], v[3]) for i, v in observed["final"].items()}
    assert as_sets(final) == as_sets(want), "the long-lived reader did not catch up"
    assert_reader_compared(observed, spans)


@pytest.mark.parametrize(
    ("per_process", "importer"),
    [(50, False), pytest.param(250, True, marks=pytest.mark.slow)],
    ids=["4x50", "4x250+importer"],
)
def test_four_processes_tag_the_same_articles(tmp_path: Path, per_process: int, importer: bool) -> None:
    """4 processes x N single-tag writes on the same 10 articles (and, in the large case, an
    importer adding articles meanwhile): exactly 4N tag assignments.  The articles share two
    state shards, so every write rewrites a file the others also write."""
    root = tmp_path / "store"
    numbers = _in_shards(2, 5)
    seed_store(root, numbers)
    ids = [fw.article_id(n) for n in numbers]
    group = []
    want: set[tuple[str, str]] = set()
    for p in range(4):
        ops = []
        for i in range(per_process):
            n = numbers[(i + p) % 10]
            ops.append(
                {"kind": "tag", "numbers": [n], "add": [f"p{p}-{i:03d}"], "remove": [], "read": None, "starred": None}
            )
            want.add((fw.article_id(n), f"p{p}-{i:03d}"))
        # Half of them open the store after the barrier: concurrent opens are part of the test.
        spec = {"root": str(root), "ops": ops, "open_after_go": p % 2 == 1}
        group.append((Worker("script", spec, tmp_path, f"tagger-{p}"), ops))
    assert len(want) == 4 * per_process
    imported: list[int] = []
    if importer:
        batches = [list(range(5000 + 20 * b, 5020 + 20 * b)) for b in range(40)]
        imported = [n for batch in batches for n in batch]
        import_ops = [
            {"kind": "append", "numbers": batch, "tags": [], "expect": {"imported": 20, "duplicates": 0, "updated": 0}}
            for batch in batches
        ]
        feeder = Worker("script", {"root": str(root), "ops": import_ops}, tmp_path, "importer")
    group_workers = [w for w, _ in group] + ([feeder] if importer else [])

    spans = []
    with workers(*group_workers):
        start_together(group_workers)
        if importer:
            feeder.result()
        for w, ops in group:
            finished = w.result()
            spans.append(finished["span"])
            for op, result in zip(ops, finished["results"], strict=True):
                assert result["changed"] == [fw.article_id(op["numbers"][0])], f"{w.name}: {op}"
    assert max(a for a, _ in spans) < min(b for _, b in spans), f"writers did not overlap: {spans}"

    with NewsStore(root) as store:
        on_disk = scan_files(root)
        assert tag_pairs(on_disk) == want
        assert len(tag_pairs(on_disk)) == 4 * per_process
        assert tag_pairs(api_snapshot(store)) == want
        for aid in ids:
            got = store.get(aid)
            assert got is not None and len(got.state.tags) == 4 * per_process // 10
        assert set(on_disk) == set(ids) | {fw.article_id(n) for n in imported}
        assert_search_agrees(store, on_disk)
        assert store.reindex() == 10 + len(imported)
        assert tag_pairs(api_snapshot(store)) == want
        assert_search_agrees(store, on_disk)


# -- 3. a long-lived store object sees other processes' commits ------------------------------


def _view(store: NewsStore, aid: str) -> list[Any] | None:
    got = store.get(aid)
    if got is None:
        return None
    return [got.article.title, list(got.state.tags), got.state.read, got.state.starred]


def _tag_op(
    n: int,
    add: list[str],
    remove: tuple[str, ...] | list[str] = (),
    read: bool | None = None,
    starred: bool | None = None,
) -> dict[str, Any]:
    return {"kind": "tag", "numbers": [n], "add": add, "remove": list(remove), "read": read, "starred": starred}


def test_open_store_sees_another_process_changes(tmp_path: Path) -> None:
    root = tmp_path / "store"
    seed_store(root, range(1, 6))
    store = NewsStore(root)
    other = Worker("serve", {"root": str(root)}, tmp_path, "other")
    try:
        with workers(other):
            assert json.loads(other.line() or "{}") == {"ready": True}, other.stderr()
            before = api_snapshot(store)
            assert len(before) == 5
            seq = store.last_change()

            # B writes: three new articles (one carrying a tag), a tag + read on two seeded
            # articles, a revision of a third.
            other.request(op="execute", operation={"kind": "append", "numbers": [50, 51, 52], "tags": []})
            other.request(op="execute", operation={"kind": "append", "numbers": [53], "tags": ["carried"]})
            changed = other.request(op="execute", operation={**_tag_op(1, ["from-b"], read=True), "numbers": [1, 2]})
            other.request(op="execute", operation={"kind": "revise", "numbers": [3], "rev": 9})
            assert sorted(changed["changed"]) == sorted(fw.article_id(n) for n in (1, 2))

            # A's next list()/get() sees all of it without reopening.
            after = api_snapshot(store)
            assert set(after) == set(before) | {fw.article_id(n) for n in (50, 51, 52, 53)}
            assert after[fw.article_id(53)][1] == ("carried",)
            for n in (1, 2):
                assert after[fw.article_id(n)][1:] == (("from-b",), True, False)
                assert _view(store, fw.article_id(n)) == [fw.title_of(n), ["from-b"], True, False]
            assert after[fw.article_id(3)][0] == fw.title_of(3, 9)
            assert _view(store, fw.article_id(52)) == [fw.title_of(52), [], False, False]
            latest, ids = store.changes_since(seq)
            assert latest > seq and ids is not None
            assert {fw.article_id(n) for n in (1, 2, 3, 50, 51, 52, 53)} <= set(ids)
            assert store.changes_since(latest) == (latest, [])

            # The other way round: A writes, B's long-lived object sees it.
            b_seq = other.request(op="last_change")
            assert b_seq >= latest
            store.update_state([fw.article_id(50)], add_tags=["from-a"], starred=True)
            got = other.request(op="get", id=fw.article_id(50))
            assert got == [fw.title_of(50), ["from-a"], False, True]
            b_latest, b_ids = other.request(op="changes_since", seq=b_seq)
            assert b_latest > b_seq and b_ids == [fw.article_id(50)]
            assert other.request(op="list") == {
                i: list(v[:1]) + [list(v[1]), v[2], v[3]] for i, v in api_snapshot(store).items()
            }

            # Same-size rewrites of one state shard by both processes in quick succession: each
            # side must see the other's latest tag (file fingerprints, not sizes, detect changes)
            # and must not write back a stale copy of the shard.
            p, q = _in_shards(1, 2, start=1000)
            assert store.add_articles([fw.make_article(p)]).imported == 1
            other.request(op="execute", operation={"kind": "append", "numbers": [q], "tags": []})
            pid, qid = fw.article_id(p), fw.article_id(q)
            shard = root / "state" / f"state-{int(pid[:2], 16) % store_layout.STATE_SHARDS:02x}.json"
            sizes = set()
            for r in range(1, 31):
                store.update_state([pid], add_tags=[f"x-{r:04d}"], remove_tags=[f"x-{r - 1:04d}"])
                other.request(op="execute", operation=_tag_op(q, [f"y-{r:04d}"], [f"y-{r - 1:04d}"]))
                other.request(op="execute", operation=_tag_op(q, [f"z-{r:04d}"], [f"z-{r - 1:04d}"]))
                if r > 1:
                    sizes.add(shard.stat().st_size)
                got = _view(store, qid)
                assert got == [fw.title_of(q), [f"y-{r:04d}", f"z-{r:04d}"], False, False], r
                got = other.request(op="get", id=pid)
                assert got == [fw.title_of(p), [f"x-{r:04d}"], False, False], r
            assert len(sizes) == 1, f"the shard's size was meant to stay the same: {sizes}"
            store.update_state([pid], add_tags=["last"])
            on_disk = scan_files(root)
            assert on_disk[qid][1] == ("y-0030", "z-0030") and on_disk[pid][1] == ("x-0030", "last")
            other.send(json.dumps({"op": "quit"}))
            assert other.proc.wait(30) == 0 and other.stderr() == ""
    finally:
        store.close()
    with NewsStore(root) as reopened:
        assert api_snapshot(reopened) == scan_files(root)


def assert_reader_compared(observed: dict[str, Any], spans: list[list[float]]) -> None:
    """The observing reader ("nothing once seen disappears") proved something: it read at least
    twice while the writers ran, and some read found more than the one before it."""
    start, end = min(a for a, _ in spans), max(b for _, b in spans)
    during = [t for t in observed["read_at"] if start <= t <= end]
    assert len(during) >= 2, f"the reader read {len(during)} times while the writers ran ({observed['rounds']} in all)"
    assert observed["grew"] >= 1, "no read of the reader saw a change since its last: nothing was compared"


def _in_shards(shards: int, per_shard: int, start: int = 100) -> list[int]:
    """Article numbers (from `start` up) whose ids fall in `shards` state shards, `per_shard`
    in each."""
    by_shard: dict[int, list[int]] = {}
    for n in range(start, start + 5000):
        group = by_shard.setdefault(int(fw.article_id(n)[:2], 16) % store_layout.STATE_SHARDS, [])
        group.append(n)
        full = [g for g in by_shard.values() if len(g) >= per_shard]
        if len(full) == shards:
            return [n for g in full for n in g[:per_shard]]
    raise AssertionError("not enough articles share shards")


# -- 4. regressions: store bugs these tests found ------------------------------------------


def test_creating_a_store_another_process_is_creating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes creating the same new store: neither fails with 'File exists'."""
    root = tmp_path / "new-store"
    real_exists = Path.exists

    def exists(self: Path, *args: Any, **kwargs: Any) -> bool:
        if self == root and not real_exists(self):
            root.mkdir(mode=0o700)  # another process creates it between the check and the mkdir
            return False
        return real_exists(self, *args, **kwargs)

    monkeypatch.setattr(Path, "exists", exists)
    with NewsStore(root) as store:
        assert store.count() == 0


def test_same_size_rewrites_by_another_process_are_seen(tmp_path: Path) -> None:
    """Same-size rewrites by another process of a file this object has cached are not missed,
    even when the file then has the very inode, size and mtime this object saw: ext4 reuses a
    replaced file's inode at once and timestamps are coarse, so (inode, size, mtime) can
    repeat; change detection uses the manifest's generations, which cannot."""
    root = tmp_path / "store"
    p, q = _in_shards(1, 2)  # two articles in one state shard
    seed_store(root, [p, q])
    pid, qid = fw.article_id(p), fw.article_id(q)
    with NewsStore(root) as s:
        s.update_state([pid], add_tags=["x0"])
        s.update_state([qid], add_tags=["y0"])
    (shard,) = (root / "state").iterdir()
    with NewsStore(root) as a:
        a.update_state([pid], add_tags=["x1"], remove_tags=["x0"])  # a caches the shard it wrote
        seen = shard.stat()
        keep = tmp_path / "inode-kept"
        os.link(shard, keep)  # holds a's inode, so that it can be the shard's again
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys\nfrom store import NewsStore\n"
                "with NewsStore(sys.argv[1]) as b:\n"
                "    b.update_state([sys.argv[2]], add_tags=['y1'], remove_tags=['y0'])\n"
                "    b.update_state([sys.argv[2]], add_tags=['y2'], remove_tags=['y1'])\n",
                str(root),
                qid,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert other.returncode == 0, other.stderr
        rewritten = shard.read_bytes()
        assert len(rewritten) == seen.st_size and b"y2" in rewritten  # b's: same size, new content
        with keep.open("r+b") as inode:  # b's bytes in a's inode, under the shard's name...
            inode.write(rewritten)
        os.replace(keep, shard)
        os.utime(shard, ns=(seen.st_atime_ns, seen.st_mtime_ns))  # ...with the mtime a saw
        now = shard.stat()
        assert (now.st_ino, now.st_size, now.st_mtime_ns) == (seen.st_ino, seen.st_size, seen.st_mtime_ns)
        a.update_state([pid], add_tags=["x2"], remove_tags=["x1"])  # a rewrites the shard
    on_disk = scan_files(root)
    assert on_disk[qid][1] == ("y2",), f"b's acknowledged tag was lost: {on_disk[qid]}"
    assert on_disk[pid][1] == ("x2",)


def test_a_busy_index_is_not_mistaken_for_a_corrupt_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening while another process holds the index's write lock fails cleanly (exit 3) and
    leaves the index in place, instead of deleting it under the other process."""
    import sqlite3

    import store.disk.catalogue_file as index_module

    root = tmp_path / "store"
    seed_store(root, [0, 1, 2])
    holder = sqlite3.connect(root / "index.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    inode = (root / "index.sqlite").stat().st_ino
    monkeypatch.setattr(index_module, "BUSY_TIMEOUT", 0.2)
    try:
        with pytest.raises(StoreError, match="locked"):
            NewsStore(root)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (root / "index.sqlite").stat().st_ino == inode
    with NewsStore(root) as opened:
        assert opened.count() == 3


def test_an_acknowledged_tag_change_survives_kill_9(tmp_path: Path) -> None:
    """What update_state has returned is on disk: SIGKILL the writer the moment it reports."""
    root = tmp_path / "store"
    seed_store(root, [1, 2, 3])
    code = (
        "from store import NewsStore\n"
        f"s = NewsStore({str(root)!r})\n"
        f"changed = s.update_state([{fw.article_id(2)!r}], add_tags=['kept'], starred=True)\n"
        "print('ack', len(changed), flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ack 1"
        os.kill(proc.pid, signal.SIGKILL)  # no chance to flush or close anything
    finally:
        proc.wait(timeout=30)
    with NewsStore(root) as store:
        got = store.get(fw.article_id(2))
        assert got is not None and got.state.tags == ("kept",) and got.state.starred
        assert store.search("tag:kept is:starred").count == 1


@pytest.mark.slow
@pytest.mark.parametrize("repetition", range(5))
def test_four_taggers_four_importers_and_a_reader(tmp_path: Path, repetition: int) -> None:
    """Issue 7's load: 4 processes x 250 tag writes, 4 processes x 250 imported articles and a
    reader polling, all through newsdesk's API at once: exactly 1,000 tag assignments and 1,000
    new articles, no exception, and the reader never saw an article or a tag disappear."""
    root = tmp_path / "store"
    numbers = _in_shards(2, 5)
    seed_store(root, numbers)
    taggers, importers = [], []
    want: set[tuple[str, str]] = set()
    for p in range(4):
        ops = []
        for i in range(250):
            n = numbers[(i + p + repetition) % 10]
            ops.append(
                {"kind": "tag", "numbers": [n], "add": [f"p{p}-{i:03d}"], "remove": [], "read": None, "starred": None}
            )
            want.add((fw.article_id(n), f"p{p}-{i:03d}"))
        taggers.append((Worker("script", {"root": str(root), "ops": ops}, tmp_path, f"tagger-{p}"), ops))
    fresh: list[int] = []
    for p in range(4):
        batches = [list(range(10_000 + 1_000 * p + 25 * b, 10_000 + 1_000 * p + 25 * (b + 1))) for b in range(10)]
        fresh += [n for batch in batches for n in batch]
        ops = [
            {"kind": "append", "numbers": batch, "tags": [], "expect": {"imported": 25, "duplicates": 0, "updated": 0}}
            for batch in batches
        ]
        spec = {"root": str(root), "ops": ops, "open_after_go": p % 2 == 0}
        importers.append(Worker("script", spec, tmp_path, f"importer-{p}"))
    reader = Worker("observe", {"root": str(root), "volatile_prefix": "tmp-"}, tmp_path, "reader")
    everyone = [w for w, _ in taggers] + importers
    with workers(*everyone, reader):
        start_together([*everyone, reader])
        spans = [worker.result()["span"] for worker in importers]
        for worker, ops in taggers:
            done = worker.result()
            assert len(done["results"]) == len(ops) == 250
            spans.append(done["span"])
        reader.send("stop")
        observed = reader.result()
    assert len(fresh) == 1_000
    with NewsStore(root) as store:
        on_disk = scan_files(root)
        assert tag_pairs(on_disk) == want and len(want) == 1_000
        assert set(on_disk) == {fw.article_id(n) for n in [*numbers, *fresh]}
        assert as_sets(api_snapshot(store)) == as_sets(on_disk)
        assert store.check()["index"] == "ok"  # the derived index agrees with the files
    assert_reader_compared(observed, spans)

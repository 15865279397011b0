"""Worker processes for tests/test_store_faults.py, and the deterministic workload they share.

Run as a script: `python tests/fault_workers.py MODE SPEC_JSON_FILE`.  The test module also
imports this file (by path) for the article factory, the operation generator and the model that
predicts exactly what the store must hold after the first n operations.

Modes:
  crash   loop committing generated operations until killed; before each commit an "intent j"
          line and after it a "done j" line are appended (and fsynced) to the log, and
          "done j" is echoed on stdout.
  script  print "ready", wait for "go" on stdin, run a list of operations, print a JSON result.
  observe print "ready", wait for "go", read the store in a loop (checking that nothing once
          seen disappears) until "stop" arrives on stdin, then print a final JSON snapshot.
  serve   answer one JSON command per stdin line with one JSON line on stdout (a long-lived
          store object in another process).
"""

from __future__ import annotations

import json
import os
import random
import select
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

if __name__ == "__main__":  # run as a script from anywhere: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from articles.model import Article  # noqa: E402
from store.tags import merge_tags  # noqa: E402

BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)

# -- articles --------------------------------------------------------------------------------


def make_article(n: int, *, rev: int = 0, tags: tuple[str, ...] | list[str] = ()) -> Article:
    """Article number n.  A revision keeps the url (so the id) and changes the title (so the
    content hash)."""
    title = f"Article {n}" if not rev else f"Article {n} rev {rev}"
    return Article.create(
        title=title,
        body=f"Body of article {n}.\n\nA second paragraph, {n % 7} of seven.",
        url=f"https://news.example/a/{n}",
        published=(BASE_TIME + timedelta(minutes=n)).isoformat(),
        source="Example Wire",
        tags=tags,
    )


@cache
def article_id(n: int) -> str:
    return make_article(n).id


def title_of(n: int, rev: int = 0) -> str:
    return make_article(n, rev=rev).title


# -- the crash workload: operations and the model that predicts the store ---------------------

# Weights of the operation kinds per scenario, and the size range of an appended batch.
SCENARIOS: dict[str, dict[str, Any]] = {
    # Everything: appends (some carrying tags), in-place revisions, many-shard and one-shard tags.
    "mixed": {"weights": {"append": 3, "revise": 1, "tag_many": 3, "tag_one": 2}, "batch": (3, 18)},
    # Mostly commits spanning many files: state writes over 15-40 ids, tagged appends.
    "multi": {"weights": {"append": 1, "revise": 1, "tag_many": 6, "tag_one": 1}, "batch": (4, 12)},
    # Mostly appends that fill and open segments (the worker lowers SEGMENT_MAX_DOCS).
    "append": {
        "weights": {"append": 6, "revise": 2, "tag_many": 1, "tag_one": 1},
        "batch": (10, 40),
    },
    # Shrinking commits: deletions (records, states and index rows) between appends and tags.
    "shrink": {"weights": {"append": 2, "delete": 3, "tag_many": 1, "tag_one": 1}, "batch": (8, 24)},
}

StateTuple = tuple[tuple[str, ...], bool, bool]
DEFAULT: StateTuple = ((), False, False)


@dataclass
class Model:
    """What the store holds after some operations: id -> title and id -> (tags, read, starred)."""

    numbers: list[int] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    states: dict[str, StateTuple] = field(default_factory=dict)
    next_n: int = 1

    def snapshot(self) -> dict[str, tuple[str, tuple[str, ...], bool, bool]]:
        return {i: (t, *self.states.get(i, DEFAULT)) for i, t in self.titles.items()}


def make_op(scenario: str, j: int, model: Model) -> dict[str, Any]:
    """Operation j (1-based) of a scenario; depends only on (scenario, j, the model before it).
    Every operation changes the store, so consecutive states always differ."""
    rng = random.Random(f"{scenario}:{j}")
    config = SCENARIOS[scenario]
    weights = config["weights"]
    kind = rng.choices(list(weights), weights=list(weights.values()))[0]
    if len(model.numbers) < 5:
        kind = "append"
    if kind == "append":
        size = rng.randint(*config["batch"])
        tags = [f"imp{j}"] if rng.random() < 0.4 else []
        numbers = list(range(model.next_n, model.next_n + size))
        return {"kind": "append", "numbers": numbers, "tags": tags}
    if kind == "revise":
        numbers = rng.sample(model.numbers, min(len(model.numbers), rng.randint(1, 6)))
        return {"kind": "revise", "numbers": numbers, "rev": j}
    if kind == "delete":
        numbers = rng.sample(model.numbers, min(len(model.numbers) - 3, rng.randint(2, 8)))
        return {"kind": "delete", "numbers": numbers}
    if kind == "tag_many":
        numbers = rng.sample(model.numbers, min(len(model.numbers), rng.randint(15, 40)))
        return {
            "kind": "tag",
            "numbers": numbers,
            "add": [f"t{j}"],
            "remove": [f"t{j - 5}"] if j > 5 else [],
            "read": rng.choice([None, True, False]),
            "starred": None,
        }
    number = rng.choice(model.numbers)
    return {
        "kind": "tag",
        "numbers": [number],
        "add": [f"s{j}"],
        "remove": [f"s{j - 2}"],
        "read": None,
        "starred": rng.choice([None, True, False]),
    }


def apply_op(model: Model, op: dict[str, Any]) -> None:
    """What the operation does to the store, by the store's documented rules."""
    if op["kind"] == "append":
        for n in op["numbers"]:
            aid = article_id(n)
            assert aid not in model.titles, f"article id collision for article {n}"
            model.numbers.append(n)
            model.titles[aid] = title_of(n)
            if op["tags"]:
                tags, read, starred = model.states.get(aid, DEFAULT)
                model.states[aid] = (tuple(merge_tags(tags, op["tags"])), read, starred)
        model.next_n = max(op["numbers"]) + 1
    elif op["kind"] == "revise":
        for n in op["numbers"]:
            model.titles[article_id(n)] = title_of(n, op["rev"])
    elif op["kind"] == "delete":
        for n in op["numbers"]:
            aid = article_id(n)
            model.numbers.remove(n)
            del model.titles[aid]
            model.states.pop(aid, None)
    elif op["kind"] == "tag":
        for n in op["numbers"]:
            aid = article_id(n)
            tags, read, starred = model.states.get(aid, DEFAULT)
            new = (
                tuple(merge_tags(tags, op["add"], op["remove"])),
                read if op["read"] is None else op["read"],
                starred if op["starred"] is None else op["starred"],
            )
            if new == DEFAULT:
                model.states.pop(aid, None)
            else:
                model.states[aid] = new
    else:  # pragma: no cover
        raise ValueError(op)


def replay(scenario: str, n: int) -> Model:
    model = Model()
    for j in range(1, n + 1):
        apply_op(model, make_op(scenario, j, model))
    return model


def execute(store: Any, op: dict[str, Any]) -> Any:
    """Run one operation on a NewsStore; check what the store reports about it."""
    if op["kind"] == "append":
        articles = [make_article(n, tags=op.get("tags", ())) for n in op["numbers"]]
        counts = store.add_articles(articles)
        expected = op.get("expect", {"imported": len(articles), "duplicates": 0, "updated": 0})
        got = {
            "imported": counts.imported,
            "duplicates": counts.duplicates,
            "updated": counts.updated,
        }
        if got != expected:
            raise AssertionError(f"append of {op['numbers']} reported {got}, expected {expected}")
        return {"imported": counts.imported, "duplicates": counts.duplicates, "ids": counts.ids}
    if op["kind"] == "revise":
        counts = store.add_articles([make_article(n, rev=op["rev"]) for n in op["numbers"]])
        if counts.updated != len(op["numbers"]) or counts.imported:
            raise AssertionError(f"revise of {len(op['numbers'])} articles reported {counts}")
        return {"updated": counts.updated}
    if op["kind"] == "delete":
        deleted = store.delete_articles([article_id(n) for n in op["numbers"]])
        if len(deleted) != len(op["numbers"]):
            raise AssertionError(f"delete of {len(op['numbers'])} articles removed {len(deleted)}")
        return {"deleted": len(deleted)}
    if op["kind"] == "tag":
        ids = [article_id(n) for n in op["numbers"]]
        changed = store.update_state(
            ids,
            add_tags=op.get("add", ()),
            remove_tags=op.get("remove", ()),
            read=op.get("read"),
            starred=op.get("starred"),
        )
        return {"changed": changed}
    raise ValueError(op)


def _note(fd: int, line: str) -> None:
    os.write(fd, (line + "\n").encode())
    os.fsync(fd)


def run_crash(spec: dict[str, Any]) -> None:
    import store.disk.tables as tables
    from store import NewsStore

    if spec.get("segment_max_docs"):
        tables.SEGMENT_MAX_DOCS = spec["segment_max_docs"]
    scenario, start = spec["scenario"], spec["start"]
    model = replay(scenario, start)
    log = os.open(spec["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    print("ready", flush=True)
    store = NewsStore(spec["root"])  # opening runs recovery: a kill may land here too
    for j in range(start + 1, start + spec.get("max_ops", 100_000) + 1):
        op = make_op(scenario, j, model)
        _note(log, f"intent {j}")
        execute(store, op)
        apply_op(model, op)
        _note(log, f"done {j}")
        print(f"done {j}", flush=True)
    store.close()


# -- cooperating processes -------------------------------------------------------------------


def _wait_for(word: str) -> None:
    """Read one line from stdin unbuffered (so select() on fd 0 stays truthful afterwards)."""
    line = b""
    while not line.endswith(b"\n"):
        byte = os.read(0, 1)
        if not byte:
            break
        line += byte
    if line.strip() != word.encode():
        raise SystemExit(f"expected {word!r} on stdin, got {line!r}")


def run_script(spec: dict[str, Any]) -> None:
    from store import NewsStore

    store = NewsStore(spec["root"]) if not spec.get("open_after_go") else None
    print("ready", flush=True)
    _wait_for("go")
    if store is None:
        store = NewsStore(spec["root"])
    started = time.monotonic()  # CLOCK_MONOTONIC: comparable between processes
    results = [execute(store, op) for op in spec["ops"]]
    finished = time.monotonic()
    store.close()
    print(json.dumps({"results": results, "span": [started, finished]}), flush=True)


def _observe(store: Any) -> dict[str, Any]:
    items = store.list()
    ids = [i.id for i in items]
    if len(ids) != len(set(ids)):
        raise AssertionError("list() returned an article twice")
    return {i.id: [i.title, list(i.tags), i.read, i.starred] for i in items}


def run_observe(spec: dict[str, Any]) -> None:
    """Read in a loop while others write: articles and (id, tag) pairs once seen must stay
    (the writers only remove tags starting with `volatile_prefix`)."""
    from store import NewsStore

    prefix = spec.get("volatile_prefix", "tmp-")
    store = NewsStore(spec["root"])
    print("ready", flush=True)
    _wait_for("go")
    seen_ids: set[str] = set()
    seen_pairs: set[tuple[str, str]] = set()
    rounds = 0
    grew = 0  # reads that found more than the read before: comparisons across a change
    read_at: list[float] = []  # when each read ended (CLOCK_MONOTONIC, as the writers' spans)
    while True:
        stop = bool(select.select([0], [], [], 0)[0])
        if stop:
            _wait_for("stop")
        snap = _observe(store)
        pairs = {(i, t) for i, v in snap.items() for t in v[1] if not t.startswith(prefix)}
        if not seen_ids <= snap.keys():
            raise AssertionError(f"articles disappeared: {sorted(seen_ids - snap.keys())[:5]}")
        if not seen_pairs <= pairs:
            raise AssertionError(f"tags disappeared: {sorted(seen_pairs - pairs)[:5]}")
        grew += bool(rounds) and not (snap.keys() <= seen_ids and pairs <= seen_pairs)
        seen_ids |= snap.keys()
        seen_pairs |= pairs
        rounds += 1
        read_at.append(time.monotonic())
        if stop:
            break
    store.close()
    print(json.dumps({"rounds": rounds, "grew": grew, "read_at": read_at, "final": snap}), flush=True)


def run_serve(spec: dict[str, Any]) -> None:
    from store import NewsStore

    store = NewsStore(spec["root"])
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        op = cmd["op"]
        if op == "quit":
            break
        if op == "execute":
            reply: Any = execute(store, cmd["operation"])
        elif op == "list":
            reply = _observe(store)
        elif op == "get":
            got = store.get(cmd["id"])
            reply = (
                None
                if got is None
                else [
                    got.article.title,
                    list(got.state.tags),
                    got.state.read,
                    got.state.starred,
                ]
            )
        elif op == "last_change":
            reply = store.last_change()
        elif op == "changes_since":
            reply = list(store.changes_since(cmd["seq"]))
        else:
            raise ValueError(cmd)
        print(json.dumps({"reply": reply}), flush=True)
    store.close()


MODES = {"crash": run_crash, "script": run_script, "observe": run_observe, "serve": run_serve}


def main() -> None:
    mode, spec_path = sys.argv[1], sys.argv[2]
    spec = json.loads(Path(spec_path).read_text())
    try:
        MODES[mode](spec)
    except BaseException:
        traceback.print_exc()
        sys.stderr.flush()
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()

"""A scripted `newsdesk tag` loop and `newsdesk --version`, whole processes, before and after.

    python bench/ab_cli.py STORE                       # this checkout, 20 calls each
    python bench/ab_cli.py STORE --code /tmp/before --code .   # two code trees, interleaved
    python bench/ab_cli.py STORE --calls 40 --json

Each code tree gets its own copy of STORE (`backups/` left out unless `--keep-backups`), so the
tag calls of one never touch the other's files. Calls are interleaved (a tag of A, of B, a
--version of A, of B, ...) so that the machine's load falls on all alike. Per process: wall time
and CPU time (user + sys of the child, from resource.getrusage(RUSAGE_CHILDREN) deltas); medians,
p95 and the 1-minute load average are printed (issue 18, item 3: ≤ 100 ms per `tag` call).

The processes run as a user's shell runs them: the `newsdesk` script beside this Python (the
venv's; `--module`: `python -m tui.cli`), with PYTHONPATH set to the code tree, bytecode caches
written and used (PYTHONDONTWRITEBYTECODE, which some harnesses set, is removed from their
environment)."""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def env_for(code: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(code)
    env.pop("NEWSDESK_CONFIG", None)
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one process, which must exit 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def article_ids(store: Path, count: int = 2000) -> list[str]:
    """Some article ids, read from the catalogue without importing newsdesk (either tree's)."""
    db = sqlite3.connect(f"file:{store / 'index.sqlite'}?mode=ro", uri=True)
    try:  # closed at once: an open connection keeps the WAL, and so changes a tag's syncs
        return [row[0] for row in db.execute("SELECT id FROM articles LIMIT ?", (count,))]
    finally:
        db.close()


def wait_for_snapshot(store: Path) -> None:
    """Until the store has a complete snapshot (taken by the command itself, or by the detached
    process it started) and nobody holds backups/.lock; at most 10 minutes."""
    backups = store / "backups"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        names = os.listdir(backups) if backups.is_dir() else []
        if any(n.startswith("g") for n in names):
            fd = os.open(backups / ".lock", os.O_RDONLY | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                pass
            finally:
                os.close(fd)
        time.sleep(0.1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "p95": round(percentile(values, 0.95), 1),
        "min": round(min(values), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", type=Path, help="a store (copied; never written)")
    parser.add_argument("--code", type=Path, action="append", help="a code tree (PYTHONPATH); default: this one")
    parser.add_argument("--calls", type=int, default=20, help="tag calls (and --version calls) per tree")
    parser.add_argument("--keep-backups", action="store_true", help="copy backups/ too (no first snapshot due)")
    parser.add_argument("--config", type=Path, help="a config file for the tag calls")
    parser.add_argument(
        "--first", type=int, default=0, metavar="N", help="also N first tags on fresh copies without backups/ (a snapshot due)"
    )
    parser.add_argument("--module", action="store_true", help="run `python -m tui.cli`, not the newsdesk script")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    codes = [c.resolve() for c in (args.code or [REPO])]
    work = Path(tempfile.mkdtemp(prefix="newsdesk-ab-cli-"))
    ignore = None if args.keep_backups else shutil.ignore_patterns("backups")
    try:
        stores = []
        for number, _code in enumerate(codes):
            copy = work / f"store-{number}"
            shutil.copytree(args.store, copy, ignore=ignore)
            stores.append(copy)
        ids = article_ids(args.store)
        rng = random.Random(18)
        config = ["--config", str(args.config)] if args.config else []
        results: dict[str, dict[str, list[float]]] = {str(c): {} for c in codes}
        script = Path(sys.executable).parent / "newsdesk"
        newsdesk = [sys.executable, "-m", "tui.cli"] if args.module or not script.exists() else [str(script)]
        for code, store in zip(codes, stores, strict=True):  # bytecode caches written, the first snapshot taken
            env = env_for(code)
            timed([*newsdesk, "--version"], env)
            timed([*newsdesk, "--store", str(store), *config, "tag", "+abwarm", "--", f"id:{ids[0]}"], env)
        loads = []
        for call in range(args.calls):
            word = ("+" if call % 2 == 0 else "-") + "abcli"
            target = rng.choice(ids)
            for code, store in zip(codes, stores, strict=True):
                env = env_for(code)
                r = results[str(code)]
                tag = [*newsdesk, "--store", str(store), *config, "tag", word, "--", f"id:{target}"]
                wall, cpu = timed(tag, env)
                r.setdefault("tag_wall", []).append(wall)
                r.setdefault("tag_cpu", []).append(cpu)
                wall, cpu = timed([*newsdesk, "--version"], env)
                r.setdefault("version_wall", []).append(wall)
                r.setdefault("version_cpu", []).append(cpu)
            loads.append(os.getloadavg()[0])
        for run in range(args.first):  # the first write of a store without snapshots: one is due
            for code in codes:
                fresh = work / f"fresh-{run}"
                shutil.copytree(args.store, fresh, ignore=shutil.ignore_patterns("backups"))
                tag = [*newsdesk, "--store", str(fresh), *config, "tag", "+abfirst", "--", f"id:{ids[run]}"]
                wall, cpu = timed(tag, env_for(code))
                results[str(code)].setdefault("first_tag_wall", []).append(wall)
                results[str(code)].setdefault("first_tag_cpu", []).append(cpu)
                wait_for_snapshot(fresh)
                shutil.rmtree(fresh)
            loads.append(os.getloadavg()[0])
        report = {
            "store": str(args.store),
            "calls": args.calls,
            "load_1min": {"min": min(loads), "max": max(loads)},
            "codes": {code: {k: summary(v) for k, v in r.items()} for code, r in results.items()},
        }
        if args.json:
            print(json.dumps(report, indent=1))
        else:
            print(f"{args.calls} calls per tree, interleaved; 1-min load {min(loads):.1f}–{max(loads):.1f}")
            print(f"{'code':40} {'measure':14} {'median':>8} {'p95':>8} {'min':>8}  (ms)")
            for code, r in report["codes"].items():
                for measure, s in r.items():
                    print(f"{code[-40:]:40} {measure:14} {s['median']:8.1f} {s['p95']:8.1f} {s['min']:8.1f}")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

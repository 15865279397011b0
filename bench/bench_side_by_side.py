"""newsdesk side by side with newsboat and an empty Textual app, in tmux, like a user (issue 18).

    python bench/bench_side_by_side.py [--sizes 1000,10000,100000] [--runs 5]

The same articles on both sides: the newsdesk store bench_tmux.py builds
(/work/corpora/reader/store-N, imported with --no-entities from articles-html-N.jsonl) and the
newsboat cache newsboat_cache.py builds from that same file (/work/corpora/newsboat/N: cache.db,
urls, config; newsboat opens on it without network).  Every run is a fresh process in one tmux
pane at 120x40 (bench_tmux's Tmux), the screen read with `tmux capture-pane`; each repetition runs
the three programs one after the other, so they see the same machine:

  * empty Textual app: from spawn to its first frame (bench_tmux.run_empty);
  * newsdesk: from spawn to the first screen with article rows (bench_tmux.rows_shown); memory
    (/proc/PID/status: VmHWM, VmRSS, RssAnon) ESCAPE_GAP later; then SEARCHES searches, each `/`,
    the screen's search prompt, the word and Enter at once, timed from Enter to the screen with
    the result count, then escape back to all articles; memory again; quit;
  * newsboat: from spawn to its first screen, the feed list with its unread/total counts (newsboat
    reads every article of the cache before it draws it); Enter on the first feed, timed to that
    feed's article rows, and `q` back; memory; then SEARCHES searches, each `/`, the `Search for:`
    prompt, the word and Enter at once, timed from Enter to the `Search results (N ...)` screen
    with its rows (newsboat's search runs over all feeds), and `q` back; memory again; quit.

The load average is read before and after each size.  Figures are medians and ranges over --runs
(searches: over every search of every run), with ratios to the empty app and to newsboat.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_store import disk_usage, machine  # noqa: E402
from bench_tmux import (  # noqa: E402
    EMPTY_APP,
    ESCAPE_GAP,
    Tmux,
    memory,
    reader_command,
    rows_shown,
    run_empty,
    search_shown,
    store_for,
)
from newsboat_cache import DEFAULT_OUT as NEWSBOAT_OUT  # noqa: E402
from newsboat_cache import build as build_cache  # noqa: E402

READER_OUT = Path("/work/corpora/reader")
QUERY = "said"
SEARCHES = 4
SETTLE = ESCAPE_GAP
"""Seconds after a first frame before the memory read and the first key."""

FEED_ROW = re.compile(r"^\s*\d+\s+N?\s+\(\d+/\d+\)\s")
ITEM_ROW = re.compile(r"^\s*\d+\s+N?\s+\w{3} \d\d\s")
RESULTS = re.compile(r"Search results \((\d+) unread, (\d+) total\)")


def log(message: str) -> None:
    print(f"[side_by_side {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def rows(pattern: re.Pattern[str], screen: str) -> int:
    return sum(1 for line in screen.splitlines() if pattern.search(line))


def alive(screen: str) -> str:
    """The screen, unless the process has exited (tmux's remain-on-exit notice): then its last words."""
    if "Pane is dead" in screen:
        raise RuntimeError("the process exited:\n" + "\n".join(line for line in screen.splitlines() if line.strip()))
    return screen


def feed_list(screen: str) -> bool:
    """newsboat's first screen: its feed list with counts (at least 5 feeds)."""
    return "Your feeds" in alive(screen) and rows(FEED_ROW, screen) >= 5


def item_list(title: str) -> Callable[[str], bool]:
    return lambda screen: title in alive(screen) and rows(ITEM_ROW, screen) >= 5


# -- one run of each ----------------------------------------------------------------------------
def run_newsdesk(tmux: Tmux, store: Path) -> dict[str, Any]:
    started = tmux.spawn(reader_command(READER_OUT, store, REPO))
    first = tmux.wait(lambda screen: rows_shown(alive(screen)), timeout=120)
    pid = tmux.pid()
    time.sleep(SETTLE)
    figures: dict[str, Any] = {"first_ms": (first - started) * 1000, "start": memory(pid), "search_ms": []}
    back = lambda screen: "all articles" in screen and rows_shown(screen)  # noqa: E731
    for _ in range(SEARCHES):
        tmux.keys("/")
        tmux.wait(lambda screen: "(? for the language)" in screen)
        tmux.keys(QUERY, literal=True)
        tmux.keys("Enter")
        entered = time.perf_counter()
        listed = tmux.wait(search_shown(QUERY), timeout=60)
        figures["search_ms"].append((listed - entered) * 1000)
        hits = re.search(rf"search: {QUERY} · (\d[\d,]*) match", tmux.screen())
        figures["hits"] = int(hits.group(1).replace(",", "")) if hits else None
        tmux.keys("Escape")
        tmux.wait(back)
        time.sleep(ESCAPE_GAP)  # the escape stands alone (bench_tmux.ESCAPE_GAP)
    figures["after"] = memory(pid)
    tmux.keys("q")
    tmux.wait_dead()
    return figures


def newsboat_command(directory: Path) -> str:
    files = f"-u {directory / 'urls'} -c {directory / 'cache.db'} -C {directory / 'config'}"
    return f"exec env HOME={directory} TERM=screen-256color TZ=UTC newsboat {files}"


def run_newsboat(tmux: Tmux, directory: Path) -> dict[str, Any]:
    started = tmux.spawn(newsboat_command(directory))
    first = tmux.wait(feed_list, timeout=300)
    pid = tmux.pid()
    time.sleep(SETTLE)
    figures: dict[str, Any] = {"first_ms": (first - started) * 1000, "start": memory(pid), "search_ms": []}
    tmux.keys("Enter")
    opened = time.perf_counter()
    shown = tmux.wait(item_list("Articles in feed"), timeout=120)
    figures["feed_ms"] = (shown - opened) * 1000
    tmux.keys("q")
    tmux.wait(feed_list)
    for _ in range(SEARCHES):
        time.sleep(ESCAPE_GAP)
        tmux.keys("/")
        tmux.wait(lambda screen: "Search for:" in alive(screen))
        tmux.keys(QUERY, literal=True)
        tmux.keys("Enter")
        entered = time.perf_counter()
        listed = tmux.wait(item_list("Search results ("), timeout=300)
        figures["search_ms"].append((listed - entered) * 1000)
        hits = RESULTS.search(tmux.screen())
        figures["hits"] = int(hits.group(2)) if hits else None
        tmux.keys("q")
        tmux.wait(feed_list)
    figures["after"] = memory(pid)
    tmux.keys("q")
    tmux.wait_dead(timeout=60)
    return figures


# -- driver -------------------------------------------------------------------------------------
def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def mem(runs: list[dict[str, Any]], when: str, field: str) -> dict[str, float]:
    return summary([r[when].get(field, 0.0) for r in runs])


def measure(tmux: Tmux, size: int, runs: int, empty_script: Path) -> dict[str, Any]:
    store = store_for(READER_OUT, size)
    cache = build_cache(NEWSBOAT_OUT, size, READER_OUT / f"articles-html-{size}.jsonl")
    load_before = load()
    log(f"{size}: load {load_before}; warming the page cache")
    run_newsdesk(tmux, store)
    run_newsboat(tmux, cache)
    empties, desks, boats = [], [], []
    for n in range(runs):
        empties.append(run_empty(tmux, empty_script)[0])
        desks.append(run_newsdesk(tmux, store))
        boats.append(run_newsboat(tmux, cache))
        log(f"{size} run {n + 1}: empty {empties[-1]:.0f} ms, newsdesk {desks[-1]['first_ms']:.0f} ms, "
            f"newsboat {boats[-1]['first_ms']:.0f} ms; load {load()}")
    result: dict[str, Any] = {"size": size, "load_before": load_before, "load_after": load()}
    result["empty_ms"] = summary(empties)
    for name, results in (("newsdesk", desks), ("newsboat", boats)):
        result[name] = {
            "first_ms": summary([r["first_ms"] for r in results]),
            "search_ms": summary([t for r in results for t in r["search_ms"]]),
            "first_search_ms": summary([r["search_ms"][0] for r in results]),
            "hits": results[-1]["hits"],
            **{
                f"{when}_{field}": mem(results, when, field)
                for when in ("start", "after")
                for field in ("VmHWM", "VmRSS", "RssAnon")
            },
        }
    result["newsboat"]["feed_ms"] = summary([r["feed_ms"] for r in boats])
    result["disk_mb"] = {"newsdesk": disk_usage(store)["total"], "newsboat": disk_usage(cache)["total"]}
    return result


def table(results: list[dict[str, Any]]) -> str:
    def cell(r: dict[str, Any], key: str) -> str:
        d, b, e = r["newsdesk"], r["newsboat"], r["empty_ms"]["median"]
        if key == "first":
            return f"{d['first_ms']['median']:,.0f} / {b['first_ms']['median']:,.0f} / {e:,.0f}"
        if key == "first_ratio":
            return f"{d['first_ms']['median'] / e:.2f}× / {d['first_ms']['median'] / b['first_ms']['median']:.2f}×"
        if key == "feed":
            return f"{b['first_ms']['median'] + b['feed_ms']['median']:,.0f} (Enter {b['feed_ms']['median']:,.0f})"
        if key == "search":
            ds, bs = d["search_ms"], b["search_ms"]
            return (f"{ds['median']:,.0f} ({ds['min']:,.0f}–{ds['max']:,.0f}) / {bs['median']:,.0f} "
                    f"({bs['min']:,.0f}–{bs['max']:,.0f}); {ds['median'] / bs['median']:.2f}×")
        if key == "hits":
            return f"{d['hits']:,} / {b['hits']:,}"
        if key == "rss":
            return (f"{d['start_VmHWM']['median']:.0f} / {d['after_VmHWM']['median']:.0f} "
                    f"(anon {d['after_RssAnon']['median']:.0f}); {b['start_VmHWM']['median']:.0f} / "
                    f"{b['after_VmHWM']['median']:.0f} (anon {b['after_RssAnon']['median']:.0f})")
        if key == "disk":
            desk, boat = r["disk_mb"]["newsdesk"], r["disk_mb"]["newsboat"]
            return f"{desk:,.0f} ({boat:,.0f}); {desk / boat:.1f}×"
        if key == "load":
            return f"{r['load_before'][0]:.2f} → {r['load_after'][0]:.2f}"
        raise KeyError(key)

    labels = (
        ("first frame: newsdesk / newsboat / empty Textual (ms)", "first"),
        ("newsdesk first frame × empty Textual / × newsboat", "first_ratio"),
        ("newsboat: first frame + Enter on the first feed → its article rows (ms)", "feed"),
        (f"search \"{QUERY}\", Enter → list (ms): newsdesk / newsboat, median (range); × newsboat", "search"),
        (f"hits for \"{QUERY}\": newsdesk (words) / newsboat (substring of title or HTML)", "hits"),
        (f"peak RSS (VmHWM, MiB) after start / after {SEARCHES} searches (RssAnon then): newsdesk; newsboat", "rss"),
        ("on disk, MB: newsdesk store (newsboat's cache.db); ratio", "disk"),
        ("load average (1 min) before → after", "load"),
    )
    head = "| | " + " | ".join(f"{r['size'] // 1000}k" for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]
    lines += [f"| {label} | " + " | ".join(cell(r, key) for r in results) + " |" for label, key in labels]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    tmux = Tmux("sidebyside")
    try:
        with tempfile.TemporaryDirectory() as scratch:
            empty_script = Path(scratch) / "empty_app.py"
            empty_script.write_text(EMPTY_APP)
            results = [measure(tmux, int(size), args.runs, empty_script) for size in args.sizes.split(",")]
    finally:
        tmux.close()
    figures = {"machine": machine(), "newsboat": newsboat_version(), "results": results}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures, indent=1))
    print(table(results))
    return 0


def newsboat_version() -> str:
    return subprocess.run(["newsboat", "--version"], capture_output=True, text=True).stdout.splitlines()[0]


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the reader (issue 3) at 1k, 10k and 100k articles.

    python bench/bench_reader.py [--sizes 1000,10000,100000] [--runs 5]

For each size, over a store built once from bench_store's synthetic corpus (cached in
bench/corpora/store-N), it measures:

  * start-up: process wall time from spawn to the first frame that shows the newest rows, then
    exit, next to an empty Textual app measured the same way in the same run (warm cache,
    median of --runs); the target is <= 3x the empty app at 100k;
  * peak RSS of a reader process that opened the store, scrolled 1,000 rows and opened one
    article (target <= 300 MB at 100k);
  * key press to frame: a `j` key event handed to the app until the compositor's next update,
    median and p95 over 60 presses (target: one frame, ~16.7 ms at 60 fps);
  * search: typing a query in the `/` bar, from the moment the debounce fires to the first
    frame that shows the new results, for several query kinds (target: <= 100 ms after the
    debounce).

Each measurement runs in a fresh interpreter (this file with --worker).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from bench_store import DEFAULT_OUT, ensure_corpora, machine  # noqa: E402


def store_for(size: int) -> Path:
    """A store with `size` synthetic articles, imported once and reused."""
    from store import NewsStore

    root = DEFAULT_OUT / f"store-{size}"
    if (root / "store.json").exists() and (root / ".complete").exists():
        with NewsStore(root) as store:  # indexes made by an older version are rebuilt here, not timed
            store.sync_text()
        return root
    corpus = ensure_corpora(DEFAULT_OUT, [size])[size]
    from tui.config import Settings
    from tui.importing import import_sources

    with NewsStore(root) as store:
        import_sources(store, [str(corpus)], Settings())
        store.sync_text()
    (root / ".complete").write_text("ok")
    return root


# -- workers -------------------------------------------------------------------------------------
def worker_start(kind: str, store_path: str) -> None:
    """Start the app headless, exit right after the first frame that shows the newest rows."""
    if kind == "empty":
        from textual.app import App

        class Empty(App[None]):
            def on_ready(self) -> None:
                self.call_after_refresh(self.exit)

        Empty().run(headless=True)
        return
    from store import NewsStore
    from tui.app import NewsdeskApp
    from tui.widgets.article_list import ArticleList

    store = NewsStore(store_path)
    app = NewsdeskApp(store, read_delay=3600)

    def check() -> None:
        try:
            listing = app.screen.query_one(ArticleList)
        except Exception:
            return
        if listing.total and listing.item_at(0) is not None:
            app.call_after_refresh(app.exit)

    app.call_later(lambda: app.set_interval(0.002, check))
    app.run(headless=True)


def worker_rss(store_path: str) -> None:
    """Open, scroll 1,000 rows, open one article; print peak RSS and the key-to-frame latencies."""
    from textual import events

    from store import NewsStore
    from tui.app import NewsdeskApp
    from tui.widgets.article_list import ArticleList
    from tui.widgets.article_text import ArticleText

    async def run() -> dict[str, Any]:
        store = NewsStore(store_path)
        app = NewsdeskApp(store, read_delay=3600)
        frames: list[float] = []
        async with app.run_test(size=(120, 40)) as pilot:
            original = app._display

            def spy(*args: Any, **kwargs: Any) -> Any:
                frames.append(time.perf_counter())
                return original(*args, **kwargs)

            app._display = spy  # type: ignore[method-assign]
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            listing = app.screen.query_one(ArticleList)
            latencies = []
            for _ in range(60):
                before = len(frames)
                started = time.perf_counter()
                app.post_message(events.Key("j", "j"))
                while len(frames) == before and time.perf_counter() - started < 2:
                    await asyncio.sleep(0.0005)
                latencies.append((frames[before] - started) * 1000 if len(frames) > before else 2000.0)
            search_cpu: list[float] = []
            search_ms = await time_searches(app, pilot, frames, store, search_cpu)
            target = min(1000, listing.total - 1)
            while listing.cursor < target:
                await pilot.press("pagedown")
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            await pilot.press("enter")
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            opened = app.screen.query_one(ArticleText).article is not None
        status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
        return {
            "rss_anon_file_mb": [int(status[k].split()[0]) / 1024 for k in ("RssAnon", "RssFile") if k in status],
            "cursor": listing.cursor,
            "opened": opened,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "key_ms_median": statistics.median(latencies),
            "key_ms_p95": sorted(latencies)[int(len(latencies) * 0.95) - 1],
            "search_ms_median": statistics.median(search_ms),
            "search_ms_max": max(search_ms),
            "search_ms_p95": sorted(search_ms)[int(len(search_ms) * 0.95) - 1],
            "search_cpu_ms_median": statistics.median(search_cpu),
            "search_cpu_ms_p95": sorted(search_cpu)[int(len(search_cpu) * 0.95) - 1],
        }

    print(json.dumps(asyncio.run(run())))


async def time_searches(
    app: Any, pilot: Any, frames: list[float], store: Any, cpu_ms: list[float] | None = None
) -> list[float]:
    """Type queries into the search bar; ms from the debounce firing to the frame with results
    (and in `cpu_ms`, the process's CPU time over the same span, every thread: on a busy machine
    the wall time also counts the time other processes had the cores)."""
    cpu_ms = [] if cpu_ms is None else cpu_ms
    from tui.widgets.article_list import ArticleList

    screen = app.screen
    listing = screen.query_one(ArticleList)
    words = store.get(store.list(limit=1)[0].id).article.body.lower().split()
    plain = [w.strip(".,") for w in words if w.strip(".,").isalpha()]
    queries = [
        "the",
        plain[5],
        f"{plain[3]} {plain[9]}",
        f'"{plain[1]} {plain[2]}"',
        "NOT the",
        f"{plain[7]} is:unread",
    ]
    fired: list[float] = []
    cpu: list[float] = []
    # the debounce's end: the search flow's, or (before issue 16's redesign) the screen's own
    owner = getattr(screen, "search_flow", screen)
    original = owner._search_now

    def search_now(text: str) -> None:
        fired.append(time.perf_counter())
        cpu.append(time.process_time())
        original(text)

    owner._search_now = search_now
    results = []
    for query in queries * 4:
        await pilot.press("slash", "ctrl+u", *[c if c != " " else "space" for c in query])
        before_fire, generation = len(fired), listing._generation
        started = time.perf_counter()
        while (len(fired) == before_fire or listing._generation == generation) and time.perf_counter() - started < 10:
            await asyncio.sleep(0.0005)
        shown = len(frames)
        while len(frames) == shown and time.perf_counter() - started < 10:
            await asyncio.sleep(0.0005)
        results.append((frames[shown] - fired[-1]) * 1000 if len(frames) > shown else 10_000.0)
        cpu_ms.append((time.process_time() - cpu[-1]) * 1000)
        await pilot.press("escape")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
    return results


# -- driver --------------------------------------------------------------------------------------
def timed_start(kind: str, store: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--worker", "start", kind, str(store)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return (time.perf_counter() - started) * 1000


def measure(size: int, runs: int) -> dict[str, Any]:
    store = store_for(size)
    timed_start("reader", store)  # warm the page cache
    empty = [timed_start("empty", store) for _ in range(runs)]
    reader = [timed_start("reader", store) for _ in range(runs)]
    done = subprocess.run(
        [sys.executable, __file__, "--worker", "rss", str(store)], check=True, capture_output=True, text=True
    )
    rss = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "size": size,
        "empty_ms": statistics.median(empty),
        "reader_ms": statistics.median(reader),
        "ratio": statistics.median(reader) / statistics.median(empty),
        **rss,
    }


def table(results: list[dict[str, Any]]) -> str:
    head = "| measure | " + " | ".join(f"{r['size'] // 1000}k" for r in results) + " | target |"
    rows = [
        ("empty Textual app, start to first frame + exit (ms, median)", "empty_ms", "{:.0f}", ""),
        ("reader, start to first frame with the newest rows + exit (ms, median)", "reader_ms", "{:.0f}", ""),
        ("ratio reader / empty", "ratio", "{:.2f}", "≤ 3 at 100k"),
        ("peak RSS: opened, scrolled 1,000 rows, one article opened (MB)", "peak_rss_mb", "{:.0f}", "≤ 300 at 100k"),
        ("key `j` to next frame, median (ms)", "key_ms_median", "{:.1f}", "one frame"),
        ("key `j` to next frame, p95 (ms)", "key_ms_p95", "{:.1f}", ""),
        ("search: debounce fired to frame with results, median (ms)", "search_ms_median", "{:.1f}", "≤ 100"),
        ("search: debounce fired to frame with results, worst of 12 (ms)", "search_ms_max", "{:.1f}", "≤ 100"),
    ]
    lines = [head, "|---" * (len(results) + 2) + "|"]
    for label, key, fmt, target in rows:
        lines.append(f"| {label} | " + " | ".join(fmt.format(r[key]) for r in results) + f" | {target} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        if kind == "start":
            worker_start(rest[0], rest[1])
        else:
            worker_rss(rest[0])
        return 0
    os.environ.setdefault("TZ", "UTC")
    results = [measure(int(size), args.runs) for size in args.sizes.split(",")]
    print(json.dumps({"machine": machine(), "results": results}, indent=2))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

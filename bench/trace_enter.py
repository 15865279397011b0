"""Where Enter → rows goes, traced inside the real reader in tmux (issue 18, item 2).

    python bench/trace_enter.py [--size 100000] [--searches 12] [--code DIR] [--out /work/corpora/reader]

Runs the reader (tree --code) on bench_tmux's store of --size articles in a tmux pane, with a
trace: each message the main thread handles and each frame written to the terminal, with the
wall time and the main thread's CPU time.  Then --searches times `/`, a query and Enter (one
burst), escape.  Reports, from the trace, Enter (the search bar's Submitted) to the first frame
written after the rows' ListingLoaded: wall time and the main thread's CPU time (what a busy
machine inflates least), medians, p95 and max; and the first frame with rows after start.
bench_tmux's screen polling (a tmux client a poll) cannot resolve tens of ms on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def traced() -> None:
    """In the reader's process (run as a script with the reader's arguments): patch, then run."""
    log_file = open(os.environ["TRACE_ENTER_LOG"], "w", buffering=1)  # noqa: SIM115 - the process's life
    start = time.perf_counter()

    def log(text: str) -> None:
        wall, cpu = (time.perf_counter() - start) * 1000, time.thread_time() * 1000
        log_file.write(f"{wall:.2f} {cpu:.2f} {threading.current_thread().name} {text}\n")

    from textual import app as textual_app
    from textual import message_pump

    dispatch = message_pump.MessagePump._dispatch_message

    async def dispatch_logged(self, message):  # type: ignore[no-untyped-def]
        result = await dispatch(self, message)
        log(f"{type(self).__name__}.{type(message).__name__}")
        return result

    message_pump.MessagePump._dispatch_message = dispatch_logged  # type: ignore[method-assign]
    display = textual_app.App._display

    def display_logged(self, screen, renderable):  # type: ignore[no-untyped-def]
        display(self, screen, renderable)
        log("DISPLAY")

    textual_app.App._display = display_logged  # type: ignore[method-assign]
    from tui.screens import main_search

    submitted = main_search.SearchFlow.submitted

    def submitted_logged(self, text):  # type: ignore[no-untyped-def]
        log("ENTER")
        submitted(self, text)

    main_search.SearchFlow.submitted = submitted_logged  # type: ignore[method-assign]
    from tui.cli import main

    sys.exit(main(sys.argv[1:]))


def spans(lines: list[list[str]]) -> tuple[list[tuple[float, float]], tuple[float, float] | None]:
    """(Enter → rows' frame: (wall, CPU) each), and the first frame with rows (wall, CPU)."""
    main = [line for line in lines if line[2] == "MainThread"]
    first = None
    searches = []
    for i, line in enumerate(main):
        if line[3].endswith(".ListingLoaded") and first is None:
            shown = next((later for later in main[i + 1 :] if later[3] == "DISPLAY"), None)
            first = (float(shown[0]), float(shown[1])) if shown else None
        if line[3] != "ENTER":
            continue
        listed = next((j for j in range(i + 1, len(main)) if main[j][3].endswith(".ListingLoaded")), None)
        shown = next((later for later in main[listed + 1 :] if later[3] == "DISPLAY"), None) if listed else None
        if shown is not None:
            searches.append((float(shown[0]) - float(line[0]), float(shown[1]) - float(line[1])))
    return searches, first


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(BENCH))
    import bench_tmux as bench

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=12)
    parser.add_argument("--code", type=Path, default=BENCH.parent)
    parser.add_argument("--out", type=Path, default=bench.DEFAULT_OUT)
    args = parser.parse_args(argv)
    store = bench.store_for(args.out, args.size)
    with tempfile.TemporaryDirectory() as scratch:
        trace = Path(scratch) / "trace.log"
        tmux = bench.Tmux("ndtrace")
        try:
            command = bench.reader_command(args.out, store, args.code)
            command = command.replace(" -m tui.cli ", f" {Path(__file__).resolve()} --traced ")
            tmux.spawn(command.replace("exec env ", f"exec env TRACE_ENTER_LOG={trace} ", 1))
            tmux.wait(bench.rows_shown)
            time.sleep(0.5)
            back = lambda screen: "all articles" in screen and bench.rows_shown(screen)  # noqa: E731
            for number in range(args.searches):
                query = bench.QUERIES[number % len(bench.QUERIES)]
                tmux.keys("/")
                tmux.wait(lambda screen: "(? for the language)" in screen)
                tmux.keys(query + "\r", literal=True)
                tmux.wait(bench.search_shown(query))
                time.sleep(0.2)
                tmux.keys("Escape")
                tmux.wait(back)
                time.sleep(bench.ESCAPE_GAP)
            tmux.keys("q")
            tmux.wait_dead()
        finally:
            tmux.close()
        searches, first = spans([line.split(" ", 3) for line in trace.read_text().splitlines()])
    for label, values in (("wall", [s[0] for s in searches]), ("main-thread CPU", [s[1] for s in searches])):
        ordered = sorted(values)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        print(f"Enter → rows' frame, {label}: median {statistics.median(ordered):.1f} ms, p95 {p95:.1f}, "
              f"max {ordered[-1]:.1f} ({len(ordered)} searches, {args.size} articles, {args.code})")
    if first is not None:
        print(f"first frame with rows: {first[0]:.0f} ms after the trace began, main-thread CPU {first[1]:.0f} ms")
    print(f"load: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--traced":
        del sys.argv[1]
        traced()
    else:
        sys.exit(main())

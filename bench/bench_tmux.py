"""Drive the real reader in tmux like a user, next to an empty Textual app (issue 18).

    python bench/bench_tmux.py [--sizes 1000,10000,100000] [--runs 5] [--out /work/corpora/reader]
    python bench/bench_tmux.py --build-only          # build the stores, measure nothing
    python bench/bench_tmux.py --sizes 100000 --memory 1000   # VmRSS/RssAnon over search cycles

Each size gets a store built once under --out (bench_store's synthetic corpus with each body as
HTML paragraphs, imported with `newsdesk import --no-entities`, automatic snapshots off).  Every
run starts a fresh tmux server at 120x40 and reads the screen with `tmux capture-pane`, as a user
would see it:

  * first frame: from spawning the process to the first screen that shows article rows (the
    empty app: its first frame, a marker it draws);
  * typing → list: the query typed into the search bar (`/` then the word), from the last key to
    the screen that shows the new count in the top bar (includes the debounce);
  * Enter → list: the query and Enter typed in one burst, from sending them to that screen, and the reader's
    CPU time (all its threads) over the same span, a figure a busy machine inflates less;
  * escape back to all articles, then quit (`q`); the process must exit.

The memory run (--memory) sends `/`, the query and Enter without waiting for the bar, and
waits ESCAPE_GAP after each escape before the next key (an escape followed by other bytes within
the terminal parser's escape delay is read as one sequence); a search that does not show is kept
as an incident (late or lost, with the screen) and the run goes on.

Figures are medians and ranges over --runs, and ratios to the empty Textual app of the same run.
Each screen read is one `tmux capture-pane` process, so a time is good to a few ms.  The reader's RSS
after the searches is read from /proc (VmRSS, RssAnon).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_store import CorpusGenerator, machine  # noqa: E402

DEFAULT_OUT = Path("/work/corpora/reader")
PYTHON = sys.executable
WIDTH, HEIGHT = 120, 40
QUERIES = ("said", "harbour")
SESSION = "ndbench"
CONFIG = "[store]\nbackups = 0\n"
"""The bench's config: no automatic snapshot (a 1 GB copy) racing the measurements."""


def log(message: str) -> None:
    print(f"[bench_tmux] {message}", file=sys.stderr, flush=True)


# -- corpora and stores -------------------------------------------------------------------------
def html_corpus(out: Path, size: int) -> Path:
    """bench_store's articles with each body as HTML paragraphs, as a feed would carry them."""
    path = out / f"articles-html-{size}.jsonl"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    started = time.perf_counter()
    with open(partial, "wb") as handle:
        for record in CorpusGenerator().articles(size):
            paragraphs = record["body"].split("\n\n")
            record["body"] = "".join(f"<p>{html.escape(p)}</p>\n" for p in paragraphs)
            handle.write(orjson.dumps(record) + b"\n")
    os.replace(partial, path)
    log(f"generated {size} HTML articles in {time.perf_counter() - started:.1f} s")
    return path


def config_file(out: Path) -> Path:
    path = out / "config.toml"
    if not path.exists() or path.read_text() != CONFIG:
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(CONFIG)
    return path


def env(out: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "NEWSDESK_CONFIG": str(config_file(out)), "TERM": "xterm-256color"}


def store_for(out: Path, size: int) -> Path:
    """A store of `size` HTML articles imported with --no-entities, built once."""
    root = out / f"store-{size}"
    if (root / ".complete").exists():
        return root
    corpus = html_corpus(out, size)
    if root.exists():
        shutil.rmtree(root)
    started = time.perf_counter()
    command = [PYTHON, "-m", "tui.cli", "--store", str(root), "import", "--no-entities", str(corpus)]
    subprocess.run(command, env=env(out), check=True, stdout=subprocess.DEVNULL)
    log(f"imported {size} articles in {time.perf_counter() - started:.1f} s")
    (root / ".complete").write_text("ok")
    return root


# -- tmux ---------------------------------------------------------------------------------------
class Tmux:
    """One tmux server of our own (its own socket), one pane at WIDTH x HEIGHT."""

    def __init__(self, name: str = SESSION) -> None:
        self.socket = f"{name}-{os.getpid()}"
        self.run("new-session", "-d", "-s", name, "-x", str(WIDTH), "-y", str(HEIGHT), "sleep 1000000")
        self.run("set-option", "-g", "remain-on-exit", "on")
        self.target = f"{name}:0.0"

    def run(self, *args: str) -> str:
        # The server (started by the first command) passes its environment to the panes: without
        # PYTHONDONTWRITEBYTECODE, which would make every run recompile the reader's modules from
        # source (no __pycache__ written), a cost no installed reader pays.
        command = ["env", "-u", "PYTHONDONTWRITEBYTECODE", "tmux", "-L", self.socket, "-f", "/dev/null", *args]
        done = subprocess.run(command, capture_output=True, text=True)
        return done.stdout

    def spawn(self, command: str) -> float:
        """Replace the pane's process with `command`; the time just before it was asked."""
        started = time.perf_counter()
        self.run("respawn-pane", "-k", "-t", self.target, command)
        return started

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.target)

    def keys(self, *keys: str, literal: bool = False) -> float:
        sent = time.perf_counter()
        self.run("send-keys", "-t", self.target, *(["-l"] if literal else []), *keys)
        return time.perf_counter() - sent

    def pid(self) -> int:
        return int(self.run("display-message", "-p", "-t", self.target, "#{pane_pid}").strip() or 0)

    def dead(self) -> bool:
        return self.run("display-message", "-p", "-t", self.target, "#{pane_dead}").strip() == "1"

    def wait(self, ready: Callable[[str], bool], timeout: float = 30.0) -> float:
        """Poll the screen until `ready` says yes; the time it first did."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if ready(self.screen()):
                return time.perf_counter()
        raise TimeoutError(f"screen not ready after {timeout} s:\n{self.screen()}")

    def wait_dead(self, timeout: float = 10.0) -> float:
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.dead():
                return time.perf_counter()
            time.sleep(0.005)
        raise TimeoutError("the process did not exit")

    def close(self) -> None:
        self.run("kill-server")


EMPTY_APP = '''
from textual.app import App, ComposeResult
from textual.widgets import Static

class Empty(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("EMPTY APP READY")

Empty().run()
'''


def rows_shown(screen: str) -> bool:
    """The reader's first frame that matters: the top bar's count and article rows."""
    dated = sum(1 for line in screen.splitlines() if DATE_ROW.search(line))
    return " articles" in screen and dated >= 5


DATE_ROW = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d")


def search_shown(query: str) -> Callable[[str], bool]:
    pattern = re.compile(rf"search: {re.escape(query)} · \d+ match")
    return lambda screen: bool(pattern.search(screen))


ESCAPE_GAP = 0.15
"""Seconds between an escape and the next key: a terminal parser reads an escape followed
within its escape delay (Textual's ESCDELAY, 100 ms) by other bytes as the start of a sequence
(escape then `/` is alt+/ to it), so a user's separate keys are sent apart by more than that."""
LATE_SECONDS = 60.0


def incident(tmux: Tmux, cycle: int, query: str) -> dict[str, Any]:
    """A search whose results did not show in time: the screen's top and search rows then, and
    whether they showed within LATE_SECONDS more (late) or never (lost)."""
    lines = tmux.screen().splitlines()
    seen = {"cycle": cycle, "query": query, "screen": [line.rstrip() for line in lines[:3]]}
    try:
        tmux.wait(search_shown(query), timeout=LATE_SECONDS)
        seen["outcome"] = "late"
    except TimeoutError:
        seen["outcome"] = "lost"
        tmux.keys("Escape")  # back to the list, to go on with the next cycle
        time.sleep(ESCAPE_GAP)
    return seen


def memory(pid: int) -> dict[str, float]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {k: int(fields[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM", "RssAnon", "RssFile") if k in fields}


# -- one run ------------------------------------------------------------------------------------
def cpu_ms(pid: int) -> float:
    """The CPU time (user + system) the process has used so far, ms."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ns(pid: int) -> int:
    """The CPU time (ns) the process's live threads have run so far (/proc/PID/task/*/schedstat):
    fine enough for one search, where /proc/PID/stat counts 10 ms ticks."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(task.read_text().split()[0])
        except (OSError, ValueError, IndexError):  # a thread that ended meanwhile
            continue
    return total


def run_empty(tmux: Tmux, script: Path) -> tuple[float, float]:
    """(ms to the first frame, CPU ms the process had used by then)."""
    started = tmux.spawn(f"exec {PYTHON} {script}")
    shown = tmux.wait(lambda screen: "EMPTY APP READY" in screen)
    cpu = cpu_ms(tmux.pid())
    tmux.keys("q")
    tmux.wait_dead()
    return (shown - started) * 1000, cpu


def reader_command(out: Path, store: Path, code: Path) -> str:
    variables = f"PYTHONPATH={code} NEWSDESK_CONFIG={config_file(out)} TZ=UTC"
    return f"exec env {variables} {PYTHON} -m tui.cli --store {store}"


def run_reader(tmux: Tmux, out: Path, store: Path, code: Path, query: str) -> dict[str, Any]:
    """Start, wait for rows; type the query (→ list); escape; the query and Enter (→ list);
    escape; quit.  Times in ms."""
    started = tmux.spawn(reader_command(out, store, code))
    first = tmux.wait(rows_shown)
    pid = tmux.pid()
    first_cpu = cpu_ms(pid)
    back = lambda screen: "all articles" in screen and rows_shown(screen)  # noqa: E731
    time.sleep(0.3)  # what the reader does after its first frame settles (as a user would pause)
    tmux.keys("/")
    tmux.wait(lambda screen: "search:" in screen or "(? for the language)" in screen)
    tmux.keys(query, literal=True)
    typed = time.perf_counter()
    listed = tmux.wait(search_shown(query))
    tmux.keys("Escape")
    tmux.wait(back)
    time.sleep(0.1)
    tmux.keys("/")
    tmux.wait(lambda screen: "(? for the language)" in screen)
    before_enter = cpu_ns(pid)
    # the query and Enter in one burst (a fast typist, a paste): sent apart, on a busy machine
    # the debounce's search could show its results before Enter went out, timing nothing
    tmux.keys(query + "\r", literal=True)
    entered = time.perf_counter()
    entered_listed = tmux.wait(search_shown(query))
    enter_cpu = (cpu_ns(pid) - before_enter) / 1e6
    tmux.keys("Escape")
    tmux.wait(back)
    mem = memory(pid)
    tmux.keys("q")
    tmux.wait_dead()
    return {
        "first_ms": (first - started) * 1000,
        "first_cpu_ms": first_cpu,
        "typing_ms": (listed - typed) * 1000,
        "enter_ms": (entered_listed - entered) * 1000,
        "enter_cpu_ms": enter_cpu,
        **{f"{k}_mb": v for k, v in mem.items()},
    }


def run_memory(tmux: Tmux, out: Path, store: Path, code: Path, cycles: int, reads: int) -> dict[str, Any]:
    """Start; `cycles` of two searches (`/`, the query and Enter, each sent at once, without
    waiting for the bar) and two escapes; `reads` articles read with `j`.  VmRSS and RssAnon
    (MiB) after 10 cycles, after all, and after the reading; a search that did not show in time
    is kept as an incident (late or lost, with the screen) and the run goes on."""
    tmux.spawn(reader_command(out, store, code))
    tmux.wait(rows_shown)
    pid = tmux.pid()
    figures: dict[str, Any] = {"start": memory(pid)}
    back = lambda screen: "all articles" in screen and rows_shown(screen)  # noqa: E731
    incidents: list[dict[str, Any]] = []
    for cycle in range(1, cycles + 1):
        for query in QUERIES:
            time.sleep(ESCAPE_GAP)  # the escape before stands alone (see ESCAPE_GAP)
            tmux.keys("/")
            tmux.keys(query, literal=True)
            tmux.keys("Enter")
            try:
                tmux.wait(search_shown(query))
            except TimeoutError:
                incidents.append(incident(tmux, cycle, query))
                log(f"cycle {cycle}: {incidents[-1]}")
            tmux.keys("Escape")
            tmux.wait(back)
        if cycle in (10, 50, 100, 200, 500, cycles):
            figures[f"after {cycle} cycles"] = memory(pid)
            log(f"after {cycle} cycles: {figures[f'after {cycle} cycles']}")  # a long run reports as it goes
    for _ in range(reads):
        tmux.keys("j")
        time.sleep(0.05)
    time.sleep(0.5)
    figures[f"after reading {reads}"] = memory(pid)
    figures["incidents"] = incidents
    tmux.keys("q")
    tmux.wait_dead()
    return figures


# -- driver -------------------------------------------------------------------------------------
def summary(values: list[float], empty: float | None = None) -> dict[str, float]:
    result = {"median": statistics.median(values), "min": min(values), "max": max(values)}
    if empty:
        result["ratio"] = result["median"] / empty
    return result


def measure(tmux: Tmux, out: Path, size: int, runs: int, code: Path, empty_script: Path) -> dict[str, Any]:
    store = store_for(out, size)
    run_reader(tmux, out, store, code, QUERIES[0])  # warm the page cache
    empties, empty_cpus, readers = [], [], []
    for _ in range(runs):  # interleaved: both see the same machine
        wall, cpu = run_empty(tmux, empty_script)
        empties.append(wall)
        empty_cpus.append(cpu)
        readers.append(run_reader(tmux, out, store, code, QUERIES[0]))
    empty = statistics.median(empties)
    return {
        "size": size,
        "empty_ms": summary(empties),
        "first_ms": summary([r["first_ms"] for r in readers], empty),
        "empty_cpu_ms": summary(empty_cpus),
        "first_cpu_ms": summary([r["first_cpu_ms"] for r in readers], statistics.median(empty_cpus)),
        "typing_ms": summary([r["typing_ms"] for r in readers], empty),
        "enter_ms": summary([r["enter_ms"] for r in readers], empty),
        "enter_cpu_ms": summary([r["enter_cpu_ms"] for r in readers]),
        "rss_mb": summary([r.get("VmRSS_mb", 0.0) for r in readers]),
        "anon_mb": summary([r.get("RssAnon_mb", 0.0) for r in readers]),
    }


def fmt(s: dict[str, float], unit: str = "") -> str:
    text = f"{s['median']:.0f}{unit} ({s['min']:.0f}–{s['max']:.0f})"
    return text + (f", {s['ratio']:.2f}×" if "ratio" in s else "")


def table(results: list[dict[str, Any]]) -> str:
    head = "| | " + " | ".join(f"{r['size'] // 1000}k" for r in results) + " |"
    rows = [
        ("empty Textual app: first frame, ms", "empty_ms"),
        ("reader: first frame with rows, ms (× empty)", "first_ms"),
        ("empty Textual app: CPU time to its first frame, ms", "empty_cpu_ms"),
        ("reader: CPU time to the first frame with rows, ms (× empty)", "first_cpu_ms"),
        ("typing → list (incl. debounce), ms (× empty first frame)", "typing_ms"),
        ("Enter → list, ms", "enter_ms"),
        ("Enter → list: the reader's CPU time (all threads) until the screen showed it, ms", "enter_cpu_ms"),
        ("VmRSS after the run, MiB", "rss_mb"),
        ("RssAnon after the run, MiB", "anon_mb"),
    ]
    lines = [head, "|---" * (len(results) + 1) + "|"]
    for label, key in rows:
        lines.append(f"| {label} | " + " | ".join(fmt(r[key]) for r in results) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="corpora and stores (default: %(default)s)")
    parser.add_argument("--code", type=Path, default=REPO, help="the newsdesk checkout to run (default: this one)")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--memory", type=int, metavar="CYCLES", help="the memory run: CYCLES search cycles, 100 reads")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.build_only:
        for size in sizes:
            store_for(args.out, size)
        return 0
    tmux = Tmux()
    try:
        if args.memory:
            for size in sizes:
                figures = run_memory(tmux, args.out, store_for(args.out, size), args.code, args.memory, 100)
                print(json.dumps({"size": size, "code": str(args.code), **figures}, indent=1))
            return 0
        with tempfile.TemporaryDirectory() as scratch:
            empty_script = Path(scratch) / "empty_app.py"
            empty_script.write_text(EMPTY_APP)
            results = [measure(tmux, args.out, size, args.runs, args.code, empty_script) for size in sizes]
    finally:
        tmux.close()
    print(json.dumps({"machine": machine(), "code": str(args.code), "results": results}, indent=1))
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())

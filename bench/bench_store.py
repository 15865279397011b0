"""Benchmark the newsdesk store (issue 2) at 1k, 10k and 100k articles.

    python bench/bench_store.py [--sizes 1000,10000,100000] [--out bench/corpora]
    python bench/bench_store.py --profile 10000     # cProfile of the 10k import, writes, bulk tag

For each size this builds (or reuses) a synthetic JSONL corpus shaped as ../shared/PHYSICS.md
"Corpus" describes, imports it into a fresh store in a temp directory through the CLI's real
import path (tui.importing.import_sources: reading, parsing, sanitising, batches of 1000), and measures:

  * import rate (articles/s, wall time of import_sources) and the importing process's peak RSS,
    both reported by a fresh child process;
  * store open: wall time of a fresh `python -c` process that opens the store and lists the newest
    50 (median of 5, after a short settle pause), the same process doing only `import store` as a
    baseline, and the in-process open + list time reported by the child; plus one such open right
    after the import;
  * 200 single durable state writes (update_state on one random article, alternately adding and
    removing a tag so that every call changes something): p50 / p95 / max in ms;
  * one bulk tag of min(10k, N) articles in a single update_state call;
  * the store's size on disk after the import.

Results are printed as a markdown table and written to <out>/results-<date>.json.  Corpora are
cached in <out> (gitignored) and regenerated only when missing; generation uses a fixed seed, and
smaller corpora are prefixes of larger ones.  Measurements that need a fresh interpreter run this
same file with the hidden `--worker` option.
"""

from __future__ import annotations

import argparse
import bisect
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO.parent / "shared" / "data" / "seed"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
DEFAULT_OUT = REPO / "bench" / "corpora"
CORPUS_SEED = 20261125
OPS_SEED = 7

# Corpus shape (PHYSICS.md "Corpus").
SYNTHETIC_WORDS = 20_000
ZIPF_EXPONENT = 1.0
NUMERIC_SHARE = 0.02
BODY_WORDS = (400, 600)
TITLE_WORDS = (8, 12)
SENTENCE_WORDS = (8, 24)
PARAGRAPH_SENTENCES = (3, 6)
ENTITIES_PER_ARTICLE = (8, 12)
MENTIONS_PER_ENTITY = (1, 3)
ENTITY_POOL = {"person": 1_800, "org": 900, "place": 900}
SOURCES = 40
AUTHORS_PER_SOURCE = 5
TAGS_PER_ARTICLE = (0, 3)
DATE_START = datetime(2023, 1, 1, tzinfo=UTC)
DATE_SPAN_SECONDS = 3 * 365 * 24 * 3600
# The most frequent English words, in rank order: they head the vocabulary, as in real text.
COMMON_WORDS = (
    "the of and to a in is that for it was on with as he by at from his are be this have an not "
    "they which or but had one were all we their has been there more would can if her said who "
    "will new also its after into than two other some when about over could first year people "
    "them up out only most government years time last now just our what such those before "
    "while three where since between under during because both through against million percent"
).split()
TAGS = (
    "politics economy technology science health climate energy sport culture business "
    "markets world europe asia africa americas security education transport housing "
    "elections courts media space ai cities agriculture labour trade diplomacy"
).split()

# Measurements.
OPEN_RUNS = 5
SETTLE_S = 5.0
"""Idle pause after the import, before the open runs.  Since d01fcbe the store re-reads and
re-indexes files whose fingerprints it recorded as racy (written < 3 s before being looked at,
its own commits included), so the first open after a write pays for a re-sync.  The table shows
that first open twice: at once after the import and after this pause (the first of the runs)."""
STATE_WRITES = 200
BULK_MAX = 10_000
TARGETS = {"import_rate": 2_000, "state_p95_ms": 30.0}

# What the fresh processes of the open-time measurement run (kept minimal on purpose).
BASELINE_SNIPPET = "import store"
OPEN_SNIPPET = (
    "import sys, time, store\n"
    "t = time.perf_counter()\n"
    "s = store.NewsStore(sys.argv[1])\n"
    "items = s.list(limit=50)\n"
    "s.close()\n"
    "print((time.perf_counter() - t) * 1000, len(items))\n"
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- corpus ----------------------------------------------------------------------------------
class Zipf:
    """Draw items with probability proportional to 1 / rank**exponent (rank 1 = first item)."""

    def __init__(self, items: list[str], exponent: float = ZIPF_EXPONENT) -> None:
        self.items = items
        total = 0.0
        self.cum: list[float] = []
        for rank in range(1, len(items) + 1):
            total += 1.0 / rank**exponent
            self.cum.append(total)

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.items, cum_weights=self.cum, k=k)

    def draw_distinct(self, rng: random.Random, k: int) -> list[str]:
        seen: dict[str, None] = {}
        while len(seen) < k:
            seen[self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]] = None
        return list(seen)


def _syllable_words(rng: random.Random, count: int, syllables: tuple[int, int], taken: set[str]) -> list[str]:
    """Pronounceable made-up lowercase words, none in `taken` (which is extended)."""
    onsets = "b c d f g h j k l m n p r s t v w z br ch cr dr fl gr kl pl pr sh st th tr".split()
    vowels = "a e i o u ai ea ee io ou".split()
    codas = ["", "", "", "n", "r", "s", "l", "m", "t", "nd", "st", "rk"]
    words: list[str] = []
    while len(words) < count:
        parts = [rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(*syllables))]
        word = "".join(parts) + rng.choice(codas)
        if word not in taken:
            taken.add(word)
            words.append(word)
    return words


def build_vocabulary(rng: random.Random) -> list[str]:
    """Common English words, then the seed articles' words by their frequency there, then
    synthetic words: the rank order the Zipf draw uses."""
    counts: Counter[str] = Counter()
    for path in sorted(SEED_DIR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        counts.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", text))
    words = list(dict.fromkeys([*COMMON_WORDS, *(w for w, _ in counts.most_common())]))
    return words + _syllable_words(rng, SYNTHETIC_WORDS, (1, 4), set(words))


def build_entities(rng: random.Random) -> list[str]:
    """Capitalised person, organisation and place names, shuffled so each kind spans all ranks."""
    taken: set[str] = set()
    cap = str.capitalize
    firsts = [cap(w) for w in _syllable_words(rng, 400, (1, 2), taken)]
    lasts = [cap(w) for w in _syllable_words(rng, 1_200, (2, 3), taken)]
    stems = [cap(w) for w in _syllable_words(rng, 1_800, (2, 3), taken)]
    org_kinds = "Group Institute Ministry Bank Council Holdings Labs Agency Union Partners".split()
    place_kinds = ["", "", "", " City", " Province", " Bay", " Valley", " Port"]
    names: set[str] = set()
    for kind, count in ENTITY_POOL.items():
        made = 0
        while made < count:
            if kind == "person":
                name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
            elif kind == "org":
                name = f"{rng.choice(stems)} {rng.choice(org_kinds)}"
            else:
                name = rng.choice(stems) + rng.choice(place_kinds)
            if name not in names:
                names.add(name)
                made += 1
    pool = sorted(names)
    rng.shuffle(pool)
    return pool


class CorpusGenerator:
    """Reproducible synthetic articles; article n depends only on the seed and n's predecessors."""

    def __init__(self, seed: int = CORPUS_SEED) -> None:
        self.rng = random.Random(seed)
        self.words = Zipf(build_vocabulary(self.rng))
        self.entities = Zipf(build_entities(self.rng))
        sources = _syllable_words(self.rng, SOURCES, (2, 3), set())
        self.sources = [(f"The {s.capitalize()} Times", s) for s in sources]
        self.authors = {
            slug: [" ".join(name.split()[:2]) for name in self.entities.draw(self.rng, AUTHORS_PER_SOURCE)]
            for _, slug in self.sources
        }

    def _number(self) -> str:
        rng = self.rng
        form = rng.random()
        if form < 0.3:
            return str(rng.randint(1990, 2026))
        if form < 0.6:
            return str(rng.randint(2, 99))
        if form < 0.8:
            return f"{rng.randint(1, 999)},{rng.randint(0, 999):03d}"
        return f"{rng.randint(1, 99)}.{rng.randint(0, 9)}%"

    def _body(self) -> str:
        rng = self.rng
        tokens = self.words.draw(rng, rng.randint(*BODY_WORDS))
        for position in rng.sample(range(len(tokens)), round(len(tokens) * NUMERIC_SHARE)):
            tokens[position] = self._number()
        for name in self.entities.draw_distinct(rng, rng.randint(*ENTITIES_PER_ARTICLE)):
            for _ in range(rng.randint(*MENTIONS_PER_ENTITY)):
                tokens[rng.randrange(len(tokens))] = name
        paragraphs: list[str] = []
        sentences: list[str] = []
        paragraph_length = rng.randint(*PARAGRAPH_SENTENCES)
        start = 0
        while start < len(tokens):
            part = tokens[start : start + rng.randint(*SENTENCE_WORDS)]
            start += len(part)
            if len(part) > 6 and rng.random() < 0.4:
                part[rng.randrange(2, len(part) - 2)] += ","
            sentence = " ".join(part)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            if len(sentences) >= paragraph_length:
                paragraphs.append(" ".join(sentences))
                sentences, paragraph_length = [], rng.randint(*PARAGRAPH_SENTENCES)
        if sentences:
            paragraphs.append(" ".join(sentences))
        return "\n\n".join(paragraphs)

    def article(self, n: int) -> dict[str, Any]:
        rng = self.rng
        source, slug = rng.choice(self.sources)
        words = self.words.draw(rng, rng.randint(*TITLE_WORDS))
        words[rng.randrange(len(words))] = self.entities.draw(rng, 1)[0]
        title = " ".join(words)
        published = DATE_START + timedelta(seconds=rng.randrange(DATE_SPAN_SECONDS))
        return {
            "title": title[0].upper() + title[1:],
            "body": self._body(),
            "source": source,
            "author": rng.choice(self.authors[slug]),
            "url": f"https://news.example/{slug}/{n}",
            "published": published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tags": rng.sample(TAGS, rng.randint(*TAGS_PER_ARTICLE)),
        }

    def articles(self, count: int) -> Iterator[dict[str, Any]]:
        for n in range(1, count + 1):
            yield self.article(n)


def as_html(record: dict[str, Any]) -> dict[str, Any]:
    """The same record with its body as a feed's HTML (paragraphs, a link, emphasis), as news
    readers' caches (newsboat's among them) keep it; the importer turns it back into text."""
    paragraphs = record["body"].split("\n\n")
    html = []
    for number, paragraph in enumerate(paragraphs):
        head, _, rest = paragraph.partition(" ")
        if number == 0:
            html.append(f"<p><strong>{head}</strong> {rest}</p>")
        elif number == 1:
            html.append(f'<p>{head} <a href="{record["url"]}#more">{rest}</a></p>')
        else:
            html.append(f"<p>{paragraph}</p>")
    return {**record, "body": "\n".join(html)}


def corpus_path(out: Path, size: int, html: bool = False) -> Path:
    return out / (f"articles-html-{size}.jsonl" if html else f"articles-{size}.jsonl")


def ensure_corpora(out: Path, sizes: list[int], html: bool = False) -> dict[int, Path]:
    """Write missing corpora: the largest missing one is generated, smaller ones as its prefixes;
    with `html`, bodies are HTML (as_html) and the files are named articles-html-N.jsonl."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {size: corpus_path(out, size, html) for size in sizes}
    missing = sorted(size for size, path in paths.items() if not path.exists())
    if not missing:
        return paths
    largest = missing[-1]
    started = time.perf_counter()
    log(f"generating {largest} articles -> {paths[largest]}")
    prefixes = {size: open(_partial(paths[size]), "wb") for size in missing}  # noqa: SIM115
    try:
        for n, record in enumerate(CorpusGenerator().articles(largest), start=1):
            line = orjson.dumps(as_html(record) if html else record) + b"\n"
            for size, handle in prefixes.items():
                if n <= size:
                    handle.write(line)
    finally:
        for handle in prefixes.values():
            handle.close()
    for size in missing:
        os.replace(_partial(paths[size]), paths[size])
    mb = paths[largest].stat().st_size / 1e6
    log(f"generated {largest} articles ({mb:.0f} MB) in {time.perf_counter() - started:.1f} s")
    return paths


def _partial(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


# -- workers: run in a fresh interpreter (python bench_store.py --worker KIND ...) --------------
def worker_import(store_path: str, corpus: str) -> dict[str, Any]:
    """Import one JSONL file through the CLI's path; report wall time and this process's RSS."""
    from store import NewsStore
    from tui.config import Settings
    from tui.importing import import_sources

    started = time.perf_counter()
    with NewsStore(store_path) as store:
        batch_ms = time_calls(store, "add_articles")
        summary = import_sources(store, [corpus], Settings())
        imported_at = time.perf_counter()
        store.sync_text()  # the full-text index has caught up: every article is in it
        searchable_at = time.perf_counter()
        count = store.count()
    finished = time.perf_counter()
    return {
        "import_s": imported_at - started,
        "searchable_s": searchable_at - started,
        "import_and_close_s": finished - started,
        "add_articles_s": sum(batch_ms) / 1000,
        "batch_ms": batch_ms,
        "summary": summary,
        "count": count,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        **cpu_seconds(),
    }


def cpu_seconds() -> dict[str, float]:
    """CPU time (user + sys) of this process and of its children that ended (the indexing
    process of a bulk import), in seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_s": own.ru_utime + own.ru_stime, "children_cpu_s": children.ru_utime + children.ru_stime}


def time_calls(obj: Any, method: str) -> list[float]:
    """Wrap obj.method so that each call's duration (ms) is appended to the returned list."""
    original = getattr(obj, method)
    durations: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            durations.append((time.perf_counter() - started) * 1000)

    setattr(obj, method, timed)
    return durations


def worker_ops(store_path: str) -> dict[str, Any]:
    """Single durable state writes, then one bulk tag, on an imported store."""
    from store import NewsStore

    rng = random.Random(OPS_SEED)
    with NewsStore(store_path) as store:
        ids = [item.id for item in store.list()]
        latencies_ms = single_writes(store, ids, rng)
        bulk_n, bulk_ms = bulk_tag(store, ids, rng)
        snapshots_ms = automatic_snapshots(store, ids)
    return {"state_write_ms": latencies_ms, "bulk_tag_ms": bulk_ms, "bulk_tag_n": bulk_n, **snapshots_ms}


def automatic_snapshots(store: Any, ids: list[str]) -> dict[str, float]:
    """The automatic backup: the first snapshot (every file copied and parsed), then one after a
    single state write (unchanged files hard-linked to the previous snapshot's copies)."""
    start = time.perf_counter()
    store.snapshot()
    first = (time.perf_counter() - start) * 1000
    store.update_state([ids[0]], add_tags=["snapshot-bench"])
    start = time.perf_counter()
    store.snapshot()
    return {"snapshot_first_ms": first, "snapshot_next_ms": (time.perf_counter() - start) * 1000}


def single_writes(store: Any, ids: list[str], rng: random.Random) -> list[float]:
    """STATE_WRITES update_state calls on one random article each, alternately adding a tag and
    taking it off the same article again, so that every call changes something; ms per call."""
    latencies_ms: list[float] = []
    target = ids[0]
    for call in range(STATE_WRITES):
        if call % 2 == 0:
            target = rng.choice(ids)
            change = {"add_tags": ["bench"]}
        else:
            change = {"remove_tags": ["bench"]}
        started = time.perf_counter()
        changed = store.update_state([target], **change)
        latencies_ms.append((time.perf_counter() - started) * 1000)
        assert changed == [target], (call, changed)
    return latencies_ms


def bulk_tag(store: Any, ids: list[str], rng: random.Random) -> tuple[int, float]:
    """Tag min(BULK_MAX, N) random articles in one update_state call: (how many, ms)."""
    chosen = rng.sample(ids, min(BULK_MAX, len(ids)))
    started = time.perf_counter()
    changed = store.update_state(chosen, add_tags=["bulk"])
    elapsed_ms = (time.perf_counter() - started) * 1000
    assert len(changed) == len(chosen), (len(changed), len(chosen))
    return len(chosen), elapsed_ms


WORKERS: dict[str, Callable[..., dict[str, Any]]] = {"import": worker_import, "ops": worker_ops}


def run_worker(kind: str, *args: str) -> tuple[dict[str, Any], float]:
    """Run a worker in a fresh interpreter; its JSON report and the process's wall time."""
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, *args]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, check=True, cwd=REPO)
    wall = time.perf_counter() - started
    return json.loads(done.stdout.decode().strip().splitlines()[-1]), wall


def time_snippet(snippet: str, *args: str) -> tuple[float, str]:
    """Wall time (ms) of a fresh `python -c snippet` process, and what it printed."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", snippet, *args], stdout=subprocess.PIPE, check=True, cwd=REPO)
    return (time.perf_counter() - started) * 1000, done.stdout.decode().strip()


# -- the command line, whole processes --------------------------------------------------------------
CLI_CALLS = 20
"""`newsdesk tag` processes per measurement: a scripted loop, one article a call."""


def cli_env() -> dict[str, str]:
    """The environment of a user's shell: bytecode caches written and used (the harness sets
    PYTHONDONTWRITEBYTECODE, which would compile every module in every process)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(REPO)
    return env


def cli_ms(*args: str) -> float:
    """Wall time (ms) of one `python -m tui.cli ARGS` process, which must exit 0."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui.cli", *args], check=True, env=cli_env(), cwd=REPO, capture_output=True)
    return (time.perf_counter() - started) * 1000


def count_syncs(*args: str) -> int | None:
    """fsync + fdatasync calls of one `newsdesk ARGS` process, its threads and children, by
    strace (None when strace is missing)."""
    if shutil.which("strace") is None:
        return None
    with tempfile.NamedTemporaryFile(prefix="newsdesk-strace-") as trace:
        command = ["strace", "-f", "-e", "trace=fsync,fdatasync", "-o", trace.name]
        subprocess.run(
            [*command, sys.executable, "-m", "tui.cli", *args], check=True, env=cli_env(), cwd=REPO, capture_output=True
        )
        return sum(1 for line in Path(trace.name).read_text().splitlines() if "sync(" in line)


def measure_cli(store_path: Path, calls: int = CLI_CALLS) -> dict[str, Any]:
    """A scripted loop of `newsdesk tag +benchcli -- id:ID` (then -benchcli), one process a call,
    on random articles; `newsdesk --version` and `import store` alike, interleaved."""
    from store import NewsStore

    with NewsStore(store_path, readonly=True) as store:
        ids = [item.id for item in store.list(limit=5000)]
    rng = random.Random(OPS_SEED)
    cli_ms("--version")  # bytecode caches written once
    tags, versions, imports = [], [], []
    for call in range(calls):
        word = ("+" if call % 2 == 0 else "-") + "benchcli"
        tags.append(cli_ms("--store", str(store_path), "tag", word, "--", f"id:{rng.choice(ids)}"))
        versions.append(cli_ms("--version"))
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import store"], check=True, env=cli_env(), cwd=REPO)
        imports.append((time.perf_counter() - started) * 1000)
    syncs = count_syncs("--store", str(store_path), "tag", "+benchsync", "--", f"id:{ids[0]}")
    return {
        "tag_median_ms": statistics.median(tags),
        "tag_p95_ms": percentile(tags, 0.95),
        "tag_min_ms": min(tags),
        "tag_runs_ms": tags,
        "version_median_ms": statistics.median(versions),
        "import_store_median_ms": statistics.median(imports),
        "tag_syncs": syncs,
        "loadavg_1min": os.getloadavg()[0],
    }


# -- measuring one size ------------------------------------------------------------------------
def disk_usage(root: Path) -> dict[str, float]:
    """MB actually allocated on disk (st_blocks), in total (backups/ left out) and per top-level
    entry (SQLite's -wal and -shm files counted with their database)."""
    parts: dict[str, float] = {}
    for entry in root.iterdir():
        files = [entry] if entry.is_file() else [p for p in entry.rglob("*") if p.is_file()]
        name = re.sub(r"-(wal|shm)$", "", entry.name)
        parts[name] = parts.get(name, 0.0) + sum(p.stat().st_blocks * 512 for p in files) / 1e6
    return {"total": sum(v for k, v in parts.items() if k != "backups"), **dict(sorted(parts.items()))}


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def open_once(store_path: Path, size: int) -> dict[str, float]:
    """A fresh process opens the store and lists the newest 50: its wall and in-process ms."""
    wall, printed = time_snippet(OPEN_SNIPPET, str(store_path))
    ms, listed = printed.split()
    assert int(listed) == min(50, size), printed
    return {"process_ms": wall, "in_process_ms": float(ms)}


def measure_open(store_path: Path, size: int) -> dict[str, Any]:
    walls, inside, baseline = [], [], []
    for _ in range(OPEN_RUNS):  # interleaved, so machine noise hits both alike
        baseline.append(time_snippet(BASELINE_SNIPPET)[0])
        run = open_once(store_path, size)
        walls.append(run["process_ms"])
        inside.append(run["in_process_ms"])
    return {
        "process_ms": statistics.median(walls),
        "process_runs_ms": walls,
        "in_process_ms": statistics.median(inside),
        "in_process_runs_ms": inside,
        "baseline_ms": statistics.median(baseline),
        "baseline_runs_ms": baseline,
    }


def measure_size(size: int, corpus: Path, keep: bool) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix=f"newsdesk-bench-{size}-"))
    store_path = workdir / "store"
    load_before = os.getloadavg()
    try:
        log(f"{size}: importing {corpus.name} into {store_path}")
        imported, import_wall = run_worker("import", str(store_path), str(corpus))
        assert imported["count"] == size, imported
        rate = size / imported["searchable_s"]  # until every article is in the full-text index
        log(f"{size}: imported in {imported['import_s']:.1f} s ({rate:.0f} articles/s)")
        first_open = open_once(store_path, size)
        disk = disk_usage(store_path)
        time.sleep(SETTLE_S)
        log(f"{size}: measuring open time ({OPEN_RUNS} runs)")
        opened = {**measure_open(store_path, size), "first_after_import": first_open}
        log(f"{size}: {STATE_WRITES} state writes and a bulk tag")
        ops, _ = run_worker("ops", str(store_path))
        writes = ops["state_write_ms"]
        log(f"{size}: {CLI_CALLS} `newsdesk tag` processes")
        cli = measure_cli(store_path)
        return {
            "cli": cli,
            "size": size,
            "import": {**imported, "rate": rate, "process_wall_s": import_wall},
            "peak_rss_mb": imported["maxrss_kb"] / 1024,
            "open": opened,
            "state_write": {
                "p50_ms": percentile(writes, 0.50),
                "p95_ms": percentile(writes, 0.95),
                "max_ms": max(writes),
                "runs_ms": writes,
            },
            "bulk_tag": {"n": ops["bulk_tag_n"], "ms": ops["bulk_tag_ms"]},
            "snapshot": {"first_ms": ops["snapshot_first_ms"], "next_ms": ops["snapshot_next_ms"]},
            "disk_mb": disk,
            "loadavg_1min": {"before": load_before[0], "after": os.getloadavg()[0]},
        }
    finally:
        if keep:
            log(f"{size}: store kept at {store_path}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# -- reporting ---------------------------------------------------------------------------------
def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), platform.processor()
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    disk = shutil.disk_usage(tempfile.gettempdir())
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024**2:.1f} GiB",
        "python": platform.python_version(),
        "tmp_disk": f"{tempfile.gettempdir()}: {disk.total / 1e9:.0f} GB, {disk.free / 1e9:.0f} GB free",
        "platform": platform.platform(),
        "commit": code_version(),
    }


CODE_UNDER_TEST = ("store", "articles", "tui")


def code_version() -> str:
    """The commit measured (marked dirty when the code under test has uncommitted changes) and a
    digest of that code's .py files, to notice the code changing while the benchmark runs."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    digest = hashlib.sha256()
    for folder in CODE_UNDER_TEST:
        for path in sorted((REPO / folder).rglob("*.py")):
            digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    dirty = git("status", "--porcelain", "--", *CODE_UNDER_TEST)
    commit = git("rev-parse", "--short", "HEAD") + (" (dirty)" if dirty else "")
    return f"{commit}, code sha256 {digest.hexdigest()[:12]}"


def _label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


ROWS: list[tuple[str, str, Callable[[dict[str, Any]], str]]] = [
    ("import rate until searchable (articles/s, wall)", "≥ 2,500 at 100k", lambda r: f"{r['import']['rate']:,.0f}"),
    ("import time (s)", "", lambda r: f"{r['import']['import_s']:.2f}"),
    (
        "import CPU per article: importing · indexing process (ms)",
        "",
        lambda r: " · ".join(f"{r['import'][k] * 1000 / r['size']:.3f}" for k in ("cpu_s", "children_cpu_s"))
        if "cpu_s" in r["import"]
        else "",
    ),
    ("… of which in store.add_articles (s)", "", lambda r: f"{r['import']['add_articles_s']:.2f}"),
    (
        "… add_articles per 1000-batch: first / last (ms)",
        "",
        lambda r: f"{r['import']['batch_ms'][0]:,.0f} / {r['import']['batch_ms'][-1]:,.0f}",
    ),
    ("import peak RSS (MB)", "", lambda r: f"{r['peak_rss_mb']:.0f}"),
    ("open + list 50, fresh process (ms, median of 5)", "", lambda r: f"{r['open']['process_ms']:.0f}"),
    ("`import store` only, fresh process (ms, median of 5)", "", lambda r: f"{r['open']['baseline_ms']:.0f}"),
    ("open + list 50, in process (ms, median of 5)", "", lambda r: f"{r['open']['in_process_ms']:.1f}"),
    (
        "first open + list 50 after the import: at once · 5 s later (ms, in process)",
        "",
        lambda r: f"{r['open']['first_after_import']['in_process_ms']:.0f} · {r['open']['in_process_runs_ms'][0]:.0f}",
    ),
    ("one durable state write p50 (ms)", "", lambda r: f"{r['state_write']['p50_ms']:.1f}"),
    ("one durable state write p95 (ms)", "≤ 30 at 100k, flat", lambda r: f"{r['state_write']['p95_ms']:.1f}"),
    ("one durable state write max (ms)", "", lambda r: f"{r['state_write']['max_ms']:.1f}"),
    ("bulk tag, one update_state (ms)", "", lambda r: f"{r['bulk_tag']['ms']:,.0f} ({_label(r['bulk_tag']['n'])})"),
    (
        "automatic snapshot: first · after one state write (ms)",
        "",
        lambda r: f"{r['snapshot']['first_ms']:,.0f} · {r['snapshot']['next_ms']:,.0f}",
    ),
    (
        "`newsdesk tag +x -- id:ID`, whole process: median / p95 (ms)",
        "≤ 100",
        lambda r: f"{r['cli']['tag_median_ms']:.0f} / {r['cli']['tag_p95_ms']:.0f}" if "cli" in r else "",
    ),
    (
        "`newsdesk --version` · `python -c 'import store'` (ms, median)",
        "",
        lambda r: " · ".join(f"{r['cli'][k]:.0f}" for k in ("version_median_ms", "import_store_median_ms"))
        if "cli" in r
        else "",
    ),
    ("fsync + fdatasync calls of one `newsdesk tag`", "", lambda r: str(r["cli"]["tag_syncs"]) if "cli" in r else ""),
    ("store on disk (MB, backups/ excluded)", "≤ 2× newsboat's cache", lambda r: f"{r['disk_mb']['total']:.0f}"),
    (
        "… articles/ · state/ · index.sqlite (MB)",
        "",
        lambda r: " · ".join(f"{r['disk_mb'].get(k, 0):.1f}" for k in ("articles", "state", "index.sqlite")),
    ),
]


def markdown_table(results: list[dict[str, Any]]) -> str:
    header = ["measure", *(_label(r["size"]) for r in results), "target"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, target, cell in ROWS:
        lines.append("| " + " | ".join([name, *(cell(r) for r in results), target]) + " |")
    return "\n".join(lines)


# -- profiling -----------------------------------------------------------------------------------
def profile_store(corpus: Path, out: Path, top: int = 25) -> Path:
    """cProfile, in this process, of importing `corpus`, of the single state writes and of the
    bulk tag the benchmark does; the report goes to <out>/profile-<corpus>.txt."""
    from store import NewsStore
    from tui.config import Settings
    from tui.importing import import_sources

    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-bench-profile-"))
    report = io.StringIO()

    def run(title: str, action: Callable[[], object]) -> None:
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.runcall(action)
        report.write(f"\n######## {title}: {time.perf_counter() - started:.2f} s under cProfile\n")
        stats = pstats.Stats(profiler, stream=report).strip_dirs()
        for order in ("tottime", "cumulative"):
            report.write(f"\n==== top {top} by {order} ====\n")
            stats.sort_stats(order).print_stats(top)

    try:
        with NewsStore(workdir / "store") as store:
            run(f"import {corpus.name}", lambda: import_sources(store, [str(corpus)], Settings()))
            ids = [item.id for item in store.list()]
            rng = random.Random(OPS_SEED)
            run(f"{STATE_WRITES} single state writes", lambda: single_writes(store, ids, rng))
            run(f"bulk tag of min({BULK_MAX}, N)", lambda: bulk_tag(store, ids, rng))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    path = out / f"profile-{corpus.stem}.txt"
    path.write_text(f"code: {code_version()}\n{report.getvalue()}", encoding="utf-8")
    return path


# -- entry point ---------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="comma-separated corpus sizes (default: %(default)s)"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="corpus cache and results directory (default: bench/corpora)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp stores")
    parser.add_argument("--html", action="store_true", help="bodies as HTML (corpora articles-html-N.jsonl)")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="only profile (cProfile) import, state writes and bulk tag at N"
    )
    parser.add_argument(
        "--cli", type=Path, metavar="STORE", help="only the `newsdesk tag` loop, on an existing store (copied first)"
    )
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        kind, *rest = args.worker
        print(json.dumps(WORKERS[kind](*rest)))
        return 0
    if args.cli:
        work = Path(tempfile.mkdtemp(prefix="newsdesk-bench-cli-"))
        try:
            shutil.copytree(args.cli, work / "store", ignore=shutil.ignore_patterns("backups"))
            print(json.dumps({"store": str(args.cli), "machine": machine(), **measure_cli(work / "store")}, indent=1))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    if args.profile:
        corpus = ensure_corpora(args.out, [args.profile], args.html)[args.profile]
        version = code_version()
        path = profile_store(corpus, args.out)
        if code_version() != version:
            log("WARNING: the code changed while profiling: run again")
        print(path.read_text(encoding="utf-8"))
        log(f"profile written to {path}")
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(","))
    corpora = ensure_corpora(args.out, sizes, args.html)
    info = machine()
    log("machine: " + "; ".join(f"{k} {v}" for k, v in info.items()))
    results = [measure_size(size, corpora[size], args.keep) for size in sizes]
    if code_version() != info["commit"]:
        info["warning"] = f"the code changed during the run (now {code_version()}): run again"
        log(f"WARNING: {info['warning']}")
    table = markdown_table(results)
    print(table)
    path = args.out / f"results-{date.today().isoformat()}.json"
    path.write_text(
        json.dumps(
            {
                "date": date.today().isoformat(),
                "machine": info,
                "command": " ".join(["python", *sys.argv]),
                "results": results,
                "table": table,
            },
            indent=1,
        )
    )
    log(f"results written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

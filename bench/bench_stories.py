"""Benchmark stories (issue 20): B-cubed precision and recall of copies and stories on a
labelled set, split into a part to tune on and a part only scored; the cost of assigning one
article at 100k; `stories rebuild` at 100k.

    python bench/bench_stories.py                  # quality on both parts
    python bench/bench_stories.py --speed [--n 100000]   # also the timings (store on disk)
    python bench/bench_stories.py --tune-only --seeds 20,21,22,23,24,25   # while tuning: means

The labelled set (built here, deterministic; no article text is stored in the repository):
  * the 193 Wikinews articles of ../shared/data/wikinews/articles.jsonl and the 26 demo articles
    (tui/demo/articles/samples.jsonl), events as labelled in bench/stories/labels.json (every
    article not named there is an event of its own; the 30 texts both research corpora hold are
    one event and copies of each other);
  * "different words": 70 % of the unlabelled Wikinews articles of eight lines or more are
    replaced by two reports of the one event, as two outlets would write it: the first half of its
    sentences under its title, and the second half under a title made of its own first sentence,
    up to a day later, from another source — half the time opening with the article's lede
    sentence, as a rewrite of the same news often does (a sentence in common, not a copy);
  * copies: 40 % of all articles get one or two reprints: re-wrapped (lines joined or split),
    trimmed (the last sentences dropped, up to a fifth), boilerplate added (a dateline, a
    subscription line, a copyright line), the title changed, another source, up to a day later;
  * a quarter of all articles lose their date (the owner's held-out set has 273 of 968).
The events are split in two by a hash of their label: "tune" (thresholds were chosen on it) and
"score" (only scored).  Each part is clustered on its own with articles.stories.rebuild.

B-cubed: for each article, precision is the share of its predicted cluster in its true one,
recall the share of its true cluster in its predicted one; both averaged over the articles.
Copies are scored against copy groups (one original text and its reprints), stories against events.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from articles.dates import to_timestamp  # noqa: E402
from articles.stories.features import day_of, profile  # noqa: E402
from articles.stories.rebuild import clusters, rebuild  # noqa: E402

WIKINEWS = ROOT.parent / "shared" / "data" / "wikinews" / "articles.jsonl"
DEMO = ROOT / "tui" / "demo" / "articles" / "samples.jsonl"
LABELS = ROOT / "bench" / "stories" / "labels.json"
OUTLETS = ["Harbour Post", "Daily Ledger", "Metro Wire", "Evening Courier", "Global Desk", "City Times"]
BOILER_HEAD = ["LONDON (Metro Wire) — ", "(Global Desk) ", "UPDATED — ", "NEW YORK, {d} — "]
BOILER_TAIL = [
    "\n\nSubscribe to our newsletter for the day's top stories.",
    "\n\n© {y} Metro Wire. All rights reserved. This material may not be redistributed.",
    "\n\nRead more: share this article on social media.",
    "\n\nReporting by staff; editing by the news desk.",
]


@dataclass
class Item:
    id: str
    title: str
    body: str
    day: float | None
    source: str
    event: str
    text: str  # copy group: the original text it carries


def base_items() -> list[Item]:
    labels = json.loads(LABELS.read_text())["events"]
    event_of = {i: label for label, ids in labels.items() for i in ids}
    items = []
    for line in WIKINEWS.read_text().splitlines():
        d = json.loads(line)
        event = event_of.get(d["id"], d["id"])
        text = event if event.startswith("same-text:") else d["id"]
        day = day_of(to_timestamp(d["date"] + "T12:00:00Z"))
        items.append(Item(d["id"], d["title"], d["body"], day, d["source"], event, text))
    for n, line in enumerate(DEMO.read_text().splitlines()):
        d = json.loads(line)
        i = f"demo-{n:02d}"
        items.append(Item(i, d["title"], d["body"], day_of(to_timestamp(d["published"])), d["source"],
                          event_of.get(i, i), i))
    return items


def sentences(body: str) -> list[str]:
    lines = [x.strip() for x in body.splitlines() if x.strip()]
    if len(lines) >= 6:
        return lines
    return [s for s in re.split(r"(?<=[.!?])\s+", body) if s.strip()]


def labelled_set(seed: int = 20) -> list[Item]:
    rng = random.Random(seed)
    out: list[Item] = []
    grouped = {e for e, n in _sizes(base_items()).items() if n > 1}
    for item in base_items():
        lines = sentences(item.body)
        if item.id.startswith("wikinews") and item.event not in grouped and len(lines) >= 8 and rng.random() < 0.7:
            half = len(lines) // 2
            first, second = lines[:half], lines[half:]
            title_b = " ".join(second[0].split()[:14]).rstrip(",.;:")
            out.append(Item(item.id + "-a", item.title, "\n".join(first), item.day, item.source, item.event,
                            item.id + "-a"))
            day_b = None if item.day is None else item.day + rng.choice([0.3, 0.8, 1.0])
            lede = [lines[0]] if rng.random() < 0.5 else []  # half the time it restates the lede
            out.append(Item(item.id + "-b", title_b, "\n".join(lede + second[1:]), day_b, rng.choice(OUTLETS),
                            item.event, item.id + "-b"))
        else:
            out.append(item)
    copies: list[Item] = []
    for item in out:
        if rng.random() >= 0.4:
            continue
        for k in range(rng.choice([1, 1, 2])):
            copies.append(reprint(item, k, rng))
    everything = out + copies
    for item in everything:
        if rng.random() < 0.25:
            item.day = None
    return everything


def reprint(item: Item, k: int, rng: random.Random) -> Item:
    lines = sentences(item.body)
    cut = rng.randint(0, max(0, len(lines) // 5))
    kept = lines[: len(lines) - cut] if cut else lines
    if rng.random() < 0.5:  # re-wrapped: paragraphs of two or three sentences
        paras, step = [], rng.choice([2, 3])
        for start in range(0, len(kept), step):
            paras.append(" ".join(kept[start : start + step]))
        body = "\n\n".join(paras)
    else:
        body = " ".join(kept)
    year = "2009" if item.day is None else time.strftime("%Y", time.gmtime(item.day * 86400))
    if rng.random() < 0.7:
        body = rng.choice(BOILER_HEAD).format(d="Tuesday") + body
    if rng.random() < 0.7:
        body += rng.choice(BOILER_TAIL).format(y=year)
    title = item.title
    roll = rng.random()
    if roll < 0.3:
        title = "UPDATE: " + title
    elif roll < 0.6:
        title = title.split(",")[0].split(":")[-1].strip() + " - " + rng.choice(OUTLETS)
    elif roll < 0.8:
        title = " ".join(kept[0].split()[:12]) if kept else title
    day = None if item.day is None else item.day + rng.choice([0.0, 0.1, 0.5, 1.0])
    return Item(f"{item.id}-copy{k}", title, body, day, rng.choice(OUTLETS), item.event, item.text)


def _sizes(items: list[Item]) -> dict[str, int]:
    sizes: dict[str, int] = defaultdict(int)
    for item in items:
        sizes[item.event] += 1
    return sizes


def part_of(event: str) -> str:
    return "score" if zlib.crc32(event.encode()) % 2 else "tune"


def bcubed(predicted: dict[str, str], truth: dict[str, str]) -> tuple[float, float]:
    pred_members: dict[str, set[str]] = defaultdict(set)
    true_members: dict[str, set[str]] = defaultdict(set)
    for i, c in predicted.items():
        pred_members[c].add(i)
    for i, c in truth.items():
        true_members[c].add(i)
    p = r = 0.0
    for i in truth:
        mine, real = pred_members[predicted[i]], true_members[truth[i]]
        both = len(mine & real)
        p += both / len(mine)
        r += both / len(real)
    return p / len(truth), r / len(truth)


ENTITY_CACHE = ROOT / "bench" / "corpora" / "stories-entities.json"


def extracted(items: list[Item]) -> dict[str, list[dict[str, object]]]:
    """Entities of each item's text as newsdesk extracts them (spaCy + consolidation), cached in
    bench/corpora/ by a digest of the text."""
    import hashlib

    cache: dict[str, list[dict[str, object]]] = json.loads(ENTITY_CACHE.read_text()) if ENTITY_CACHE.exists() else {}
    texts = {i.id: f"{i.title}\n\n{i.body}" for i in items}
    digest = {i: hashlib.blake2b(t.encode(), digest_size=12).hexdigest() for i, t in texts.items()}
    missing = sorted({digest[i]: t for i, t in texts.items() if digest[i] not in cache}.items())
    if missing:
        from articles.entities.extract import extract_texts, load_model

        found = extract_texts(load_model(), [t for _d, t in missing])
        for (d, _t), entities in zip(missing, found, strict=True):
            cache[d] = [e.to_dict() for e in entities]
        ENTITY_CACHE.parent.mkdir(parents=True, exist_ok=True)
        ENTITY_CACHE.write_text(json.dumps(cache))
    return {i: cache[digest[i]] for i in texts}


def score_part(items: list[Item], verbose: bool = False, entities: bool = False) -> dict[str, object]:
    found = extracted(items) if entities else {}
    profiles = [profile(i.id, i.title, i.body, i.day, found.get(i.id)) for i in items]
    links, _memory = rebuild(profiles)
    stories = clusters(links, 0)
    copies = clusters(links, 1)
    sp, sr = bcubed(stories, {i.id: i.event for i in items})
    cp, cr = bcubed(copies, {i.id: i.text for i in items})
    if verbose:
        show_errors(items, stories)
    return {
        "articles": len(items),
        "events": len({i.event for i in items}),
        "events_with_several": sum(1 for n in _sizes(items).values() if n > 1),
        "stories_precision": round(sp, 4),
        "stories_recall": round(sr, 4),
        "copies_precision": round(cp, 4),
        "copies_recall": round(cr, 4),
    }


def show_errors(items: list[Item], stories: dict[str, str]) -> None:
    by_id = {i.id: i for i in items}
    members: dict[str, list[str]] = defaultdict(list)
    for i, s in stories.items():
        members[s].append(i)
    for s, ids in members.items():
        events = {by_id[i].event for i in ids}
        if len(events) > 1:
            print("MERGED:", [(i, by_id[i].title[:50]) for i in ids], file=sys.stderr)
    true: dict[str, set[str]] = defaultdict(set)
    for i in items:
        true[i.event].add(stories[i.id])
    for e, found in true.items():
        if len(found) > 1:
            print("SPLIT:", e, [(i.id, i.title[:40]) for i in items if i.event == e], file=sys.stderr)


def speed(n: int) -> dict[str, object]:
    """`stories rebuild` over a copy of bench_reader's store of n articles, then the cost of
    assigning 1,000 new articles of the same generator (articles n+1 .. n+1000 of the larger
    corpus) imported into it, per article."""
    import itertools
    import shutil

    from articles.importers import read_sources
    from articles.importers.base import ImportOptions
    from articles.model import Article
    from store import NewsStore

    source = Path(f"/work/corpora/reader/store-{n}")
    work = Path(f"/work/corpora/stories-store-{n}")
    if not work.exists():
        shutil.copytree(source, work, ignore=shutil.ignore_patterns("newsdesk.lock", "backups"))
    result: dict[str, object] = {"articles": n}
    with NewsStore(work) as store:
        shutil.rmtree(work / "stories.sqlite", ignore_errors=True)
        start, cpu = time.perf_counter(), time.process_time()
        placed = store.stories.rebuild()
        result["rebuild_s"] = round(time.perf_counter() - start, 1)
        result["rebuild_cpu_s"] = round(time.process_time() - cpu, 1)
        result["placed"] = placed
        result["stories_of_two_or_more"] = len(store.stories.stories())
        more = Path("/work/corpora/articles-html-1000000.jsonl")
        lines = list(itertools.islice(more.open(), n, n + 1001))
        batch = work.parent / f"stories-batch-{n}.jsonl"
        batch.write_text("".join(lines))
        new = [item for item in read_sources([str(batch)], ImportOptions()) if isinstance(item, Article)]
        last = new.pop()
        store.add_articles(new)
        start, cpu = time.perf_counter(), time.process_time()
        assigned = store.stories.assign()
        spent = time.perf_counter() - start
        result["assigned"] = assigned
        result["assign_ms_per_article"] = round(1000 * spent / max(assigned, 1), 2)
        result["assign_cpu_ms_per_article"] = round(1000 * (time.process_time() - cpu) / max(assigned, 1), 2)
        store.add_articles([last])
        start, cpu = time.perf_counter(), time.process_time()
        store.stories.assign()
        result["assign_one_article_ms"] = round(1000 * (time.perf_counter() - start), 1)
        result["assign_one_article_cpu_ms"] = round(1000 * (time.process_time() - cpu), 1)
        new.append(last)
        result["load_average"] = os.getloadavg()[0]
        store.delete_articles([a.id for a in new])
        store.stories.assign()
    return result


def _means(runs: list[dict[str, Any]]) -> dict[str, object]:
    """The mean of each score over runs of several seeds (and the lowest stories precision)."""
    keys = [k for k in runs[0] if k.endswith(("precision", "recall"))]
    means: dict[str, object] = {k: round(sum(float(r[k]) for r in runs) / len(runs), 4) for k in keys}
    means["stories_precision_lowest"] = min(float(r["stories_precision"]) for r in runs)
    return means


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--speed", action="store_true", help="also time assignment and rebuild at --n")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--entities", action="store_true", help="with extracted entities (spaCy) as the names")
    parser.add_argument("--verbose", action="store_true", help="print merged and split stories of the tune part")
    parser.add_argument("--seeds", default="20", help="seeds of the generated set, e.g. 20,21,22 (means reported)")
    parser.add_argument("--tune-only", action="store_true", help="score the tune part only (while changing things)")
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    result: dict[str, object] = {}
    for part in ("tune",) if args.tune_only else ("tune", "score"):
        runs = []
        for seed in seeds:
            chosen = [i for i in labelled_set(seed) if part_of(i.event) == part]
            verbose = args.verbose and part == "tune" and seed == seeds[0]
            runs.append(score_part(chosen, verbose=verbose, entities=args.entities))
        result[part] = runs[0] if len(runs) == 1 else {"seeds": seeds, **_means(runs)}
    if args.speed:
        result["speed"] = speed(args.n)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

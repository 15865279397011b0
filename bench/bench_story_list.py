"""The reader's list grouped by story (`S`) at scale: the listing worker's load (every id of the
listing, their story links, the groups, the first page's rows and story rows) and a later page.

    python bench/bench_story_list.py STORE [--query TEXT] [--runs 3]

STORE is a store whose stories are placed (e.g. a copy of bench_stories.py's --speed store); it is
opened read-only.  Prints wall and CPU seconds per step (medians of the runs)."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from store import NewsStore, parse_query
from tui.screens.stories_group import StoryGroups, summarise
from tui.widgets.article_list import PAGE


def timed(work):  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    parser.add_argument("--query", default="")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    store = NewsStore(args.store, readonly=True, create=False)
    query = parse_query(args.query)
    groups_of = StoryGroups(store)
    steps: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.runs):
        ids, wall, cpu = timed(lambda: store.ids_matching(query))
        steps.setdefault("ids of the listing", []).append((wall, cpu))
        _links, wall, cpu = timed(lambda: store.stories.links(ids))
        steps.setdefault("their story links, looked up by id", []).append((wall, cpu))
        (groups, _row), wall, cpu = timed(lambda: groups_of.load(store, query, None))
        steps.setdefault("the whole load (ids, links, groups)", []).append((wall, cpu))
        _page, wall, cpu = timed(lambda: summarise(store, groups[:PAGE]))
        steps.setdefault("first page: rows and story rows", []).append((wall, cpu))
        middle = len(groups) // 2
        _page, wall, cpu = timed(lambda: summarise(store, groups[middle : middle + PAGE]))
        steps.setdefault("a later page", []).append((wall, cpu))
    stories = sum(1 for g in groups if len(g[1]) > 1)
    print(f"{len(ids)} articles in {len(groups)} rows ({stories} stories of 2+ in the listing)")
    for step, runs in steps.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"| {step} | {wall:.2f} s | {cpu:.2f} s |")
    store.close()


if __name__ == "__main__":
    main()

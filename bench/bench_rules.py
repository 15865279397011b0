"""Rules at import (issue 19): 5 batches of 1,000 new articles into a fresh store with 10 tag
rules (and, where the store has rule actions, a read and a star rule): commits and seconds.

    PYTHONPATH=. python bench/bench_rules.py [--store /tmp/bench-rules]

Runs against a tree before issue 19 too (tag rules only, `store.add_rule`), for the comparison
in docs/benchmarks.md."""

from __future__ import annotations

import argparse
import shutil
import time
from typing import Any

from articles.model import Article
from store import NewsStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="/tmp/bench-rules")
    root = parser.parse_args().store
    shutil.rmtree(root, ignore_errors=True)
    store: Any = NewsStore(root)
    actions = not callable(store.rules)  # store.rules: the rules service (issue 19)
    for n in range(10):
        if actions:
            store.rules.add(f"word{n}", tag=f"t{n}")
        else:
            store.add_rule(f"t{n}", f"word{n}")
    if actions:
        store.rules.add("word1", action="read")
        store.rules.add("word2", action="star")
    commits: list[int] = []
    record = store.core.record_commit

    def counted(*args: Any, **kwargs: Any) -> Any:
        commits.append(1)
        return record(*args, **kwargs)

    store.core.record_commit = counted
    start = time.perf_counter()
    for b in range(5):
        store.add_articles(
            [
                Article.create(
                    title=f"Story {b}-{i} word{i % 10} word{(i + 3) % 10}",
                    body="Some body text " * 20,
                    url=f"https://bench.test/{b}/{i}",
                )
                for i in range(1000)
            ]
        )
    took = time.perf_counter() - start
    rules = 12 if actions else 10
    print(f"{rules} rules: {len(commits)} commits, {took:.2f} s for 5 batches of 1,000 articles")
    store.close()
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

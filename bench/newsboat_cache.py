"""newsboat's cache for the reader bench's articles, to run newsboat side by side with newsdesk.

    python bench/newsboat_cache.py [--sizes 1000,10000,100000] [--out /work/corpora/newsboat]
    python bench/newsboat_cache.py --sizes 1000 --check     # and compare with the newsdesk store

For each size this writes <out>/<size>/ with:

  * cache.db: newsboat's own SQLite cache (tables rss_feed, rss_item, as newsboat itself creates
    them: the schema comes from running `newsboat -x print-unread` on an empty cache, so it is
    the installed version's), holding the articles of bench_tmux's corpus
    (/work/corpora/reader/articles-html-N.jsonl, the file the newsdesk store-N was imported from)
    with their HTML bodies, every one unread; one feed per source, as a reader subscribed to the
    corpus's 40 sources would have it;
  * urls: the feeds' urls, one a line (newsboat's subscription file);
  * config: no reload at start or on a timer, read feeds shown, no cleanup on quit (the cache
    stays as built), no confirmation on quit.

newsboat then opens on its feed list straight from the cache, without network:
`newsboat -u urls -c cache.db -C config` (with HOME set to the size's directory, so that its
search history and lock files stay there).  --check compares the articles' urls and titles with
what `newsdesk export` gives for the store the reader bench opens.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPORA = Path("/work/corpora/reader")
DEFAULT_OUT = Path("/work/corpora/newsboat")
CONFIG = """\
refresh-on-startup no
auto-reload no
show-read-feeds yes
show-read-articles yes
cleanup-on-quit no
confirm-exit no
"""
"""newsboat's config for the bench: open on the cache as it is, touch no network, change nothing."""


def log(message: str) -> None:
    print(f"[newsboat_cache] {message}", file=sys.stderr, flush=True)


def feed_url(source: str) -> str:
    """The url a source's feed has in the urls file and in rss_feed/rss_item.feedurl."""
    slug = "".join(c for c in source.lower().removeprefix("the ").replace(" ", "-") if c.isalnum() or c == "-")
    return f"https://news.example/{slug}/feed.xml"


def records(corpus: Path) -> Iterator[dict[str, Any]]:
    with open(corpus, "rb") as handle:
        for line in handle:
            if line.strip():
                yield orjson.loads(line)


def empty_cache(directory: Path) -> Path:
    """An empty cache.db made by the installed newsboat itself (its schema, its metadata)."""
    scratch = directory / "schema"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    (scratch / "urls").write_text("https://news.example/schema/feed.xml\n")
    (scratch / "config").write_text(CONFIG)
    command = ["newsboat", "-u", "urls", "-c", "cache.db", "-C", "config", "-x", "print-unread"]
    subprocess.run(command, cwd=scratch, env={**os.environ, "HOME": str(scratch)}, check=True, capture_output=True)
    return scratch / "cache.db"


def epoch(published: str) -> int:
    return int(datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp())


def build(out: Path, size: int, corpus: Path) -> Path:
    """<out>/<size>/ with cache.db, urls and config; built once (a `.complete` marker)."""
    directory = out / str(size)
    if (directory / ".complete").exists():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    partial = directory / "cache.db.partial"
    shutil.copyfile(empty_cache(directory), partial)
    shutil.rmtree(directory / "schema")
    feeds: dict[str, str] = {}
    db = sqlite3.connect(partial)
    with db:
        count = 0

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal count
            for record in records(corpus):
                url = feeds.setdefault(record["source"], feed_url(record["source"]))
                count += 1
                yield (
                    record["url"], record["title"], record.get("author") or "", record["url"], url,
                    epoch(record["published"]), record["body"], 1, "", "", 0, "", 0, "",
                )

        db.executemany(
            "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread,"
            " enclosure_url, enclosure_type, enqueued, flags, deleted, base)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows(),
        )
        db.executemany(
            "INSERT INTO rss_feed (rssurl, url, title, lastmodified) VALUES (?, ?, ?, ?)",
            [(url, url.removesuffix("feed.xml"), source, int(time.time())) for source, url in feeds.items()],
        )
    db.execute("ANALYZE")
    db.close()
    if count != size:
        raise SystemExit(f"{corpus} has {count} articles, not {size}")
    os.replace(partial, directory / "cache.db")
    (directory / "urls").write_text("".join(f"{url}\n" for url in sorted(feeds.values())))
    (directory / "config").write_text(CONFIG)
    (directory / ".complete").write_text("ok")
    log(f"{size}: {count} articles in {len(feeds)} feeds, {time.perf_counter() - started:.1f} s")
    return directory


def check(size: int, corpus: Path, store: Path) -> str:
    """The corpus's (url, title) pairs against those `newsdesk export` gives for the store."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NEWSDESK_CONFIG": str(CORPORA / "config.toml")}
    command = [sys.executable, "-m", "tui.cli", "--store", str(store), "export"]
    exported = set()
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        for line in process.stdout:
            item = orjson.loads(line)
            exported.add((item["url"], item["title"]))
    expected = {(record["url"], record["title"]) for record in records(corpus)}
    if exported != expected:
        only = f"{len(expected - exported)} only in the corpus, {len(exported - expected)} only in {store}"
        return f"{size}: DIFFERENT: {only}"
    return f"{size}: the same {len(expected)} articles (url and title) as {store}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="caches (default: %(default)s)")
    parser.add_argument(
        "--corpora", type=Path, default=CORPORA, help="articles-html-N.jsonl and store-N (default: %(default)s)"
    )
    parser.add_argument("--check", action="store_true", help="compare with the newsdesk store-N's articles")
    args = parser.parse_args(argv)
    for size in (int(s) for s in args.sizes.split(",")):
        corpus = args.corpora / f"articles-html-{size}.jsonl"
        directory = build(args.out, size, corpus)
        print(f"{size}: {directory} ({(directory / 'cache.db').stat().st_size / 1e6:.0f} MB)")
        if args.check:
            print(check(size, corpus, args.corpora / f"store-{size}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

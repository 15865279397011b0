"""Subscriptions from the command line: `feeds` (list, remove, pause, resume) and `refresh`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from articles.sanitize import clean_line

FEEDS_VERBS = ("remove", "pause", "resume", "fulltext")


def register(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command(
        sub,
        "feeds",
        "list subscriptions with article and unread counts; remove, pause or resume one",
        "newsdesk feeds --json\n  newsdesk feeds pause https://example.org/feed.xml\n"
        "  newsdesk feeds remove https://example.org/feed.xml   # its articles stay\n"
        "  newsdesk feeds fulltext on https://example.org/teasers.xml   # fetch each item's page",
    )
    p.add_argument(
        "words",
        nargs="*",
        metavar="remove|pause|resume URL, or fulltext on|off URL",
        help="a change to one subscription",
    )
    p.add_argument("--json", action="store_true", help="print one JSON array (the list)")
    p = command(
        sub,
        "refresh",
        "fetch every subscription that is not paused (or those named) and import what is new; "
        "sends ETag/Last-Modified, follows a permanent move, pauses a feed that is gone (410); "
        "safe from cron beside open readers",
        "newsdesk refresh\n  */30 * * * * newsdesk refresh --no-entities   # crontab",
    )
    p.add_argument("urls", nargs="*", metavar="URL", help="only these subscriptions (paused ones too)")
    p.add_argument("--no-entities", action="store_true", help="skip entity extraction of new articles")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _cli() -> Any:
    from tui import cli

    return cli


def cmd_feeds(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    if args.words:
        usage = "usage: newsdesk feeds remove|pause|resume URL, or newsdesk feeds fulltext on|off URL"
        if args.words[0] == "fulltext":
            if len(args.words) != 3 or args.words[1] not in ("on", "off"):
                raise cli.UsageError(usage)
            verb, url = f"fulltext {args.words[1]}", args.words[2]
        elif len(args.words) != 2 or args.words[0] not in FEEDS_VERBS:
            raise cli.UsageError(usage)
        else:
            verb, url = args.words
        with cli._open_store(args, write=True, create=False) as store:
            if verb == "remove":
                found = store.remove_feed(url)
            elif verb.startswith("fulltext"):
                found = store.update_feed(url, full_text=verb.endswith("on"))
            else:
                found = store.pause_feed(url, verb == "pause", note="paused by hand")
        if not found:
            print(f"newsdesk: no subscription {clean_line(url)} (newsdesk feeds lists them)", file=sys.stderr)
            return int(cli.EXIT_PARTIAL)
        done = {
            "remove": "removed (its articles stay)",
            "pause": "paused",
            "resume": "resumed",
            "fulltext on": "new items will be read from their pages",
            "fulltext off": "items will be kept as the feed gives them",
        }[verb]
        print(f"{clean_line(url)}: {done}")
        return int(cli.EXIT_OK)
    with cli._open_store(args) as store:
        feeds = store.feed_counts()
    if args.json:
        cli._out(feeds)
        return int(cli.EXIT_OK)
    if not feeds:
        print("no subscriptions yet; add one with: newsdesk import https://example.org/feed.xml (or an OPML file)")
        return int(cli.EXIT_OK)
    for feed in feeds:
        state = " (paused)" if feed.get("paused") else (" (failing)" if feed.get("error") else "")
        counts = f"{feed['unread']:>5}/{feed['articles']:<5}"
        print(f"{counts} {clean_line(feed.get('url'))}  {clean_line(feed.get('title'))}{state}")
    return int(cli.EXIT_OK)


def cmd_refresh(args: argparse.Namespace, settings: Any) -> int:
    from tui.refreshing import due_feeds, refresh_feeds

    cli = _cli()
    with cli._open_store(args, write=True, create=False) as store:
        feeds = due_feeds(store, args.urls or None)
        if args.urls:
            missing = set(args.urls) - {f["url"] for f in feeds}
            for url in sorted(missing):
                print(f"newsdesk: no subscription {clean_line(url)}", file=sys.stderr)
        summary = refresh_feeds(store, settings, feeds, progress=_progress(sys.stderr))
        ids = summary.pop("ids", [])
        summary["entities"] = cli._extract(store, ids, settings) if ids and not args.no_entities else 0
    if args.json:
        cli._out(summary)
    else:
        print(
            f"{summary['feeds']} feeds: {summary['new']} fetched, {summary['unchanged']} unchanged, "
            f"{summary['failed']} failed, {summary['gone']} gone; imported {summary['imported']}, "
            f"updated {summary['updated']}"
        )
    partial = summary["failed"] or (args.urls and len(feeds) < len(set(args.urls)))
    return int(cli.EXIT_PARTIAL if partial else cli.EXIT_OK)


def _progress(stream: Any) -> Callable[[int, int, str], None] | None:
    if not stream.isatty():
        return None

    def show(done: int, total: int, url: str) -> None:
        stream.write(f"\r\x1b[Krefreshing… {done}/{total}  {clean_line(url)[:50]}" if done < total else "\r\x1b[K")
        stream.flush()

    return show


HANDLERS: dict[str, Callable[[argparse.Namespace, Any], int]] = {"feeds": cmd_feeds, "refresh": cmd_refresh}

"""Bringing articles in from the command line: `import`, and the subscriptions: `feeds` (list,
remove, pause, resume, fulltext) and `refresh`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from articles.sanitize import clean_line
from tui.cli.arguments import add_command
from tui.cli.common import ExitCode, UsageError, open_store, print_json
from tui.cli.entities import extract
from tui.cli.stories import place_stories
from tui.cli.trash import trashed_text
from tui.importing import import_sources, progress_line

if TYPE_CHECKING:
    from tui.config import Settings

FEEDS_VERBS = ("remove", "pause", "resume", "fulltext")


def register(sub: Any) -> None:
    """The `feeds` and `refresh` commands (`import` is the parser's first command)."""
    p = add_command(
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
    p = add_command(
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


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(args, write=True)
    with store:
        summary = import_sources(
            store, args.sources, settings, progress=progress_line(sys.stderr), verbose=args.verbose
        )
        ids = summary.pop("ids", [])
        summary["entities"] = 0
        if ids and not args.no_entities:
            summary["entities"] = extract(store, ids, settings)
        summary["stories"] = place_stories(store, args.sources) if ids else 0
        summary["trashed"] = trashed_by_rules(store, ids)
        if settings.keep_days:  # retention, when the config asks for it: never what was just brought in
            pruned = store.prune(settings.keep_days, by=settings.keep_by, spare=ids, trash_days=settings.trash_days)
            summary["pruned"] = len(pruned)
    if args.json:
        print_json(summary)
    else:
        print(
            f"imported {summary['imported']}, updated {summary['updated']}, duplicates {summary['duplicates']}, "
            f"failed {summary['failed']}"
            + (f", skipped {summary['skipped']}" if summary["skipped"] else "")
            + (f", new feeds {summary['feeds']}" if summary["feeds"] else "")
        )
        if summary["trashed"]:
            print(rules_trashed_text(summary["trashed"]))
        if summary.get("pruned"):
            print(trashed_text(summary["pruned"], settings.trash_days, _retention_why(settings)))
    return ExitCode.PARTIAL if summary["failed"] else ExitCode.OK


def trashed_by_rules(store: Any, ids: Sequence[str]) -> int:
    """How many of the articles an import or refresh brought in a delete rule moved to the trash
    at once (at the import, or once their entities were stored): counted only when a delete rule
    exists, so an import without one pays no lookup."""
    if not ids or not any(rule.action == "delete" for rule in store.rules.list()):
        return 0
    return len(set(ids) - set(store.list_items(ids)))


def rules_trashed_text(count: int) -> str:
    them = "it" if count == 1 else "them"
    return f"{count:,} of them moved to the trash by a delete rule at once (`newsdesk trash` lists {them})"


def _retention_why(settings: Settings) -> str:
    counted = "published" if settings.keep_by == "published" else "added to this store"
    return f"retention: {counted} more than {settings.keep_days} days ago, neither starred nor tagged"


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    if args.words:
        usage = "usage: newsdesk feeds remove|pause|resume URL, or newsdesk feeds fulltext on|off URL"
        if args.words[0] == "fulltext":
            if len(args.words) != 3 or args.words[1] not in ("on", "off"):
                raise UsageError(usage)
            verb, url = f"fulltext {args.words[1]}", args.words[2]
        elif len(args.words) != 2 or args.words[0] not in FEEDS_VERBS:
            raise UsageError(usage)
        else:
            verb, url = args.words
        with open_store(args, write=True, create=False) as store:
            if verb == "remove":
                found = store.remove_feed(url)
            elif verb.startswith("fulltext"):
                found = store.update_feed(url, full_text=verb.endswith("on"))
            else:
                found = store.pause_feed(url, verb == "pause", note="paused by hand")
        if not found:
            print(f"newsdesk: no subscription {clean_line(url)} (newsdesk feeds lists them)", file=sys.stderr)
            return ExitCode.PARTIAL
        done = {
            "remove": "removed (its articles stay)",
            "pause": "paused",
            "resume": "resumed",
            "fulltext on": "new items will be read from their pages",
            "fulltext off": "items will be kept as the feed gives them",
        }[verb]
        print(f"{clean_line(url)}: {done}")
        return ExitCode.OK
    with open_store(args) as store:
        feeds = store.feed_counts()
    if args.json:
        print_json(feeds)
        return ExitCode.OK
    if not feeds:
        print("no subscriptions yet; add one with: newsdesk import https://example.org/feed.xml (or an OPML file)")
        return ExitCode.OK
    for feed in feeds:
        state = " (paused)" if feed.get("paused") else (" (failing)" if feed.get("error") else "")
        counts = f"{feed['unread']:>5}/{feed['articles']:<5}"
        print(f"{counts} {clean_line(feed.get('url'))}  {clean_line(feed.get('title'))}{state}")
    return ExitCode.OK


def cmd_refresh(args: argparse.Namespace, settings: Settings) -> int:
    from tui.refreshing import due_feeds, refresh_feeds

    with open_store(args, write=True, create=False) as store:
        feeds = due_feeds(store, args.urls or None)
        if args.urls:
            missing = set(args.urls) - {f["url"] for f in feeds}
            for url in sorted(missing):
                print(f"newsdesk: no subscription {clean_line(url)}", file=sys.stderr)
        summary = refresh_feeds(store, settings, feeds, progress=_progress(sys.stderr))
        ids = summary.pop("ids", [])
        summary["entities"] = extract(store, ids, settings) if ids and not args.no_entities else 0
        summary["stories"] = place_stories(store, []) if ids else 0
        summary["trashed"] = trashed_by_rules(store, ids)
    if args.json:
        print_json(summary)
    else:
        print(
            f"{summary['feeds']} feeds: {summary['new']} fetched, {summary['unchanged']} unchanged, "
            f"{summary['failed']} failed, {summary['gone']} gone; imported {summary['imported']}, "
            f"updated {summary['updated']}"
        )
        if summary["trashed"]:
            print(rules_trashed_text(summary["trashed"]))
    partial = summary["failed"] or (args.urls and len(feeds) < len(set(args.urls)))
    return ExitCode.PARTIAL if partial else ExitCode.OK


def _progress(stream: Any) -> Callable[[int, int, str], None] | None:
    if not stream.isatty():
        return None

    def show(done: int, total: int, url: str) -> None:
        stream.write(f"\r\x1b[Krefreshing… {done}/{total}  {clean_line(url)[:50]}" if done < total else "\r\x1b[K")
        stream.flush()

    return show


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "import": cmd_import,
    "feeds": cmd_feeds,
    "refresh": cmd_refresh,
}

"""Reading the store from the command line: `list`, `search`, `show` and `export`."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import orjson

from articles.dates import local_display
from articles.sanitize import clean_line, strip_controls
from tui.cli.arguments import parse_query
from tui.cli.common import ExitCode, UsageError, open_store, print_error, print_json

if TYPE_CHECKING:
    from tui.config import Settings


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(args) as store:
        items = store.list(limit=args.limit)
        records = store.stories.annotate([i.to_json() for i in items]) if args.json else []
    if args.json:
        print_json(records)
        return ExitCode.OK
    for item in items:
        print(format_list_line(item))
    return ExitCode.OK


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    query = parse_query(args)
    if args.count and args.output not in (None, "count"):
        raise UsageError(f"--count and --output={args.output} ask for two different outputs; give one")
    if args.output and args.output != "count":
        return _search_output(args, query)
    with open_store(args) as store:
        if args.count or args.output == "count":
            count = store.count_matching(query)
            print_json({"count": count}) if args.json else print(count)
            return ExitCode.OK
        result = store.search(query, limit=args.limit)
        records = store.stories.annotate([i.to_json() for i in result.items]) if args.json else []
    if args.json:
        print_json(records)
        return ExitCode.OK
    for item in result.items:
        print(format_list_line(item))
    if sys.stderr.isatty():
        order = "by relevance" if result.ranked else ("oldest first" if result.sort == "old" else "newest first")
        print_error(f"{result.count} matching, {order}")
    return ExitCode.OK


def _search_output(args: argparse.Namespace, query: Any) -> int:
    """`search --output=ids|tags|urls`: one a line (with --json, one JSON array), as notmuch's."""
    with open_store(args) as store:
        items = store.search(query, limit=args.limit).items
    if args.output == "ids":
        values = [i.id for i in items]
    elif args.output == "urls":
        values = [i.url for i in items if i.url]
    else:  # every tag of the matches once, in the spelling first met, sorted as notmuch sorts them
        seen: dict[str, str] = {}
        for item in items:
            for tag in item.tags:
                seen.setdefault(tag.casefold(), tag)
        values = [seen[key] for key in sorted(seen)]
    if args.json:
        print_json(values)
    else:
        sys.stdout.write("".join(f"{clean_line(v)}\n" for v in values))
    return ExitCode.OK


def format_list_line(item: Any) -> str:
    """ID  date  flags  source  title  [tags] — one line, safe for a terminal."""
    flags = ("N" if not item.read else " ") + ("*" if item.starred else " ")
    tags = f"  [{', '.join(clean_line(t) for t in item.tags)}]" if item.tags else ""
    when = f"{local_display(item.published, date_only=item.date_only):<16}"  # a calendar day has no time
    source = clean_line(item.source)[:20]
    return f"{item.id}  {when}  {flags} {source:<20}  {clean_line(item.title)}{tags}"


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    import re

    wanted = args.id.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{1,12}", wanted):
        raise UsageError(f"{clean_line(args.id)!r} is not an article id: ids are 12 characters 0-9 and a-f")
    if len(wanted) < 4:
        raise UsageError(f"{wanted!r} is too short: an id prefix needs at least 4 characters (ids have 12)")
    with open_store(args) as store:
        article_id = store.resolve(wanted)
        stored = store.get(article_id) if article_id else None
        sharing = 0 if stored is not None or len(wanted) == 12 else store.count_matching(_id_query(wanted))
        record = store.stories.annotate([stored.to_json()])[0] if stored is not None and args.json else {}
    if stored is None:
        if sharing > 1:
            print_error(f"newsdesk: {sharing} articles have ids starting with {wanted!r}; give more characters")
        else:
            print_error(f"newsdesk: no article {wanted!r}")
        return ExitCode.PARTIAL
    if args.json:
        print_json(record)
        return ExitCode.OK
    a, state = stored.article, stored.state
    lines = [a.title, ""]
    for label, value in (
        ("Source", a.source),
        ("Author", a.author),
        ("Date", local_display(a.published, date_only=a.date_only)),
        ("Added", local_display(a.added)),
        ("Url", a.url or ""),
        ("Tags", ", ".join(state.tags)),
        ("Id", a.id),
    ):
        if value:
            lines.append(f"{label + ':':8}{clean_line(value)}")
    lines.append("")
    if a.standfirst():  # not when the body opens with it: shown once
        lines += [a.standfirst(), ""]
    lines.append(a.body)
    if a.links:  # the body marks link N as [N]
        lines += ["", "Links:", *(f"[{n}] {link}" for n, link in enumerate(a.links, start=1))]
    print(strip_controls("\n".join(lines)))
    return ExitCode.OK


def _id_query(prefix: str) -> Any:
    from store import parse_query

    return parse_query(f"id:{prefix}")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from articles.importers.records import export_record

    query = replace(parse_query(args), sort="new") if args.query else None
    with open_store(args) as store:
        out = sys.stdout.buffer
        if args.format == "jsonl":
            links, corrections = store.stories.all_links(), store.stories.corrections_by_article()
            for stored in store.iter_articles(query=query):
                s = stored.state
                record = export_record(stored.article, list(s.tags), s.read, s.starred)
                record["story"], record["copy_of"] = links.get(stored.article.id, (None, None))
                if stored.article.id in corrections:
                    record["story_links"] = corrections[stored.article.id]
                out.write(orjson.dumps(record) + b"\n")
        elif args.format == "csv":
            text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
            writer = csv.writer(text)
            writer.writerow(["id", "title", "source", "url", "published", "tags", "read", "starred"])
            items = store.search(query).items if query is not None else store.list()
            for item in items:
                writer.writerow(
                    [
                        item.id,
                        item.title,
                        item.source,
                        item.url or "",
                        item.published or "",
                        ",".join(item.tags),
                        int(item.read),
                        int(item.starred),
                    ]
                )
            text.detach()
        else:
            out.write(opml_document(store.subscriptions()).encode("utf-8"))
    sys.stdout.flush()
    return ExitCode.OK


def opml_document(feeds: list[dict[str, Any]]) -> str:
    from xml.sax.saxutils import quoteattr

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head><title>newsdesk subscriptions</title></head>",
        "  <body>",
    ]
    for feed in feeds:
        title = quoteattr(clean_line(feed.get("title")) or feed["url"])
        lines.append(f'    <outline type="rss" text={title} title={title} xmlUrl={quoteattr(feed["url"])}/>')
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "list": cmd_list,
    "search": cmd_search,
    "show": cmd_show,
    "export": cmd_export,
}

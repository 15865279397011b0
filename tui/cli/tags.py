"""The commands that change many articles at once (docs/cli.md): tag, mark, tags, delete,
prune, dump-tags, restore-tags (rules: tui.cli.rules; tag --batch: tui.cli.batch).  Each change
is one commit in the store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from articles.sanitize import clean_line
from tui.cli.arguments import add_command, add_query_argument, parse_query
from tui.cli.common import ExitCode, UsageError, open_store, print_error, print_json

if TYPE_CHECKING:
    from tui.config import Settings

STATE_WORDS = {
    "read": {"read": True},
    "unread": {"read": False},
    "starred": {"starred": True},
    "unstarred": {"starred": False},
}


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "tag",
        "add (+TAG) and remove (-TAG) tags on every article matching QUERY, in one commit",
        "newsdesk tag +climate -later -- 'flood OR drought' after:7d\n"
        "  printf '%s\\n' '+climate -- flood' '-later -- before:30d' | newsdesk tag --batch",
    )
    add_query_argument(p)
    p.add_argument("--json", action="store_true", help='print {"changed": N}')
    p.add_argument(
        "--batch",
        action="store_true",
        help="read lines of `+TAG -TAG -- QUERY` from stdin and apply them all in one commit",
    )

    p = add_command(
        sub,
        "mark",
        "set read, unread, starred or unstarred on every article matching QUERY",
        "newsdesk mark read -- tag:later before:30d",
    )
    add_query_argument(p)
    p.add_argument("--json", action="store_true", help='print {"changed": N}')

    p = add_command(
        sub,
        "tags",
        "every tag with article and unread counts; `tags rename OLD NEW`, `tags delete TAG`",
        "newsdesk tags --json\n  newsdesk tags rename climate 'climate change'",
    )
    p.add_argument("words", nargs="*", metavar="rename OLD NEW | delete TAG")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = add_command(
        sub,
        "delete",
        "move every article matching QUERY (record, tags and state) to the trash, in one commit "
        "(`newsdesk undelete -- QUERY` brings them back)",
        "newsdesk delete -- source:spam before:1y",
    )
    add_query_argument(p)
    p.add_argument("--json", action="store_true", help='print {"deleted": N}')

    p = add_command(
        sub,
        "prune",
        "retention: move to the trash the articles added to this store more than N days ago "
        "(--by published: published) that are neither starred nor tagged",
        "newsdesk prune --days 365\n  newsdesk prune --days 365 --by published",
    )
    p.add_argument("--days", type=int, metavar="N", help="default: [store] keep_days in the config")
    p.add_argument(
        "--by",
        choices=("added", "published"),
        help="count age from when the article was added to this store, or its date (default: [store] keep_by)",
    )
    p.add_argument("--json", action="store_true", help='print {"deleted": N}')

    add_command(sub, "dump-tags", "tags and reading state as JSON lines on stdout", "newsdesk dump-tags > tags.jsonl")
    add_command(
        sub,
        "restore-tags",
        "merge dumped tags and state from stdin: tags are unioned, read/starred set",
        "newsdesk restore-tags < tags.jsonl",
    )


def _changed(args: argparse.Namespace, changed: Sequence[str]) -> int:
    if getattr(args, "json", False):
        print_json({"changed": len(changed)})
    else:
        print(f"{len(changed)} article{'s' if len(changed) != 1 else ''} changed")
    return ExitCode.OK


def cmd_tag(args: argparse.Namespace, settings: Settings) -> int:
    from tui.cli.batch import cmd_tag_batch, tag_words

    if args.batch:
        return cmd_tag_batch(args, settings)
    words = getattr(args, "tag_words", None)
    if words is None:
        raise UsageError("tag needs -- between the tags and the query: newsdesk tag +TAG -TAG -- QUERY")
    add, remove = tag_words(words)
    query = parse_query(args)
    from store import TagError

    with open_store(args, write=True) as store:
        try:
            changed = store.tag_query(query, add=add, remove=remove)
        except TagError as exc:
            raise UsageError(str(exc)) from None
    return _changed(args, changed)


def cmd_mark(args: argparse.Namespace, settings: Settings) -> int:
    words = getattr(args, "tag_words", None)
    if words is None:
        raise UsageError("mark needs -- before the query: newsdesk mark read -- QUERY")
    changes: dict[str, bool] = {}
    for word in words:
        if word not in STATE_WORDS:
            raise UsageError(f"mark takes read, unread, starred or unstarred, not {clean_line(word)!r}")
        changes.update(STATE_WORDS[word])
    if not changes:
        raise UsageError("mark needs read, unread, starred or unstarred before --")
    query = parse_query(args)
    with open_store(args, write=True) as store:
        ids = store.ids_matching(query)
        changed = store.update_state(ids, read=changes.get("read"), starred=changes.get("starred"))
    return _changed(args, changed)


def cmd_tags(args: argparse.Namespace, settings: Settings) -> int:
    from store import TagError

    words = list(args.words)
    if not words:
        with open_store(args) as store:
            counts = store.tag_counts()
        if args.json:
            print_json(counts)
        elif not counts:
            print("no tags yet; add one with: newsdesk tag +TAG -- QUERY (or t in the reader)")
        else:
            for entry in counts:
                print(f"{entry['articles']:>6} {entry['unread']:>6}  {clean_line(entry['tag'])}")
        return ExitCode.OK
    try:
        if words[0] == "rename" and len(words) == 3:
            with open_store(args, write=True) as store:
                return _changed(args, store.rename_tag(words[1], words[2]))
        if words[0] == "delete" and len(words) == 2:
            with open_store(args, write=True) as store:
                return _changed(args, store.delete_tag(words[1]))
    except TagError as exc:
        raise UsageError(str(exc)) from None
    raise UsageError("usage: newsdesk tags [--json] | tags rename OLD NEW | tags delete TAG")


def cmd_delete(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "tag_words", None) is None:
        raise UsageError("delete needs -- before the query: newsdesk delete -- QUERY")
    if not args.query:
        raise UsageError("delete needs a query (an empty one would delete every article)")
    query = parse_query(args)
    with open_store(args, write=True) as store:
        deleted = store.delete_articles(store.ids_matching(query), trash_days=settings.trash_days)
    return _deleted(args, deleted, settings)


def cmd_prune(args: argparse.Namespace, settings: Settings) -> int:
    days = args.days if args.days is not None else settings.keep_days
    if days is None or days < 1:
        raise UsageError("prune needs --days N (N >= 1), or keep_days in the [store] section of the config")
    by = args.by or settings.keep_by
    with open_store(args, write=True) as store:
        deleted = store.prune(days, by=by, trash_days=settings.trash_days)
    counted = "published" if by == "published" else "added to this store"
    return _deleted(args, deleted, settings, f"retention: {counted} more than {days} days ago")


def _deleted(args: argparse.Namespace, deleted: Sequence[Any], settings: Settings, why: str = "") -> int:
    from tui.cli.trash import trashed_text

    if getattr(args, "json", False):
        print_json({"deleted": len(deleted)})
    else:
        print(trashed_text(len(deleted), settings.trash_days, why))
    return ExitCode.OK


def cmd_dump_tags(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(args) as store:
        out = sys.stdout.buffer
        for record in store.dump_states():
            out.write(orjson.dumps(record) + b"\n")
    sys.stdout.flush()
    return ExitCode.OK


def cmd_restore_tags(args: argparse.Namespace, settings: Settings) -> int:
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    from articles.importers import bounded_lines

    limit = settings.max_file_bytes  # a line without end (restore-tags < /dev/zero) is not held whole
    for number, line in enumerate(bounded_lines(b"", sys.stdin.buffer, limit), start=1):
        if line is None:  # not a tag dump (dump-tags writes short lines): nothing is restored
            print_error(
                f"restore-tags: line {number}: longer than the {limit:,}-byte limit ([import] max_file_bytes); "
                "not a dump-tags file, nothing restored"
            )
            return ExitCode.PARTIAL
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc})")
            continue
        if isinstance(record, dict):
            records.append(record)
        else:
            problems.append(f"line {number}: not a JSON object")
    with open_store(args, write=True) as store:
        changed, not_found = store.restore_states(records)
    every = [*problems, *not_found]
    for problem in every[:100]:
        print_error(f"restore-tags: {problem}")
    if len(every) > 100:
        print_error(f"restore-tags: {len(every) - 100:,} more problems not shown ({len(every):,} in all)")
    print(f"{len(changed)} article{'s' if len(changed) != 1 else ''} changed")
    return ExitCode.PARTIAL if problems or not_found else ExitCode.OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "tag": cmd_tag,
    "mark": cmd_mark,
    "tags": cmd_tags,
    "delete": cmd_delete,
    "prune": cmd_prune,
    "dump-tags": cmd_dump_tags,
    "restore-tags": cmd_restore_tags,
}

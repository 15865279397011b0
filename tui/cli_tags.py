"""The tagging commands of the CLI (CLI.md): tag, mark, tags, rules, dump-tags, restore-tags.
Registered by tui.cli; each change is one commit in the store."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

import orjson

from articles.sanitize import clean_line

STATE_WORDS = {
    "read": {"read": True},
    "unread": {"read": False},
    "starred": {"starred": True},
    "unstarred": {"starred": False},
}


def split_tag_words(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """`tag` and `mark` take words that look like options (`-old`) before a required `--`:
    take them out before argparse sees them.  Returns (argv for argparse, the words or None)."""
    if "--" not in argv:
        return argv, None
    dash = argv.index("--")
    for index in range(dash):
        if argv[index] in ("tag", "mark", "delete") and (index == 0 or argv[index - 1] not in ("--store", "--config")):
            kept: list[str] = []
            words: list[str] = []
            before = argv[index + 1 : dash]
            position = 0
            while position < len(before):
                token = before[position]
                if token in ("--store", "--config") and position + 1 < len(before):
                    kept += before[position : position + 2]
                    position += 2
                    continue
                if token.startswith(("--store=", "--config=")) or token in ("--json", "--help", "-h"):
                    kept.append(token)
                else:
                    words.append(token)
                position += 1
            return [*argv[: index + 1], *kept, "--", *argv[dash + 1 :]], words
    return argv, None


def register(sub: Any, command: Callable[..., argparse.ArgumentParser], query_argument: Callable[..., None]) -> None:
    p = command(
        sub,
        "tag",
        "add (+TAG) and remove (-TAG) tags on every article matching QUERY, in one commit",
        "newsdesk tag +climate -later -- 'flood OR drought' after:7d",
    )
    query_argument(p)
    p.add_argument("--json", action="store_true", help='print {"changed": N}')

    p = command(
        sub,
        "mark",
        "set read, unread, starred or unstarred on every article matching QUERY",
        "newsdesk mark read -- tag:later before:30d",
    )
    query_argument(p)
    p.add_argument("--json", action="store_true", help='print {"changed": N}')

    p = command(
        sub,
        "tags",
        "every tag with article and unread counts; `tags rename OLD NEW`, `tags delete TAG`",
        "newsdesk tags --json\n  newsdesk tags rename climate 'climate change'",
    )
    p.add_argument("words", nargs="*", metavar="rename OLD NEW | delete TAG")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command(
        sub,
        "rules",
        "tag rules: `rules add TAG QUERY...`, `rules list`, `rules remove TAG`, `rules apply`",
        "newsdesk rules add israel-tech place:Israel org:Mobileye\n  newsdesk rules apply",
    )
    p.add_argument("words", nargs="*", metavar="add TAG QUERY... | list | remove TAG | apply")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command(
        sub,
        "delete",
        "move every article matching QUERY (record, tags and state) to the trash, in one commit "
        "(`newsdesk undelete -- QUERY` brings them back)",
        "newsdesk delete -- source:spam before:1y",
    )
    query_argument(p)
    p.add_argument("--json", action="store_true", help='print {"deleted": N}')

    p = command(
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

    command(sub, "dump-tags", "tags and reading state as JSON lines on stdout", "newsdesk dump-tags > tags.jsonl")
    command(
        sub,
        "restore-tags",
        "merge dumped tags and state from stdin: tags are unioned, read/starred set",
        "newsdesk restore-tags < tags.jsonl",
    )


def _cli() -> Any:
    from tui import cli

    return cli


def _changed(args: argparse.Namespace, changed: Sequence[str]) -> int:
    cli = _cli()
    if getattr(args, "json", False):
        cli._out({"changed": len(changed)})
    else:
        print(f"{len(changed)} article{'s' if len(changed) != 1 else ''} changed")
    return cli.EXIT_OK


def cmd_tag(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    words = getattr(args, "tag_words", None)
    if words is None:
        raise cli.UsageError("tag needs -- between the tags and the query: newsdesk tag +TAG -TAG -- QUERY")
    add = [w[1:] for w in words if w.startswith("+")]
    remove = [w[1:] for w in words if w.startswith("-")]
    other = [w for w in words if not w.startswith(("+", "-"))]
    if other or not (add or remove):
        raise cli.UsageError(f"tag takes +TAG and -TAG before --{': not ' + ' '.join(other) if other else ''}")
    query = cli._parse_query(args)
    from store import TagError

    with cli._open_store(args, write=True) as store:
        try:
            changed = store.tag_query(query, add=add, remove=remove)
        except TagError as exc:
            raise cli.UsageError(str(exc)) from None
    return _changed(args, changed)


def cmd_mark(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    words = getattr(args, "tag_words", None)
    if words is None:
        raise cli.UsageError("mark needs -- before the query: newsdesk mark read -- QUERY")
    changes: dict[str, bool] = {}
    for word in words:
        if word not in STATE_WORDS:
            raise cli.UsageError(f"mark takes read, unread, starred or unstarred, not {clean_line(word)!r}")
        changes.update(STATE_WORDS[word])
    if not changes:
        raise cli.UsageError("mark needs read, unread, starred or unstarred before --")
    query = cli._parse_query(args)
    with cli._open_store(args, write=True) as store:
        changed = store.update_state(store.ids_matching(query), **changes)
    return _changed(args, changed)


def cmd_tags(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    from store import TagError

    words = list(args.words)
    if not words:
        with cli._open_store(args) as store:
            counts = store.tag_counts()
        if args.json:
            cli._out(counts)
        elif not counts:
            print("no tags yet; add one with: newsdesk tag +TAG -- QUERY (or t in the reader)")
        else:
            for entry in counts:
                print(f"{entry['articles']:>6} {entry['unread']:>6}  {clean_line(entry['tag'])}")
        return cli.EXIT_OK
    try:
        if words[0] == "rename" and len(words) == 3:
            with cli._open_store(args, write=True) as store:
                return _changed(args, store.rename_tag(words[1], words[2]))
        if words[0] == "delete" and len(words) == 2:
            with cli._open_store(args, write=True) as store:
                return _changed(args, store.delete_tag(words[1]))
    except TagError as exc:
        raise cli.UsageError(str(exc)) from None
    raise cli.UsageError("usage: newsdesk tags [--json] | tags rename OLD NEW | tags delete TAG")


def cmd_rules(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    from store import QueryError, TagError

    words = list(args.words) or ["list"]
    verb = words[0]
    if verb == "list" and len(words) == 1:
        with cli._open_store(args) as store:
            rules = store.rules()
        if args.json:
            cli._out(rules)
        elif not rules:
            print("no tag rules yet; add one with: newsdesk rules add TAG QUERY...")
        else:
            for rule in rules:
                print(f"{clean_line(rule['tag'])}\t{clean_line(rule['query'])}")
        return cli.EXIT_OK
    if verb == "add" and len(words) >= 3:
        cli.refuse_option_words(args, words[2:])
        query = " ".join(words[2:])
        try:
            with cli._open_store(args, write=True) as store:
                store.add_rule(words[1], query)
                changed = store.apply_rules()
        except QueryError as exc:
            raise cli.UsageError(f"malformed query: {exc.message}\n{exc.pointer()}") from None
        except TagError as exc:
            raise cli.UsageError(str(exc)) from None
        print(f"rule added: {clean_line(words[1])} for {clean_line(query)}; {len(changed)} articles tagged")
        return cli.EXIT_OK
    if verb == "remove" and len(words) == 2:
        with cli._open_store(args, write=True) as store:
            if not store.remove_rule(words[1]):
                cli._err(f"newsdesk: no rule for the tag {clean_line(words[1])!r}")
                return cli.EXIT_PARTIAL
        print(f"rule removed: {clean_line(words[1])} (tags already given stay)")
        return cli.EXIT_OK
    if verb == "apply" and len(words) == 1:
        with cli._open_store(args, write=True) as store:
            return _changed(args, store.apply_rules())
    raise cli.UsageError("usage: newsdesk rules add TAG QUERY... | rules list | rules remove TAG | rules apply")


def cmd_delete(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    if getattr(args, "tag_words", None) is None:
        raise cli.UsageError("delete needs -- before the query: newsdesk delete -- QUERY")
    if not args.query:
        raise cli.UsageError("delete needs a query (an empty one would delete every article)")
    query = cli._parse_query(args)
    with cli._open_store(args, write=True) as store:
        deleted = store.delete_articles(store.ids_matching(query), trash_days=settings.trash_days)
    return _deleted(args, deleted, settings)


def cmd_prune(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    days = args.days if args.days is not None else settings.keep_days
    if days is None or days < 1:
        raise cli.UsageError("prune needs --days N (N >= 1), or keep_days in the [store] section of the config")
    by = args.by or settings.keep_by
    with cli._open_store(args, write=True) as store:
        deleted = store.prune(days, by=by, trash_days=settings.trash_days)
    counted = "published" if by == "published" else "added to this store"
    return _deleted(args, deleted, settings, f"retention: {counted} more than {days} days ago")


def _deleted(args: argparse.Namespace, deleted: Sequence[Any], settings: Any, why: str = "") -> int:
    from tui.cli_trash import trashed_text

    cli = _cli()
    if getattr(args, "json", False):
        cli._out({"deleted": len(deleted)})
    else:
        print(trashed_text(len(deleted), settings.trash_days, why))
    return cli.EXIT_OK


def cmd_dump_tags(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    with cli._open_store(args) as store:
        out = sys.stdout.buffer
        for record in store.dump_states():
            out.write(orjson.dumps(record) + b"\n")
    sys.stdout.flush()
    return cli.EXIT_OK


def cmd_restore_tags(args: argparse.Namespace, settings: Any) -> int:
    cli = _cli()
    records: list[dict[str, Any]] = []
    problems: list[str] = []
    from articles.importers import bounded_lines

    limit = settings.max_file_bytes  # a line without end (restore-tags < /dev/zero) is not held whole
    for number, line in enumerate(bounded_lines(b"", sys.stdin.buffer, limit), start=1):
        if line is None:  # not a tag dump (dump-tags writes short lines): nothing is restored
            cli._err(
                f"restore-tags: line {number}: longer than the {limit:,}-byte limit ([import] max_file_bytes); "
                "not a dump-tags file, nothing restored"
            )
            return cli.EXIT_PARTIAL
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
    with cli._open_store(args, write=True) as store:
        changed, not_found = store.restore_states(records)
    every = [*problems, *not_found]
    for problem in every[:100]:
        cli._err(f"restore-tags: {problem}")
    if len(every) > 100:
        cli._err(f"restore-tags: {len(every) - 100:,} more problems not shown ({len(every):,} in all)")
    print(f"{len(changed)} article{'s' if len(changed) != 1 else ''} changed")
    return cli.EXIT_PARTIAL if problems or not_found else cli.EXIT_OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Any], int]] = {
    "tag": cmd_tag,
    "mark": cmd_mark,
    "tags": cmd_tags,
    "rules": cmd_rules,
    "delete": cmd_delete,
    "prune": cmd_prune,
    "dump-tags": cmd_dump_tags,
    "restore-tags": cmd_restore_tags,
}

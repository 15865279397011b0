"""The newsdesk command line (CLI.md): import, list, show, export, feeds, reindex, and --demo."""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TextIO

import orjson

from articles.dates import local_display
from articles.sanitize import clean_line, strip_controls
from tui import cli_care, cli_config, cli_feeds, cli_tags, cli_trash
from tui.config import Settings, load_settings
from tui.importing import import_sources, progress_line
from tui.launch import run_demo, run_reader
from tui.paths import config_file, store_dir

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_STORE = 0, 1, 2, 3


class UsageError(Exception):
    """A usage problem found after parsing (exit 2)."""


def _version() -> str:
    try:
        return version("newsdesk")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--store",
        metavar="DIR",
        default=default,
        help="store directory (default: $NEWSDESK_STORE, else the user data dir)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="config file (default: $NEWSDESK_CONFIG, else the user config dir)",
    )


def _command(sub: Any, name: str, summary: str, example: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_options(parser, top=False)
    parser.set_defaults(command_parser=parser)  # its options: a query word equal to one is refused
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="A keyboard-driven terminal news reader with a scriptable store. "
        "Without a command, newsdesk opens the reader on your store.",
        epilog="examples:\n  newsdesk --demo\n  newsdesk import ~/feeds.opml https://example.org/rss.xml\n"
        "  newsdesk list --limit 20 --json | jq -r '.[].title'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_options(parser, top=True)
    parser.add_argument("--version", action="version", version=f"newsdesk {_version()}")
    parser.add_argument("--demo", action="store_true", help="open on a throwaway store filled with sample articles")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = _command(
        sub,
        "import",
        "import files, folders, http(s) feed or page urls, OPML; '-' reads stdin",
        "newsdesk import ~/news/ feeds.opml https://example.org/feed.xml --json",
    )
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument(
        "--no-entities",
        action="store_true",
        help="skip entity extraction (spaCy NER); `newsdesk entities extract` fills it in later",
    )
    p.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    p.add_argument(
        "--verbose",
        action="store_true",
        help="name every file a folder import skipped (not an article, an unknown format, a link out of the folder)",
    )

    p = _command(sub, "list", "list articles, newest first", "newsdesk list --limit 10 --json")
    p.add_argument("--limit", type=_non_negative, metavar="N", help="at most N articles (default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON array")

    p = _command(
        sub,
        "search",
        "articles matching a query (see 'Search' in README: words, \"phrases\", AND/OR/NOT, fields, dates)",
        "newsdesk search tag:climate after:7d flood OR flooding --limit 20 --json",
    )
    _query_argument(p)
    p.add_argument("--limit", type=_non_negative, metavar="N", help="at most N articles (default: all)")
    p.add_argument(
        "--sort",
        choices=("new", "old", "rel"),
        help="order: newest, oldest, or relevance (default: relevance when the query has words, else newest)",
    )
    p.add_argument("--count", action="store_true", help="print the number of matches only")
    p.add_argument("--json", action="store_true", help='print one JSON array (with --count: {"count": N})')

    p = _command(
        sub,
        "entities",
        "people, organisations and places of the articles matching QUERY, with counts; "
        "`entities extract [QUERY]` runs extraction where it has not run; "
        "`entities merge ALIAS NAME` / `entities unmerge ALIAS` say two names are one entity",
        "newsdesk entities tag:climate --type person --limit 10\n  newsdesk entities extract after:7d\n"
        "  newsdesk entities merge USAF 'United States Air Force'",
    )
    p.add_argument("query", nargs="*", metavar="QUERY", help="a query (first word `extract`: extract for QUERY)")
    p.add_argument("--type", choices=("person", "org", "place", "other"), help="only this type")
    p.add_argument("--limit", type=_non_negative, metavar="N", help="at most N entities (default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON array (extract: one JSON object)")

    p = _command(
        sub, "show", "show one article by id (or a unique prefix of 4+ characters)", "newsdesk show 3f2a9c01b7de --json"
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = _command(
        sub,
        "export",
        "write articles to stdout, all or those matching QUERY (jsonl re-imports with tags and state)",
        "newsdesk export --format jsonl > backup.jsonl\n  newsdesk export tag:climate --format csv",
    )
    _query_argument(p)
    p.add_argument(
        "--format",
        choices=("jsonl", "csv", "opml"),
        default="jsonl",
        help="jsonl: newsdesk records; csv: list fields; opml: the subscriptions",
    )

    cli_feeds.register(sub, _command)

    cli_tags.register(sub, _command, _query_argument)
    cli_trash.register(sub, _command, _query_argument)

    cli_care.register(sub, _command)
    cli_config.register(sub, _command)
    return parser


def _query_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="*",
        metavar="QUERY",
        help="query words, joined by spaces; empty matches every article. "
        "If it starts with '-', put -- before it (and every option before the --)",
    )


def _parse_query(args: argparse.Namespace) -> Any:
    """The QUERY arguments parsed, or a usage error that points at the problem (exit 2)."""
    from store import QueryError, parse_query

    refuse_option_words(args, args.query)
    text = " ".join(args.query)
    try:
        query = parse_query(text)
    except QueryError as exc:
        raise UsageError(f"malformed query: {exc.message}\n{strip_controls(exc.pointer())}") from None
    if getattr(args, "sort", None):
        query = replace(query, sort=args.sort)
    return query


def refuse_option_words(args: argparse.Namespace, words: Sequence[str]) -> None:
    """After `--` every argument is a query word, so `search -- -tag:x --json` would search for
    the word `--json` and print no JSON: a query word that is one of the command's own options
    (the whole argument, or `--opt=value`) is a usage error that shows where the option goes.
    Query text that merely contains such a word (`'"--json flag"'`) is left alone."""
    command_parser = getattr(args, "command_parser", None)
    if command_parser is None or not words:
        return
    actions = {name: action for action in command_parser._actions for name in action.option_strings}
    moved: list[int] = []  # positions in `words`
    named: list[str] = []
    position = 0
    while position < len(words):
        word = words[position]
        name = word.split("=", 1)[0] if word.startswith("--") else word
        action = actions.get(name)
        position += 1
        if action is None:
            continue
        named.append(name)
        moved.append(position - 1)
        if action.nargs != 0 and "=" not in word and position < len(words):
            moved.append(position)  # the option's value goes with it
            position += 1
    if not named:
        return
    names = list(dict.fromkeys(named))
    listed = ", ".join(repr(n) for n in names)
    if len(names) == 1:
        problem = f"{listed} is an option of {args.command}, not a query word; put it before '--'"
    else:
        problem = f"{listed} are options of {args.command}, not query words; put them before '--'"
    raise UsageError(f"{problem}: {_moved_before_dash(args, words, moved)}")


def _moved_before_dash(args: argparse.Namespace, words: Sequence[str], moved: list[int]) -> str:
    """The command line as typed, with the words at `moved` taken from after its `--` and put
    right after the command's name (where every command takes its options)."""
    import shlex

    argv = list(getattr(args, "argv", None) or [])
    options = [words[i] for i in moved]
    command = _command_position(argv, args.command)
    if "--" not in argv or command is None:
        return "newsdesk " + shlex.join([args.command, *options, "--", "QUERY..."])
    dash = argv.index("--")
    tail = argv[dash + 1 :]
    if len(tail) >= len(words) and tail[len(tail) - len(words) :] == list(words):
        offset = len(tail) - len(words)
        tail = [w for i, w in enumerate(tail) if i - offset not in moved]
    else:
        for token in options:
            if token in tail:
                tail.remove(token)
    head = [*argv[: command + 1], *options, *argv[command + 1 : dash]]
    return "newsdesk " + shlex.join([*head, "--", *tail])


def _command_position(argv: list[str], command: str) -> int | None:
    """Where the command's name is in `argv` (global options and their values come before it)."""
    position = 0
    while position < len(argv):
        token = argv[position]
        if token in ("--store", "--config"):
            position += 2
            continue
        if token == command:
            return position
        if not token.startswith("-") or token == "--":
            return None
        position += 1
    return None


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsdesk` script; returns the exit code."""
    # Everything this process writes is private, whatever the umask: newsdesk gives its own
    # files explicit modes, but tantivy creates its files in text-index/ with the umask's.
    previous = os.umask(0o077)
    try:
        return _main(argv)
    finally:
        os.umask(previous)  # for a caller of main() in its own process (the tests)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    arguments, tag_words = cli_tags.split_tag_words(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(arguments)
    args.tag_words = tag_words
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.config is not None and not Path(args.config).expanduser().is_file():
        named = Path(args.config).expanduser()
        why = "is not a regular file" if named.exists() else "does not exist"
        _err(f"newsdesk: --config {args.config}: {why} (without --config, newsdesk reads {config_file(None)})")
        return EXIT_USAGE
    settings = load_settings(config_file(args.config))
    for warning in settings.warnings:
        _err(f"newsdesk: {warning}")
    from store import StoreError

    try:
        if args.demo:
            return run_demo(settings)
        if args.command is None:
            return run_reader(args, settings)
        handler = _HANDLERS[args.command]
        code = handler(args, settings)
        if code == EXIT_OK and args.command in _BACKED_UP:
            _auto_backup(args, settings)
        return code
    except StoreError as exc:
        _err(f"newsdesk: {exc}")
        return EXIT_STORE
    except UsageError as exc:
        _err(f"newsdesk: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("newsdesk: interrupted; what was committed before stays")
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # `newsdesk list | head`: not an error
        return EXIT_OK


_BACKED_UP = {"import", "refresh", "tag", "mark", "delete", "prune", "undelete", "restore-tags", "entities"}
"""Commands after which an automatic snapshot is taken when one is due ([store] backups)."""


def _auto_backup(args: argparse.Namespace, settings: Settings) -> None:
    """A snapshot if one is due; a failure is reported, never the command's failure."""
    from store import StoreError

    try:
        with _open_store(args, write=True, create=False) as store:
            store.auto_backup(settings.backup_hours, settings.backups)
    except StoreError as exc:
        _err(f"newsdesk: automatic backup skipped: {exc}")
    except OSError as exc:
        _err(f"newsdesk: automatic backup skipped: {exc.strerror or exc}")


def _open_store(args: argparse.Namespace, *, write: bool = False, create: bool = True, warn: bool = True) -> Any:
    from store import NewsStore, StoreError

    root = store_dir(args.store)
    if (not write or not create) and not root.exists():
        raise StoreError(f"{root}: no store here yet; import something first (newsdesk import --help)")
    store = NewsStore(root, create=write)
    if not write:  # a write says so itself, failing: not saved
        store.watch_space(lambda message: _err(f"newsdesk: warning: {message}"))
    if warn:  # one set per command: its automatic backup opens the store again
        store.watch_damage(_warn_damaged(vars(args).setdefault("damage_warned", set())))
    _warn_privacy(store, vars(args).setdefault("privacy_warned", set()))
    return store


def _warn_damaged(warned: set[str]) -> Callable[[Any], None]:
    """Say on stderr, once per command, each damaged state shard (read as empty) or segment (left
    out) the store meets."""
    from store import damage_notice

    def warn(error: Any) -> None:
        if str(error.path) not in warned:
            warned.add(str(error.path))
            _err(f"newsdesk: warning: {damage_notice(error)}")

    return warn


def _warn_privacy(store: Any, warned: set[str]) -> None:
    """A store directory open to other users is said once per command, on stderr."""
    warning = store.privacy_warning()
    if warning and warning not in warned:
        warned.add(warning)
        _err(f"newsdesk: warning: {warning}")


def _err(message: str) -> None:
    print(strip_controls(message), file=sys.stderr)


def _out(data: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(data) + b"\n")
    sys.stdout.flush()


# -- import ------------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    store = _open_store(args, write=True)
    with store:
        summary = import_sources(
            store, args.sources, settings, progress=progress_line(sys.stderr), verbose=args.verbose
        )
        ids = summary.pop("ids", [])
        summary["entities"] = 0
        if ids and not args.no_entities:
            summary["entities"] = _extract(store, ids, settings)
        if settings.keep_days:  # retention, when the config asks for it: never what was just brought in
            pruned = store.prune(settings.keep_days, by=settings.keep_by, spare=ids, trash_days=settings.trash_days)
            summary["pruned"] = len(pruned)
    if args.json:
        _out(summary)
    else:
        print(
            f"imported {summary['imported']}, updated {summary['updated']}, duplicates {summary['duplicates']}, "
            f"failed {summary['failed']}"
            + (f", skipped {summary['skipped']}" if summary["skipped"] else "")
            + (f", new feeds {summary['feeds']}" if summary["feeds"] else "")
        )
        if summary.get("pruned"):
            print(cli_trash.trashed_text(summary["pruned"], settings.trash_days, _retention_why(settings)))
    return EXIT_PARTIAL if summary["failed"] else EXIT_OK


def _retention_why(settings: Settings) -> str:
    counted = "published" if settings.keep_by == "published" else "added to this store"
    return f"retention: {counted} more than {settings.keep_days} days ago, neither starred nor tagged"


def _extract(store: Any, ids: list[str], settings: Settings) -> int:
    """Entity extraction for `ids`; a missing model is a warning (the import itself is done)."""
    from articles.entities.extract import ExtractionUnavailable
    from tui.extracting import extract_entities

    try:
        counts = extract_entities(
            store,
            ids,
            processes=settings.entities.processes,
            model=settings.entities.model,
            progress=_count_progress(sys.stderr, "extracting entities"),
        )
    except ExtractionUnavailable as exc:
        _err(f"newsdesk: entities not extracted: {exc}; run `newsdesk entities extract` once it is installed")
        return 0
    return counts["extracted"]


def _entities_merge(args: argparse.Namespace, words: list[str]) -> int:
    from store import MergeError

    command, names = words[0], words[1:]
    if (command == "merge" and len(names) != 2) or (command == "unmerge" and len(names) != 1):
        usage = "entities merge ALIAS NAME" if command == "merge" else "entities unmerge ALIAS"
        raise UsageError(f"usage: newsdesk {usage} (quote names with spaces)")
    with _open_store(args, write=True) as store:
        if command == "merge":
            try:
                store.merge_entity(names[0], names[1])
            except MergeError as exc:
                raise UsageError(str(exc)) from None
            print(f"merged {clean_line(names[0])!r} into {clean_line(names[1])!r}")
            return EXIT_OK
        if not store.unmerge_entity(names[0]):
            _err(f"newsdesk: {clean_line(names[0])!r} is not merged into anything")
            return EXIT_PARTIAL
        print(f"unmerged {clean_line(names[0])!r}")
        return EXIT_OK


def cmd_entities(args: argparse.Namespace, settings: Settings) -> int:
    words = list(args.query)
    if words and words[0] in ("merge", "unmerge"):
        return _entities_merge(args, words)
    if words and words[0] == "extract":
        args.query = words[1:]
        query = _parse_query(args)
        with _open_store(args, write=True) as store:
            ids = store.without_entities(query)
            extracted = _extract(store, ids, settings) if ids else 0
        result = {"extracted": extracted, "checked": len(ids)}
        _out(result) if args.json else print(f"extracted entities of {extracted} of {len(ids)} articles")
        return EXIT_OK
    query = _parse_query(args)
    with _open_store(args) as store:
        found = store.entity_counts(query, kind=args.type, limit=args.limit)
    if args.json:
        _out(found)
        return EXIT_OK
    if not found:
        print("no entities in the matching articles; `newsdesk entities extract` runs extraction where it has not run")
        return EXIT_OK
    for entity in found:
        print(f"{entity['articles']:>6}  {entity['type']:<6}  {clean_line(entity['name'])}")
    return EXIT_OK


# -- list, show, export, feeds ----------------------------------------------------------------
def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with _open_store(args) as store:
        items = store.list(limit=args.limit)
    if args.json:
        _out([i.to_json() for i in items])
        return EXIT_OK
    for item in items:
        print(format_list_line(item))
    return EXIT_OK


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    query = _parse_query(args)
    with _open_store(args) as store:
        if args.count:
            count = store.count_matching(query)
            _out({"count": count}) if args.json else print(count)
            return EXIT_OK
        result = store.search(query, limit=args.limit)
    if args.json:
        _out([i.to_json() for i in result.items])
        return EXIT_OK
    for item in result.items:
        print(format_list_line(item))
    if sys.stderr.isatty():
        order = "by relevance" if result.ranked else ("oldest first" if result.sort == "old" else "newest first")
        _err(f"{result.count} matching, {order}")
    return EXIT_OK


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
    with _open_store(args) as store:
        article_id = store.resolve(wanted)
        stored = store.get(article_id) if article_id else None
        sharing = 0 if stored is not None or len(wanted) == 12 else store.count_matching(_id_query(wanted))
    if stored is None:
        if sharing > 1:
            _err(f"newsdesk: {sharing} articles have ids starting with {wanted!r}; give more characters")
        else:
            _err(f"newsdesk: no article {wanted!r}")
        return EXIT_PARTIAL
    if args.json:
        _out(stored.to_json())
        return EXIT_OK
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
    print(strip_controls("\n".join(lines)))
    return EXIT_OK


def _id_query(prefix: str) -> Any:
    from store import parse_query

    return parse_query(f"id:{prefix}")


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from articles.importers.records import export_record

    query = replace(_parse_query(args), sort="new") if args.query else None
    with _open_store(args) as store:
        out = sys.stdout.buffer
        if args.format == "jsonl":
            for stored in store.iter_articles(query=query):
                s = stored.state
                out.write(orjson.dumps(export_record(stored.article, list(s.tags), s.read, s.starred)) + b"\n")
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
    return EXIT_OK


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


def _count_progress(stream: TextIO, doing: str, unit: str = "") -> Callable[[int, int], None] | None:
    """'doing… done/total unit' on one line of a terminal; nothing when it is not a terminal."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\r\x1b[K{doing}… {done}/{total}{unit}" if done < total else "\r\x1b[K")
        stream.flush()

    return show


_HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "import": cmd_import,
    "list": cmd_list,
    "search": cmd_search,
    "entities": cmd_entities,
    "show": cmd_show,
    "export": cmd_export,
    **cli_tags.HANDLERS,
    **cli_trash.HANDLERS,
    **cli_care.HANDLERS,
    **cli_config.HANDLERS,
    **cli_feeds.HANDLERS,
}


if __name__ == "__main__":  # pragma: no cover
    # `python -m tui.cli`: run the imported module's main, not this __main__ copy, so that the
    # UsageError the command modules raise (tui.cli.UsageError) is the one main() catches
    from tui.cli import main as _main

    sys.exit(_main())

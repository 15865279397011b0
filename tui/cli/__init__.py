"""The newsdesk command line (docs/cli.md): the parser and `main`.

Each command family has a module: `sources` (import, feeds, refresh), `reading` (list, search,
show, export), `entities`, `stories`, `tags` (tag, mark, tags, delete, prune, dump-tags,
restore-tags; `batch`: tag --batch), `rules`, `trash` (trash, undelete), `care` (reindex, check,
backup, backups), `config` (config, completion), `serve`.  What they share is in `common` (exit
codes, the usage error, opening the store, JSON and error output) and `arguments` (the parser's
pieces, QUERY parsing).
Without a command, `main` opens the reader (tui.launch)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.arguments import CommandParser, add_command, add_query_argument, global_options, non_negative
from tui.cli.common import ExitCode, UsageError, open_store, print_error
from tui.paths import config_file, store_dir

if TYPE_CHECKING:
    from tui.config import Settings

__all__ = ["build_parser", "main"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # ~20 ms: only for --version

    try:
        return version("newsdesk")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


class VersionAction(argparse.Action):
    """`--version`: print the installed version and exit, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"newsdesk {_version()}")
        parser.exit()


def build_parser() -> CommandParser:
    from tui.cli import care, config, rules, serve, sources, stories, tags, trash  # here: `--version` needs none

    parser = CommandParser(
        prog="newsdesk",
        description="A keyboard-driven terminal news reader with a scriptable store. "
        "Without a command, newsdesk opens the reader on your store.",
        epilog="examples:\n  newsdesk --demo\n  newsdesk import ~/feeds.opml https://example.org/rss.xml\n"
        "  newsdesk list --limit 20 --json | jq -r '.[].title'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    global_options(parser, top=True)
    parser.add_argument("--version", action=VersionAction, help="show program's version number and exit")
    parser.add_argument("--demo", action="store_true", help="open on a throwaway store filled with sample articles")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = add_command(
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

    p = add_command(sub, "list", "list articles, newest first", "newsdesk list --limit 10 --json")
    p.add_argument("--limit", type=non_negative, metavar="N", help="at most N articles (default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON array")

    p = add_command(
        sub,
        "search",
        "articles matching a query (see 'Search' in README: words, \"phrases\", AND/OR/NOT, fields, dates)",
        "newsdesk search tag:climate after:7d flood OR flooding --limit 20 --json\n"
        "  newsdesk search --output=urls tag:later | xargs -n1 xdg-open",
    )
    add_query_argument(p)
    p.add_argument("--limit", type=non_negative, metavar="N", help="at most N articles (default: all)")
    p.add_argument(
        "--sort",
        choices=("new", "old", "rel"),
        help="order: newest, oldest, or relevance (default: relevance when the query has words, else newest)",
    )
    p.add_argument("--count", action="store_true", help="print the number of matches only")
    p.add_argument(
        "--output",
        choices=("ids", "tags", "urls", "count"),
        help="as notmuch: one id, tag (of all matches, once each) or url a line, or the count alone",
    )
    p.add_argument("--json", action="store_true", help='print one JSON array (with --count: {"count": N})')

    p = add_command(
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
    p.add_argument("--limit", type=non_negative, metavar="N", help="at most N entities (default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON array (extract: one JSON object)")

    p = add_command(
        sub, "show", "show one article by id (or a unique prefix of 4+ characters)", "newsdesk show 3f2a9c01b7de --json"
    )
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = add_command(
        sub,
        "export",
        "write articles to stdout, all or those matching QUERY (jsonl re-imports with tags and state)",
        "newsdesk export --format jsonl > backup.jsonl\n  newsdesk export tag:climate --format csv",
    )
    add_query_argument(p)
    p.add_argument(
        "--format",
        choices=("jsonl", "csv", "opml"),
        default="jsonl",
        help="jsonl: newsdesk records; csv: list fields; opml: the subscriptions",
    )

    for family in (sources, tags, rules, trash, care, config, serve, stories):
        family.register(sub)
    return parser


def handlers() -> dict[str, Callable[[argparse.Namespace, Settings], int]]:
    """Each command's handler: (arguments, settings) -> exit code."""
    from tui.cli import care, config, entities, reading, rules, serve, sources, stories, tags, trash

    return {
        **sources.HANDLERS,
        **reading.HANDLERS,
        **entities.HANDLERS,
        **tags.HANDLERS,
        **rules.HANDLERS,
        **trash.HANDLERS,
        **care.HANDLERS,
        **config.HANDLERS,
        **serve.HANDLERS,
        **stories.HANDLERS,
    }

BACKED_UP = {"import", "refresh", "tag", "mark", "delete", "prune", "undelete", "restore-tags", "entities"}
"""Commands after which an automatic snapshot is taken when one is due ([store] backups)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsdesk` script; returns the exit code."""
    # Everything this process writes is private, whatever the umask: newsdesk gives its own
    # files explicit modes, but tantivy creates its files in text-index/ with the umask's.
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:  # what a script asks most: no parser
        print(f"newsdesk {_version()}")
        return ExitCode.OK
    previous = os.umask(0o077)
    try:
        return int(_main(argv))
    finally:
        os.umask(previous)  # for a caller of main() in its own process (the tests)


def _main(argv: Sequence[str] | None) -> int:
    from tui.cli import tags
    from tui.config import load_settings

    parser = build_parser()
    arguments, tag_words = tags.split_tag_words(list(sys.argv[1:] if argv is None else argv))
    args, extra = parser.parse_known_args(arguments)
    if extra:
        # `entities extract --json -- QUERY`: argparse gave the query positional its first word
        # (`extract`) before the options, so the words after `--` come back unparsed.
        cut = extra.index("--") if "--" in extra else len(extra)
        no_option = not any(word.startswith("-") for word in extra[:cut])
        if getattr(args, "command", None) == "entities" and args.query == ["extract"] and no_option:
            args.query += extra[:cut] + extra[cut + 1 :]
        elif getattr(args, "command", None) == "rules" and no_option:  # `rules add --action read -- QUERY`
            args.words += extra[:cut] + extra[cut + 1 :]
        else:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.tag_words = tag_words
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.parser = parser
    if args.config is not None and not Path(args.config).expanduser().is_file():
        named = Path(args.config).expanduser()
        why = "is not a regular file" if named.exists() else "does not exist"
        print_error(f"newsdesk: --config {args.config}: {why} (without --config, newsdesk reads {config_file(None)})")
        return ExitCode.USAGE
    settings = load_settings(config_file(args.config))
    for warning in settings.warnings:
        print_error(f"newsdesk: {warning}")
    from store import StoreError

    try:
        if args.demo:
            from tui.launch import run_demo

            return run_demo(settings)
        if args.command is None:
            from tui.launch import run_reader

            return run_reader(args, settings)
        code = handlers()[args.command](args, settings)
        if code == ExitCode.OK and args.command in BACKED_UP:
            sys.stdout.flush()  # the command's result is out before a snapshot (a full copy, the first) starts
            _auto_backup(args, settings)
        return code
    except StoreError as exc:
        print_error(f"newsdesk: {exc}")
        return ExitCode.STORE
    except UsageError as exc:
        print_error(f"newsdesk: {exc}")
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print_error("newsdesk: interrupted; what was committed before stays")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        sys.stderr.close()  # `newsdesk list | head`: not an error
        return ExitCode.OK


def _auto_backup(args: argparse.Namespace, settings: Settings) -> None:
    """A snapshot if one is due; a failure is reported, never the command's failure."""
    from store import StoreError, snapshot_due

    if not snapshot_due(store_dir(args.store), settings.backup_hours, settings.backups):
        return  # certainly not due: the store is not opened again
    try:
        with open_store(args, write=True, create=False) as store:
            store.auto_backup(settings.backup_hours, settings.backups)
    except StoreError as exc:
        print_error(f"newsdesk: automatic backup skipped: {exc}")
    except OSError as exc:
        print_error(f"newsdesk: automatic backup skipped: {exc.strerror or exc}")

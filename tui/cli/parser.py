"""The CLI's parser, built for the command that runs: `COMMANDS` names each command's family
(the module with its parser pieces and its handler), so `newsdesk tag ...` builds and imports
the tag family alone, and `newsdesk --help` (or a word that is no command) builds them all.
`--version` alone is answered before any of it (tui.cli.main)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import TYPE_CHECKING, Any

from tui.cli.arguments import (
    CommandParser,
    add_command,
    add_query_argument,
    command_word,
    global_options,
    non_negative,
)
from tui.cli.version import installed_version

if TYPE_CHECKING:
    from tui.config import Settings

FAMILIES = ("core", "sources", "tags", "rules", "trash", "care", "config", "serve", "stories")
"""The families in the order their commands are listed by `newsdesk --help`."""

COMMANDS: dict[str, tuple[str, str]] = {
    # command: (the family that builds its parser, the module of its handler)
    "import": ("core", "sources"),
    "list": ("core", "reading"),
    "search": ("core", "reading"),
    "entities": ("core", "entities"),
    "show": ("core", "reading"),
    "export": ("core", "reading"),
    "feeds": ("sources", "sources"),
    "refresh": ("sources", "sources"),
    "tag": ("tags", "tags"),
    "mark": ("tags", "tags"),
    "tags": ("tags", "tags"),
    "delete": ("tags", "tags"),
    "prune": ("tags", "tags"),
    "dump-tags": ("tags", "tags"),
    "restore-tags": ("tags", "tags"),
    "rules": ("rules", "rules"),
    "trash": ("trash", "trash"),
    "undelete": ("trash", "trash"),
    "reindex": ("care", "care"),
    "check": ("care", "care"),
    "backup": ("care", "care"),
    "backups": ("care", "care"),
    "config": ("config", "config"),
    "completion": ("config", "config"),
    "serve": ("serve", "serve"),
    "stories": ("stories", "stories"),
}


class VersionAction(argparse.Action):
    """`--version`: print the installed version and exit, looked up only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(f"newsdesk {installed_version()}")
        parser.exit()


def command_of(argv: Sequence[str]) -> str | None:
    """The command `argv` runs, when it names one and asks for no help before it; else None
    (the reader, `--help`, a mistyped command: the whole parser is built)."""
    position = command_word(argv)
    if position is None or "-h" in argv[:position] or "--help" in argv[:position]:
        return None
    return argv[position] if argv[position] in COMMANDS else None


def build_parser(command: str | None = None) -> CommandParser:
    """The parser of every command, or (`command`) of that command's family alone."""
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
    families = FAMILIES if command is None else (COMMANDS[command][0],)
    for family in families:
        if family == "core":
            register_core(sub)
        else:
            import_module(f"tui.cli.{family}").register(sub)
    return parser


def handler(command: str) -> Callable[[argparse.Namespace, Settings], int]:
    """A command's handler, (arguments, settings) -> exit code; its module alone is imported."""
    handlers: dict[str, Callable[[argparse.Namespace, Settings], int]]
    handlers = import_module(f"tui.cli.{COMMANDS[command][1]}").HANDLERS
    return handlers[command]


def register_core(sub: Any) -> None:
    """The commands that read (import, list, search, entities, show, export)."""
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


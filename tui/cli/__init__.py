"""The newsdesk command line (docs/cli.md): the parser and `main`.

Each command family has a module: `sources` (import, feeds, refresh), `reading` (list, search,
show, export), `entities`, `stories`, `tags` (tag, mark, tags, delete, prune, dump-tags,
restore-tags; `batch`: tag --batch), `rules`, `trash` (trash, undelete), `care` (reindex, check,
backup, backups), `config` (config, completion), `serve`.  What they share is in `common` (exit
codes, the usage error, opening the store, JSON and error output) and `arguments` (the parser's
pieces, QUERY parsing).
Without a command, `main` opens the reader (tui.launch)."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing's: importing typing (and re, enum) costs `--version` ~10 ms
if TYPE_CHECKING:
    import argparse
    import subprocess
    from collections.abc import Sequence

    from tui.cli.arguments import CommandParser
    from tui.config import Settings

from tui.cli.version import installed_version

__all__ = ["build_parser", "main"]
# Nothing is imported at the top beyond os, sys and tui.cli.version: `python -m tui.cli
# --version` and the `newsdesk` script import this package first, and a command imports what it
# runs (tui.cli.parser).


def build_parser(command: str | None = None) -> CommandParser:
    """The parser of every command (or of `command`'s family alone): tui.cli.parser."""
    from tui.cli.parser import build_parser

    return build_parser(command)


BACKED_UP = {"import", "refresh", "tag", "mark", "delete", "prune", "undelete", "restore-tags", "entities"}
"""Commands after which an automatic snapshot is taken when one is due ([store] backups)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `newsdesk` script; returns the exit code."""
    # Everything this process writes is private, whatever the umask: newsdesk gives its own
    # files explicit modes, but tantivy creates its files in text-index/ with the umask's.
    if list(sys.argv[1:] if argv is None else argv) == ["--version"]:  # what a script asks most: no parser
        print(f"newsdesk {installed_version()}")
        return 0
    previous = os.umask(0o077)
    try:
        return int(_main(argv))
    finally:
        os.umask(previous)  # for a caller of main() in its own process (the tests)


def _main(argv: Sequence[str] | None) -> int:
    from pathlib import Path

    from tui.cli.common import ExitCode, UsageError, print_error
    from tui.cli.parser import command_of, handler
    from tui.cli.arguments import split_tag_words
    from tui.config import load_settings
    from tui.paths import config_file

    arguments, tag_words = split_tag_words(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser(command_of(arguments))
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
        code = handler(args.command)(args, settings)
        if code == ExitCode.OK and args.command in BACKED_UP:
            sys.stdout.flush()  # the command's result is out before a snapshot process starts
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


STARTED_SNAPSHOTS: list[subprocess.Popen[bytes]] = []
"""The snapshot processes this process started (`main` in a test: wait for them)."""


def _auto_backup(args: argparse.Namespace, settings: Settings) -> None:
    """A snapshot if one is due, in a detached process (store.care.auto_snapshot): the command
    has committed and exits without waiting for a copy of the store.  A failure to start it is
    reported, never the command's failure; its own failures leave it to the next write."""
    from articles.sanitize import clean_line
    from store import snapshot_due, start_snapshot
    from tui.cli.common import print_error
    from tui.paths import store_dir

    root = store_dir(args.store)
    if not snapshot_due(root, settings.backup_hours, settings.backups):
        return  # certainly not due, or being taken: the store is not opened again
    from store.care.auto_snapshot import last_failure

    failed = last_failure(root)  # still due after a failure: said once a command, then tried again
    if failed:
        print_error(f"newsdesk: the last automatic backup failed ({clean_line(failed)}); trying again")
    try:
        STARTED_SNAPSHOTS.append(start_snapshot(root, settings.backup_hours, settings.backups))
    except OSError as exc:
        print_error(f"newsdesk: automatic backup skipped: {exc.strerror or exc}")

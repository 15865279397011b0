"""Store care commands: reindex, check (and --repair from the automatic backups), backup DEST,
and backups (list or take a snapshot)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.arguments import add_command
from tui.cli.common import ExitCode, UsageError, count_progress, open_store, print_error, print_json
from tui.paths import store_dir

if TYPE_CHECKING:
    from tui.config import Settings

MAX_REPAIRS = 16
"""A hang guard: each repair fixes one file, and a store has a manifest, a schema record, a few
user files, its segments and 64 state shards — far more damage than this is not worth guessing."""


def register(sub: Any) -> None:
    add_command(sub, "reindex", "rebuild the derived index from the TinyDB files", "newsdesk reindex")
    p = add_command(
        sub,
        "check",
        "read every store file and compare the index with them; a disagreeing index is rebuilt; "
        "a damaged file is named and a copy kept in the store's damaged/ directory",
        "newsdesk check --json\n  newsdesk check --repair",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--repair",
        action="store_true",
        help="put each damaged file back from the newest automatic backup holding a good copy; "
        "a file of tags and state, views, merges or feeds that no backup holds is started afresh, "
        "once you confirm what it loses",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help="with --repair: start such a file afresh without asking (what it loses is still printed)",
    )
    p = add_command(
        sub,
        "backup",
        "write a consistent copy of the store to DEST (a new directory) while others keep working",
        "newsdesk backup ~/backups/newsdesk-$(date +%F)",
    )
    p.add_argument("dest", metavar="DEST")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = add_command(
        sub,
        "backups",
        "list the automatic snapshots kept in the store's backups/ directory ([store] backups)",
        "newsdesk backups\n  newsdesk backups --now",
    )
    p.add_argument("--now", action="store_true", help="take a snapshot now, due or not")
    p.add_argument("--json", action="store_true", help="print one JSON array")


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(args, write=True) as store:
        count = store.reindex(
            progress=count_progress(sys.stderr, "indexing", " segments"),
            text_progress=count_progress(sys.stderr, "search index", " articles"),
        )
    print(f"reindexed {count} articles")
    return ExitCode.OK


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    from store import StoreCorrupt, StoreError
    from store import assess_damage as assess
    from store import repair_damage as repair

    root = store_dir(args.store)
    repaired: list[str] = []
    for _ in range(MAX_REPAIRS):
        try:
            with open_store(args, write=True, create=False, warn=False) as store:
                # On a full disk: checked as it is, read-only; nothing purged or repaired.
                store.watch_space(lambda message: print_error(f"newsdesk: warning: {message}"))
                report = store.check()
                report["trash_purged"] = 0 if store.no_space else store.purge_trash(settings.trash_days)
                report["stories"] = store.stories.check()
            break
        except StoreCorrupt as exc:
            damage = assess(root, exc)
            if not args.repair or not damage.remedy or str(damage.path) in repaired:
                hint = " Run `newsdesk check --repair`, or open the reader, to do so." if damage.remedy else ""
                raise StoreError(damage.describe() + hint) from exc
            if damage.remedy == "afresh" and not _confirmed(damage, args.yes):
                how = "" if sys.stdin.isatty() else " (confirm at a terminal, or add --yes)"
                raise StoreError(f"{damage.path}: not started afresh{how}; the file was left as it is") from exc
            print(f"repaired: {repair(root, damage)}", file=sys.stderr)
            repaired.append(str(damage.path))
    else:
        raise StoreError(f"{root}: more than {MAX_REPAIRS} damaged files; repair stopped")
    report["repaired"] = repaired
    if args.json:
        print_json(report)
    else:
        print(
            f"{report['files']} files read, {report['articles']} articles;"
            f" index {report['index']}; search index {report['text_index']}"
            + (
                f"; removed {report['partial_backups_removed']} unfinished backup(s) of killed processes"
                if report["partial_backups_removed"]
                else ""
            )
            + _stories_text(report["stories"])
        )
        for problem in report["stories"]["problems"]:
            print_error(f"newsdesk: stories: {problem}")
    return ExitCode.PARTIAL if report["stories"]["problems"] else ExitCode.OK


def _stories_text(stories: dict[str, Any]) -> str:
    unplaced = stories["unplaced"] + stories["gone"]
    wrong = len(stories["problems"])
    if not unplaced and not wrong:
        return f"; stories ok ({stories['placed']} articles placed)"
    return (
        f"; stories: {stories['unplaced']} articles unplaced, {stories['gone']} gone, {wrong} problems"
        " (`newsdesk stories rebuild` places them all anew)"
    )


def _confirmed(damage: Any, yes: bool) -> bool:
    """Starting a file afresh loses what it held: say exactly what, then ask (or --yes)."""
    print_error(f"newsdesk: {damage.describe()}")
    if yes:
        return True
    if not sys.stdin.isatty():
        return False
    print(f"Start {damage.path} afresh? [y/N] ", end="", file=sys.stderr, flush=True)
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    dest = Path(args.dest).expanduser()
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):  # DEST is the user's mistake, not the store's
        what = "a directory that is not empty" if dest.is_dir() else "a file"
        raise UsageError(
            f"{args.dest} is {what}: backup makes a new directory; name one that does not exist yet, "
            "e.g. newsdesk backup ~/backups/newsdesk-$(date +%F)"
        )
    with open_store(args) as store:
        try:
            report = store.backup(dest)
        except OSError as exc:
            if exc.filename is None or Path(exc.filename).parent.resolve() != dest.parent.resolve():
                raise
            raise UsageError(f"cannot write the backup to {args.dest}: {exc.strerror or exc}") from None
    if args.json:
        print_json(report)
    else:
        print(f"backed up {report['files']} files ({report['bytes']} bytes, generation {report['generation']})")
    return ExitCode.OK


def cmd_backups(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime

    from articles.dates import format_rfc3339

    with open_store(args, write=args.now, create=False) as store:
        if args.now:
            store.snapshot(keep=max(settings.backups, 1))
        kept = store.snapshots()
    rows = [
        {
            "taken": format_rfc3339(datetime.fromtimestamp(s.taken, UTC)),
            "generation": s.gen,
            "files": len(s.files),
            "path": str(s.path),
        }
        for s in kept
    ]
    if args.json:
        print_json(rows)
    elif not rows:
        print("no automatic backups yet (one is taken after the first change; [store] backups)")
    else:
        for row in rows:
            print(f"{row['taken']}  generation {row['generation']:>8}  {row['files']:>5} files  {row['path']}")
    return ExitCode.OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "reindex": cmd_reindex,
    "check": cmd_check,
    "backup": cmd_backup,
    "backups": cmd_backups,
}

"""The trash in the CLI: `trash` lists what delete, the reader's D and retention removed;
`undelete -- QUERY` brings it back with its tags and state (store.care.trash)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from articles.dates import local_display
from articles.sanitize import clean_line
from tui.cli.arguments import add_command, add_query_argument, parse_query
from tui.cli.common import ExitCode, open_store, print_error, print_json
from tui.paths import store_dir

if TYPE_CHECKING:
    from tui.config import Settings

UNDELETE_HINT = "`newsdesk undelete -- QUERY` brings them back"


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "trash",
        "what delete, the reader's D and retention removed, most recent first: kept [store] trash_days "
        "days (default 30) for `undelete`",
        "newsdesk trash\n  newsdesk trash --json | jq -r '.[] | select(.why == \"retention\") | .id'",
    )
    p.add_argument("--json", action="store_true", help='print one JSON array (records with "deleted" and "why")')

    p = add_command(
        sub,
        "undelete",
        "bring the trashed articles matching QUERY back, with their tags and read/starred state "
        "(the query language, over the trash; an empty query brings everything back)",
        "newsdesk undelete -- id:3f2a9c01b7de\n  newsdesk undelete -- kelp OR seaweed",
    )
    add_query_argument(p)
    p.add_argument("--json", action="store_true", help='print {"undeleted": N}')


def _plural(count: int) -> str:
    return f"{count} article{'s' if count != 1 else ''}"


def trashed_text(count: int, days: int, why: str = "") -> str:
    """What `delete`, `prune` and an import's retention print about what they removed."""
    if not count:
        return "no articles removed" + (f" ({why})" if why else "")
    reason = f" ({why})" if why else ""
    return f"moved {_plural(count)} to the trash{reason} for {days} days; {UNDELETE_HINT}"


def cmd_trash(args: argparse.Namespace, settings: Settings) -> int:
    store_root = store_dir(args.store)
    if not store_root.exists():
        entries: Sequence[Any] = []
    else:
        with open_store(args) as store:
            entries = store.trash()
    if args.json:
        print_json([e.to_json() for e in entries])
        return ExitCode.OK
    if not entries:
        print("the trash is empty")
        return ExitCode.OK
    for e in entries:
        when = local_display(e.deleted) or " " * 16
        print(f"{clean_line(e.id)}  {when}  {clean_line(e.why):<9}  {clean_line(e.title)}")
    print(f"{_plural(len(entries))} in the trash; {UNDELETE_HINT}")
    return ExitCode.OK


def cmd_undelete(args: argparse.Namespace, settings: Settings) -> int:
    query = parse_query(args)
    with open_store(args, write=True, create=False) as store:
        back = store.undelete(query)
    if args.json:
        print_json({"undeleted": len(back)})
    elif back:
        for e in back:
            print(f"{clean_line(e.id)}  {clean_line(e.title)}")
        print(f"{_plural(len(back))} brought back from the trash")
    else:
        print_error("newsdesk: nothing in the trash matches; `newsdesk trash` lists it")
    return ExitCode.OK if back else ExitCode.PARTIAL


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {"trash": cmd_trash, "undelete": cmd_undelete}

"""`newsdesk rules`: rules that tag, mark read, star or delete the articles matching a query, at
every import, refresh and extraction (store.user.rules).  `rules add TAG QUERY...` is a tag
rule, as it always was; `rules add --action read -- QUERY...` a killfile line."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from articles.sanitize import clean_line
from tui.cli.arguments import add_command, refuse_option_words
from tui.cli.common import ExitCode, UsageError, open_store, print_error, print_json

if TYPE_CHECKING:
    from tui.config import Settings

USAGE = (
    "usage: newsdesk rules add TAG QUERY... | rules add --action tag|read|star|delete [TAG] -- QUERY... | "
    "rules list | rules remove ID | rules apply [--dry-run]"
)

DONE = {"tag": "tagged", "read": "marked read", "star": "starred", "delete": "moved to the trash"}
"""What a rule's action did to an article, in words."""


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "rules",
        "rules run at every import, refresh and extraction: tag, mark read, star or delete (to the trash; "
        "never starred or tagged articles) what matches QUERY. `rules add TAG QUERY...`, "
        "`rules add --action read -- QUERY...`, `rules list`, `rules remove ID`, `rules apply [--dry-run]`",
        "newsdesk rules add israel-tech place:Israel org:Mobileye\n"
        "  newsdesk rules add --action read -- 'source:\"Daily Mail\"'   # a killfile line\n"
        "  newsdesk rules apply --dry-run",
    )
    p.add_argument("words", nargs="*", metavar="add [TAG] QUERY... | list | remove ID | apply")
    p.add_argument(
        "--action",
        choices=("tag", "read", "star", "delete"),
        help="add: what the rule does (default: tag, which takes a TAG before the query)",
    )
    p.add_argument("--dry-run", action="store_true", help="apply: say what would change, change nothing")
    p.add_argument("--json", action="store_true", help="print JSON")


def cmd_rules(args: argparse.Namespace, settings: Settings) -> int:
    words = list(args.words) or ["list"]
    verb = words[0]
    if args.action and verb != "add":
        raise UsageError(f"--action goes with `rules add`; {USAGE}")
    if args.dry_run and verb != "apply":
        raise UsageError(f"--dry-run goes with `rules apply`; {USAGE}")
    if verb == "list" and len(words) == 1:
        return _list(args)
    if verb == "add":
        return _add(args, settings, words[1:])
    if verb == "remove" and len(words) == 2:
        return _remove(args, words[1])
    if verb == "apply" and len(words) == 1:
        return _apply(args, settings)
    raise UsageError(USAGE)


def _list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        rules = store.rules.list()
    if args.json:
        print_json([r.to_json() for r in rules])
    elif not rules:
        print("no rules yet; add one with: newsdesk rules add TAG QUERY... (or --action read|star|delete -- QUERY...)")
    else:
        for rule in rules:
            print(f"{rule.id:>4}  {rule.action:<6}  {clean_line(rule.tag or '-')}\t{clean_line(rule.query)}")
    return ExitCode.OK


def _add(args: argparse.Namespace, settings: Settings, words: list[str]) -> int:
    from store import QueryError, TagError
    from store.user.rules import RuleError

    action = args.action or "tag"
    tag = None
    if action == "tag":
        if len(words) < 2:
            raise UsageError("a tag rule needs a tag and a query: newsdesk rules add TAG QUERY...")
        tag, words = words[0], words[1:]
    refuse_option_words(args, words)
    if not words:
        raise UsageError(f"a {action} rule needs a query: newsdesk rules add --action {action} -- QUERY...")
    query = " ".join(words)
    try:
        with open_store(args, write=True) as store:
            rule = store.rules.add(query, action=action, tag=tag)
            run = store.rules.apply(only=[rule], trash_days=settings.trash_days)
    except QueryError as exc:
        raise UsageError(f"malformed query: {exc.message}\n{exc.pointer()}") from None
    except (TagError, RuleError) as exc:
        raise UsageError(str(exc)) from None
    changed = len(run.deleted) if rule.action == "delete" else len(run.changed)
    if args.json:
        print_json({**rule.to_json(), "changed": changed})
    else:
        print(
            f"rule {rule.id} added: {clean_line(rule.describe())} for {clean_line(rule.query)}; "
            f"{changed} article{'s' if changed != 1 else ''} {DONE[rule.action]}"
        )
    return ExitCode.OK


def _remove(args: argparse.Namespace, key: str) -> int:
    with open_store(args, write=True) as store:
        rule = store.rules.remove(key)
    if rule is None:
        print_error(f"newsdesk: no rule {clean_line(key)!r} (newsdesk rules list shows their ids)")
        return ExitCode.PARTIAL
    kept = " (tags already given stay)" if rule.action == "tag" else ""
    if args.json:
        print_json(rule.to_json())
    else:
        print(f"rule {rule.id} removed: {clean_line(rule.describe())} for {clean_line(rule.query)}{kept}")
    return ExitCode.OK


def _apply(args: argparse.Namespace, settings: Settings) -> int:
    with open_store(args, write=not args.dry_run) as store:
        rules = store.rules.list()
        if args.dry_run:
            run = store.rules.plan(only=rules)
            changed = list(run.changes)
        else:
            run = store.rules.apply(only=rules, trash_days=settings.trash_days)
            changed = run.changed
    per_rule = [{**r.to_json(), "changed": run.counts.get(r.id, 0)} for r in rules]
    if args.json:
        print_json({"changed": len(changed), "deleted": len(run.deleted), "rules": per_rule})
        return ExitCode.OK
    would = "would be " if args.dry_run else ""
    for rule, entry in zip(rules, per_rule, strict=True):
        count = entry["changed"]
        print(
            f"{rule.id:>4}  {clean_line(rule.describe())} for {clean_line(rule.query)}: "
            f"{count} article{'s' if count != 1 else ''} {would}{DONE[rule.action]}"
        )
    deleted = f", {len(run.deleted)} {would}moved to the trash" if run.deleted else ""
    print(f"{len(changed)} article{'s' if len(changed) != 1 else ''} {would}changed{deleted}")
    return ExitCode.OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {"rules": cmd_rules}

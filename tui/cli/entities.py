"""Entities from the command line: `entities [QUERY]` (counts), `entities extract [QUERY]`,
`entities merge ALIAS NAME` and `entities unmerge ALIAS`; and the extraction run after an import
or a refresh."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from articles.sanitize import clean_line
from tui.cli.arguments import parse_query
from tui.cli.common import ExitCode, UsageError, count_progress, open_store, print_error, print_json

if TYPE_CHECKING:
    from tui.config import Settings
    from store import NewsStore


def extract(store: NewsStore, ids: list[str], settings: Settings) -> int:
    """Entity extraction for `ids`; a missing model is a warning (the import itself is done)."""
    from articles.entities.extract import ExtractionUnavailable
    from tui.extracting import extract_entities

    try:
        counts = extract_entities(
            store,
            ids,
            processes=settings.entities.processes,
            model=settings.entities.model,
            progress=count_progress(sys.stderr, "extracting entities"),
        )
    except ExtractionUnavailable as exc:
        print_error(f"newsdesk: entities not extracted: {exc}; run `newsdesk entities extract` once it is installed")
        return 0
    return counts["extracted"]


def _merge(args: argparse.Namespace, words: list[str]) -> int:
    from store import MergeError

    command, names = words[0], words[1:]
    if (command == "merge" and len(names) != 2) or (command == "unmerge" and len(names) != 1):
        usage = "entities merge ALIAS NAME" if command == "merge" else "entities unmerge ALIAS"
        raise UsageError(f"usage: newsdesk {usage} (quote names with spaces)")
    with open_store(args, write=True) as store:
        if command == "merge":
            try:
                store.merge_entity(names[0], names[1])
            except MergeError as exc:
                raise UsageError(str(exc)) from None
            print(f"merged {clean_line(names[0])!r} into {clean_line(names[1])!r}")
            return ExitCode.OK
        if not store.unmerge_entity(names[0]):
            print_error(f"newsdesk: {clean_line(names[0])!r} is not merged into anything")
            return ExitCode.PARTIAL
        print(f"unmerged {clean_line(names[0])!r}")
        return ExitCode.OK


def cmd_entities(args: argparse.Namespace, settings: Settings) -> int:
    words = list(args.query)
    if words and words[0] in ("merge", "unmerge"):
        return _merge(args, words)
    if words and words[0] == "extract":
        args.query = words[1:]
        query = parse_query(args)
        with open_store(args, write=True) as store:
            ids = store.without_entities(query)
            extracted = extract(store, ids, settings) if ids else 0
        result = {"extracted": extracted, "checked": len(ids)}
        print_json(result) if args.json else print(f"extracted entities of {extracted} of {len(ids)} articles")
        return ExitCode.OK
    query = parse_query(args)
    with open_store(args) as store:
        found = store.entity_counts(query, kind=args.type, limit=args.limit)
    if args.json:
        print_json(found)
        return ExitCode.OK
    if not found:
        print("no entities in the matching articles; `newsdesk entities extract` runs extraction where it has not run")
        return ExitCode.OK
    for entity in found:
        print(f"{entity['articles']:>6}  {entity['type']:<6}  {clean_line(entity['name'])}")
    return ExitCode.OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {"entities": cmd_entities}

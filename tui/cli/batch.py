"""`newsdesk tag --batch`, as notmuch's: lines of `+TAG -TAG -- QUERY` on stdin, the `--`
required on each line as on the command line, blank lines and `#` comments skipped.  Every
line is checked first; one bad line is reported with its number and nothing is applied (exit 2).
Then every line is applied, in order, in one commit."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from articles.sanitize import clean_line
from tui.cli.common import ExitCode, UsageError, open_store, print_error, print_json

if TYPE_CHECKING:
    from tui.config import Settings

SHOWN_PROBLEMS = 20
"""Bad lines named one by one; a last line counts the rest."""


@dataclass(frozen=True, slots=True)
class BatchLine:
    number: int
    add: list[str]
    remove: list[str]
    query: Any  # a parsed store Query


def tag_words(words: list[str]) -> tuple[list[str], list[str]]:
    """+TAG and -TAG words as (added, removed); anything else (an option such as `--foo`, a bare
    word) is a UsageError naming it."""
    wrong = [w for w in words if w.startswith("--") or not w.startswith(("+", "-")) or len(w) < 2]
    if wrong:
        listed = ", ".join(repr(clean_line(w)) for w in wrong)
        raise UsageError(f"tag takes +TAG and -TAG before --, not {listed}")
    if not words:
        raise UsageError("tag needs +TAG or -TAG before --")
    return [w[1:] for w in words if w.startswith("+")], [w[1:] for w in words if w.startswith("-")]


def read_batch(lines: list[str]) -> tuple[list[BatchLine], list[str]]:
    """The lines parsed, and the problems (`line N: ...`), all of them checked."""
    from store import QueryError, TagError, parse_query
    from store.tags import normalise_tag

    parsed: list[BatchLine] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            words = shlex.split(text)
            if "--" not in words:
                raise UsageError("needs -- between the tags and the query: +TAG -TAG -- QUERY")
            dash = words.index("--")
            add, remove = tag_words(words[:dash])
            add, remove = [normalise_tag(t) for t in add], [normalise_tag(t) for t in remove]
            query = parse_query(" ".join(words[dash + 1 :]))
        except ValueError as exc:  # shlex: an open quote
            problems.append(f"line {number}: {_reason(exc, QueryError, TagError)}")
            continue
        except UsageError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        parsed.append(BatchLine(number, add, remove, query))
    return parsed, problems


def _reason(exc: ValueError, query_error: type, tag_error: type) -> str:
    if isinstance(exc, query_error):
        return f"malformed query: {getattr(exc, 'message', exc)}"
    if isinstance(exc, tag_error):
        return str(exc)
    return f"cannot split it into words: {exc}"


def cmd_tag_batch(args: argparse.Namespace, settings: Settings) -> int:
    if getattr(args, "tag_words", None) is not None or args.query:
        raise UsageError("tag --batch reads its lines (+TAG -TAG -- QUERY) from stdin; give it no tags or query")
    from articles.importers import bounded_lines
    from store.tags import merge_tags
    from store.values import State

    lines: list[str] = []
    limit = settings.max_file_bytes
    for number, raw in enumerate(bounded_lines(b"", sys.stdin.buffer, limit), start=1):
        if raw is None:
            raise UsageError(f"tag --batch: line {number}: longer than {limit:,} bytes ([import] max_file_bytes)")
        lines.append(raw.decode("utf-8", "replace"))
    parsed, problems = read_batch(lines)
    if problems:
        for problem in problems[:SHOWN_PROBLEMS]:
            print_error(f"newsdesk: tag --batch: {problem}")
        if len(problems) > SHOWN_PROBLEMS:
            print_error(f"newsdesk: tag --batch: {len(problems) - SHOWN_PROBLEMS} more bad lines")
        print_error("newsdesk: tag --batch: nothing was changed")
        return ExitCode.USAGE
    steps: dict[str, list[BatchLine]] = {}
    with open_store(args, write=True) as store:
        for line in parsed:
            for article_id in store.ids_matching(line.query):
                steps.setdefault(article_id, []).append(line)

        def change_for(mine: list[BatchLine]) -> Callable[[State], State]:
            def change(state: State) -> State:
                tags = list(state.tags)
                for line in mine:
                    tags = merge_tags(tags, line.add, line.remove)
                return State(tuple(tags), state.read, state.starred)

            return change

        changed = store.rewrite_each({i: change_for(mine) for i, mine in steps.items()})
    if args.json:
        print_json({"changed": len(changed)})
    else:
        print(f"{len(changed)} article{'s' if len(changed) != 1 else ''} changed")
    return ExitCode.OK

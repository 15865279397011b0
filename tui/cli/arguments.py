"""The pieces the CLI's parser is built from — a parser that keeps its arguments and commands
where `refuse_option_words` and the completion scripts read them, the options every command
takes, a command with its summary and example, the QUERY words — and the QUERY words read into
a parsed query."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, NoReturn

from articles.sanitize import strip_controls
from tui.cli.common import UsageError


class CommandParser(argparse.ArgumentParser):
    """An ArgumentParser that keeps what it is given: `arguments`, every argument added (its own
    help first), in order; `commands`, the parser of each command by name."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.arguments: list[argparse.Action] = []
        self.commands: dict[str, CommandParser] = {}
        super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **kwargs)
        self.arguments.append(action)
        return action

    def add_subparsers(self, **kwargs: Any) -> Any:
        action = super().add_subparsers(**kwargs)
        self.commands = action.choices  # filled in as each command is added
        return action

    def error(self, message: str) -> NoReturn:
        """argparse's error, but a mistyped command is named (without its control characters)
        with the commands it is close to, not followed by the list of all 26."""
        import re

        wrong = re.match(r"argument COMMAND: invalid choice: '(.*)' \(choose from ", message, re.DOTALL)
        if wrong and self.commands:
            from difflib import get_close_matches

            word = wrong.group(1)
            close = get_close_matches(word, list(self.commands), n=2, cutoff=0.6)
            message = f"'{strip_controls(word)}' is not a newsdesk command" + (
                f"; did you mean {' or '.join(close)}?" if close else " (newsdesk --help lists them)"
            )
        super().error(message)


def global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """--store and --config, taken before the command and after it."""
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


def add_command(sub: Any, name: str, summary: str, example: str) -> CommandParser:
    """A command's parser, with its summary, its example and the global options."""
    parser: CommandParser = sub.add_parser(
        name,
        help=summary,
        description=summary,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    global_options(parser, top=False)
    parser.set_defaults(command_parser=parser)  # its options: a query word equal to one is refused
    return parser


def add_query_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "query",
        nargs="*",
        metavar="QUERY",
        help="query words, joined by spaces; empty matches every article. "
        "If it starts with '-', put -- before it (and every option before the --)",
    )


def non_negative(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


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
                if token.startswith(("--store=", "--config=")) or token in ("--json", "--help", "-h", "--batch"):
                    kept.append(token)
                else:
                    words.append(token)
                position += 1
            return [*argv[: index + 1], *kept, "--", *argv[dash + 1 :]], words
    return argv, None


def parse_query(args: argparse.Namespace) -> Any:
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
    actions = {name: action for action in command_parser.arguments for name in action.option_strings}
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
    position = command_word(argv)
    return position if position is not None and argv[position] == command else None


def command_word(argv: Sequence[str]) -> int | None:
    """Where the first word of `argv` that is neither an option nor the value of --store or
    --config is (the command's name, if any); None when there is none before `--`."""
    position = 0
    while position < len(argv):
        token = argv[position]
        if token in ("--store", "--config"):
            position += 2
            continue
        if token == "--":
            return None
        if not token.startswith("-"):
            return position
        position += 1
    return None

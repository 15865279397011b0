"""`newsdesk config print` (the effective configuration, commented, with every binding id) and
`newsdesk completion bash|zsh`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.cli.arguments import add_command
from tui.cli.common import ExitCode

if TYPE_CHECKING:
    from tui.config import Settings


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "config",
        "print the effective configuration: every setting (marked where it differs from the "
        "default) and every binding id with its keys, as TOML to start a config from",
        "newsdesk config print\n  newsdesk config print > ~/.config/newsdesk/config.toml",
    )
    p.add_argument("action", choices=("print",), help="print: the effective configuration")
    p = add_command(
        sub,
        "completion",
        "print a shell completion script (commands, options, files)",
        'eval "$(newsdesk completion bash)"    # in ~/.bashrc\n  newsdesk completion zsh > "${fpath[1]}/_newsdesk"',
    )
    p.add_argument("shell", choices=("bash", "zsh"))


def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    from tui.launch import effective_config

    warnings, text = effective_config(settings)
    for warning in warnings[len(settings.warnings) :]:  # main() has said the file's own problems
        print(f"newsdesk: {warning}", file=sys.stderr)
    print(text)
    return ExitCode.OK


def cmd_completion(args: argparse.Namespace, settings: Settings) -> int:
    from tui.cli.completion import bash, zsh
    from tui.cli.parser import build_parser

    script = {"bash": bash, "zsh": zsh}[args.shell]
    print(script(build_parser()), end="")
    return ExitCode.OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "config": cmd_config,
    "completion": cmd_completion,
}

"""`newsdesk config print` (the effective configuration, commented, with every binding id) and
`newsdesk completion bash|zsh`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any


def register(sub: Any, command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command(
        sub,
        "config",
        "print the effective configuration: every setting (marked where it differs from the "
        "default) and every binding id with its keys, as TOML to start a config from",
        "newsdesk config print\n  newsdesk config print > ~/.config/newsdesk/config.toml",
    )
    p.add_argument("action", choices=("print",), help="print: the effective configuration")
    p = command(
        sub,
        "completion",
        "print a shell completion script (commands, options, files)",
        'eval "$(newsdesk completion bash)"    # in ~/.bashrc\n  newsdesk completion zsh > "${fpath[1]}/_newsdesk"',
    )
    p.add_argument("shell", choices=("bash", "zsh"))


def cmd_config(args: argparse.Namespace, settings: Any) -> int:
    import sys

    from tui.config import render_config
    from tui.keymap import binding_table, check_keymap

    _keys, warnings = check_keymap(settings.keys)
    for warning in warnings:
        print(f"newsdesk: config: {warning}", file=sys.stderr)
    print(render_config(settings, binding_table()))
    return 0


def cmd_completion(args: argparse.Namespace, settings: Any) -> int:
    from tui import completion
    from tui.cli import build_parser

    print(getattr(completion, args.shell)(build_parser()), end="")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace, Any], int]] = {"config": cmd_config, "completion": cmd_completion}

"""`newsdesk config print` (the effective configuration, commented, with every binding id) and
`newsdesk completion bash|zsh`, and `newsdesk serve` (tui/serve.py)."""

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
    p = command(
        sub,
        "serve",
        "serve the reader to a browser (needs the serve extra: pip install 'newsdesk[serve]'); "
        "loopback only by default, and every request needs the random token in the printed URL",
        "newsdesk serve\n  newsdesk serve --port 8123 --demo",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    p.add_argument("--demo", action="store_true", help="serve the demo store instead of yours")


def cmd_config(args: argparse.Namespace, settings: Any) -> int:
    import sys
    from dataclasses import replace

    from textual.theme import BUILTIN_THEMES

    from tui.config import ReaderSettings, render_config
    from tui.config_check import config_warnings
    from tui.keymap import binding_table

    keys, warnings = config_warnings(settings, BUILTIN_THEMES)  # what the reader would say
    for warning in warnings[len(settings.warnings) :]:  # main() has said the file's own problems
        print(f"newsdesk: {warning}", file=sys.stderr)
    effective = replace(settings, keys=keys)  # what the reader uses: unknown ids and themes dropped
    if settings.reader.theme not in BUILTIN_THEMES:
        effective = replace(effective, reader=replace(settings.reader, theme=ReaderSettings().theme))
    print(render_config(effective, binding_table()))
    return 0


def cmd_completion(args: argparse.Namespace, settings: Any) -> int:
    from tui import completion
    from tui.cli import build_parser

    print(getattr(completion, args.shell)(build_parser()), end="")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Any) -> int:
    import sys

    from tui.serve import make_server, new_token, reader_command

    try:
        import textual_serve  # noqa: F401
    except ImportError:
        print("newsdesk: serve needs textual-serve: pip install 'newsdesk[serve]'", file=sys.stderr)
        return 2
    token = new_token()
    command = reader_command(args.store, args.config, args.demo)
    server = make_server(command, args.host, args.port, token)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"newsdesk: serving the reader on http://{host}:{args.port}/?token={token}", flush=True)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"newsdesk: listening on {args.host}: anyone who can reach it and has the URL gets in", file=sys.stderr)
    server.serve()
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace, Any], int]] = {
    "config": cmd_config,
    "completion": cmd_completion,
    "serve": cmd_serve,
}

"""`newsdesk serve`: the reader in a browser (tui/serve.py)."""

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
        "serve",
        "serve the reader to a browser (needs the serve extra: pip install 'newsdesk[serve]'); "
        "loopback only by default, and every request needs the random token in the printed URL",
        "newsdesk serve\n  newsdesk serve --port 8123 --demo",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    p.add_argument("--demo", action="store_true", help="serve the demo store instead of yours")


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from tui.serve import can_serve, make_server, new_token, reader_command

    if not can_serve():
        print("newsdesk: serve needs textual-serve: pip install 'newsdesk[serve]'", file=sys.stderr)
        return ExitCode.USAGE
    token = new_token()
    command = reader_command(args.store, args.config, args.demo)
    server = make_server(command, args.host, args.port, token)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"newsdesk: serving the reader on http://{host}:{args.port}/?token={token}", flush=True)
    if args.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"newsdesk: listening on {args.host}: anyone who can reach it and has the URL gets in", file=sys.stderr)
    server.serve()
    return ExitCode.OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {"serve": cmd_serve}

"""`newsdesk serve`: the reader in a browser, through textual-serve (the `serve` extra).

Every user of a shared host can reach its loopback interface, so loopback alone protects
nothing: the server makes a random token at start and prints the one URL that carries it.  The
first request with the token gets it back as an HttpOnly, SameSite=Strict cookie (so the
page's own websocket and assets are let in); every request with neither is refused with 403
before it reaches textual-serve."""

from __future__ import annotations

import hmac
import secrets
import shlex
import sys
from typing import Any

COOKIE = "newsdesk_token"


def check_token(token: str, query: str | None, cookie: str | None) -> bool:
    """Whether a request carries the token, in its query or its cookie (constant-time)."""
    return any(value is not None and hmac.compare_digest(value.encode(), token.encode()) for value in (query, cookie))


def can_serve() -> bool:
    """Whether textual-serve (the `serve` extra) is installed."""
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        return False
    return True


def make_server(command: str, host: str, port: int, token: str) -> Any:
    """A textual_serve Server whose aiohttp application refuses requests without the token."""
    from aiohttp import web
    from textual_serve.server import Server

    @web.middleware
    async def require_token(request: web.Request, handler: Any) -> web.StreamResponse:
        query = request.query.get("token")
        if not check_token(token, query, request.cookies.get(COOKIE)):
            return web.Response(status=403, text="newsdesk: this address needs the token serve printed\n")
        response = await handler(request)
        if query is not None and isinstance(response, web.Response):
            response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", path="/")
        return response

    class TokenServer(Server):
        async def on_startup(self, app: web.Application) -> None:
            # The application's startup hooks run before it is frozen, so the middleware still goes
            # in; no banner: it prints the address without the token, and `serve` prints the one
            # to use.
            app.middlewares.append(require_token)

    return TokenServer(command, host=host, port=port, title="newsdesk")


def reader_command(store: str | None, config: str | None, demo: bool) -> str:
    """The command textual-serve runs for each browser tab: this newsdesk's reader."""
    argv = [sys.executable, "-m", "tui.cli"]
    if store:
        argv += ["--store", store]
    if config:
        argv += ["--config", config]
    if demo:
        argv.append("--demo")
    return shlex.join(argv)


def new_token() -> str:
    return secrets.token_urlsafe(24)

"""[reader] pipe: the commands `|` can send an article to, by name.

    [reader.pipe]
    wc = "wc -w"                                      # a string: split as a shell would, no shell run
    summarise = ["llm", "-s", "Summarise this"]       # a list: the argument vector as it is
    jq = { command = ["jq", ".entities"], input = "json", timeout = 5, show = "pager" }

`input` is "text" (the title, source, url and body as plain text; the default) or "json" (the
article's show record, docs/cli.md); `timeout` the seconds the command may run (default 20, at
most 600); `show` "notice" (the default; long output goes to a pager anyway) or "pager"."""

from __future__ import annotations

import shlex
from typing import Any

PIPE_TIMEOUT = 20.0
MAX_TIMEOUT = 600.0
INPUTS = ("text", "json")
SHOWS = ("notice", "pager")
MAX_COMMANDS = 50


def pipe_commands(value: Any) -> dict[str, dict[str, Any]]:
    """Check [reader] pipe: name -> {"command": argv, "input", "timeout", "show"}; ValueError
    says what is wrong (the config then keeps no pipe commands)."""
    if not isinstance(value, dict):
        raise ValueError('expected a table of name = command, e.g. [reader.pipe] wc = "wc -w"')
    if len(value) > MAX_COMMANDS:
        raise ValueError(f"at most {MAX_COMMANDS} commands")
    return {str(name): _command(str(name), spec) for name, spec in value.items()}


def _command(name: str, spec: Any) -> dict[str, Any]:
    if not name.strip() or any(not ch.isprintable() for ch in name):
        raise ValueError(f"pipe command name {name!r}: not a printable name")
    table = spec if isinstance(spec, dict) else {"command": spec}
    unknown = set(table) - {"command", "input", "timeout", "show"}
    if unknown:
        raise ValueError(f"pipe command {name!r}: unknown field {sorted(unknown)[0]!r}")
    argv = _argv(name, table.get("command"))
    kind = table.get("input", "text")
    if kind not in INPUTS:
        raise ValueError(f"pipe command {name!r}: input must be one of {', '.join(INPUTS)}")
    show = table.get("show", "notice")
    if show not in SHOWS:
        raise ValueError(f"pipe command {name!r}: show must be one of {', '.join(SHOWS)}")
    timeout = table.get("timeout", PIPE_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= MAX_TIMEOUT:
        raise ValueError(f"pipe command {name!r}: timeout must be seconds, above 0 and at most {MAX_TIMEOUT:g}")
    return {"command": argv, "input": kind, "timeout": float(timeout), "show": show}


def _argv(name: str, command: Any) -> list[str]:
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise ValueError(f"pipe command {name!r}: {exc}") from None
    elif isinstance(command, list) and all(isinstance(part, str) for part in command):
        argv = list(command)
    else:
        raise ValueError(f"pipe command {name!r}: command must be a string or a list of strings")
    if not argv or not argv[0].strip():
        raise ValueError(f"pipe command {name!r}: the command is empty")
    return argv

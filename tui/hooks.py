"""[hooks] in the config: `post_import`, a command run after each import and refresh (the CLI's
and the reader's) with the ids of the new articles on its stdin, one per line — notmuch's
post-new hook.  The command is split as a shell would (shlex) and run as an argument vector,
never through a shell, with NEWSDESK_STORE set to the store; its output is captured, and a
failure (an exit status other than 0, a command not found, `timeout` seconds passed) is
reported and never undoes the import."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articles.sanitize import clean_line

if TYPE_CHECKING:
    import subprocess

HOOK_TIMEOUT = 60.0
"""[hooks] timeout: seconds a hook may run before it is stopped."""

SHOWN_LINES = 5
"""Lines of a failed hook's output quoted in its report (the last ones)."""


@dataclass(frozen=True, slots=True)
class HookSettings:
    """[hooks]: commands newsdesk runs at points of its work."""

    post_import: str = ""
    timeout: float = HOOK_TIMEOUT


def _command(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a text (a command line, split as a shell would but run without one)")
    import shlex

    try:
        shlex.split(value)
    except ValueError as exc:
        raise ValueError(f"cannot split it into words: {exc}") from None
    return value


def _seconds(value: Any) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        raise ValueError("expected a number above 0")
    return float(value)


HOOK_OPTIONS: tuple[tuple[str, str, Any, Callable[[Any], Any], str], ...] = (
    (
        "hooks",
        "post_import",
        "",
        _command,
        "command run after each import and refresh, the new article ids on stdin (empty: none)",
    ),
    ("hooks", "timeout", HOOK_TIMEOUT, _seconds, "seconds a hook may run before it is stopped"),
)
"""(section, key, default, check, doc) of each [hooks] key, for tui.config's table of options."""


def run_post_import(
    hooks: HookSettings, ids: Sequence[str], store_root: Path | str, report: Callable[[str], None]
) -> bool:
    """Run [hooks] post_import with `ids` on its stdin; True when it ran and exited 0 (or there
    is none).  Every failure goes to `report`, naming the command."""
    if not hooks.post_import.strip():
        return True
    import shlex
    import subprocess  # here: a command that runs no hook does not load them
    argv = shlex.split(hooks.post_import)
    name = clean_line(shlex.join(argv))
    env = {**os.environ, "NEWSDESK_STORE": str(store_root)}
    try:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # its own process group: a timeout stops its children too
        )
    except OSError as exc:
        report(f"[hooks] post_import: {name}: cannot run it: {exc.strerror or exc}; the import stays")
        return False
    data = "".join(f"{i}\n" for i in ids).encode()
    try:
        output, _ = process.communicate(data, timeout=hooks.timeout)
    except subprocess.TimeoutExpired:
        _stop(process)
        report(f"[hooks] post_import: {name}: stopped after {hooks.timeout:g} s ([hooks] timeout); the import stays")
        return False
    if process.returncode != 0:
        lines = [clean_line(line) for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
        said = "".join(f"\n  {line}" for line in lines[-SHOWN_LINES:])
        how = f"killed by signal {-process.returncode}" if process.returncode < 0 else f"exit status {process.returncode}"
        report(f"[hooks] post_import: {name}: failed ({how}); the import stays{said}")
        return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.communicate()

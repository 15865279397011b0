"""Starting the reader: on the user's store, or on a throwaway demo store."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.common import ExitCode
from tui.config import Settings
from tui.paths import store_dir

if TYPE_CHECKING:
    from store import NewsStore


def run_demo(settings: Settings) -> int:
    """The reader on a throwaway store (never the user's) filled with the bundled samples."""
    import shutil
    import tempfile
    import threading

    from store import NewsStore
    from tui.demo import fill_demo_store

    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-demo-"))
    try:
        with NewsStore(workdir / "store") as store:
            fill_demo_store(store, settings)
            # The demo's stories are placed beside the reader's start, not before it (`S` groups
            # by them); the store is closed only once that is done.
            placing = threading.Thread(target=_place_stories, args=(store,), name="demo-stories", daemon=True)
            placing.start()
            try:
                return _run_app(store, demo=True, settings=settings)
            finally:
                placing.join()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _place_stories(store: NewsStore) -> None:
    from store import StoreError

    try:
        store.stories.assign()
    except StoreError:  # a throwaway store: without stories the demo still reads
        pass


def run_reader(args: argparse.Namespace, settings: Settings) -> int:
    """`newsdesk` with no command: the reader on the user's store."""
    from store import NewsStore, StoreCorrupt

    root = store_dir(args.store)
    try:
        store = NewsStore(root)
    except StoreCorrupt as exc:
        return _run_damaged(root, exc, settings)
    with store:
        return _run_app(store, demo=False, settings=settings)


def _run_damaged(root: Path, error: Any, settings: Settings) -> int:
    """The store cannot be opened because a file of it is damaged: the reader starts on the
    offer to repair it (store.care.recovery), then opens the store as usual."""
    from store import NewsStore
    from store import assess_damage as assess

    if not can_run():
        print(f"newsdesk: {error}", file=sys.stderr)
        return ExitCode.STORE
    from tui.app import NewsdeskApp

    damage = assess(root, error, writable=os.access(root, os.W_OK))
    app = NewsdeskApp(
        None,
        damage=damage,
        root=root,
        reopen=lambda: NewsStore(root),
        backups=(settings.backup_hours, settings.backups),
        settings=settings,
    )
    try:
        code = _finish(app)
    finally:
        if app.store is not None:
            app.store.close()
    if app.store is None and code == ExitCode.STORE:
        print(f"newsdesk: {damage.describe()}", file=sys.stderr)
    return code


def can_run() -> bool:
    """A terminal that can show the reader: not a pipe, not TERM=dumb (escape soup there)."""
    if _headless() or os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver"):
        return True  # tests, and `newsdesk serve` (textual-serve talks to the reader over pipes)
    if not sys.stdout.isatty():
        print("newsdesk: the reader needs a terminal; for scripts use the commands (newsdesk --help)", file=sys.stderr)
        return False
    if os.environ.get("TERM", "") in ("dumb", "unknown", ""):
        term = os.environ.get("TERM") or "unset"
        print(
            f"newsdesk: this terminal (TERM={term}) cannot show the reader; set TERM to your "
            "terminal (xterm-256color, screen-256color in tmux) or use the commands (newsdesk --help)",
            file=sys.stderr,
        )
        return False
    return True


def _run_app(store: NewsStore, *, demo: bool, settings: Settings | None = None) -> int:
    if not can_run():
        return ExitCode.USAGE
    from tui.app import NewsdeskApp

    backups = (settings.backup_hours, settings.backups) if settings and not demo else (24.0, 0)
    return _finish(NewsdeskApp(store, demo=demo, backups=backups, settings=settings or Settings()))


M_ARENA_MAX = -8
"""glibc's mallopt(3) parameter: the most malloc arenas the process uses."""
READER_ARENAS = 2


def few_malloc_arenas() -> None:
    """Two malloc arenas for the reader, as MALLOC_ARENA_MAX=2 would (unless that is set).  Each
    store read runs on a thread worker, and glibc gives threads arenas of their own (up to eight
    a core), each keeping what it freed: at 100k articles RSS climbed by about 30 MiB over the
    first 50 search cycles and stayed there; with two arenas, 9 MiB (docs/benchmarks.md, issue
    18).  Without glibc (musl, macOS) there is nothing to do."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return
    import ctypes

    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, READER_ARENAS)
    except (OSError, AttributeError):  # no mallopt: not glibc
        pass


def _finish(app: Any) -> int:
    few_malloc_arenas()
    app.run(headless=_headless())
    if app.signalled is not None:
        import signal

        name = signal.Signals(app.signalled).name
        try:
            print(f"newsdesk: {name}: closed cleanly; every change shown was already saved", file=sys.stderr)
        except OSError:  # the terminal is gone (a hung-up SSH session): say nothing, lose nothing
            _detach_terminal()
        return 128 + app.signalled
    return app.return_code or ExitCode.OK


def _detach_terminal() -> None:
    """Point stdout and stderr at /dev/null, so that the interpreter's last flush at exit does
    not fail on a terminal that hung up."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _headless() -> bool:
    return os.environ.get("NEWSDESK_HEADLESS") == "1"


def effective_config(settings: Settings) -> tuple[list[str], str]:
    """What `newsdesk config print` says: every warning the reader would give about the config
    (the theme names and binding ids only Textual knows), and the configuration the reader would
    use (unknown binding ids and themes dropped) as commented TOML."""
    from dataclasses import replace

    from textual.theme import BUILTIN_THEMES

    from tui.config import ReaderSettings, render_config
    from tui.config_check import config_warnings
    from tui.keymap import binding_table

    keys, warnings = config_warnings(settings, BUILTIN_THEMES)
    effective = replace(settings, keys=keys)
    if settings.reader.theme not in BUILTIN_THEMES:
        effective = replace(effective, reader=replace(settings.reader, theme=ReaderSettings().theme))
    return warnings, render_config(effective, binding_table())

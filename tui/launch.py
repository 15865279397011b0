"""Starting the reader: on the user's store, or on a throwaway demo store."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from tui.config import Settings
from tui.importing import import_sources
from tui.paths import store_dir

EXIT_OK, EXIT_USAGE = 0, 2
DEMO_DIR = Path(__file__).parent / "demo"


def demo_sources() -> list[str]:
    return [str(p) for p in sorted(DEMO_DIR.iterdir()) if p.is_file() and not p.name.startswith(".")]


def run_demo(settings: Settings) -> int:
    """The reader on a throwaway store (never the user's) filled with the bundled samples."""
    import shutil
    import tempfile

    from store import NewsStore

    workdir = Path(tempfile.mkdtemp(prefix="newsdesk-demo-"))
    try:
        with NewsStore(workdir / "store") as store:
            fill_demo_store(store, settings)
            return _run_app(store, demo=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def fill_demo_store(store: Any, settings: Settings | None = None) -> None:
    """Import the bundled sample set (the seed article and the fictional samples) with the
    entities shipped for it (tui/demo-entities.json): no spaCy at start."""
    from tui.demo_entities import load

    import_sources(store, demo_sources(), settings or Settings(), report=lambda _message: None)
    store.set_entities(load())


def run_reader(args: argparse.Namespace, settings: Settings) -> int:
    """`newsdesk` with no command: the reader on the user's store."""
    from store import NewsStore

    with NewsStore(store_dir(args.store)) as store:
        return _run_app(store, demo=False)


def _run_app(store: Any, *, demo: bool) -> int:
    if not sys.stdout.isatty() and not _headless():
        print("newsdesk: the reader needs a terminal; for scripts use the commands (newsdesk --help)", file=sys.stderr)
        return EXIT_USAGE
    from tui.app import NewsdeskApp

    app = NewsdeskApp(store, demo=demo)
    app.run(headless=_headless())
    if app.signalled is not None:
        import signal

        name = signal.Signals(app.signalled).name
        try:
            print(f"newsdesk: {name}: closed cleanly; every change shown was already saved", file=sys.stderr)
        except OSError:  # the terminal is gone (a hung-up SSH session): say nothing, lose nothing
            _detach_terminal()
        return 128 + app.signalled
    return EXIT_OK


def _detach_terminal() -> None:
    """Point stdout and stderr at /dev/null, so that the interpreter's last flush at exit does
    not fail on a terminal that hung up."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _headless() -> bool:
    return os.environ.get("NEWSDESK_HEADLESS") == "1"

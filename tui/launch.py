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

    NewsdeskApp(store, demo=demo).run(headless=_headless())
    return EXIT_OK


def _headless() -> bool:
    return os.environ.get("NEWSDESK_HEADLESS") == "1"

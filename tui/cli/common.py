"""What every command of the CLI shares: its exit codes, the usage error, opening the store (with
the warnings each command gives about it), and writing JSON and errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from enum import IntEnum
from typing import TYPE_CHECKING, Any, TextIO

import orjson

from articles.sanitize import strip_controls
from tui.paths import store_dir

if TYPE_CHECKING:
    from store import NewsStore


class ExitCode(IntEnum):
    """The exit codes of `newsdesk` (docs/cli.md)."""

    OK = 0
    PARTIAL = 1
    """Part of the work failed: a source of an import, a line of restore-tags, an id not found."""
    USAGE = 2
    STORE = 3
    """The store cannot be opened or written."""
    INTERRUPTED = 130


class UsageError(Exception):
    """A usage problem found after parsing (exit 2)."""


def print_error(message: str) -> None:
    """One line on stderr, stripped of control characters."""
    print(strip_controls(message), file=sys.stderr)


def print_json(data: Any) -> None:
    """`data` as one line of JSON on stdout."""
    sys.stdout.buffer.write(orjson.dumps(data) + b"\n")
    sys.stdout.flush()


SMALL_WRITES = frozenset({"tag", "mark", "tags", "rules", "delete", "undelete", "restore-tags"})
"""Commands whose commits leave the full-text index to the next search or sync, unless they
change more than it takes up itself (store.search.text_sync.TextSync.defer): a scripted loop of
`newsdesk tag` pays for its own commit, not a tantivy commit each."""


def open_store(args: argparse.Namespace, *, write: bool = False, create: bool = True, warn: bool = True) -> NewsStore:
    """The store of `--store` (or the default one), opened to read, or to write (`create`: made if
    there is none yet).  Its warnings — a full disk, damaged files, a directory open to other
    users — go to stderr, each once per command."""
    from store import NewsStore, StoreError

    root = store_dir(args.store)
    if (not write or not create) and not root.exists():
        raise StoreError(f"{root}: no store here yet; import something first (newsdesk import --help)")
    store = NewsStore(root, create=write)
    if write and getattr(args, "command", None) in SMALL_WRITES:
        store.text_sync.defer()
    if not write:  # a write says so itself, failing: not saved
        store.watch_space(lambda message: print_error(f"newsdesk: warning: {message}"))
    if warn:  # one set per command: its automatic backup opens the store again
        store.watch_damage(_warn_damaged(vars(args).setdefault("damage_warned", set())))
    _warn_privacy(store, vars(args).setdefault("privacy_warned", set()))
    return store


def _warn_damaged(warned: set[str]) -> Callable[[Any], None]:
    """Say on stderr, once per command, each damaged state shard (read as empty) or segment (left
    out) the store meets."""
    def warn(error: Any) -> None:
        from store import damage_notice  # store.care.recovery: loaded only when there is damage

        if str(error.path) not in warned:
            warned.add(str(error.path))
            print_error(f"newsdesk: warning: {damage_notice(error)}")

    return warn


def _warn_privacy(store: NewsStore, warned: set[str]) -> None:
    """A store directory open to other users is said once per command, on stderr."""
    warning = store.privacy_warning()
    if warning and warning not in warned:
        warned.add(warning)
        print_error(f"newsdesk: warning: {warning}")


def count_progress(stream: TextIO, doing: str, unit: str = "") -> Callable[[int, int], None] | None:
    """'doing… done/total unit' on one line of a terminal; nothing when it is not a terminal."""
    if not stream.isatty():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\r\x1b[K{doing}… {done}/{total}{unit}" if done < total else "\r\x1b[K")
        stream.flush()

    return show

"""Sources on this machine: stdin, a file or a folder (walked recursively).  Only regular files
are opened; a source's type is told from its first bytes, and one larger than
`ImportOptions.max_file_bytes` is refused before it is read."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from articles.importers import detect
from articles.importers.base import ImportOptions, Item, Problem, Skipped
from articles.importers.formats import parse_content
from articles.importers.records import jsonl_records, parse_records


def read_stdin(options: ImportOptions, fetched: str) -> Iterator[Item]:
    """Standard input ('-'): its size is known before anything is read when it is redirected
    from a file."""
    stdin = sys.stdin.buffer
    try:
        info = os.fstat(stdin.fileno())
        size = info.st_size if stat.S_ISREG(info.st_mode) else None
    except (OSError, ValueError):
        size = None
    yield from _read_stream(stdin, "<stdin>", size, options, fetched, explicit=True)


def read_path(source: str, options: ImportOptions, fetched: str) -> Iterator[Item]:
    """A file or a folder named by the user."""
    path = Path(source)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        yield Problem(source, "no such file or folder", fatal=True)
        return
    except (OSError, RuntimeError) as exc:
        yield Problem(source, f"cannot read: {getattr(exc, 'strerror', None) or exc}", fatal=True)
        return
    if stat.S_ISDIR(mode):
        yield from _read_folder(path, options, fetched)
    elif stat.S_ISREG(mode):
        yield from _read_file(path, options, fetched, explicit=True)
    else:
        yield Problem(source, f"{_kind_of(mode)}, not a regular file: {_NOT_REGULAR}", fatal=True)


_NOT_REGULAR = (
    "newsdesk imports regular files, folders and http(s) urls (and '-' for stdin: `newsdesk import - < SOURCE`)"
)


def _kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _read_folder(root: Path, options: ImportOptions, fetched: str) -> Iterator[Item]:
    """Every file under `root`, recursively, in name order; hidden names are left out.  A link
    is followed only when its target is inside the folder (a link to /etc/passwd is not, and
    says so as a Skipped item); each folder and file is read once however many links lead to it,
    so a link loop ends.  Only regular files are opened."""
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        yield Problem(str(root), f"cannot read: {getattr(exc, 'strerror', None) or exc}", fatal=True)
        return
    folders_seen = {real_root}
    files_seen: set[tuple[int, int]] = set()
    any_file = False
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted((e for e in scan if not e.name.startswith(".")), key=lambda e: e.name)
        except OSError as exc:
            yield Problem(str(folder), f"cannot read: {exc.strerror or exc}", fatal=True)
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            target = path
            if entry.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):  # missing target, or a loop of links
                    yield Skipped(str(path), "a broken link", folder=str(root))
                    continue
                if not target.is_relative_to(real_root):
                    why = f"a link to {target}, outside the folder: not followed"
                    yield Skipped(str(path), why, outside=True, folder=str(root))
                    continue
            try:
                info = target.stat()
            except OSError as exc:
                yield Problem(str(path), f"cannot read: {exc.strerror or exc}", fatal=True)
                continue
            if stat.S_ISDIR(info.st_mode):
                real = target.resolve()
                if real not in folders_seen:
                    folders_seen.add(real)
                    subfolders.append(path)
            elif stat.S_ISREG(info.st_mode):
                any_file = True
                if (info.st_dev, info.st_ino) not in files_seen:  # the same file by another name
                    files_seen.add((info.st_dev, info.st_ino))
                    yield from _read_file(path, options, fetched, explicit=False, target=target, folder=str(root))
            else:
                any_file = True
                yield Skipped(str(path), "not a regular file", folder=str(root))
        stack.extend(reversed(subfolders))
    if not any_file:
        yield Problem(str(root), "the folder holds no files", warning=True)


def _open_regular(path: Path, *, follow: bool) -> BinaryIO:
    """`path` opened for reading, refused unless it is a regular file (a FIFO or a device would
    block or never end); `follow=False` refuses a link put in its place since it was looked at."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_file(
    path: Path,
    options: ImportOptions,
    fetched: str,
    *,
    explicit: bool,
    target: Path | None = None,
    folder: str = "",
) -> Iterator[Item]:
    """One file.  `explicit`: named by the user (a format it does not read fails); otherwise
    found in `folder` (`target`: its resolved path, checked to lie inside), where what is not an
    article is skipped."""
    name = str(path)
    try:
        handle = _open_regular(target or path, follow=explicit)
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}", fatal=True)
        return
    with handle:
        size = os.fstat(handle.fileno()).st_size
        yield from _read_stream(handle, name, size, options, fetched, explicit=explicit, folder=folder)


_HEAD_BYTES = 65536
"""How much of a source is read to tell its type, before anything else is read."""


def _read_stream(
    handle: BinaryIO,
    name: str,
    size: int | None,
    options: ImportOptions,
    fetched: str,
    *,
    explicit: bool,
    folder: str = "",
) -> Iterator[Item]:
    """A regular file (`size`: its size) or stdin (`size` None: unknown until read).  The type
    is told from the first bytes; a source of no known type is not read further, one larger than
    `options.max_file_bytes` is refused before it is read (stdin: as soon as it passes the cap),
    and JSON Lines stream, one line at a time, each held to the cap."""
    limit = options.max_file_bytes
    try:
        head = handle.read(_HEAD_BYTES)
        kind = detect.sniff(head, name)
        if kind is None:
            if explicit:
                yield Problem(name, "not a format newsdesk reads (feeds, OPML, HTML, text, Markdown, JSON)", fatal=True)
            else:
                yield Skipped(name, "not a format newsdesk reads", folder=folder)
            return
        if kind == detect.JSONL:
            lines = bounded_lines(head, handle, limit)
            yield from parse_records(jsonl_records(lines, limit), source_name=name, fetched=fetched)
            return
        too_big = f"larger than the {_mb(limit)} limit ([import] max_file_bytes)" + (
            "; a JSON export streams as JSON Lines (export --format jsonl)" if kind == detect.JSON else ""
        )
        if size is not None and size > limit:
            yield Problem(name, too_big, fatal=True)
            return
        rest = handle.read(max(0, limit + 1 - len(head)))  # a file may grow, and /proc says 0
        if len(head) + len(rest) > limit:
            yield Problem(name, too_big, fatal=True)
            return
        data = head + rest
    except OSError as exc:
        yield Problem(name, f"cannot read: {exc.strerror or exc}", fatal=True)
        return
    yield from parse_content(data, kind, name, options, fetched, url=None, folder=None if explicit else folder)


def bounded_lines(head: bytes, handle: BinaryIO, limit: int, chunk: int = 1 << 20) -> Iterator[bytes | None]:
    """The lines of `head` followed by the rest of `handle`, read a chunk at a time.  A line
    longer than `limit` bytes comes as None and ends the reading: memory stays within `limit`
    plus a chunk, and time within what comes before it, whatever the input (a file with no
    newline at all, `cat /dev/zero`)."""
    buffer = bytearray(head)
    while True:
        start = 0
        while (end := buffer.find(b"\n", start)) >= 0:
            if end + 1 - start > limit:
                yield None
                return
            yield bytes(buffer[start : end + 1])
            start = end + 1
        del buffer[:start]
        if len(buffer) > limit:
            yield None
            return
        more = handle.read(chunk)
        if not more:
            break
        buffer += more
    if buffer:
        yield bytes(buffer)

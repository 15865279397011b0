"""The full-text index: a tantivy index in the store's `text-index/` directory.

Like index.sqlite it is derived and rebuildable; TinyDB stays the source of truth.  It holds, per
article, the text fields, the entity names, and a copy of the fields queries filter on (tags,
read, starred, language, url, feed, the date key `n`), so that a query of words and tags is
answered inside tantivy alone (docs/tantivy-study.md: materialising a large tag or state set
outside it costs 10-60 ms at 100k).

That copy may lag: the index is brought up to date from the SQLite change feed by whichever
process holds tantivy's writer lock (store.search.text_sync), which records in index.sqlite up to which
change, with the index's `token` (made anew with the index, so a deleted or damaged index is
never taken for the one a record speaks of).  Queries stay exact by evaluating the few articles
changed since then on their own (store.search.text_match).  Only the store imports tantivy.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tantivy

from store.disk.files import DIR_MODE, FILE_MODE, write_new
from store.errors import TextIndexError
from store.search.text_fields import (
    ENTITY_FIELDS,
    MAX_WORD_BYTES,
    TEXT_FIELDS,
    TextFields,
    indexed_text,
    recency,
    stop_pairs,
)

TEXT_VERSION = 5
"""Bump when the schema or the way fields are filled changes: the index is then rebuilt."""
VERSION_FILE = "newsdesk-version"
"""TEXT_VERSION and the index's token, written once when the index is made."""
CREATE_LOCK = ".newsdesk-create.lock"
WRITER_HEAP = 64_000_000
WORDS = "newsdesk_words"
PAIRS = "newsdesk_pairs"


def build_schema() -> tantivy.Schema:
    """Text is stored too (in its indexed form, compressed): a change of tags or state re-adds
    an article from what is stored here, never by parsing its TinyDB segment again."""
    builder = tantivy.SchemaBuilder()
    for name in (*TEXT_FIELDS, *ENTITY_FIELDS):
        builder.add_text_field(name, stored=True, tokenizer_name=WORDS, index_option="position")
    for name in ("id", "lang", "url", "feed", "version"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("tag", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("pairs", tokenizer_name=PAIRS, index_option="freq")
    builder.add_integer_field("n", indexed=True, fast=True)
    builder.add_float_field("recency", fast=True)
    for name in ("read", "starred", "has_entities"):
        builder.add_unsigned_field(name, indexed=True)
    # Stored: an article re-added for a change of state keeps it (text_fields.stored_text_fields).
    builder.add_unsigned_field("date_only", indexed=True, stored=True)
    return builder.build()


SCHEMA = build_schema()


def _register(index: tantivy.Index) -> None:
    """Tokenizers are not kept in the index: every process registers them before using it."""
    # remove_long keeps tokens shorter than its limit, in UTF-8 bytes
    words = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(
        tantivy.Filter.remove_long(MAX_WORD_BYTES + 1)
    )
    index.register_tokenizer(WORDS, words.build())
    index.register_tokenizer(PAIRS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    index.config_reader(reload_policy="manual")


@dataclass(frozen=True, slots=True)
class Applied:
    """How far the index with this `token` is current: through change `seq` of the feed, as of
    its commit `stamp` (tantivy's opstamp: a searcher older than it must reload)."""

    token: str
    seq: int
    stamp: int


class TextIndex:
    """One tantivy index directory.  Searchers are reloaded only when the recorded commit stamp
    moved (store.search.text_sync), so a query costs no file-system polling."""

    def __init__(self, path: Path, *, readonly: bool) -> None:
        self.path = path
        self.readonly = readonly
        self._index: tantivy.Index | None = None
        self._token = ""
        self._seen: int | None = None
        self._private: Path | None = None  # a read-only store's copy of the index
        self._lock = threading.Lock()

    # -- opening -------------------------------------------------------------------------------
    def _open(self) -> tantivy.Index:
        if self._index is not None:
            return self._index
        if self.readonly:
            self._index = self._open_copy()
            return self._index
        index = self._try_open()
        if index is None:
            try:
                with self._creating():
                    index = self._try_open() or self._create()  # unless another process just did
            except (OSError, ValueError) as exc:  # a full disk, say: searches evaluate every article
                raise TextIndexError(f"{self.path}: cannot be made ({exc})") from exc
        _register(index)
        self._index = index
        return index

    def _try_open(self) -> tantivy.Index | None:
        version, token = _version_of(self.path)
        if version != TEXT_VERSION or not (self.path / "meta.json").exists():
            return None
        try:
            index = tantivy.Index.open(str(self.path))
        except (ValueError, OSError):  # damaged: it is derived, so it is made again
            return None
        self._token = token
        return index

    @contextlib.contextmanager
    def _creating(self) -> Iterator[None]:
        """An flock beside the directory, so two processes never make it at once."""
        fd = os.open(self.path.parent / CREATE_LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _create(self) -> tantivy.Index:
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        index = tantivy.Index(SCHEMA, path=str(self.path))
        self._token = secrets.token_hex(8)
        # No temp file and rename: a torn write reads as no version (or another token), and
        # either makes the index be made again.
        write_new(self.path / VERSION_FILE, f"{TEXT_VERSION} {self._token}".encode())
        return index

    def open(self) -> None:
        """Open (or, if missing or damaged, make anew) the index; TextIndexError when it cannot."""
        with self._lock:
            self._open()

    def _open_copy(self) -> tantivy.Index:
        """tantivy opens its lock file for writing even to search, which a reader without write
        access to the store cannot do: search a private copy instead (segments are immutable,
        so a refresh copies only what is new)."""
        if self._private is None:
            self._private = Path(tempfile.mkdtemp(prefix="newsdesk-text-"))
        try:
            wanted = {p.name for p in self.path.iterdir() if p.is_file() and not p.name.startswith(".tantivy")}
            for name in wanted:
                source, target = self.path / name, self._private / name
                if name.endswith(".json") or name == VERSION_FILE or not target.exists():
                    shutil.copyfile(source, target)
            for stale in self._private.iterdir():
                if stale.name not in wanted and not stale.name.startswith(".tantivy"):
                    stale.unlink()
            version, self._token = _version_of(self._private)
            if version != TEXT_VERSION:
                raise TextIndexError(f"{self.path}: made by another version")
            index = tantivy.Index.open(str(self._private))
        except (OSError, ValueError) as exc:
            raise TextIndexError(f"{self.path}: {exc}") from exc
        _register(index)
        return index

    def close(self) -> None:
        if not self.readonly and self._index is not None:
            self.keep_private()
        self._index = None
        if self._private is not None:
            shutil.rmtree(self._private, ignore_errors=True)
            self._private = None

    @property
    def private_copy(self) -> Path | None:
        """The copy a read-only store searches (in the temp directory), once made; else None."""
        return self._private

    @property
    def token(self) -> str:
        """The open index's token ('' before it is opened)."""
        return self._token

    # -- searching -----------------------------------------------------------------------------
    def searcher(self, applied: int) -> tantivy.Searcher:
        """A searcher that sees at least the commit whose stamp `applied` was recorded (reloaded
        only when that moved: no file-system polling per query)."""
        with self._lock:
            if self.readonly and self._index is not None and applied != self._seen:
                self._index = None  # take a fresh private copy
            index = self._open()
            if applied != self._seen:
                index.reload()
                self._seen = applied
            return index.searcher()

    # -- writing -------------------------------------------------------------------------------
    def writer(self) -> tantivy.IndexWriter | None:
        """tantivy's writer, or None while another process or thread holds it."""
        if self.readonly:
            return None
        with self._lock:
            index = self._open()
        try:
            writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
        except ValueError as exc:
            if "LockBusy" in str(exc):
                return None
            raise TextIndexError(f"{self.path}: {exc}") from exc
        # Only a writer writes files here: a temp file now is one a killed writer left behind,
        # and a file no commit refers to is one a failed commit left (a disk full midway): its
        # name would be taken again by the next commit, which then fails (FileAlreadyExists).
        for stray in self.path.glob(".tmp*"):
            with contextlib.suppress(OSError):
                stray.unlink()
        with contextlib.suppress(ValueError, OSError):
            writer.garbage_collect_files()
        self.keep_private()
        return writer

    def keep_private(self) -> None:
        """Make 0600 what tantivy made with the umask's mode (0644, or 0666 under umask 000).
        The command line and the reader run with umask 077, so this finds work only in a
        program that uses the store as a library; the directory is 0700 either way."""
        with contextlib.suppress(OSError):
            for entry in os.scandir(self.path):
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mode & 0o077:
                        os.chmod(entry.path, FILE_MODE)

    def discard(self) -> None:
        """Make the index anew, empty, with a new token (it could not be written to); the store
        then rebuilds it from the TinyDB files (store.search.text_sync)."""
        if self.readonly:
            return
        with self._lock:
            self._index = None
            self._seen = None
            with self._creating():
                self._index = self._create()
            _register(self._index)


def _version_of(path: Path) -> tuple[int | None, str]:
    """(TEXT_VERSION, token) the index at `path` was made with; (None, '') if unknown."""
    try:
        version, token = (path / VERSION_FILE).read_text(encoding="ascii").split()
        return int(version), token
    except (OSError, ValueError):
        return None, ""


def document(fields: TextFields) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text("id", fields.id)
    doc.add_integer("n", fields.n)
    doc.add_float("recency", recency(fields.n))
    pairs: list[str] = []
    for name, text in zip(TEXT_FIELDS, fields.texts, strict=True):
        if text:
            doc.add_text(name, indexed_text(text))
            pairs += stop_pairs(name, text)
    if pairs:
        doc.add_text("pairs", " ".join(pairs))
    for name in ENTITY_FIELDS:
        for value in fields.entities[name]:
            doc.add_text(name, indexed_text(value))
    for tag in fields.tags:
        doc.add_text("tag", tag)
    for lang in fields.langs:
        doc.add_text("lang", lang)
    if fields.url:
        doc.add_text("url", fields.url)
    if fields.feed:
        doc.add_text("feed", fields.feed)
    if fields.version:
        doc.add_text("version", fields.version)
    doc.add_unsigned("read", int(fields.read))
    doc.add_unsigned("starred", int(fields.starred))
    doc.add_unsigned("has_entities", int(fields.has_entities))
    doc.add_unsigned("date_only", int(fields.date_only))
    return doc


def hit_count(found: tantivy.SearchResult) -> int:
    """How many documents a search run with `count=True` matched."""
    # tantivy's stub (0.27) leaves out SearchResult.count, which the extension module has.
    count: int = found.count  # type: ignore[attr-defined]
    return count

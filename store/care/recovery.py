"""Damaged store files: keep a copy aside, find the newest good backup, put it back.

Works on the store directory alone, so it also serves a store that cannot be opened (its
manifest or schema record is the damaged file).  Nothing is overwritten that is not first kept:
the damaged bytes go to `damaged/` before anything else happens, and a restore is an ordinary
commit (store.disk.files), so the index catches up with it like with any other change."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from store.care.snapshots import Snapshot, snapshots
from store.disk.catalogue_file import shard_on_disk
from store.disk.documents import make_document, parse_document, serialise
from store.disk.files import (
    DIR_MODE,
    MANIFEST,
    Manifest,
    StoreLock,
    commit_files,
    read_manifest,
    write_atomic,
    write_new,
)
from store.disk.layout import (
    ARTICLES_DIR,
    ENTITIES_FILE,
    FEEDS_FILE,
    INDEX_FILE,
    LOCK_FILE,
    STATE_SHARDS,
    STORE_FILE,
    VIEWS_FILE,
    doc_id,
    is_state_shard,
    scan_tinydb_files,
    shard_number,
)
from store.errors import StoreCorrupt, StoreError
from store.values import State

DAMAGED_DIR = "damaged"

USER_FILE_LOSS = {
    VIEWS_FILE: "the saved views, search history, rules and reader preferences it held; "
    "articles, their tags and reading state stay",
    ENTITIES_FILE: "the entity merges (aliases) it held; articles and their entities stay",
    FEEDS_FILE: "the subscriptions it held (add them again with `newsdesk import` of your OPML or "
    "feed URLs); articles, their tags and reading state stay",
}
"""The store's small files of the user's own things: with no good backup, each may be started
afresh (empty), once the user has been told what that loses."""


@dataclass(frozen=True, slots=True)
class Damage:
    """A damaged file and what can be done about it.

    remedy: "restore" (from `backup`), "rebuild" (the manifest from the files present, the
    schema record afresh, or a state shard from the exact copy the index holds of it),
    "afresh" (a state shard no backup or index holds, or a file of the user's own things no
    backup holds: started empty, losing what `loss` says, never an article), or "" (nothing
    newsdesk can do; the file is left as it is).  `articles`: for a state shard, how many
    articles keep their state in it (None when the index cannot say); `held`: for a state
    shard rebuilt from the index, how many of them have tags or marks."""

    path: Path
    rel: str
    reason: str
    aside: Path | None
    backup: Snapshot | None
    remedy: str
    articles: int | None = None
    held: int | None = None

    def describe(self) -> str:
        """What happened and what is offered, for the user (plain text)."""
        lines = [f"{self.path} is damaged: {self.reason}."]
        if self.aside is not None:
            lines.append(f"A copy of it was kept in {self.aside}.")
        if self.remedy == "restore" and self.backup is not None:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.backup.taken))
            lines.append(
                f"The newest good backup of it is from {when} (generation {self.backup.gen}); "
                "changes made to this file since then would be lost."
            )
        elif self.remedy == "rebuild" and self.rel == MANIFEST:
            lines.append("The manifest can be rebuilt from the files that are present.")
        elif self.remedy == "rebuild" and is_state_shard(self.rel):
            lines.append(
                "No backup holds a good copy of it, but the index holds an exact copy of what it held "
                f"at its last change (the tags, read and starred marks of {self.held} "
                f"article{'' if self.held == 1 else 's'}): it can be rebuilt from that, losing nothing."
            )
        elif self.remedy == "rebuild":
            lines.append("No backup holds a good copy; the schema record can be written afresh.")
        elif self.remedy == "afresh":
            lines.append("No backup holds a good copy of it. " + self.loss() + ".")
        else:
            lines.append("No backup holds a good copy of it; newsdesk leaves it as it is.")
        return " ".join(lines)

    def loss(self) -> str:
        """What starting the file afresh loses, exactly (plain text, no final stop)."""
        if self.rel in USER_FILE_LOSS:
            return f"Starting it afresh loses {USER_FILE_LOSS[self.rel]}"
        shard = shard_number(self.rel)
        prefixes = ", ".join(f"{n:02x}" for n in range(shard, 256, STATE_SHARDS))
        whose = (
            f"the {self.articles} article{'' if self.articles == 1 else 's'}"
            if self.articles is not None
            else "the articles"
        )
        return (
            f"Starting it afresh loses the tags, read and starred marks it held, those of {whose} "
            f"whose ids begin {prefixes}; the articles themselves stay, and so does every other "
            "article's state"
        )


def damage_notice(error: StoreCorrupt) -> str:
    """What a damaged segment or state shard means while it stays damaged (plain text)."""
    if Path(error.path).parent.name == ARTICLES_DIR:
        return (
            f"{error.path} is damaged ({error.reason}); the articles it holds are left out of lists and "
            "searches, except those indexed before, which cannot be opened, changed or deleted until it "
            "is repaired: `newsdesk check --repair` says what can be done"
        )
    return (
        f"{error.path} is damaged ({error.reason}); the articles whose tags and read state it held "
        "may show none (unread, unstarred), and cannot be tagged or marked until it is repaired: "
        "`newsdesk check --repair` says what can be done"
    )


def assess(root: Path, error: StoreCorrupt, *, writable: bool = True) -> Damage:
    """Keep the damaged file's bytes aside (if the store is writable) and find the remedy."""
    root = Path(root)
    path = Path(error.path)
    try:
        rel = str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return Damage(path, str(path), error.reason, None, None, "")
    aside = _set_aside(root, rel) if writable else None
    if not writable:
        return Damage(path, rel, error.reason, None, None, "")
    if rel == MANIFEST:
        return Damage(path, rel, error.reason, aside, None, "rebuild")
    backup = newest_good_copy(root, rel)
    if backup is not None:
        return Damage(path, rel, error.reason, aside, backup, "restore")
    if is_state_shard(rel):
        count, copy = _index_copy(root, rel)
        if copy is not None:
            return Damage(path, rel, error.reason, aside, None, "rebuild", count, len(copy))
        return Damage(path, rel, error.reason, aside, None, "afresh", count)
    if rel in USER_FILE_LOSS:
        return Damage(path, rel, error.reason, aside, None, "afresh")
    return Damage(path, rel, error.reason, aside, None, "rebuild" if rel == STORE_FILE else "")


def newest_good_copy(root: Path, rel: str) -> Snapshot | None:
    """The newest snapshot whose copy of `rel` parses."""
    for snapshot in snapshots(root):
        if rel in snapshot.files and _is_good(snapshot.path / rel):
            return snapshot
    return None


def repair(root: Path, damage: Damage, lock: StoreLock | None = None) -> str:
    """Apply the remedy under the store's exclusive lock; returns what was done (plain text).
    A file found good again (another process repaired it first) is left alone."""
    root = Path(root)
    if not damage.remedy:
        raise StoreError(f"{damage.path}: no good backup to restore; the file was left as it is")
    with _exclusive(root, lock):
        if damage.rel == MANIFEST:
            return _rebuild_manifest(root)
        manifest = read_manifest(root)  # a damaged manifest raises: it is repaired first
        if manifest is None:
            raise StoreError(f"{root / MANIFEST}: missing; open the store once to rebuild it")
        if _is_good(damage.path):
            return f"{damage.path} is good again (repaired by another process); nothing was changed"
        if damage.remedy == "restore" and damage.backup is not None:
            data = (damage.backup.path / damage.rel).read_bytes()
            parse_document(damage.backup.path / damage.rel, data)
            commit_files(root, manifest, {damage.path: data})
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(damage.backup.taken))
            return f"{damage.path}: restored from the backup of {when}"
        if damage.remedy == "rebuild" and is_state_shard(damage.rel):
            copy = _index_copy(root, damage.rel, manifest)[1]
            if copy is None:
                raise StoreError(
                    f"{damage.path}: the index no longer holds an exact copy of it (it changed since); "
                    "the file was left as it is: look again (newsdesk check)"
                )
            docs = {str(doc_id(i)): state.to_doc() for i, state in copy.items()}
            commit_files(root, manifest, {damage.path: serialise({"state": docs})})
            return f"{damage.path}: rebuilt from the index, the tags and state of {len(copy)} articles"
        if damage.remedy == "afresh":
            empty: dict[str, Any] = {"state": {}} if is_state_shard(damage.rel) else {}
            commit_files(root, manifest, {damage.path: serialise(empty)})
            kept = f"; the damaged copy is in {damage.aside}" if damage.aside is not None else ""
            return f"{damage.path}: started afresh, empty{kept}"
        meta = {"schema": 1, "created": "", "state_shards": STATE_SHARDS, "rebuilt": True}
        commit_files(root, manifest, {damage.path: serialise({"meta": {"1": make_document(meta, 1)}})})
        return f"{damage.path}: the schema record was written afresh"


def _index_copy(root: Path, rel: str, manifest: Manifest | None = None) -> tuple[int | None, dict[str, State] | None]:
    """(articles whose state shard `rel` is, the exact copy of it the index holds or None)."""
    if manifest is None:
        try:
            manifest = read_manifest(root)
        except StoreCorrupt:
            manifest = None
    gen = manifest.files.get(rel) if manifest is not None else None
    return shard_on_disk(root / INDEX_FILE, rel, gen, shard_number(rel))


def _rebuild_manifest(root: Path) -> str:
    """A manifest naming every TinyDB file present, at a generation above any used before, so
    every reader and the index read every file again."""
    with contextlib.suppress(StoreCorrupt):
        if read_manifest(root) is not None:
            return f"{root / MANIFEST} is good again (repaired by another process); nothing was changed"
    kept = snapshots(root)
    gen = max(int(time.time()), 1 + (kept[0].gen if kept else 0))
    found = scan_tinydb_files(root)
    write_atomic(root / MANIFEST, Manifest(gen, dict.fromkeys(found, gen)).to_bytes())
    return f"{root / MANIFEST}: rebuilt from the {len(found)} files present"


def _is_good(path: Path) -> bool:
    try:
        parse_document(path, path.read_bytes())
    except (OSError, StoreCorrupt):
        return False
    return True


def _set_aside(root: Path, rel: str) -> Path | None:
    """Copy the damaged file into damaged/ (once per distinct content); None if it is missing."""
    try:
        data = (root / rel).read_bytes()
    except OSError:
        return None
    directory = root / DAMAGED_DIR
    flat = rel.replace("/", "_")
    try:
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        for name in os.listdir(directory):
            if name.endswith("-" + flat) and (directory / name).read_bytes() == data:
                return directory / name
        target = directory / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{os.getpid()}-{flat}"
        write_new(target, data)
    except OSError:
        return None
    return target


@contextlib.contextmanager
def _exclusive(root: Path, lock: StoreLock | None) -> Iterator[None]:
    if lock is not None:
        with lock.hold(exclusive=True):
            yield
        return
    own = StoreLock(root / LOCK_FILE, readonly=False)
    try:
        with own.hold(exclusive=True):
            yield
    finally:
        own.close()

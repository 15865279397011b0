"""Store care: `check` verifies every file and the derived index (repairing the index), and
`backup` writes a consistent copy while other processes keep working.  A NewsStore mixin."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.documents import Session, parse_document
from store.errors import StoreCorrupt, StoreError
from store.files import DIR_MODE, MANIFEST, fsync_dir, read_manifest
from store.layout import STORE_FILE, is_indexed_file

if TYPE_CHECKING:
    from store.index import Index


class CareMixin:
    root: Path
    _index: Index

    if TYPE_CHECKING:

        def _reading(self) -> Any: ...
        def reindex(self, progress: Any = None) -> int: ...

    def check(self) -> dict[str, Any]:
        """Read every file the manifest lists and compare the index with them.  A corrupt file
        raises StoreCorrupt (naming it; nothing is changed); an index that disagrees with the
        files is rebuilt.  Returns what was checked and done."""
        with self._reading() as session:
            files = self._check_files(session)
            expected = self._expected_index(session)
            indexed = {r[0]: (r[1], r[2]) for r in self._index.connection.execute("SELECT id, seg, hash FROM articles")}
        repaired = indexed != expected
        if repaired:
            self.reindex()
        return {"files": files, "articles": len(expected), "index": "rebuilt" if repaired else "ok"}

    def _check_files(self, session: Session) -> int:
        checked = 0
        for rel in sorted(session.manifest.files):
            path = self.root / rel
            try:
                raw = path.read_bytes()
            except FileNotFoundError as exc:
                raise StoreCorrupt(path, "listed in the manifest but missing") from exc
            parse_document(path, raw)  # StoreCorrupt names the file
            checked += 1
        return checked

    def _expected_index(self, session: Session) -> dict[str, tuple[int, str]]:
        from store.layout import segment_number

        expected: dict[str, tuple[int, str]] = {}
        for rel in session.manifest.files:
            if not is_indexed_file(rel) or not rel.startswith("articles/"):
                continue
            seg = segment_number(rel)
            for doc in session.load(self.root / rel).get("articles", {}).values():
                if isinstance(doc.get("id"), str):
                    expected[doc["id"]] = (seg, doc.get("hash") or "")
        return expected

    def backup(self, dest: Path | str) -> dict[str, Any]:
        """A consistent copy of the store in `dest` (a new directory): the files of one manifest
        generation, copied under the shared lock (readers go on; a writer waits for the copy),
        fsynced, then renamed into place.  The derived index is left out: it is rebuilt on open."""
        dest = Path(dest)
        if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
            raise StoreError(f"{dest}: exists and is not an empty directory")
        work = dest.with_name(f".{dest.name}.partial-{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        copied = 0
        size = 0
        try:
            with self._reading() as session:
                work.mkdir(mode=DIR_MODE, parents=True)
                for rel in dict.fromkeys([STORE_FILE, MANIFEST, *sorted(session.manifest.files)]):
                    source = self.root / rel
                    if not source.exists():
                        continue
                    target = work / rel
                    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                    size += _copy_synced(source, target)
                    copied += 1
            for directory in _dirs(work):
                fsync_dir(directory)
            if dest.exists():
                dest.rmdir()
            os.replace(work, dest)
            fsync_dir(dest.parent)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        manifest = read_manifest(dest)
        return {"files": copied, "bytes": size, "generation": manifest.gen if manifest else 0}


def _copy_synced(source: Path, target: Path) -> int:
    data = source.read_bytes()
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return len(data)


def _dirs(root: Path) -> Iterator[Path]:
    yield root
    for path in root.rglob("*"):
        if path.is_dir():
            yield path

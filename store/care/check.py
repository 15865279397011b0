"""Checking the store: `check` reads every file the manifest lists and compares the catalogue
and the full-text index with them, rebuilding what disagrees (`reindex`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store.care.snapshots import BACKUPS_DIR, remove_stale_partials
from store.disk.catch_up import Progress
from store.disk.documents import DocumentCache, Session, parse_document
from store.disk.layout import is_indexed_file, segment_number
from store.errors import StoreCorrupt

if TYPE_CHECKING:
    from store.core import StoreCore
    from store.search.text_sync import TextSync


class Check:
    """Verifying the files and rebuilding the derived indexes."""

    def __init__(self, core: StoreCore, text: TextSync) -> None:
        self.core = core
        self.text = text

    def reindex(self, progress: Progress | None = None, text_progress: Progress | None = None) -> int:
        """Rebuild the derived indexes from the TinyDB files (index.sqlite by segments, with
        `progress`; then the full-text index by articles, with `text_progress`); returns the
        number of articles."""
        with self.core.writing() as session:
            with self.core.catalogue.batch() as db:
                db.execute("DELETE FROM articles")
                db.execute("DELETE FROM article_tags")
                db.execute("DELETE FROM article_entities")
                db.execute("DELETE FROM files")
            self.core.catalogue.set_text_applied(None)  # the full-text index is rebuilt below, whole
            self.core.cache = DocumentCache()
            self.core.catch_up(
                Session(self.core.root, self.core.cache, session.manifest, writable=False), progress, kick=False
            )
            count = self.core.catalogue.count()
        self.text.sync(text_progress)
        return count

    def check(self) -> dict[str, Any]:
        """Read every file the manifest lists and compare the index with them.  A corrupt file
        raises StoreCorrupt (naming it; nothing is changed); an index that disagrees with the
        files is rebuilt.  Returns what was checked and done."""
        with self.core.reading() as session:
            files = self._check_files(session)
            expected = self._expected_index(session)
            indexed = {
                r[0]: (r[1], r[2]) for r in self.core.catalogue.connection.execute("SELECT id, seg, hash FROM articles")
            }
        repaired = indexed != expected
        if repaired:
            self.reindex()
        text = "rebuilt" if repaired else self.text.check()
        partials = remove_stale_partials(self.core.root / BACKUPS_DIR)
        return {
            "files": files,
            "articles": len(expected),
            "index": "rebuilt" if repaired else "ok",
            "text_index": text,
            "partial_backups_removed": len(partials),
        }

    def _check_files(self, session: Session) -> int:
        checked = 0
        for rel in sorted(session.manifest.files):
            path = self.core.root / rel
            try:
                raw = path.read_bytes()
            except FileNotFoundError as exc:
                raise StoreCorrupt(path, "listed in the manifest but missing") from exc
            parse_document(path, raw)  # StoreCorrupt names the file
            checked += 1
        return checked

    def _expected_index(self, session: Session) -> dict[str, tuple[int, str]]:
        expected: dict[str, tuple[int, str]] = {}
        for rel in session.manifest.files:
            if not is_indexed_file(rel) or not rel.startswith("articles/"):
                continue
            seg = segment_number(rel)
            for doc in session.load(self.core.root / rel).get("articles", {}).values():
                if isinstance(doc.get("id"), str):
                    expected[doc["id"]] = (seg, doc.get("hash") or "")
        return expected

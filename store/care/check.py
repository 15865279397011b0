"""Store care: deleting articles (undoable; into the trash, store.care.trash); `check` verifies every file and the
derived index (repairing the index); `backup` writes a consistent copy while other processes keep
working.  A NewsStore mixin."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.care.backups import BACKUPS_DIR, remove_stale_partials
from store.disk.documents import Session, parse_document
from store.errors import StoreCorrupt, StoreError
from store.disk.files import DIR_MODE, MANIFEST, all_dirs, fsync_dir, make_dirs, read_manifest, write_new
from store.disk.layout import STORE_FILE, is_indexed_file
from store.tags import merge_tags
from store.values import State

if TYPE_CHECKING:
    from store.disk.catalogue import Index


class CareMixin:
    root: Path
    _index: Index

    if TYPE_CHECKING:

        def _reading(self) -> Any: ...
        def check_text(self) -> str: ...
        def _writing(self) -> Any: ...
        def reindex(self, progress: Any = None) -> int: ...
        def _record_commit(self, session: Session, touched: Any, rows: Any = ..., **kw: Any) -> None: ...
        def add_articles(self, articles: Any) -> Any: ...
        def _rewrite_each(self, changes: Any) -> list[str]: ...
        def _drop_from_trash(self, ids: Any) -> None: ...

    # -- deleting and retention -----------------------------------------------------------------
    def delete_articles(
        self, ids: Sequence[str], *, why: str = "delete", trash_days: int | None = None, now: float | None = None
    ) -> list[dict[str, Any]]:
        """Move articles (record and state) to the trash in one commit (store.care.trash; `why`:
        "delete" or "retention"; with `trash_days`, what the trash held longer goes for good);
        returns what was deleted, as records with their state, which `restore_articles` puts
        back (undo)."""
        from store.disk.layout import doc_id, segment_path, shard_of, state_path
        from store.disk.tables import stored_state
        from store.care.trash import stage_trash

        wanted = list(dict.fromkeys(ids))
        with self._writing() as session:
            located = self._index.locate(wanted)
            if not located:
                return []
            deleted: list[dict[str, Any]] = []
            by_segment: dict[int, list[str]] = {}
            for article_id, (seg, _hash) in located.items():
                by_segment.setdefault(seg, []).append(article_id)
            for seg, in_segment in by_segment.items():
                path = segment_path(self.root, seg)
                for article_id in in_segment:
                    doc = session.get_doc(path, "articles", doc_id(article_id))
                    if doc is not None:
                        state = stored_state(session, article_id)
                        deleted.append(
                            {
                                "record": dict(doc),
                                "tags": list(state.tags),
                                "read": state.read,
                                "starred": state.starred,
                            }
                        )
                session.table(path, "articles").remove(doc_ids=[doc_id(i) for i in in_segment])
            by_shard: dict[int, list[str]] = {}
            for article_id in located:
                by_shard.setdefault(shard_of(article_id), []).append(article_id)
            for shard, in_shard in by_shard.items():
                path = state_path(self.root, shard)
                present = session.load(path).get("state", {})
                gone = [doc_id(i) for i in in_shard if str(doc_id(i)) in present]
                if gone:
                    session.table(path, "state").remove(doc_ids=gone)
            stage_trash(session, deleted, why, now=now, days=trash_days)
            session.commit()
            self._record_commit(session, list(located), deleted=list(located))
        return deleted

    def restore_articles(self, deleted: Sequence[dict[str, Any]]) -> int:
        """Put deleted articles back with their tags and state, and out of the trash (the undo
        of delete_articles).  An article stored again meanwhile keeps its record; it gets the
        tags and state back."""
        from articles.model import Article

        if not deleted:
            return 0
        with self._reading():
            stored = self._index.locate([d["record"]["id"] for d in deleted])
        self.add_articles(
            [Article.from_record(d["record"]) for d in deleted if d["record"]["id"] not in stored], keep_added=True
        )
        by_id = {d["record"]["id"]: d for d in deleted}

        def back(article_id: str) -> Any:
            saved = by_id[article_id]
            return lambda s: State(tuple(merge_tags(s.tags, saved["tags"])), saved["read"], saved["starred"])

        self._rewrite_each({i: back(i) for i in by_id})
        # Back first, out of the trash second: a crash between leaves a copy in both, never none.
        self._drop_from_trash(list(by_id))
        return len(deleted)

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
        text = "rebuilt" if repaired else self.check_text()
        partials = remove_stale_partials(self.root / BACKUPS_DIR)
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
            path = self.root / rel
            try:
                raw = path.read_bytes()
            except FileNotFoundError as exc:
                raise StoreCorrupt(path, "listed in the manifest but missing") from exc
            parse_document(path, raw)  # StoreCorrupt names the file
            checked += 1
        return checked

    def _expected_index(self, session: Session) -> dict[str, tuple[int, str]]:
        from store.disk.layout import segment_number

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
        remove_stale_partials(dest.parent)  # left by a backup killed while it copied
        copied = 0
        size = 0
        try:
            with self._reading() as session:
                make_dirs(dest.parent)
                work.mkdir(mode=DIR_MODE)
                for rel in dict.fromkeys([STORE_FILE, MANIFEST, *sorted(session.manifest.files)]):
                    source = self.root / rel
                    if not source.exists():
                        continue
                    target = work / rel
                    target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                    data = source.read_bytes()
                    write_new(target, data)
                    size += len(data)
                    copied += 1
            for directory in all_dirs(work):
                fsync_dir(directory)
            if dest.exists():
                dest.rmdir()
            os.replace(work, dest)
            fsync_dir(dest.parent)
        except OSError as exc:
            shutil.rmtree(work, ignore_errors=True)
            raise StoreError(f"{dest}: the backup could not be written ({exc.strerror or exc}); not saved") from exc
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        manifest = read_manifest(dest)
        return {"files": copied, "bytes": size, "generation": manifest.gen if manifest else 0}

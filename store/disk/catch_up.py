"""Catching the catalogue (index.sqlite) up with the TinyDB files, by manifest generations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from articles.model import is_article_id
from store.disk.catalogue import Catalogue
from store.disk.catalogue_rows import CatalogueRow, entities_hash
from store.disk.documents import Session
from store.disk.layout import (
    ARTICLES_DIR,
    STATE_DIR,
    doc_id,
    is_indexed_file,
    segment_number,
    shard_number,
    shard_of,
    state_path,
)
from store.errors import StoreCorrupt
from store.values import DEFAULT_STATE, State

Progress = Callable[[int, int], None]

DAMAGED_MARK = "!"
"""Recorded after a file's generation (`"12!"`) when that generation could not be read: a state
shard's articles are indexed with the default state (no tags, unread, unstarred); a segment's
articles the index did not know are left out, those it knew keep their rows.  Every later
catch-up reads the file again, to report it (and to pick it up should it parse again)."""


def _docs(session: Session, rel: str) -> dict[str, Any] | None:
    """A segment's or state shard's documents, or None when the file is damaged (noted in
    session.damaged): one damaged file costs what it held, never the use of the store."""
    try:
        return session.load(session.root / rel).get("articles" if rel.startswith(ARTICLES_DIR) else "state", {})
    except StoreCorrupt as exc:
        session.damaged[rel] = exc
        return None


def catch_up(index: Catalogue, session: Session, progress: Progress | None = None) -> list[str]:
    """Apply to the index every file whose manifest generation differs from the one indexed.
    Exact: generations, not timestamps, say what changed (store.disk.files.Manifest)."""
    if not index.writable:
        return []  # a read-only store: the writers keep its index current
    known = index.file_gens()
    current = {rel: gen for rel, gen in session.manifest.files.items() if is_indexed_file(rel)}
    changed = {rel: gen for rel, gen in current.items() if known.get(rel) != str(gen)}
    for rel, gen in list(changed.items()):
        if known.get(rel) == f"{gen}{DAMAGED_MARK}" and _docs(session, rel) is None:
            del changed[rel]  # still damaged, and indexed as such: nothing to write
    removed = [rel for rel in known if rel not in current]
    if not changed and not removed:
        return []
    seg_changed = sorted(rel for rel in changed if rel.startswith(ARTICLES_DIR))
    seg_removed = [rel for rel in removed if rel.startswith(ARTICLES_DIR)]
    state_changed = [rel for rel in changed if rel.startswith(STATE_DIR)]
    state_removed = [rel for rel in removed if rel.startswith(STATE_DIR)]
    touched: list[str] = []
    with index.batch() as db:
        seen_ids: set[str] = set()
        stale: set[str] = set()
        new_rows: list[CatalogueRow] = []
        for done, rel in enumerate(seg_changed, start=1):
            seg = segment_number(rel)
            docs = _docs(session, rel)
            if docs is None:
                continue  # damaged: the rows indexed for it, if any, stay as they are
            located = index.index_keys([d["id"] for d in docs.values() if "id" in d])
            for doc in docs.values():
                article_id = doc.get("id")
                if not is_article_id(article_id):
                    continue
                seen_ids.add(article_id)
                if located.get(article_id) != (seg, doc.get("hash") or "", entities_hash(doc)):
                    new_rows.append(CatalogueRow.from_record(doc, seg))
            stale |= index.ids_in_segment(seg) - {d.get("id") for d in docs.values()}
            if progress:
                progress(done, len(seg_changed))
        for rel in seg_removed:
            stale |= index.ids_in_segment(segment_number(rel))
        touched += Catalogue.delete(db, stale - seen_ids)
        rows = []
        shards: dict[int, dict[str, Any] | None] = {}
        for row in new_rows:
            shard = shard_of(row.id)
            if shard not in shards:
                state_rel = str(state_path(session.root, shard).relative_to(session.root))
                shards[shard] = _docs(session, state_rel) if state_rel in current else {}
            docs = shards[shard]
            if docs is None:  # damaged: an article indexed already keeps the state indexed for it
                state = index.states_of([row.id]).get(row.id, DEFAULT_STATE)
            else:
                state = State.from_doc(docs.get(str(doc_id(row.id))))
            rows.append((row, state, shard))
        touched += Catalogue.upsert(db, rows)
        gens: dict[str, str | None] = {rel: None for rel in removed}
        gens.update({rel: str(gen) for rel, gen in changed.items()})
        for rel in [*state_changed, *state_removed]:
            shard = shard_number(rel)
            docs = (_docs(session, rel) if rel in current else {}) or {}  # damaged: read as empty
            wanted = {f"{int(k):012x}": State.from_doc(v) for k, v in docs.items()}
            indexed = index.non_default_states(shard)
            for article_id in indexed:
                wanted.setdefault(article_id, DEFAULT_STATE)
            # Compare here, write only the differences: a shard holds ~1.5k states at 100k.
            differing = {i: s for i, s in wanted.items() if indexed.get(i, DEFAULT_STATE) != s}
            touched += Catalogue.set_states(db, differing)
        for rel in session.damaged.keys() & changed.keys():
            gens[rel] = f"{changed[rel]}{DAMAGED_MARK}"
        Catalogue.set_file_gens(db, gens)
        Catalogue.record_changes(db, touched)
    return touched

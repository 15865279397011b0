"""Opening a store: its commit manifest (recovered, or rebuilt if lost) and its schema version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from articles.dates import format_rfc3339, now_utc
from store.disk.documents import DocumentCache, Session, make_document
from store.disk.files import EMPTY_MANIFEST, MANIFEST, Manifest, read_manifest, recover, write_atomic
from store.disk.layout import ARTICLES_DIR, STATE_DIR, STATE_SHARDS, STORE_FILE, scan_tinydb_files
from store.errors import StoreCorrupt, StoreError, StoreReadOnly

SCHEMA_VERSION = 1
"""The layout of the TinyDB files; store.json records the version a store was written with."""

MIGRATIONS: dict[int, Callable[[Session, Path], None]] = {}
"""Migrations from schema N to N+1, applied in order on open (none yet: schema 1 is the first)."""


def open_manifest(root: Path, *, readonly: bool) -> tuple[Manifest, bool]:
    """The commit manifest, recovered; rebuilt from the files if it was lost (True)."""
    manifest = read_manifest(root)
    rebuilt = False
    if manifest is None:
        found = scan_tinydb_files(root)
        if not found:
            return EMPTY_MANIFEST, False  # a new store: the first commit writes it
        if readonly:
            raise StoreCorrupt(root / MANIFEST, "missing; open the store once with write access")
        manifest = Manifest(1, dict.fromkeys(found, 1))
        write_atomic(root / MANIFEST, manifest.to_bytes())
        rebuilt = True
    if not readonly:
        recover(root, (ARTICLES_DIR, STATE_DIR), manifest)
    return manifest, rebuilt


def check_schema(root: Path, cache: DocumentCache, manifest: Manifest, *, readonly: bool) -> None:
    """Create the schema record of a new store, refuse a newer one, migrate an older one."""
    path = root / STORE_FILE
    session = Session(root, cache, manifest, writable=not readonly)
    data = session.load(path) if session.gen_of(path) is not None else None
    if data is None:
        if readonly:
            if any(root.iterdir()):
                raise StoreCorrupt(path, "missing; this does not look like a newsdesk store")
            return
        if manifest.files:
            raise StoreCorrupt(path, "missing while articles exist; refusing to guess the schema")
        table = session.table(path, "meta")
        created = format_rfc3339(now_utc())
        meta = {"schema": SCHEMA_VERSION, "created": created, "state_shards": STATE_SHARDS, "added_since": created}
        table.insert(make_document(meta, 1))
        session.commit()
        return
    meta = data.get("meta", {}).get("1")
    schema = meta.get("schema") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(schema, int):
        raise StoreCorrupt(path, "no schema version recorded")
    if schema > SCHEMA_VERSION:
        raise StoreError(f"{path}: written by a newer newsdesk (schema {schema}; this one knows {SCHEMA_VERSION})")
    if schema < SCHEMA_VERSION:
        if readonly:
            raise StoreReadOnly(f"{path}: schema {schema} needs a migration, but the store is read-only")
        for version in range(schema, SCHEMA_VERSION):
            MIGRATIONS[version](session, root)
        session.table(path, "meta").update({"schema": SCHEMA_VERSION}, doc_ids=[1])
        session.commit()
    if not readonly and not isinstance(meta.get("added_since"), str):
        # A store from before articles recorded when they were added: from now on they are
        # counted as added now, so retention never takes them at once (store.care.trash).
        session.table(path, "meta").update({"added_since": format_rfc3339(now_utc())}, doc_ids=[1])
        session.commit()

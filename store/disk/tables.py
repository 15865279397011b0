"""Staging changes to the TinyDB tables inside a session: appending articles to segments and
replacing state documents, each with as few TinyDB rewrites as the change allows."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from store.disk.documents import Session, make_document
from store.disk.layout import ARTICLES_DIR, doc_id, segment_number, segment_path, shard_of, state_path
from store.values import State

SEGMENT_MAX_DOCS = 1000
SEGMENT_MAX_BYTES = 4 * 1024 * 1024
"""A segment holds ~1,000 articles or 4 MB: an import appends to the last one and never rewrites
the corpus, and reading one article parses one bounded file."""


def stored_state(session: Session, article_id: str) -> State:
    """An article's tags and reading state as the state shards hold them."""
    doc = session.get_doc(state_path(session.root, shard_of(article_id)), "state", doc_id(article_id))
    return State.from_doc(doc)


class StoredStates:
    """stored_state for many articles of one session: each shard looked up once (an import
    batch asks for a thousand articles' state, and a path per article cost more than the state)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._shards: dict[int, dict[str, Any]] = {}

    def __call__(self, article_id: str) -> State:
        shard = shard_of(article_id)
        docs = self._shards.get(shard)
        if docs is None:
            docs = self._session.load(state_path(self._session.root, shard)).get("state", {})
            self._shards[shard] = docs
        return State.from_doc(docs.get(str(doc_id(article_id))))


def append_articles(session: Session, records: list[dict[str, Any]]) -> dict[str, int]:
    """Append records to the last segment, opening new ones as segments fill; returns id -> segment."""
    if not records:
        return {}
    segments = segment_numbers(session)
    seg = segments[-1] if segments else 1
    path = segment_path(session.root, seg)
    docs = session.load(path).get("articles", {})
    count = len(docs)
    size = path.stat().st_size if session.gen_of(path) is not None else 0
    placed: dict[str, int] = {}
    pending: list[dict[str, Any]] = []

    def flush() -> None:
        if pending:
            session.table(segment_path(session.root, seg), "articles").insert_multiple(
                make_document(r, doc_id(r["id"])) for r in pending
            )
            pending.clear()

    for record in records:
        weight = len(record["body"]) + len(record["summary"]) + len(record["title"]) + 400
        if count and (count >= SEGMENT_MAX_DOCS or size + weight > SEGMENT_MAX_BYTES):
            flush()
            seg += 1
            count, size = 0, 0
        pending.append(record)
        placed[record["id"]] = seg
        count += 1
        size += weight
    flush()
    return placed


def segment_numbers(session: Session) -> list[int]:
    prefix = ARTICLES_DIR + "/"
    return sorted(segment_number(rel) for rel in session.manifest.files if rel.startswith(prefix))


def write_states(session: Session, states: dict[str, State]) -> None:
    """Stage state documents: each touched shard's table copied once, its documents replaced
    (an article back to the default state has none), and the shard staged (TinyDB would copy
    the whole table for each of its remove and insert: O(shard) twice a shard, each batch)."""
    by_shard: dict[int, dict[str, State]] = defaultdict(dict)
    for article_id, state in states.items():
        by_shard[shard_of(article_id)][article_id] = state
    for shard, wanted in by_shard.items():
        path = state_path(session.root, shard)
        data = session.load(path)
        table = dict(data.get("state", {}))  # a new table, as TinyDB makes: readers may hold the old one
        keys = {article_id: str(doc_id(article_id)) for article_id in wanted}
        removed = [table.pop(key) for key in keys.values() if key in table]  # put back last, as TinyDB did
        kept = {keys[i]: state.to_doc() for i, state in wanted.items() if not state.is_default}
        if removed or kept:
            table.update(kept)
            data["state"] = table
            session.stage(path, data)

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
    """Stage state documents, one TinyDB rewrite per touched shard and kind of change."""
    by_shard: dict[int, dict[str, State]] = defaultdict(dict)
    for article_id, state in states.items():
        by_shard[shard_of(article_id)][article_id] = state
    for shard, wanted in by_shard.items():
        path = state_path(session.root, shard)
        existing = session.load(path).get("state", {})
        table = session.table(path, "state")
        # Replace rather than update: each document's new fields differ, and a TinyDB
        # rewrite per document would cost O(shard) each; this is two rewrites per shard.
        replaced = [doc_id(i) for i in wanted if str(doc_id(i)) in existing]
        if replaced:
            table.remove(doc_ids=replaced)
        kept = [make_document(s.to_doc(), doc_id(i)) for i, s in wanted.items() if not s.is_default]
        if kept:
            table.insert_multiple(kept)

"""The user's story corrections in stories.json (TinyDB, committed like every user file): article
pairs that must share a story and pairs that must not (articles.stories.linking.Corrections)."""

from __future__ import annotations

from articles.stories.linking import Corrections
from store.disk.documents import Session
from store.disk.layout import STORIES_FILE


def read_corrections(session: Session) -> Corrections:
    docs = session.load(session.root / STORIES_FILE).get("corrections", {})
    made = Corrections()
    for doc in docs.values():
        kind, a, b = doc.get("kind"), doc.get("a"), doc.get("b")
        if kind in ("must", "cannot") and isinstance(a, str) and isinstance(b, str) and a != b:
            (made.must if kind == "must" else made.cannot).add(frozenset((a, b)))
    return made


def write_corrections(session: Session, corrections: Corrections) -> None:
    table = session.table(session.root / STORIES_FILE, "corrections")
    table.truncate()
    rows = [
        {"kind": kind, "a": a, "b": b}
        for kind, pairs in (("must", corrections.must), ("cannot", corrections.cannot))
        for a, b in sorted(sorted(p) for p in pairs)
    ]
    if rows:
        table.insert_multiple(rows)

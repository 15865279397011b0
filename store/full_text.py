"""An article's body replaced by its page's full text (the reader's `f`), and put back (undo):
one commit each.  The source's body stays beside the full text as the `teaser`, so that a
refresh bringing that teaser again keeps the full text (`kept_full_text`, at import)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from articles.model import Article
from store.disk.catalogue_rows import CatalogueRow
from store.disk.layout import doc_id, shard_of
from store.values import DEFAULT_STATE

if TYPE_CHECKING:
    from store.core import StoreCore

BODY_FIELDS = ("body", "links", "teaser")
"""What a full-text change writes, and what an undo puts back."""


def kept_full_text(old: dict[str, Any], record: dict[str, Any]) -> dict[str, Any] | None:
    """An imported `record` of an article whose stored body is full text fetched over the
    source's teaser: when the record brings that teaser again, the record with the stored full
    text (and its hash); else None (the source changed the item: its body wins)."""
    teaser = old.get("teaser")
    if not teaser or record.get("teaser") or record.get("body") != teaser:
        return None
    kept = {**record, "body": old.get("body") or "", "links": list(old.get("links") or []), "teaser": teaser}
    kept["hash"] = Article.from_record(kept).content_hash()
    return kept


def body_fields_of(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored article's body, links and teaser."""
    return {"body": doc.get("body") or "", "links": list(doc.get("links") or []), "teaser": doc.get("teaser") or ""}


class FullText:
    """Writes an article's body fields (BODY_FIELDS) in place."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def set_body_fields(self, article_id: str, fields: dict[str, Any]) -> dict[str, Any] | None:
        """Write `fields` (body, links, teaser) over the stored ones in one commit; returns the
        fields as they were, for undo (None: the article is not stored, nothing written)."""
        with self.core.writing() as session:
            located = self.core.catalogue.locate([article_id])
            if article_id not in located:
                return None
            seg = located[article_id][0]
            path = self.core.segment_path(seg)
            doc = session.get_doc(path, "articles", doc_id(article_id))
            if doc is None:
                return None
            before = body_fields_of(doc)
            record = {**doc, **{name: fields.get(name, before[name]) for name in BODY_FIELDS}}
            record["links"] = list(record["links"] or [])
            record["hash"] = Article.from_record(record).content_hash()
            session.table(path, "articles").update(record, doc_ids=[doc_id(article_id)])
            session.commit()
            state = self.core.catalogue.states_of([article_id]).get(article_id, DEFAULT_STATE)
            row = (CatalogueRow.from_record(record, seg), state, shard_of(article_id))
            self.core.record_commit(session, [article_id], [row])
        return before

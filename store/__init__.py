"""TinyDB persistence for newsdesk: atomic, multi-process safe, with a derived SQLite catalogue and
a tantivy full-text index.  Everything the reader and the CLI use is exported here; they import
nothing deeper.  Damaged-file recovery (store.care.recovery) loads on first use of its names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from store.care.snapshots import snapshot_due
from store.care.trash import TrashEntry
from store.errors import StoreCorrupt, StoreError, StoreReadOnly, StoreWriteFailed
from store.full_text import FullText
from store.news_store import NewsStore
from store.search import query
from store.search.query import QueryError, narrowed, parse_query
from store.search.query_nodes import And, Everything, Flag, Match, Or, Query
from store.tags import TagError, normalise_tag, tag_key
from store.user.merges import MergeError
from store.user.views import SavedView, ViewError
from store.values import ImportCounts, ListItem, SearchResult, StoredArticle

if TYPE_CHECKING:
    from store.care.recovery import Damage, damage_notice
    from store.care.recovery import assess as assess_damage
    from store.care.recovery import repair as repair_damage
    from store.care.auto_snapshot import start as start_snapshot
    from store.search.highlight import Highlighter

_RECOVERY = {"Damage": "Damage", "damage_notice": "damage_notice", "assess_damage": "assess", "repair_damage": "repair"}
"""Names of store.care.recovery, kept out of `import store` (the reader's start) until used."""


def __getattr__(name: str) -> Any:
    if name in _RECOVERY:
        from store.care import recovery

        return getattr(recovery, _RECOVERY[name])
    if name == "Highlighter":  # the reader's (a compiled Unicode regex): not for a CLI write
        from store.search.highlight import Highlighter

        return Highlighter
    if name == "start_snapshot":  # a CLI write's detached snapshot (subprocess): only when one is due
        from store.care.auto_snapshot import start

        return start
    raise AttributeError(f"module 'store' has no attribute {name!r}")


__all__ = [
    "And",
    "Damage",
    "Everything",
    "Flag",
    "FullText",
    "Highlighter",
    "ImportCounts",
    "ListItem",
    "Match",
    "MergeError",
    "NewsStore",
    "Or",
    "Query",
    "QueryError",
    "SavedView",
    "SearchResult",
    "StoreCorrupt",
    "StoreError",
    "StoreReadOnly",
    "StoreWriteFailed",
    "StoredArticle",
    "TagError",
    "TrashEntry",
    "ViewError",
    "assess_damage",
    "damage_notice",
    "narrowed",
    "normalise_tag",
    "parse_query",
    "query",
    "repair_damage",
    "snapshot_due",
    "start_snapshot",
    "tag_key",
]

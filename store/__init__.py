"""TinyDB persistence for newsdesk: atomic, multi-process safe, with a derived SQLite index."""

from store.errors import StoreCorrupt, StoreError, StoreReadOnly
from store.news_store import NewsStore
from store.values import ImportCounts, ListItem, StoredArticle

__all__ = [
    "ImportCounts",
    "ListItem",
    "NewsStore",
    "StoreCorrupt",
    "StoreError",
    "StoreReadOnly",
    "StoredArticle",
]

"""TinyDB persistence for newsdesk: atomic, multi-process safe, with a derived SQLite index."""

from store.errors import StoreCorrupt, StoreError, StoreReadOnly
from store.news_store import ImportCounts, ListItem, NewsStore, StoredArticle

__all__ = [
    "ImportCounts",
    "ListItem",
    "NewsStore",
    "StoreCorrupt",
    "StoreError",
    "StoreReadOnly",
    "StoredArticle",
]

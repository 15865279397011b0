"""TinyDB persistence for newsdesk: atomic, multi-process safe, with a derived SQLite index."""

from store.errors import StoreCorrupt, StoreError, StoreReadOnly, StoreWriteFailed
from store.search.highlight import Highlighter
from store.news_store import NewsStore
from store.search.query import QueryError, parse_query
from store.search.query_nodes import Query
from store.values import ImportCounts, ListItem, SearchResult, StoredArticle
from store.user.views import SavedView, ViewError

__all__ = [
    "Highlighter",
    "ImportCounts",
    "ListItem",
    "NewsStore",
    "Query",
    "QueryError",
    "SavedView",
    "SearchResult",
    "StoreCorrupt",
    "StoreError",
    "StoreReadOnly",
    "StoreWriteFailed",
    "StoredArticle",
    "ViewError",
    "parse_query",
]

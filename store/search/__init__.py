"""Searching the store: the query language, the tantivy full-text index and its sync, matching
articles the index has not caught up with, and highlighting."""

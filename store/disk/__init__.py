"""The store's files on disk: the layout, atomic commits and locks, the TinyDB documents,
article segments and state shards, and the derived SQLite catalogue (index.sqlite)."""

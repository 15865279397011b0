"""The full-text part of the derived index: two contentless SQLite FTS5 tables.

- `fts` holds the article text (title, body, author, source); `fts_ent` the entity names and
  their aliases by type (person, org, place, other).  Separate tables: entities change when they
  are extracted or merged, and a plain word must not pay for columns it never searches.
- The FTS rowid is the article's date key (`articles.n`, see `date_key`): newest-first is
  `ORDER BY rowid DESC`, and date filters become rowid ranges that FTS5 evaluates itself.
- Text is fed folded (store.query.words_of) so that the index and the query fold the same way;
  ASCII text goes in as it is, since unicode61 tokenises ASCII exactly as words_of does and that
  halves the cost.  Contentless tables need the old values to delete a row, so what was fed is kept
  in `fts_text` — the index never depends on re-folding old TinyDB text the same way.
Measured choices: docs/search-engine-study.md.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from store.query import words_of

TEXT_COLUMNS = ("title", "body", "author", "source")
ENTITY_COLUMNS = ("person", "org", "place", "other")
NAME_BREAK = " \ue000 "
"""Between two entity names: a private-use character is a token to FTS5 but never a query word,
so a phrase cannot match across two names."""

ALL_TOKEN = "\ue001"
"""A token every article carries (in the source column): `NOT word` alone is answered inside FTS5
as ALL NOT word, instead of a scan of every article."""

KEY_BITS = 20
"""The low bits of a date key number the articles of one second (2**20 of them)."""

SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5({", ".join(TEXT_COLUMNS)},
    content='', tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS fts_ent USING fts5({", ".join(ENTITY_COLUMNS)},
    content='', tokenize='unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS fts_text(n INTEGER PRIMARY KEY, text BLOB NOT NULL, ent BLOB);
"""


def date_key_base(timestamp: float) -> int:
    """The first date key of the second `timestamp` falls in."""
    return math.floor(timestamp) << KEY_BITS


def fold_field(text: str) -> str:
    if text.isascii():
        return text
    return " ".join(words_of(text))


def text_columns(record: Mapping[str, Any]) -> tuple[str, ...]:
    body = record.get("body") or ""
    summary = record.get("summary") or ""
    if summary and summary not in body:
        body = f"{summary}\n{body}" if body else summary
    title, author, source = (fold_field(str(record.get(k) or "")) for k in ("title", "author", "source"))
    return (title, fold_field(body), author, f"{source} {ALL_TOKEN}")


def entity_columns(record: Mapping[str, Any]) -> tuple[str, ...] | None:
    entities = record.get("entities")
    if not isinstance(entities, list) or not entities:
        return None
    names: dict[str, list[str]] = {column: [] for column in ENTITY_COLUMNS}
    for entity in entities:
        if not isinstance(entity, Mapping):
            continue
        kind = entity.get("type") if entity.get("type") in names else "other"
        aliases = entity.get("aliases") if isinstance(entity.get("aliases"), list) else []
        for name in (entity.get("name"), *aliases):
            if isinstance(name, str) and name.strip():
                names[kind].append(" ".join(words_of(name)))
    return tuple(NAME_BREAK.join(names[column]) for column in ENTITY_COLUMNS)


def _pack(columns: Sequence[str] | None) -> bytes | None:
    # Not compressed: zlib cost 0.055 ms an article, ~8 % of the import rate, to save ~30 %.
    return None if columns is None else orjson.dumps(list(columns))


def _unpack(blob: bytes | None) -> list[str] | None:
    return None if blob is None else orjson.loads(blob)


_INSERT_TEXT = f"INSERT INTO fts(rowid, {', '.join(TEXT_COLUMNS)}) VALUES(?{', ?' * len(TEXT_COLUMNS)})"
_INSERT_ENT = f"INSERT INTO fts_ent(rowid, {', '.join(ENTITY_COLUMNS)}) VALUES(?{', ?' * len(ENTITY_COLUMNS)})"
_DELETE_TEXT = f"INSERT INTO fts(fts, rowid, {', '.join(TEXT_COLUMNS)}) VALUES('delete', ?{', ?' * len(TEXT_COLUMNS)})"
_DELETE_ENT = (
    f"INSERT INTO fts_ent(fts_ent, rowid, {', '.join(ENTITY_COLUMNS)}) VALUES('delete', ?{', ?' * len(ENTITY_COLUMNS)})"
)


def insert(db: sqlite3.Connection, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    """Index the text of articles; rows are (date key, record).  Inserted in rowid order:
    FTS5 flushes its pending terms whenever a rowid goes backwards, which doubles the cost."""
    texts: list[tuple[Any, ...]] = []
    ents: list[tuple[Any, ...]] = []
    kept: list[tuple[int, bytes, bytes | None]] = []
    for n, record in sorted(rows, key=lambda r: r[0]):
        text = text_columns(record)
        ent = entity_columns(record)
        texts.append((n, *text))
        if ent is not None:
            ents.append((n, *ent))
        kept.append((n, _pack(text) or b"", _pack(ent)))
    db.executemany(_INSERT_TEXT, texts)
    db.executemany(_INSERT_ENT, ents)
    db.executemany("INSERT OR REPLACE INTO fts_text(n, text, ent) VALUES(?, ?, ?)", kept)


def delete(db: sqlite3.Connection, keys: Iterable[int]) -> None:
    """Remove articles' text from the index, with the exact values they were indexed with."""
    for n in keys:
        row = db.execute("SELECT text, ent FROM fts_text WHERE n = ?", (n,)).fetchone()
        if row is None:
            continue
        text, ent = _unpack(row[0]), _unpack(row[1])
        if text is not None:
            db.execute(_DELETE_TEXT, (n, *text))
        if ent is not None:
            db.execute(_DELETE_ENT, (n, *ent))
        db.execute("DELETE FROM fts_text WHERE n = ?", (n,))


def clear(db: sqlite3.Connection) -> None:
    db.execute("INSERT INTO fts(fts) VALUES('delete-all')")
    db.execute("INSERT INTO fts_ent(fts_ent) VALUES('delete-all')")
    db.execute("DELETE FROM fts_text")

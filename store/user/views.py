"""Saved views (a named query), the search history and reader preferences, in views.json (TinyDB,
one atomic commit per change like every other store file; the rules there: store.user.rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from store.disk.documents import Session
from store.disk.layout import VIEWS_FILE

HISTORY_SIZE = 200
"""Queries kept in the search history, newest last."""
MAX_NAME = 80
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class ViewError(ValueError):
    """A view name that cannot be used, or a view that does not exist; the message says why."""


@dataclass(frozen=True, slots=True)
class SavedView:
    name: str
    query: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "query": self.query}


def normalise_name(raw: str) -> str:
    name = " ".join(str(raw).split())
    if not name:
        raise ViewError("a view needs a name")
    if _CONTROL.search(name):
        raise ViewError("a view name cannot contain control characters")
    if len(name) > MAX_NAME:
        raise ViewError(f"a view name is at most {MAX_NAME} characters")
    return name


def read_views(session: Session) -> list[SavedView]:
    docs = session.load(session.root / VIEWS_FILE).get("views", {})
    views = [SavedView(str(d.get("name", "")), str(d.get("query", ""))) for d in docs.values() if d.get("name")]
    return sorted(views, key=lambda v: v.name.casefold())


def write_views(session: Session, views: list[SavedView]) -> None:
    table = session.table(session.root / VIEWS_FILE, "views")
    table.truncate()
    if views:
        table.insert_multiple([v.to_json() for v in views])


def find(views: list[SavedView], name: str) -> int | None:
    key = name.casefold()
    return next((i for i, v in enumerate(views) if v.name.casefold() == key), None)


def read_history(session: Session) -> list[str]:
    docs = session.load(session.root / VIEWS_FILE).get("history", {})
    first: dict[str, Any] = next(iter(docs.values()), {}) if docs else {}
    entries = first.get("entries", [])
    return [e for e in entries if isinstance(e, str)]


def write_history(session: Session, entries: list[str]) -> None:
    table = session.table(session.root / VIEWS_FILE, "history")
    table.truncate()
    table.insert({"entries": entries[-HISTORY_SIZE:]})


def read_preferences(session: Session) -> dict[str, Any]:
    """What the reader remembers by itself (the theme picked in the palette), never the config."""
    docs = session.load(session.root / VIEWS_FILE).get("preferences", {})
    found: object = next(iter(docs.values()), {}) if docs else {}
    return dict(found) if isinstance(found, dict) else {}


def write_preferences(session: Session, values: dict[str, Any]) -> None:
    table = session.table(session.root / VIEWS_FILE, "preferences")
    table.truncate()
    table.insert(values)

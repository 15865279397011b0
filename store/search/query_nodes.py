"""The search language's syntax tree and its error."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


class QueryError(ValueError):
    """A malformed query; `position` is the character offset of the problem."""

    def __init__(self, message: str, position: int, query: str) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.query = query

    def pointer(self) -> str:
        """The query with a caret under the problem, for a terminal: on one line (line breaks, tabs
        and other controls shown as spaces), wide CJK characters counted as two columns."""
        shown = "".join(ch if ch.isprintable() else " " for ch in self.query)
        column = sum(_columns(ch) for ch in shown[: self.position])
        return f"  {shown}\n  {' ' * column}^"


def _columns(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


# -- the AST --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Everything:
    """The empty query."""


@dataclass(frozen=True, slots=True)
class Term:
    """A word (folded) in `field` (None: any text field); prefix=True for `word*`."""

    word: str
    field: str | None = None
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words in order, in `field` (None: any text field); prefix=True when the last word is a
    prefix (`tel-av*`)."""

    words: tuple[str, ...]
    field: str | None = None
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Match:
    """An exact-valued field: url (substring), tag, id (prefix), feed, lang, or an entity field."""

    field: str
    value: str


@dataclass(frozen=True, slots=True)
class DateRange:
    """Published in [start, end) as Unix timestamps; None for an open end.

    `days` is the same range for date-only articles (docs/cli.md: a calendar day, matched as that day
    in every zone): the same calendar days, each starting at midnight UTC, where a date-only
    article's day is stored.  None: the same as (start, end)."""

    start: float | None
    end: float | None
    days: tuple[float | None, float | None] | None = field(default=None, compare=False)
    """Derived from the same calendar days as (start, end), so not compared."""

    @property
    def day_span(self) -> tuple[float | None, float | None]:
        return (self.start, self.end) if self.days is None else self.days


@dataclass(frozen=True, slots=True)
class Flag:
    """is:unread, is:read, is:starred, has:entities."""

    name: str


@dataclass(frozen=True, slots=True)
class IdIn:
    """One of these articles: what `story:ID` and `is:copy` stand for once the store's stories
    are read (store.stories.service.Stories.resolve_query); `label` is the query text."""

    ids: frozenset[str]
    label: str = ""


@dataclass(frozen=True, slots=True)
class Not:
    node: Node


@dataclass(frozen=True, slots=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    nodes: tuple[Node, ...]


Node = Everything | Term | Phrase | Match | DateRange | Flag | IdIn | Not | And | Or


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: what to match and in which order ('new', 'old' or 'rel')."""

    node: Node
    sort: str
    text: str = field(default="", compare=False)

    @property
    def has_words(self) -> bool:
        return has_words(self.node)


def has_words(node: Node) -> bool:
    if isinstance(node, Term | Phrase):
        return True
    if isinstance(node, And | Or):
        return any(has_words(n) for n in node.nodes)
    return False  # words under NOT do not rank

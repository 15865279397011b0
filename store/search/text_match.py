"""A query evaluated on single articles, in Python: for the few articles changed since the
full-text index last caught up (store.search.text_sync), so that every search is exact although the
index may lag by a commit.  The same rules as store.search.text_query, on the same fields
(store.search.text_fields)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from store.search.query import words_of
from store.search.query_nodes import And, DateRange, Everything, Flag, IdIn, Match, Node, Not, Or, Phrase, Term
from store.search.text_fields import (
    ENTITY_FIELDS,
    TEXT_FIELDS,
    TextFields,
    ascii_lower,
    date_key_range,
    indexable,
    url_value,
)
from store.tags import tag_key

_ENTITY_FIELD_NAMES = {"person": ("person",), "org": ("org",), "place": ("place",), "entity": ENTITY_FIELDS}

Words = list[str | None]
"""A field's words; None stands for a word too long to index (it matches nothing)."""


@dataclass(slots=True)
class Candidate:
    """One article, split into words once for every query node."""

    fields: TextFields
    words: dict[str, list[Words]]

    @classmethod
    def of(cls, fields: TextFields) -> Candidate:
        words: dict[str, list[Words]] = {}
        for name, text in zip(TEXT_FIELDS, fields.texts, strict=True):
            words[name] = [_words(text)]
        for name in ENTITY_FIELDS:
            words[name] = [_words(value) for value in fields.entities[name]]
        return cls(fields, words)


def _words(text: str) -> Words:
    return [w if indexable(w) else None for w in words_of(text)]


def matches(node: Node, candidate: Candidate, names: Callable[[str], list[str]] | None = None) -> bool:
    return _Matcher(names or (lambda value: [value])).node(node, candidate)


class _Matcher:
    def __init__(self, names: Callable[[str], list[str]]) -> None:
        self.names = names

    def node(self, node: Node, c: Candidate) -> bool:  # noqa: PLR0911 - one case per node type
        if isinstance(node, Everything):
            return True
        if isinstance(node, Term):
            fields = [node.field] if node.field else TEXT_FIELDS
            return any(_phrase(values, (node.word,), node.prefix) for f in fields for values in c.words[f])
        if isinstance(node, Phrase):
            fields = [node.field] if node.field else TEXT_FIELDS
            return any(_phrase(values, node.words, node.prefix) for f in fields for values in c.words[f])
        if isinstance(node, Match):
            return self.match(node, c)
        if isinstance(node, DateRange):
            low, high = date_key_range(node, c.fields.date_only)
            return (low is None or c.fields.n >= low) and (high is None or c.fields.n < high)
        if isinstance(node, IdIn):
            return c.fields.id in node.ids
        if isinstance(node, Flag):
            f = c.fields
            flags = {"unread": not f.read, "read": f.read, "starred": f.starred, "entities": f.has_entities}
            return flags.get(node.name, False)
        if isinstance(node, Not):
            return not self.node(node.node, c)
        if isinstance(node, And):
            return all(self.node(n, c) for n in node.nodes)
        if isinstance(node, Or):
            return any(self.node(n, c) for n in node.nodes)
        raise TypeError(f"not a query node: {node!r}")  # pragma: no cover

    def match(self, node: Match, c: Candidate) -> bool:
        f, value = c.fields, node.value
        if node.field == "tag":
            return tag_key(value) in f.tags
        if node.field in ("url", "feed"):
            stored = f.url if node.field == "url" else f.feed
            return bool(stored) and url_value(value) in stored
        if node.field == "id":
            return f.id.startswith(value.lower())
        if node.field == "lang":
            return ascii_lower(value) in f.langs
        if node.field == "story":
            return False
        fields = _ENTITY_FIELD_NAMES[node.field]
        for name in dict.fromkeys(" ".join(words_of(n)) for n in self.names(value)):
            words = tuple(name.split())
            if words and any(_phrase(values, words, False) for fld in fields for values in c.words[fld]):
                return True
        return False


def _phrase(values: Words, words: Sequence[str], prefix: bool) -> bool:
    """`words` in a row in `values`; the last one a prefix when `prefix`."""
    if not words or not all(indexable(w) for w in words):
        return False
    size = len(words)
    last = size - 1
    for start in range(len(values) - size + 1):
        for i, word in enumerate(words):
            got = values[start + i]
            if got is None:
                break
            if prefix and i == last:
                if not got.startswith(word):
                    break
            elif got != word:
                break
        else:
            return True
    return False

"""Where a query's words occur in a text, for highlighting: spans in the original text, found
with the same folding as the index (case, diacritics, CJK unigrams)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from store.search.query import fold, words_of
from store.search.query_nodes import And, Node, Or, Phrase, Query, Term

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[^\W_]|[\u0300-\u036f])+")
HIGHLIGHTED_FIELDS = (None, "title", "body")


def query_terms(node: Node) -> list[tuple[tuple[str, ...], bool]]:
    """The positive words and phrases of a query: (words, last word is a prefix)."""
    if isinstance(node, Term) and node.field in HIGHLIGHTED_FIELDS:
        return [((node.word,), node.prefix)]
    if isinstance(node, Phrase) and node.field in HIGHLIGHTED_FIELDS:
        return [(node.words, node.prefix)]
    if isinstance(node, And | Or):
        return [t for n in node.nodes for t in query_terms(n)]
    return []  # words under NOT are what the article lacks; entity names are in the sidebar


class Highlighter:
    """Finds a query's words (or given names, as phrases) in texts.  Empty (falsy) when there
    is nothing to find."""

    def __init__(self, query: Query | None = None, *, names: Sequence[str] = ()) -> None:
        terms = query_terms(query.node) if query is not None else []
        terms += [(tuple(words), False) for words in (words_of(n) for n in names) if words]
        self._terms = list(dict.fromkeys(terms))
        self._firsts = {words[0] for words, prefix in self._terms if not (prefix and len(words) == 1)}
        self._prefixes = tuple(words[0] for words, prefix in self._terms if prefix and len(words) == 1)

    def __bool__(self) -> bool:
        return bool(self._terms)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Sorted, non-overlapping (start, end) character spans of matches in `text`."""
        if not self._terms or not text:
            return []
        tokens = [(m.start(), m.end(), fold(m.group())) for m in _TOKEN.finditer(text)]
        found: list[tuple[int, int]] = []
        for i, (start, _end, word) in enumerate(tokens):
            if word not in self._firsts and not (self._prefixes and word.startswith(self._prefixes)):
                continue
            best = 0
            for words, prefix in self._terms:
                size = len(words)
                if i + size > len(tokens) or size <= best:
                    continue
                window = [t[2] for t in tokens[i : i + size]]
                if window[:-1] == list(words[:-1]) and (
                    window[-1].startswith(words[-1]) if prefix else window[-1] == words[-1]
                ):
                    best = size
            if best:
                found.append((start, tokens[i + best - 1][1]))
        merged: list[tuple[int, int]] = []
        for start, end in found:
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

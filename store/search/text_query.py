"""A parsed query (store.search.query) as a tantivy query over the full-text index (store.search.text_index).

- A word is a term in any text field, each field weighted (TEXT_WEIGHTS): a word in the title
  counts most.  `word*` is an exact prefix (`prefixed`: an automaton over the term dictionary,
  never a regular expression, so a prefix of any length works).
- A phrase is a phrase query per field; `tel-av*` ends in a prefix (a phrase of regular
  expressions: the parser bounds its words, store.search.query.MAX_PREFIX_PHRASE_WORD_BYTES).
- Entity fields match any name merged with the value (`names`), each as a phrase over separate
  name values.  tag, lang, url (substring, a regular expression: the parser bounds the value,
  store.search.query.MAX_SUBSTRING_BYTES), feed (the same) and id (prefix) match their raw fields;
  dates are ranges of the date key `n`; is:/has: match the flag fields.
- NOT x alone is everything but x.
Ranking is tantivy's BM25 over the weighted fields, of the words only: every other part scores
0, so an article evaluated outside the index (store.search.text_match) can be given exactly the score the
index would give it (`decided`).
"""

from __future__ import annotations

from collections.abc import Callable

import tantivy
from tantivy import Occur, Query

from store.search.query import words_of
from store.search.query_nodes import And, DateRange, Everything, Flag, IdIn, Match, Node, Not, Or, Phrase, Term
from store.search.text_fields import (
    ENTITY_FIELDS,
    PAIR_FIELD_MARKS,
    STOPWORDS,
    TEXT_FIELDS,
    ascii_lower,
    date_key_range,
    indexable,
    stop_pair,
    url_value,
)
from store.search.text_index import SCHEMA
from store.tags import tag_key

TEXT_WEIGHTS = {"title": 8.0, "body": 1.0, "author": 2.0, "source": 2.0}
_ENTITY_FIELD_NAMES = {"person": ("person",), "org": ("org",), "place": ("place",), "entity": ENTITY_FIELDS}
_FLAGS = {"unread": ("read", 0), "read": ("read", 1), "starred": ("starred", 1), "entities": ("has_entities", 1)}

Names = Callable[[str], list[str]]
Decide = Callable[[Node], bool]


def everything(score: float = 1.0) -> Query:
    """Every article, scoring `score` (tantivy's all_query scores 1).  Never a bare all_query
    where the score counts: tantivy (as tantivy-py 0.27 bundles it) drops the clauses of an
    intersection that match a whole segment (an all_query, a term in every one of its
    documents) and, when no clause is left, scores the match 0 instead of the sum of what it
    dropped (quickwit-oss/tantivy#2760 is the same code).  An article that is a segment of its
    own then lost its score in `decided`.  tantivy does not see through a constant-score
    wrapper, so this one keeps its score."""
    return Query.const_score_query(Query.all_query(), score)


def compile_query(node: Node, names: Names | None = None) -> Query:
    return _Compiler(names or (lambda value: [value])).node(node)


def decided(node: Node, names: Names | None, decide: Decide, article_id: str) -> Query:
    """`node` for one article whose parts other than words are already decided (`decide`): its
    score in the index is the score `compile_query(node)` gives it, with its current tags and
    state (the index may still hold older ones)."""
    compiler = _Compiler(names or (lambda value: [value]), decide)
    only = Query.const_score_query(ids_query([article_id]), 0.0)
    return Query.boolean_query([(Occur.Must, compiler.node(node)), (Occur.Must, only)])


def ids_query(ids: list[str]) -> Query:
    return Query.term_set_query(SCHEMA, "id", ids)


def excluding(query: Query, ids: list[str]) -> Query:
    if not ids:
        return query
    return Query.boolean_query([(Occur.Must, query), (Occur.MustNot, ids_query(ids))])


def within(query: Query, ids: list[str]) -> Query:
    """`query`, limited to these articles (they do not score)."""
    return Query.boolean_query([(Occur.Must, query), (Occur.Must, Query.const_score_query(ids_query(ids), 0.0))])


def beyond(query: Query, key: int, *, oldest: bool) -> Query:
    """`query`, limited to the articles before date key `key` in date order (newer, or older
    for sort:old)."""
    low, high = (None, key) if oldest else (key, None)
    window = Query.range_query(
        SCHEMA, "n", tantivy.FieldType.Integer, low, high, include_lower=low is None, include_upper=high is None
    )
    return Query.boolean_query([(Occur.Must, query), (Occur.Must, window)])


def prefixed(field_name: str, prefix: str) -> Query:
    """The terms of a field that start with `prefix`.  A Levenshtein automaton of distance 0
    (tantivy's FuzzyTermQuery), not a regular expression: tantivy refuses a regular expression
    of more than 1,000 states, which `prefix.*` reaches at about 980 bytes.  It scores as the
    regular expression did (a constant 1)."""
    return Query.fuzzy_term_query(SCHEMA, field_name, prefix, distance=0, prefix=True)


def _escape(text: str) -> str:
    """A literal for tantivy's regular expressions (Rust regex syntax)."""
    return "".join(ch if ch.isascii() and ch.isalnum() else f"\\x{{{ord(ch):X}}}" for ch in text)


class _Compiler:
    def __init__(self, names: Names, decide: Decide | None = None) -> None:
        self.names = names
        self.decide = decide

    def node(self, node: Node) -> Query:
        if isinstance(node, Everything):
            return everything()
        if isinstance(node, Term):
            return self.fields(node.field, lambda f: self.term(f, node.word, node.prefix))
        if isinstance(node, Phrase):
            return self.fields(node.field, lambda f: self.phrase(f, node.words, node.prefix))
        if isinstance(node, Match | DateRange | Flag | IdIn):  # filters: they select, never score
            if self.decide is not None:
                return everything(0.0) if self.decide(node) else Query.empty_query()
            return Query.const_score_query(self.filter(node), 0.0)
        if isinstance(node, Not):
            return Query.boolean_query([(Occur.Must, everything()), (Occur.MustNot, self.node(node.node))])
        if isinstance(node, And):
            parts = [
                (Occur.MustNot, self.node(n.node)) if isinstance(n, Not) else (Occur.Must, self.node(n))
                for n in node.nodes
            ]
            if all(occur == Occur.MustNot for occur, _ in parts):
                parts.insert(0, (Occur.Must, everything()))
            return Query.boolean_query(parts)
        if isinstance(node, Or):
            return Query.boolean_query([(Occur.Should, self.node(n)) for n in node.nodes])
        raise TypeError(f"not a query node: {node!r}")  # pragma: no cover

    # -- text ------------------------------------------------------------------------------------
    def fields(self, field_name: str | None, leaf: Callable[[str], Query]) -> Query:
        if field_name is not None:
            return leaf(field_name)
        return Query.boolean_query(
            [(Occur.Should, Query.boost_query(leaf(name), TEXT_WEIGHTS[name])) for name in TEXT_FIELDS]
        )

    @staticmethod
    def term(field_name: str, word: str, prefix: bool) -> Query:
        if not indexable(word):
            return Query.empty_query()
        if prefix:
            return prefixed(field_name, word)
        return Query.term_query(SCHEMA, field_name, word)

    @staticmethod
    def phrase(field_name: str, words: tuple[str, ...], prefix: bool) -> Query:
        """A phrase; two adjacent STOPWORDS in it are also one `pairs` term: alone they are the
        phrase, exactly, and in a longer phrase they narrow the articles whose word positions
        must be compared (the slow part, for words found in nearly every article)."""
        if not all(indexable(w) for w in words):
            return Query.empty_query()
        pairs = []
        if field_name in PAIR_FIELD_MARKS:
            complete = words[:-1] if prefix else words
            pairs = [
                Query.term_query(SCHEMA, "pairs", stop_pair(field_name, a, b))
                for a, b in zip(complete, complete[1:], strict=False)  # noqa: RUF007
                if a in STOPWORDS and b in STOPWORDS
            ]
        if pairs and len(words) == 2 and not prefix:
            return pairs[0]
        if prefix:
            patterns: list[str | tuple[int, str]] = [_escape(w) for w in words[:-1]]
            patterns.append(_escape(words[-1]) + ".*")
            positional = Query.regex_phrase_query(SCHEMA, field_name, patterns)
        else:
            positional = Query.phrase_query(SCHEMA, field_name, list(words))
        if not pairs:
            return positional
        narrow = [(Occur.Must, Query.const_score_query(pair, 0.0)) for pair in pairs]
        return Query.boolean_query([(Occur.Must, positional), *narrow])

    # -- fields ----------------------------------------------------------------------------------
    def filter(self, node: Match | DateRange | Flag | IdIn) -> Query:
        if isinstance(node, Match):
            return self.match(node)
        if isinstance(node, DateRange):
            return self.dates(node)
        if isinstance(node, IdIn):
            return ids_query(sorted(node.ids)) if node.ids else Query.empty_query()
        if node.name not in _FLAGS:  # is:copy, not resolved by the store's stories: nothing
            return Query.empty_query()
        name, value = _FLAGS[node.name]
        return Query.term_query(SCHEMA, name, value)

    def match(self, node: Match) -> Query:
        value = node.value
        if node.field == "tag":
            return Query.term_query(SCHEMA, "tag", tag_key(value))
        if node.field in ("url", "feed"):
            return Query.regex_query(SCHEMA, node.field, ".*" + _escape(url_value(value)) + ".*")
        if node.field == "id":
            return prefixed("id", value.lower())
        if node.field == "lang":
            return Query.term_query(SCHEMA, "lang", ascii_lower(value))
        if node.field == "story":  # not resolved by the store's stories: nothing
            return Query.empty_query()
        fields = _ENTITY_FIELD_NAMES[node.field]
        alternatives: list[Query] = []
        for name in dict.fromkeys(" ".join(words_of(n)) for n in self.names(value)):
            words = tuple(name.split())
            if not words:
                continue
            for field_name in fields:
                if len(words) == 1:
                    alternatives.append(self.term(field_name, words[0], False))
                else:
                    alternatives.append(self.phrase(field_name, words, False))
        if not alternatives:
            return Query.empty_query()
        return Query.boolean_query([(Occur.Should, q) for q in alternatives])

    @staticmethod
    def dates(node: DateRange) -> Query:
        """Articles with a time by the local days' keys, date-only ones by their calendar days'."""
        flagged = Query.term_query(SCHEMA, "date_only", 1)
        timed = _key_range(*date_key_range(node, False))
        days = _key_range(*date_key_range(node, True))
        if timed is None or days is None:  # both ends open (they are open together): everything
            return Query.all_query()
        return Query.boolean_query(
            [
                (Occur.Should, Query.boolean_query([(Occur.Must, timed), (Occur.MustNot, flagged)])),
                (Occur.Should, Query.boolean_query([(Occur.Must, days), (Occur.Must, flagged)])),
            ]
        )


def _key_range(low: int | None, high: int | None) -> Query | None:
    """Date keys in [low, high); None when both ends are open."""
    if low is None and high is None:
        return None
    return Query.range_query(
        SCHEMA,
        "n",
        tantivy.FieldType.Integer,
        low,
        high,
        include_lower=True,
        include_upper=high is None,
    )

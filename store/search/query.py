"""The search language (notmuch-like): parsed into a small AST, with errors that point at the problem.

words          every word must match, whole words; case-insensitive, diacritics folded
               (zurich finds Zürich); no stemming; Chinese/Japanese/Korean text is
               searched by character: 上海 finds the two characters in a row
"a phrase"     the words in order, punctuation between them ignored ("tel aviv" finds Tel-Aviv)
prefix*        words starting with prefix
a OR b, a AND b, NOT a, -a, ( … )
               NOT binds tightest, then AND (explicit or implied), then OR:
               `a b OR c` is `(a AND b) OR c`; lower-case and/or/not are plain words
field:value    title: body: author: source: url: tag: id: feed: lang:
               person: org: place: entity:   (a word or a "phrase")
               story:ID      the articles of the story of article ID (store.stories)
date:2024-06  date:2024-06-05  date:2024-06-01..2024-06-30  date:7d
after:2024-06-01  before:2w    (d, w, m, y: days, weeks, months, years ago; local days)
is:unread  is:read  is:starred  is:copy  has:entities
sort:new  sort:old  sort:rel
               by relevance (BM25, title words count most; equal scores newest first)
               when there are words; otherwise newest first
an empty query matches every article
limits         at most 64 levels of nesting (each '(' and each NOT or - counts one);
               url: and feed: values at most 400 bytes; in a phrase that ends in a prefix
               (tel-av*) each word at most 900 bytes; a word over 1,000 bytes matches nothing
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from store.search.query_dates import DateResolver
from store.search.query_nodes import (
    And,
    DateRange,
    Everything,
    Flag,
    Match,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    QueryError,
    Term,
    has_words,
)

TEXT_FIELDS = ("title", "body", "author", "source")
EXACT_FIELDS = ("url", "tag", "id", "feed", "lang", "story")
ENTITY_FIELDS = ("person", "org", "place", "entity")
DATE_FIELDS = ("date", "after", "before")
FLAG_FIELDS = {"is": ("unread", "read", "starred", "copy"), "has": ("entities",)}
SORTS = ("new", "old", "rel")
FIELDS = (*TEXT_FIELDS, *EXACT_FIELDS, *ENTITY_FIELDS, *DATE_FIELDS, *FLAG_FIELDS, "sort")

MAX_DEPTH = 64
"""Levels of nesting a query may have: each '(' and each NOT or - opens one.  The parser and
every function over the tree recurse once or a few times a level; this keeps them far from
Python's recursion limit (a query of 250 parentheses or 1,000 NOTs is refused, not a crash)."""
MAX_SUBSTRING_BYTES = 400
"""A url: or feed: value's length in UTF-8 bytes.  They match as substrings, by a tantivy
regular expression (`.*value.*`), whose automaton may have at most 1,000 states: about two a
byte (482 bytes is the most that compiles, whatever the characters)."""
MAX_PREFIX_PHRASE_WORD_BYTES = 900
"""A word's length in UTF-8 bytes in a phrase that ends in a prefix (tel-av*): such a phrase is
a tantivy phrase of regular expressions, one a byte and a state (981 bytes is the most that
compiles for the prefix).  A prefix alone (word*) has no such limit."""


# -- words ----------------------------------------------------------------------------------------
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form: 'Zürich' -> 'zurich'."""
    if text.isascii():  # the common case, and 2x cheaper: nothing to decompose
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words_of(text: str) -> list[str]:
    """The searchable words of a text, folded.  CJK characters are single-character words
    (unigrams), so a CJK run becomes a phrase of its characters."""
    folded = fold(text)
    if not folded.isascii() and _CJK.search(folded):
        folded = _CJK.sub(lambda m: f" {m.group(0)} ", folded)
    return _WORD.findall(folded)


# -- tokens ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # WORD PHRASE LPAREN RPAREN AND OR NOT MINUS FIELD END
    text: str
    position: int
    field: str | None = None  # for FIELD: the field name; text is the raw value
    quoted: bool = False


_FIELD = re.compile(r"([A-Za-z]+):")


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            tokens.append(_Token("LPAREN", ch, i))
            i += 1
        elif ch == ")":
            tokens.append(_Token("RPAREN", ch, i))
            i += 1
        elif ch == '"':
            text, end = _quoted(query, i)
            tokens.append(_Token("PHRASE", text, i, quoted=True))
            i = end
        elif ch == "-" and i + 1 < n and not query[i + 1].isspace() and (i == 0 or query[i - 1] in " \t(("):
            tokens.append(_Token("MINUS", ch, i))
            i += 1
        else:
            field_match = _FIELD.match(query, i)
            if field_match and field_match.group(1).lower() in FIELDS:
                name = field_match.group(1).lower()
                j = field_match.end()
                if j < n and query[j] == '"':
                    value, end = _quoted(query, j)
                    tokens.append(_Token("FIELD", value, i, field=name, quoted=True))
                    i = end
                else:
                    end = _bare_end(query, j)
                    if end == j:
                        raise QueryError(f"'{name}:' needs a value", j, query)
                    tokens.append(_Token("FIELD", query[j:end], i, field=name))
                    i = end
                continue
            if field_match:
                has_value = field_match.end() < n and not query[field_match.end()].isspace()
                # A word ending in a colon with no value ("Breaking:", "Update:") is a word,
                # unless it is a field mistyped ("persn:"): said as soon as the colon is typed.
                guess = _near_field(field_match.group(1), 0.7 if has_value else 0.85)
                if has_value or guess:
                    raise QueryError(_unknown_field(field_match.group(1), guess), i, query)
            end = _bare_end(query, i)
            word = query[i:end]
            kind = word if word in ("AND", "OR", "NOT") else "WORD"
            tokens.append(_Token(kind, word, i))
            i = end
    tokens.append(_Token("END", "", n))
    return tokens


def _quoted(query: str, start: int) -> tuple[str, int]:
    end = query.find('"', start + 1)
    if end < 0:
        raise QueryError('unbalanced quote: no closing "', start, query)
    return query[start + 1 : end], end + 1


def _near_field(name: str, cutoff: float) -> str | None:
    """The field `name` was probably meant to be ("persn" -> "person"), if one is close."""
    import difflib

    close = difflib.get_close_matches(name.lower(), FIELDS, n=1, cutoff=cutoff)
    return close[0] if close else None


def _unknown_field(name: str, guess: str | None) -> str:
    """Short enough for the reader's one-line note when there is a guess; else every field."""
    if guess:
        return f"unknown field '{name}:', did you mean {guess}:?"
    return f"unknown field '{name}:' (fields: {', '.join(FIELDS)})"


def _bare_end(query: str, start: int) -> int:
    i = start
    while i < len(query) and not query[i].isspace() and query[i] not in '()"':
        i += 1
    return i


# -- the parser -----------------------------------------------------------------------------------
class _Parser:
    def __init__(self, query: str, resolve_date: Callable[[str, str, int], DateRange]) -> None:
        self.query = query
        self.tokens = _tokens(query)
        self.at = 0
        self.sort: str | None = None
        self.resolve_date = resolve_date
        self.depth = 0

    def enter(self, token: _Token) -> None:
        """One level deeper (a '(' or a NOT/-): a QueryError at `token` past MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"the query nests too deeply: at most {MAX_DEPTH} levels of ( and NOT", token)

    def peek(self) -> _Token:
        return self.tokens[self.at]

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def fail(self, message: str, token: _Token) -> QueryError:
        return QueryError(message, token.position, self.query)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            return Everything()
        node = self.parse_or()
        token = self.peek()
        if token.kind == "RPAREN":
            raise self.fail("unbalanced parenthesis: ')' without '('", token)
        if token.kind != "END":  # pragma: no cover - parse_or consumes everything else
            raise self.fail(f"unexpected {token.text!r}", token)
        return node

    def parse_or(self) -> Node:
        nodes = [self.parse_and()]
        while self.peek().kind == "OR":
            operator = self.take()
            if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                raise self.fail("OR needs something on its right", operator)
            nodes.append(self.parse_and())
        return _flatten(Or, nodes)

    def parse_and(self) -> Node:
        nodes = [self.parse_unary()]
        while self.peek().kind not in ("END", "RPAREN", "OR"):
            if self.peek().kind == "AND":
                operator = self.take()
                if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                    raise self.fail("AND needs something on its right", operator)
            nodes.append(self.parse_unary())
        return _flatten(And, [n for n in nodes if not isinstance(n, Everything)] or [Everything()])

    def parse_unary(self) -> Node:
        token = self.peek()
        if token.kind in ("NOT", "MINUS"):
            self.take()
            if self.peek().kind in ("END", "RPAREN", "OR", "AND"):
                raise self.fail(f"{token.text} needs something to negate", token)
            self.enter(token)
            inner = self.parse_unary()
            self.depth -= 1
            return inner.node if isinstance(inner, Not) else Not(inner)
        return self.parse_atom()

    def parse_atom(self) -> Node:
        token = self.take()
        if token.kind == "LPAREN":
            if self.peek().kind == "RPAREN":
                raise self.fail("empty parentheses", token)
            self.enter(token)
            node = self.parse_or()
            if self.peek().kind != "RPAREN":
                raise self.fail("unbalanced parenthesis: '(' without ')'", token)
            self.take()
            self.depth -= 1
            return node
        if token.kind == "RPAREN":
            raise self.fail("unbalanced parenthesis: ')' without '('", token)
        if token.kind in ("AND", "OR"):
            raise self.fail(f"{token.text} needs something on its left", token)
        if token.kind == "PHRASE":
            return _text_node(token.text, None, quoted=True, token=token, parser=self)
        if token.kind == "WORD":
            return _text_node(token.text, None, quoted=False, token=token, parser=self)
        if token.kind == "FIELD":
            return self.field_node(token)
        raise self.fail("the query ends too early", token)  # pragma: no cover - END is caught above

    def field_node(self, token: _Token) -> Node:
        name, value = token.field or "", token.text
        if name in TEXT_FIELDS:
            return _text_node(value, name, quoted=token.quoted, token=token, parser=self)
        if name in EXACT_FIELDS or name in ENTITY_FIELDS:
            value = " ".join(value.split())
            if not value:
                raise self.fail(f"'{name}:' needs a value", token)
            size = len(value.encode("utf-8", "surrogatepass"))
            if name in ("url", "feed") and size > MAX_SUBSTRING_BYTES:
                raise self.fail(f"'{name}:' value too long: {size} bytes, at most {MAX_SUBSTRING_BYTES}", token)
            return Match(name, value)
        if name in DATE_FIELDS:
            return self.resolve_date(name, value, token.position)
        if name in FLAG_FIELDS:
            word = value.lower()
            if word not in FLAG_FIELDS[name]:
                allowed = ", ".join(f"{name}:{v}" for v in FLAG_FIELDS[name])
                raise self.fail(f"unknown {name}:{value} (use {allowed})", token)
            return Flag(word)
        word = value.lower()  # sort:
        if word not in SORTS:
            raise self.fail(f"unknown sort:{value} (use sort:new, sort:old or sort:rel)", token)
        self.sort = word
        return Everything()


def _text_node(value: str, field_name: str | None, *, quoted: bool, token: _Token, parser: _Parser) -> Node:
    prefix = not quoted and value.endswith("*")
    words = words_of(value.rstrip("*") if prefix else value)
    if not words:
        if prefix:
            raise parser.fail("a prefix needs at least one letter or digit before '*'", token)
        return Everything()  # punctuation alone matches like nothing was typed
    if len(words) == 1:
        return Term(words[0], field_name, prefix)
    longest = max(len(w.encode("utf-8", "surrogatepass")) for w in words)
    if prefix and longest > MAX_PREFIX_PHRASE_WORD_BYTES:
        raise parser.fail(
            f"a word too long in a phrase ending in '*': {longest} bytes, at most {MAX_PREFIX_PHRASE_WORD_BYTES}",
            token,
        )
    return Phrase(tuple(words), field_name, prefix)  # tel-av*: a phrase whose last word is a prefix


def _flatten(kind: type[And] | type[Or], nodes: list[Node]) -> Node:
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.nodes if isinstance(node, kind) else (node,))
    if kind is Or and any(isinstance(n, Everything) for n in flat):
        return Everything()
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def parse_query(text: str, *, now: datetime | None = None, zone: tzinfo | None = None) -> Query:
    """Parse a query; QueryError (with the position) when it is malformed."""
    resolver = DateResolver(now, zone)
    resolver.query = text
    parser = _Parser(text, resolver)
    node = parser.parse()
    sort = parser.sort or ("rel" if has_words(node) else "new")
    return Query(node, sort, text)


def narrowed(query: Query, extra: str) -> Query:
    """`query` AND the query `extra`, combined as trees: never by joining their texts in
    parentheses, which would take a query at MAX_DEPTH one level past it."""
    node = parse_query(extra).node
    both = node if isinstance(query.node, Everything) else _flatten(And, [query.node, node])
    return Query(both, query.sort, f"({query.text}) {extra}" if query.text.strip() else extra)

"""What the full-text index knows of one article, in the form both the tantivy index
(store.search.text_index) and the exact evaluation of recent changes (store.search.text_match) read, so the two
can never disagree about a word, a phrase or a field.

- Text is split into words by store.search.query.words_of (folded, CJK as single characters).  ASCII
  text is handed to tantivy lower-cased and split there (its `simple` tokenizer splits ASCII
  exactly as words_of does, at half the cost); other text is handed over as words_of's words.
- A word longer than MAX_WORD_BYTES is not indexed and matches nothing, but keeps its place, so
  a phrase cannot jump over it.
- Entity names are separate values of their field: a phrase never runs from one name into the
  next.
- url and feed match as substrings (ASCII case-insensitive, like SQL LIKE), lang as a
  language tag or its prefix (`lang:en` finds en-GB).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from store.search.query import words_of
from store.search.query_nodes import DateRange
from store.tags import tag_key

TEXT_FIELDS = ("title", "body", "author", "source")
ENTITY_FIELDS = ("person", "org", "place", "other")
FLAG_FIELDS = ("read", "starred", "has_entities")
MAX_WORD_BYTES = 1000
MAX_URL_CHARS = 2000
KEY_BITS = 20
"""The low bits of a date key number the articles of one second (2**20 of them)."""

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


RECENCY_SPAN = (946_684_800.0, 2_524_608_000.0)
"""2000-01-01 to 2050-01-01 (UTC): the dates `recency` spreads over."""
RECENCY_MAX = 0.01


def recency(n: int) -> float:
    """A date key as 0..RECENCY_MAX, newest highest.  Ranking multiplies each score by
    log2(2 + recency) (tantivy's weight_by_field): at most 0.7 % more for the newest, so equal
    scores come newest first (to within about 3 hours: scores are 32-bit floats)."""
    low, high = RECENCY_SPAN
    share = ((n >> KEY_BITS) - low) / (high - low)
    return RECENCY_MAX * min(max(share, 0.0), 1.0)


DAY_SORT_SECONDS = 10 * 3600
"""Where a date-only article (a calendar day, stored as its midnight UTC) sorts: at 10:00 UTC of
its day.  The store's order is one for every reader, so it cannot be each reader's local noon;
10:00 UTC falls inside that calendar day in every zone from UTC-10 to UTC+13:45 (Hawaii to the
Chatham Islands, New Zealand's summer included), so there the article sorts among that day's
timed articles.  Only in UTC-11, -12 and +14 does it sort at the edge of a neighbouring day.
Matching does not depend on this: date words match a date-only article by its calendar day in
every zone (date_key_range)."""


def date_key_base(timestamp: float) -> int:
    """The first date key of the second `timestamp` falls in."""
    return math.floor(timestamp) << KEY_BITS


def sort_time(published: float, date_only: bool) -> float:
    """The time an article sorts at (its date key's second): its publication time, or for a
    date-only article DAY_SORT_SECONDS into its day."""
    return published + DAY_SORT_SECONDS if date_only else published


def date_key_range(node: DateRange, date_only: bool) -> tuple[int | None, int | None]:
    """[low, high) date keys that a DateRange matches: local days for an article with a time,
    the same calendar days (from midnight UTC, where they are stored) for a date-only one."""
    start, end = node.day_span if date_only else (node.start, node.end)
    return (
        None if start is None else date_key_base(sort_time(start, date_only)),
        None if end is None else date_key_base(sort_time(end, date_only)),
    )


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only: how SQL's LIKE and NOCASE compare."""
    return text.translate(_ASCII_LOWER)


STOPWORDS = frozenset(
    """a about after all also an and any are as at be been before but by can could did do does for
    from had has have he her his how i if in into is it its just like many may more most my new
    no not now of on one only or other our out over said says she should so some such than that
    the their them then there these they this those through to two under up us was we were what
    when where which while who will with would year years you your""".split()
)
"""The most frequent English words.  Two of them in a row are also indexed as one token
(store.search.text_index's `pairs` field), so a phrase such as "of the" is one term to look up instead of
the position lists of two words found in nearly every article (docs/tantivy-study.md)."""
PAIR_FIELD_MARKS = {"title": "t", "body": "b", "author": "a", "source": "s"}


def stop_pair(field_name: str, first: str, second: str) -> str:
    return f"{PAIR_FIELD_MARKS[field_name]}:{first}_{second}"


_ASCII_WORD_BYTES = bytes(c if chr(c).isdigit() or chr(c).islower() else 0x20 for c in range(128)) + b" " * 128
"""bytes.translate of lower-cased ASCII text: a-z and 0-9 kept (the words of `[a-z0-9]+`), every other
byte a space."""


def stop_pairs(field_name: str, text: str) -> list[str]:
    """The pair tokens of a text field: every two adjacent words that are both STOPWORDS."""
    if text.isascii():  # the words of `[a-z0-9]+`, split in C (half the regex's time)
        words = text.lower().encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii").split()
    else:
        words = words_of(text)
    mark = PAIR_FIELD_MARKS[field_name]
    pairs: list[str] = []
    previous = None  # the word before, when it is a stopword
    for word in words:
        if word in STOPWORDS:
            if previous is not None:
                pairs.append(f"{mark}:{previous}_{word}")  # stop_pair, inline: ~100 an article
            previous = word
        else:
            previous = None
    return pairs


def indexed_text(text: str) -> str:
    """`text` as handed to tantivy's word tokenizer."""
    return text.lower() if text.isascii() else " ".join(words_of(text))


def url_value(text: str | None) -> str:
    return ascii_lower(text or "")[:MAX_URL_CHARS]


def lang_values(language: str | None) -> list[str]:
    """'en-GB' -> ['en', 'en-gb']: every prefix that ends before a hyphen, and the whole tag."""
    value = ascii_lower(language or "")
    if not value:
        return []
    parts = value.split("-")
    return list(dict.fromkeys("-".join(parts[: i + 1]) for i in range(len(parts))))


def body_of(record: Mapping[str, Any]) -> str:
    """The body, with the summary in front when the body does not already contain it."""
    body = str(record.get("body") or "")
    summary = str(record.get("summary") or "")
    if summary and summary not in body:
        return f"{summary}\n{body}" if body else summary
    return body


@dataclass(frozen=True, slots=True)
class TextFields:
    """One article as the full-text index sees it."""

    id: str
    n: int
    texts: tuple[str, str, str, str]  # title, body, author, source (raw)
    entities: dict[str, list[str]]  # field -> names (raw), aliases included
    tags: tuple[str, ...]  # tag keys
    read: bool
    starred: bool
    has_entities: bool
    url: str
    feed: str
    langs: tuple[str, ...]
    version: str = ""  # what the text was read from (store.disk.catalogue_rows.TextRow.version)
    date_only: bool = False  # published is a calendar day (its key is a sort_time)


def text_fields(
    article_id: str,
    n: int,
    record: Mapping[str, Any],
    tags: Sequence[str],
    read: bool,
    starred: bool,
    version: str = "",
) -> TextFields:
    entities: dict[str, list[str]] = {name: [] for name in ENTITY_FIELDS}
    found = record.get("entities")
    for entity in found if isinstance(found, list) else ():
        if not isinstance(entity, Mapping):
            continue
        kind = entity.get("type") if entity.get("type") in entities else "other"
        aliases = entity.get("aliases")
        if not isinstance(aliases, list):
            aliases = []
        for name in (entity.get("name"), *aliases):
            if isinstance(name, str) and name.strip():
                entities[str(kind)].append(name)
    return TextFields(
        id=article_id,
        n=n,
        texts=(
            str(record.get("title") or ""),
            body_of(record),
            str(record.get("author") or ""),
            str(record.get("source") or ""),
        ),
        entities=entities,
        tags=tuple(dict.fromkeys(tag_key(t) for t in tags)),
        read=read,
        starred=starred,
        has_entities=found is not None,
        url=url_value(record.get("url")),
        feed=url_value(record.get("feed")),
        langs=tuple(lang_values(record.get("language"))),
        version=version,
        date_only=record.get("date_only") is True and bool(record.get("published")),
    )


def stored_text_fields(
    article_id: str,
    n: int,
    stored: Mapping[str, Sequence[Any]],
    tags: Sequence[str],
    read: bool,
    starred: bool,
    has_entities: bool,
) -> TextFields:
    """The fields as the full-text index stored them (the text already in its indexed form,
    which reads the same again), with the article's current tags and state."""

    def first(name: str) -> str:
        values = stored.get(name) or [""]
        return str(values[0])

    texts = (first("title"), first("body"), first("author"), first("source"))
    return TextFields(
        id=article_id,
        n=n,
        texts=texts,
        entities={name: [str(v) for v in stored.get(name) or ()] for name in ENTITY_FIELDS},
        tags=tuple(dict.fromkeys(tag_key(t) for t in tags)),
        read=read,
        starred=starred,
        has_entities=has_entities,
        url=first("url"),
        feed=first("feed"),
        langs=tuple(str(v) for v in stored.get("lang") or ()),
        version=first("version"),
        date_only=bool((stored.get("date_only") or [0])[0]),
    )


def indexable(word: str) -> bool:
    return len(word.encode("utf-8")) <= MAX_WORD_BYTES

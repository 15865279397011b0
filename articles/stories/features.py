"""What story assignment knows of one article: its weighted words, its salient names, its day
and a compact near-duplicate signature of its body (one-permutation MinHash over word shingles).
Pure Python: no store, no numpy."""

from __future__ import annotations

import hashlib
import sys
import zlib
from array import array
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

BINS = 64
"""Signature length: one minimum per bin of the hash space (one-permutation MinHash)."""
BAND_ROWS = 3
BANDS = BINS // BAND_ROWS
"""LSH: 21 bands of 3 bins; two bodies of Jaccard 0.5 share a band with probability 0.94,
of Jaccard 0.2 with probability 0.16 (then the signature decides)."""
SHINGLE = 4
"""Words per shingle."""
EMPTY = 0xFFFFFFFF
TITLE_BOOST = 2
"""A title word counts as this many more mentions."""
KEEP_TERMS = 40
"""Terms kept per article (the highest TF-IDF when profiled)."""
KEY_TERMS = 10
"""Terms an article is found by (its candidate keys), beside its salient names."""
NAME_SALIENCE = 0.3
"""Names at least this salient are what the article is about."""
LEDE_CHARS = 600
BODY_CHARS = 2000
"""What of a body is read: its first 2,000 characters (about 330 words) — a story's words and
names are up front, and a copy trimmed at the end still shares them."""

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are around as at be because been
    before being below between both but by can could did do does doing down during each even few for
    from further had has have having he her here hers herself him himself his how however i if in
    into is it its itself just last least like made make many may me more most much must my myself
    new news no nor not now of off on once one only or other our ours ourselves out over own per
    said same say says she should since so some still such than that the their theirs them
    themselves then there these they this those three through to too two under until up upon us
    very via was we were what when where which while who whom why will with within without would
    year years yesterday today tomorrow week month yet you your yours yourself mr mrs ms told
    according reported report reports according monday tuesday wednesday thursday friday saturday
    sunday january february march april june july august september october november december""".split()
)


def words(text: str) -> list[str]:
    """The words of `text`, case-folded, apostrophes kept inside a word."""
    return [w.replace("’", "'") for w in _WORD.findall(text.casefold())]


def stem(word: str) -> str:
    """A light plural fold: 'markets' and 'market' are one term."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("'s"):
        word = word[:-2]
    return word


_TERM_OF: dict[str, str | None] = {}


def _term(word: str) -> str | None:
    if len(word) < 3 or word in STOPWORDS or word.isdigit():
        return None
    return sys.intern(stem(word))


def term_of(word: str) -> str | None:
    """A word's term (None: not a content word), remembered."""
    term = _TERM_OF.get(word, "")
    if term == "":
        if len(_TERM_OF) > 500_000:
            _TERM_OF.clear()
        term = _TERM_OF[word] = _term(word)
    return term


def terms(tokens: Iterable[str]) -> list[str]:
    """Content terms of words: no stopwords, no bare numbers, nothing under three letters."""
    return [t for t in map(term_of, tokens) if t is not None]


def term_counts(title: str, body_words: Sequence[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word, n in Counter(body_words).items():
        term = term_of(word)
        if term is not None:
            counts[term] += n
    for term in terms(words(title)):
        counts[term] += TITLE_BOOST + (0 if counts[term] else 1)
    return counts


def signature(body: str | Sequence[str], title: str = "") -> bytes:
    """One-permutation MinHash of the body's word shingles (the body, or its words): BINS values
    (EMPTY for a bin no shingle fell in), packed (256 bytes); a shingle's CRC-32 picks its bin
    (low 6 bits) and is its value (the rest).  A short body is signed with its title too; b""
    when even that is too short to tell."""
    tokens = list(words(body[:BODY_CHARS]) if isinstance(body, str) else body)
    if len(tokens) < SHINGLE + 8:
        tokens = words(title) + tokens
    if len(tokens) < SHINGLE + 2:
        return b""
    mins = [EMPTY] * BINS
    crc = zlib.crc32
    text = memoryview(" ".join(tokens).encode())
    starts = [0]
    for token in tokens:
        starts.append(starts[-1] + len(token.encode()) + 1)
    for i in range(len(tokens) - SHINGLE + 1):
        h = crc(text[starts[i] : starts[i + SHINGLE] - 1])
        v = h >> 6
        if v < mins[h & 63]:
            mins[h & 63] = v
    return array("I", mins).tobytes()


def unpack(sig: bytes) -> Sequence[int]:
    return array("I", sig) if len(sig) == BINS * 4 else ()


def resemblance(sig_a: bytes, sig_b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets (0 when either is unsigned)."""
    a, b = unpack(sig_a), unpack(sig_b)
    if not a or not b:
        return 0.0
    same = used = 0
    for x, y in zip(a, b, strict=True):
        if x == EMPTY and y == EMPTY:
            continue
        used += 1
        same += x == y and x != EMPTY
    return same / used if used else 0.0


def bands(packed: bytes) -> list[int]:
    """The LSH band keys of a signature (56-bit): bodies sharing one are near-duplicate candidates."""
    if len(packed) != BINS * 4:
        return []
    width = BAND_ROWS * 4
    empty = b"\xff" * width
    keys = []
    for band in range(BANDS):
        part = packed[band * width : (band + 1) * width]
        if part == empty:
            continue
        digest = hashlib.blake2b(part, digest_size=7, person=band.to_bytes(2, "big")).digest()
        keys.append(int.from_bytes(digest, "big"))
    return keys


def entity_names(entities: Iterable[Mapping[str, Any]] | None) -> list[str] | None:
    """The salient names of extracted entities, case-folded; None when the article has not been
    through extraction."""
    if entities is None:
        return None
    found: list[str] = []
    ranked = sorted(entities, key=lambda e: -(e.get("salience") or 0.0))
    for entity in ranked:
        salience = entity.get("salience")
        if salience is not None and salience < NAME_SALIENCE:
            continue
        if salience is None and (entity.get("mentions") or 1) < 2:
            continue
        name = entity.get("name")
        if isinstance(name, str) and name.strip():
            found.append(" ".join(name.split()).casefold())
    return list(dict.fromkeys(found))[:12]


_CAPS = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w’'-]+(?:\s+(?:of\s+|de\s+)?[A-Z][\w’'-]+)*)")


def text_names(title: str, body: str) -> list[str]:
    """Names guessed from capitals when no entities were extracted: capitalised runs of the title,
    or of the lede named twice in the body, case-folded."""
    lede = body[:LEDE_CHARS]
    found = Counter(m.group(1) for m in _CAPS.finditer(body))
    names = []
    for m in _CAPS.finditer(f"{title}\n{lede}"):
        name = m.group(1)
        folded = name.casefold()
        if folded in STOPWORDS or len(name) < 3:
            continue
        if name in title or found[name] >= 2:
            names.append(folded)
    return list(dict.fromkeys(names))[:12]


@dataclass(frozen=True, slots=True)
class Profile:
    """One article as story assignment sees it."""

    id: str
    day: float | None
    """Days since the epoch (fractional); None when the article has no date."""
    terms: Mapping[str, float]
    """Term -> log-scaled frequency (the weight before IDF), the KEEP_TERMS best."""
    names: tuple[str, ...]
    signature: bytes

    def counted(self) -> list[str]:
        """What the corpus's document counts count of this article: its terms and its names
        (`n:` before a name; no term holds a colon)."""
        return [*self.terms, *(f"n:{n}" for n in self.names)]

    def keys(self, idf: Mapping[str, float] | None = None) -> list[str]:
        """What the article is found by: its best terms and its names (`n:` before a name)."""
        weights = {t: w * idf.get(t, 1.0) for t, w in self.terms.items()} if idf else dict(self.terms)
        return [t for t, _w in _best(weights, KEY_TERMS)] + [f"n:{n}" for n in self.names]


def profile(
    article_id: str,
    title: str,
    body: str,
    day: float | None,
    entities: Iterable[Mapping[str, Any]] | None = None,
) -> Profile:
    """Profile an article: its KEEP_TERMS most frequent terms (title words boosted)."""
    body = body[:BODY_CHARS]
    body_words = words(body)
    counts = term_counts(title, body_words)
    tf = {t: 1.0 + math.log(c) for t, c in _best(counts, KEEP_TERMS)}
    names = entity_names(entities)
    if names is None:
        names = text_names(title, body)
    return Profile(article_id, day, tf, tuple(names), signature(body_words, title))


def _best(weights: Mapping[str, float], n: int) -> list[tuple[str, float]]:
    """The n heaviest (term, weight), ties by term: two C-level sorts, the second stable."""
    ranked = sorted(weights.items())
    ranked.sort(key=itemgetter(1), reverse=True)
    return ranked[:n]


def day_of(timestamp: float | None) -> float | None:
    return None if timestamp is None else timestamp / 86400.0

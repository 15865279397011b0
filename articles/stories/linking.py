"""Online story assignment: a new article is placed among the articles before it.

Copies first: a body whose MinHash signature resembles a placed one's (LSH bands find them) is a
copy of the earliest of that group, and shares its story.  Then the story: candidates are the
articles that share the new one's salient words and names (its keys) within WINDOW days of its
date — any date when it has none — and each is scored on TF-IDF cosine, shared salient names
and the days between them.  The article joins the story of its best candidate when the score
clears LINK and the story as a whole agrees (AGREE: its best few members on average), else it
starts a story of its own.  Precision first: a wrong merge hides news, a missed one repeats it.

Corrections are article pairs: must-link joins two articles' stories, cannot-link keeps an
article out of a story that holds its partner.  A story's id is its earliest article's id
(undated articles after dated ones, then by id), so a rebuild gives the same ids."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from articles.stories.features import Profile, bands, resemblance

IDF_DRIFT = 0.01
"""An assigner re-reads term counts once the article count has moved by this share."""
IDF_CACHE = 200_000
COPY_MIN = 0.5
"""Estimated shingle Jaccard from which a body is a copy of another."""
WINDOW = 4.0
"""Days either side of an article's date in which its story's articles are looked for."""
CANDIDATES = 40
COPY_CANDIDATES = 64
LINK = 0.23
"""The score an article and its best candidate must reach to share a story."""
AGREE = 0.10
"""The mean score over the story's best AGREE_OVER members that must be reached too."""
AGREE_OVER = 3
NAME_WEIGHT = 0.10
"""Score added per shared salient name (at most NAME_CAP of them), for a name no more common
than one two articles share; a commoner name adds less, by its IDF against that one's."""
NAME_CAP = 3
DAY_PENALTY = 0.025
"""Score taken off per day between two dated articles beyond the first."""
UNDATED_PENALTY = 0.40
"""Score taken off when either article has no date: no time to vouch for the match."""


def order_key(article_id: str, day: float | None) -> tuple[float, str]:
    """Earliest first: dated articles by day, then undated ones; ties by id."""
    return (math.inf if day is None else day, article_id)


@dataclass(slots=True)
class Corrections:
    """The user's article pairs: must link (one story) and cannot link (never one story)."""

    must: set[frozenset[str]] = field(default_factory=set)
    cannot: set[frozenset[str]] = field(default_factory=set)

    def partners(self, article_id: str, kind: str) -> set[str]:
        pairs = self.must if kind == "must" else self.cannot
        return {other for pair in pairs if article_id in pair for other in pair if other != article_id}

    def join(self, a: str, b: str) -> None:
        pair = frozenset((a, b))
        if len(pair) == 2:
            self.cannot.discard(pair)
            self.must.add(pair)

    def split(self, article_id: str, others: Iterable[str]) -> None:
        for other in others:
            pair = frozenset((article_id, other))
            if len(pair) == 2:
                self.must.discard(pair)
                self.cannot.add(pair)

    def to_json(self) -> dict[str, list[list[str]]]:
        return {"must": sorted(sorted(p) for p in self.must), "cannot": sorted(sorted(p) for p in self.cannot)}

    @classmethod
    def from_json(cls, data: object) -> Corrections:
        made = cls()
        if isinstance(data, Mapping):
            for kind in ("must", "cannot"):
                for pair in data.get(kind) or ():
                    if isinstance(pair, list | tuple) and len(pair) == 2 and all(isinstance(i, str) for i in pair):
                        (made.must if kind == "must" else made.cannot).add(frozenset(pair))
        return made


class Memory(Protocol):
    """What assignment reads and writes: the placed articles' profiles, keys, bands and links."""

    def count(self) -> int: ...

    def df(self, terms: Iterable[str]) -> dict[str, int]: ...

    def candidates(self, keys: Sequence[str], day: float | None, window: float, limit: int) -> list[str]: ...

    def band_matches(self, keys: Sequence[int]) -> list[str]: ...

    def profiles(self, ids: Iterable[str]) -> dict[str, Profile]: ...

    def links(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """id -> (story, copy_of) of placed articles."""
        ...

    def members(self, story: str) -> list[str]: ...

    def copies(self, original: str) -> list[str]: ...

    def add(self, profile: Profile, keys: Sequence[str], bands: Sequence[int]) -> None: ...

    def set_links(self, links: Mapping[str, tuple[str, str | None]]) -> None: ...


RARE_IDF = " rare"
"""The key of an IDF map that holds the IDF of a name two articles share (no term or name key
starts with a space)."""


def idf_of(memory: Memory, terms: Iterable[str]) -> dict[str, float]:
    wanted = list(terms)
    total = memory.count() + 1
    counts = memory.df(wanted)
    return {t: math.log((total + 1) / (max(counts.get(t, 0), 0) + 1)) + 1.0 for t in wanted}


def rare_idf(memory: Memory) -> float:
    """The IDF of a key two articles hold (what a name shared by just the two weighs)."""
    return math.log((memory.count() + 2) / 3) + 1.0


def cosine(a: Mapping[str, float], b: Mapping[str, float], idf: Mapping[str, float]) -> float:
    dot = sum(w * b[t] * idf.get(t, 1.0) ** 2 for t, w in a.items() if t in b)
    if not dot:
        return 0.0
    na = math.sqrt(sum((w * idf.get(t, 1.0)) ** 2 for t, w in a.items()))
    nb = math.sqrt(sum((w * idf.get(t, 1.0)) ** 2 for t, w in b.items()))
    return dot / (na * nb)


def name_bonus(a: Sequence[str], b: Sequence[str], idf: Mapping[str, float]) -> float:
    """NAME_WEIGHT for each of the NAME_CAP rarest shared names, scaled by its rarity: its IDF
    (`n:name`) over RARE_IDF, at most 1 (a name missing from `idf` counts in full)."""
    shared = set(a) & set(b)
    if not shared:
        return 0.0
    rare = idf.get(RARE_IDF, 0.0)
    rarity = sorted((min(1.0, idf[f"n:{n}"] / rare) if rare and f"n:{n}" in idf else 1.0 for n in shared), reverse=True)
    return NAME_WEIGHT * sum(rarity[:NAME_CAP])


def score(a: Profile, b: Profile, idf: Mapping[str, float]) -> float:
    """How surely two articles report one event: cosine, plus shared names, less the days apart
    (-1 when they are further apart than WINDOW)."""
    value = cosine(a.terms, b.terms, idf) + name_bonus(a.names, b.names, idf)
    if a.day is not None and b.day is not None:
        gap = abs(a.day - b.day)
        if gap > WINDOW:
            return -1.0
        value -= DAY_PENALTY * max(0.0, gap - 1.0)
    else:
        value -= UNDATED_PENALTY
    return value


@dataclass(frozen=True, slots=True)
class Placement:
    story: str
    copy_of: str | None
    changed: dict[str, tuple[str, str | None]]
    """Every article whose (story, copy_of) this placement set, the new one's included."""


class Assigner:
    """Places articles one at a time into a Memory, respecting Corrections."""

    def __init__(self, memory: Memory, corrections: Corrections | None = None) -> None:
        self.memory = memory
        self.corrections = corrections or Corrections()
        self._idf_cache: dict[str, float] = {}
        self._idf_total = -1

    def _idf(self, terms: Iterable[str]) -> dict[str, float]:
        """The IDF of `terms`, remembered while the article count stays within IDF_DRIFT of the
        one it was read at (a batch reads each common term's count once, not once per article)."""
        total = self.memory.count()
        if abs(total - self._idf_total) > IDF_DRIFT * max(self._idf_total, 1) or len(self._idf_cache) > IDF_CACHE:
            self._idf_cache.clear()
            self._idf_total = total
        cache = self._idf_cache
        missing = [t for t in terms if t not in cache]
        if missing:
            cache.update(idf_of(self.memory, missing))
        return {t: cache[t] for t in terms}

    def place(self, p: Profile) -> Placement:
        memory = self.memory
        known = {p.id: p}
        idf = self._idf([*p.terms, *(f"n:{n}" for n in p.names)])
        idf[RARE_IDF] = rare_idf(memory)
        sig_bands = bands(p.signature)
        original = self._copy_of(p, sig_bands, known)
        keys = p.keys(idf)
        found = [i for i in memory.candidates(keys, p.day, WINDOW, CANDIDATES) if i != p.id]
        known.update(memory.profiles(found))
        # Every candidate's own terms weighed too: a cosine whose norms miss the other article's
        # IDF (taking 1.0 for its terms the new one lacks) overrates a long candidate several-fold.
        idf.update(self._idf({t for i in found if i in known for t in known[i].terms}))
        links = memory.links(found + ([original] if original else []))
        must = {i for i in self.corrections.partners(p.id, "must") if i in links or memory.links([i])}
        cannot = self.corrections.partners(p.id, "cannot")
        story: str | None = None
        if must:
            story = memory.links(sorted(must))[sorted(must)[0]][0]
        elif original is not None and original in links:
            story = links[original][0]
            if cannot & set(memory.members(story)):
                story = None
        if story is None:
            story = self._best_story(p, found, links, known, idf, cannot)
        memory.add(p, keys, sig_bands)
        return self._settle(p, story, original, must)

    def _copy_of(self, p: Profile, sig_bands: list[int], known: dict[str, Profile]) -> str | None:
        """The earliest placed article whose body this one copies, if any."""
        # At most COPY_CANDIDATES are weighed: a body a feed repeats (boilerplate, a teaser) shares
        # its bands with every earlier one, and any of them names the same group's head.
        matches = [i for i in self.memory.band_matches(sig_bands) if i != p.id][:COPY_CANDIDATES]
        if not matches:
            return None
        known.update(self.memory.profiles(matches))
        alike = {i: resemblance(p.signature, known[i].signature) for i in matches if i in known}
        copies = [i for i, r in alike.items() if r >= COPY_MIN]
        if not copies:
            return None
        best = max(copies, key=alike.__getitem__)
        links = self.memory.links([best])
        return (links[best][1] or best) if best in links else best

    def _best_story(
        self,
        p: Profile,
        found: list[str],
        links: Mapping[str, tuple[str, str | None]],
        known: Mapping[str, Profile],
        idf: Mapping[str, float],
        cannot: set[str],
    ) -> str | None:
        by_story: dict[str, list[float]] = {}
        for cid in found:
            if cid not in links or cid not in known:
                continue
            by_story.setdefault(links[cid][0], []).append(score(p, known[cid], idf))
        ranked = sorted(by_story.items(), key=lambda kv: -max(kv[1]))
        for story, scores in ranked:
            if max(scores) < LINK:
                break
            if cannot and cannot & set(self.memory.members(story)):
                continue
            best = sorted(scores, reverse=True)[:AGREE_OVER]
            members = len(self.memory.members(story))
            # A member the candidates did not reach counts as 0 in the mean.
            mean = sum(best) / min(AGREE_OVER, members)
            if mean >= AGREE:
                return story
        return None

    def _settle(self, p: Profile, story: str | None, original: str | None, must: set[str]) -> Placement:
        """Write the new article's links, renaming its story (and copy group) when it is the
        earliest, and merging in the stories its must-link partners are in."""
        # A story's id is its earliest article and `original` its copy group's head (the earliest
        # copy), so only they and the new article decide the names: the members of a story are
        # read only when it is renamed, and a large story costs no more than a small one.
        memory = self.memory
        heads = {p.id} | ({story} if story else set())
        for partner in must:
            heads.add(memory.links([partner]).get(partner, (partner, None))[0])
        known = memory.profiles(heads - {p.id})
        known[p.id] = p
        first = min(heads, key=lambda i: order_key(i, known[i].day if i in known else None))
        touched = {p.id}
        for other in heads - {p.id, first}:
            touched |= set(memory.members(other)) | {other}
        group: set[str] = set()
        head = None
        if original is not None:
            day = memory.profiles([original]).get(original, p).day
            head = min((original, p.id), key=lambda i: order_key(i, p.day if i == p.id else day))
            group = ({original, p.id} | set(memory.copies(original))) if head == p.id else {original, p.id}
            touched |= group
        current = memory.links(touched - {p.id})
        changed: dict[str, tuple[str, str | None]] = {}
        for i in touched:
            now = current.get(i)
            if i != p.id and (now[0] not in heads if now is not None else i not in heads):
                continue  # in another story (a copy the corrections keep apart): left as it is
            copy = now[1] if now is not None else None
            if i in group:
                copy = None if i == head else head
            elif i == p.id:
                copy = None
            if now != (first, copy):
                changed[i] = (first, copy)
        memory.set_links(changed)
        return Placement(first, changed[p.id][1] if p.id in changed else None, changed)

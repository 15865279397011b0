"""InMemory: the story Memory (articles.stories.linking) in dictionaries — for `stories rebuild`
and the benchmarks, where every article passes through once."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from articles.stories.features import Profile

COMMON = 250
"""A key held by more articles than this (in the window) is passed over when finding candidates:
it is too common to tell one story from another, and would cost the most to follow."""


class InMemory:
    """Profiles, key postings, LSH bands and links, all in memory."""

    def __init__(self) -> None:
        self.placed: dict[str, Profile] = {}
        self.doc_freq: Counter[str] = Counter()
        self.postings: dict[str, dict[int | None, list[str]]] = defaultdict(lambda: defaultdict(list))
        """key -> day (None: undated) -> the ids found by that key."""
        self.band_index: dict[int, list[str]] = defaultdict(list)
        self.link: dict[str, tuple[str, str | None]] = {}
        self.story_members: dict[str, set[str]] = defaultdict(set)
        self.copy_groups: dict[str, set[str]] = defaultdict(set)
        self.counted: set[str] = set()

    def count(self) -> int:
        return len(self.counted)

    def df(self, terms: Iterable[str]) -> dict[str, int]:
        return {t: self.doc_freq[t] for t in terms}

    def count_terms(self, profile: Profile) -> None:
        """Count a profile's terms and names before it is placed (a rebuild knows every
        article's first)."""
        if profile.id not in self.counted:
            self.counted.add(profile.id)
            self.doc_freq.update(profile.counted())

    def candidates(self, keys: Sequence[str], day: float | None, window: float, limit: int) -> list[str]:
        shared: Counter[str] = Counter()
        days = None if day is None else range(math.floor(day - window), math.floor(day + window) + 1)
        for key in keys:
            by_day = self.postings.get(key)
            if not by_day:
                continue
            weight = 2 if key.startswith("n:") else 1
            if days is None:
                lists = list(by_day.values())
            else:
                lists = [by_day[d] for d in days if d in by_day]
                if None in by_day:
                    lists.append(by_day[None])
            if sum(len(ids) for ids in lists) > COMMON:
                continue  # a key this common tells nothing
            for ids in lists:
                for other in ids:
                    shared[other] += weight
        return [i for i, n in shared.most_common(limit) if n >= 2]

    def band_matches(self, keys: Sequence[int]) -> list[str]:
        found: dict[str, None] = {}
        for key in keys:
            found.update(dict.fromkeys(self.band_index.get(key, ())))
        return list(found)

    def profiles(self, ids: Iterable[str]) -> dict[str, Profile]:
        return {i: self.placed[i] for i in ids if i in self.placed}

    def links(self, ids: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        return {i: self.link[i] for i in ids if i in self.link}

    def members(self, story: str) -> list[str]:
        return sorted(self.story_members.get(story, ()))

    def copies(self, original: str) -> list[str]:
        return sorted(self.copy_groups.get(original, ()))

    def add(self, profile: Profile, keys: Sequence[str], bands: Sequence[int]) -> None:
        self.count_terms(profile)
        self.placed[profile.id] = profile
        day = None if profile.day is None else math.floor(profile.day)
        for key in keys:
            self.postings[key][day].append(profile.id)
        for band in bands:
            self.band_index[band].append(profile.id)

    def set_links(self, links: Mapping[str, tuple[str, str | None]]) -> None:
        for article_id, (story, copy_of) in links.items():
            old = self.link.get(article_id)
            if old is not None:
                self.story_members[old[0]].discard(article_id)
                if not self.story_members[old[0]]:
                    del self.story_members[old[0]]
                if old[1] is not None:
                    self.copy_groups[old[1]].discard(article_id)
            self.link[article_id] = (story, copy_of)
            self.story_members[story].add(article_id)
            if copy_of is not None:
                self.copy_groups[copy_of].add(article_id)

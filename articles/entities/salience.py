"""Salience: how much an article is about each of its names, from where and how often it names
them. The sidebar lists the names the story is about first; related articles and rules can weigh
names by it."""

from __future__ import annotations

from collections.abc import Iterable

TITLE_WEIGHT = 0.4
LEDE_WEIGHT = 0.3
SHARE_WEIGHT = 0.3
LEDE_CHARS = 400
"""The lede: the first 400 characters after the title (a sentence or two)."""


def title_and_lede_ends(text: str) -> tuple[int, int]:
    """Where the title ends (the first line break; 0 when the text has none) and where the lede ends."""
    title_end = max(text.find("\n"), 0)
    body = len(text) - len(text[title_end:].lstrip())
    return title_end, min(len(text), body + LEDE_CHARS)


def salience(positions: Iterable[int], mentions: int, most_mentions: int, title_end: int, lede_end: int) -> float:
    """0 to 1: 0.4 when the title names it, 0.3 when the lede does, and 0.3 times its mentions
    over the most any name of the article has."""
    where = list(positions)
    in_title = any(p < title_end for p in where)
    in_lede = any(title_end <= p < lede_end for p in where)
    share = mentions / most_mentions if most_mentions else 0.0
    return round(TITLE_WEIGHT * in_title + LEDE_WEIGHT * in_lede + SHARE_WEIGHT * min(share, 1.0), 3)


def by_salience(entity_salience: float | None, mentions: int) -> tuple[float, int]:
    """Sort key, most salient first: salience (an entity without one counts as 0), then mentions."""
    return (-(entity_salience or 0.0), -mentions)

"""Rebuild: every article placed anew, earliest first, with the whole corpus's term counts
known from the start; the user's corrections respected."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from articles.stories.features import Profile
from articles.stories.linking import Assigner, Corrections, order_key
from articles.stories.memory import InMemory


def rebuild(
    profiles: Iterable[Profile],
    corrections: Corrections | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> tuple[dict[str, tuple[str, str | None]], InMemory]:
    """(id -> (story, copy_of), the memory they were placed in) for all `profiles`."""
    memory = InMemory()
    ordered = sorted(profiles, key=lambda p: order_key(p.id, p.day))
    for p in ordered:
        memory.count_terms(p)
    assigner = Assigner(memory, corrections)
    for done, p in enumerate(ordered, 1):
        assigner.place(p)
        if progress is not None and (done % 1000 == 0 or done == len(ordered)):
            progress(done, len(ordered))
    return dict(memory.link), memory


def clusters(links: Mapping[str, tuple[str, str | None]], which: int) -> dict[str, str]:
    """id -> cluster label: which=0 the story, which=1 the copy group (the original's id)."""
    if which == 0:
        return {i: story for i, (story, _copy) in links.items()}
    return {i: (copy or i) for i, (_story, copy) in links.items()}

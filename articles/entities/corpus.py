"""The corpus's say on an article's entity types: other articles' votes break the ties of an
article's own vote and retype names on weak local evidence (tui.extracting applies them against
the store)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from articles.entities.words import TIE_ORDER, TYPE_ORDER
from articles.model import Entity


def corpus_break_ties(
    entities: Sequence[Entity], ties: Mapping[str, Sequence[str]], corpus_votes: Mapping[str, Mapping[str, int]]
) -> list[Entity]:
    """Names whose type was a tie in their article take the tied type the corpus gives them most."""
    result = []
    for entity in entities:
        tied = ties.get(entity.name)
        votes = corpus_votes.get(entity.name.casefold(), {})
        if tied and votes:
            best = max(tied, key=lambda t: (votes.get(t, 0), -TIE_ORDER.index(t)))
            if votes.get(best, 0) > votes.get(entity.type, 0):
                entity = replace(entity, type=best)
        result.append(entity)
    return result


def weak_person(entity: Entity) -> bool:
    """A person known by one word alone in the article, or a one-word name left `other` (the
    consolidation does not list a lone word as a person): news names a person in full first, so
    this is as often a place or firm the model misread ("Calderwick said …")."""
    return entity.type in ("person", "other") and len(entity.name.split()) == 1 and not entity.aliases


def corpus_retype(
    entities: Sequence[Entity], corpus_votes: Mapping[str, Mapping[str, int]], *, strong: int = 2
) -> list[Entity]:
    """Weak local evidence yields to the corpus: a name mentioned once in the article, in one form,
    or a one-word person, takes the type other articles give it (at least `strong` of them, more than its own type),
    e.g. a town the model read once as a person ("Calderwick said …")."""
    result = []
    for entity in entities:
        votes = corpus_votes.get(entity.name.casefold(), {})
        if (entity.mentions == 1 or weak_person(entity)) and not entity.aliases and votes:
            best = max(TYPE_ORDER, key=lambda t: (votes.get(t, 0), -TYPE_ORDER.index(t)))
            if best != entity.type and votes.get(best, 0) >= strong and votes[best] > votes.get(entity.type, 0):
                entity = replace(entity, type=best)
        result.append(entity)
    return result

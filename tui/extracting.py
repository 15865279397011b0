"""Running entity extraction over stored articles: after an import, for `entities extract`, and
(later) from the reader.  The model runs in an Extractor's worker processes; results are stored
in commits of EXTRACT_BATCH articles, so an interrupted run keeps what it finished."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

EXTRACT_BATCH = 64
"""Articles per commit of extracted entities."""


def extract_entities(
    store: Any,
    ids: Sequence[str],
    *,
    processes: int = 2,
    model: str | None = None,
    nice: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Extract and store the entities of the given articles; returns counts: `extracted` (entities
    stored), `skipped` (not English, or gone)."""
    from articles.entities.extract import Extractor, extractable

    extracted = skipped = 0
    total = len(ids)
    with Extractor(processes=processes, model=model, nice=nice) as extractor:
        for start in range(0, total, EXTRACT_BATCH * processes):
            chunk = ids[start : start + EXTRACT_BATCH * processes]
            articles = []
            for article_id in chunk:
                stored = store.get(article_id)
                if stored is None or not extractable(stored.article):
                    skipped += 1
                else:
                    articles.append(stored.article)
            found = dict(extractor.extract(articles))
            if found:
                found = _with_corpus_types(store, found)
                store.set_entities(found)
                extracted += len(found)
            if progress:
                progress(min(start + len(chunk), total), total)
    return {"extracted": extracted, "skipped": skipped}


def _with_corpus_types(store: Any, found: dict[str, Any]) -> dict[str, Any]:
    """Retype names the article mentions once by what the store and this batch say of them."""
    from collections import Counter, defaultdict

    from articles.entities.consolidate import corpus_retype, weak_person

    names = {e.name.casefold() for entities in found.values() for e in entities}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for name, kinds in store.entity_type_votes(names).items():
        votes[name].update(kinds)
    for entities in found.values():
        for entity in entities:
            if not weak_person(entity):
                votes[entity.name.casefold()][entity.type] += 1
    return {article_id: corpus_retype(entities, votes) for article_id, entities in found.items()}

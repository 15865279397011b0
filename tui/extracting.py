"""Running entity extraction over stored articles: after an import, for `entities extract`, and
from the reader.  The model runs in an Extractor's worker processes; results are stored
in commits of EXTRACT_BATCH articles, so an interrupted run keeps what it finished."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store import NewsStore

EXTRACT_BATCH = 64
"""Articles per commit of extracted entities."""


def extract_entities(
    store: NewsStore,
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
    step = EXTRACT_BATCH * processes

    def store_found(collect: Callable[[], list[Any]], done: int) -> None:
        nonlocal extracted
        results = collect()
        if results:
            store.set_entities(_with_corpus_types(store, results))
            extracted += len(results)
        if progress:
            progress(done, total)

    with Extractor(processes=processes, model=model, nice=nice) as extractor:
        pending: tuple[Callable[[], list[Any]], int] | None = None
        for start in range(0, total, step):
            articles = []
            for article_id in ids[start : start + step]:
                stored = store.get(article_id)
                if stored is None or not extractable(stored.article):
                    skipped += 1
                else:
                    articles.append(stored.article)
            submitted = extractor.submit(articles)  # the workers start on this batch …
            if pending is not None:
                store_found(*pending)  # … while the previous one is stored
            pending = (submitted, min(start + step, total))
        if pending is not None:
            store_found(*pending)
    return {"extracted": extracted, "skipped": skipped}


def _with_corpus_types(store: NewsStore, results: list[Any]) -> dict[str, Any]:
    """The corpus — the store and the rest of this batch — breaks the ties of each article's own
    vote, and retypes names the article mentions once or a person known by one word alone."""
    from collections import Counter, defaultdict

    from articles.entities.consolidate import corpus_break_ties, corpus_retype, weak_person

    names = {e.name.casefold() for r in results for e in r.entities}
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for name, kinds in store.entity_type_votes(names).items():
        votes[name].update(kinds)
    for result in results:
        for entity in result.entities:
            if not weak_person(entity) and entity.name not in result.ties:
                votes[entity.name.casefold()][entity.type] += 1
    return {r.id: corpus_retype(corpus_break_ties(r.entities, r.ties, votes), votes) for r in results}

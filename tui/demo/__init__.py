"""The demo: the sample articles `newsdesk --demo` shows (articles/: the seed article and the
fictional samples) and their entities, shipped precomputed (entities.json) so that the demo shows
the entity sidebar without loading spaCy.  Regenerate the entities after changing the articles
or the extraction:

    python -m tui.demo

(tests/test_entities.py checks that extraction still gives exactly what is shipped.)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store import NewsStore
    from tui.config import Settings

DEMO_ARTICLES = Path(__file__).parent / "articles"
DEMO_ENTITIES = Path(__file__).parent / "entities.json"


def demo_sources() -> list[str]:
    """The files of the demo articles, in order."""
    return [str(p) for p in sorted(DEMO_ARTICLES.iterdir()) if p.is_file() and not p.name.startswith(".")]


def fill_demo_store(store: NewsStore, settings: Settings | None = None) -> None:
    """Import the demo articles with their shipped entities: no spaCy at start."""
    from tui.config import Settings
    from tui.importing import import_sources

    import_sources(store, demo_sources(), settings or Settings(), report=lambda _message: None)
    store.set_entities(load_entities())


def load_entities() -> dict[str, list[Any]]:
    """id -> entities (as Entity objects) of the demo articles."""
    from articles.model import Entity

    if not DEMO_ENTITIES.exists():
        return {}
    data = json.loads(DEMO_ENTITIES.read_text(encoding="utf-8"))
    return {article_id: [Entity.from_dict(e) for e in found] for article_id, found in data["articles"].items()}


def extract_demo() -> dict[str, list[dict[str, Any]]]:
    """Run the real pipeline over the demo articles: id -> entity dicts, sorted by id."""
    from store import NewsStore
    from tui.config import Settings
    from tui.extracting import extract_entities
    from tui.importing import import_sources

    with tempfile.TemporaryDirectory() as workdir, NewsStore(Path(workdir) / "store") as store:
        summary = import_sources(store, demo_sources(), Settings(), report=lambda _message: None)
        extract_entities(store, summary["ids"], processes=1)
        found = {}
        for article_id in sorted(summary["ids"]):
            stored = store.get(article_id)
            if stored is not None and stored.article.entities is not None:
                found[article_id] = [e.to_dict() for e in stored.article.entities]
        return found


def main() -> int:
    found = extract_demo()
    document = {
        "about": "Entities of the demo articles from newsdesk's extraction (spaCy NER + consolidation); "
        "regenerate with: python -m tui.demo",
        "articles": found,
    }
    DEMO_ENTITIES.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DEMO_ENTITIES} ({len(found)} articles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The demo's entities, shipped precomputed so that `newsdesk --demo` shows the entity sidebar
without loading spaCy.  Regenerate after changing the demo articles or the extraction:

    python -m tui.demo_entities

(tests/test_entities.py checks that extraction still gives exactly what is shipped.)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

DEMO_ENTITIES = Path(__file__).parent / "demo-entities.json"


def load() -> dict[str, list[Any]]:
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
    from tui.launch import demo_sources

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
        "regenerate with: python -m tui.demo_entities",
        "articles": found,
    }
    DEMO_ENTITIES.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DEMO_ENTITIES} ({len(found)} articles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Entity extraction: spaCy NER (articles.entities.extract, imported only by the processes that
run it) and the consolidation of its raw spans into what a reader should see
(articles.entities.consolidate, pure Python)."""

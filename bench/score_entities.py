"""Document-level entity scores (../shared/data/ner-dev/ner_score.py) of raw spaCy and newsdesk
on the news gold's two parts and wikigold's two halves.

    python bench/score_entities.py            # the table, both systems, all four sets
    python bench/score_entities.py --errors tune   # also newsdesk's misses and false names on a set

Sets:
  * news-tune / news-score: bench/gold/entities.json, split by each article's "part" ("tune" or
    "score"); score-only articles are never looked at while changing the rules;
  * wire-tune / wire-score: bench/gold/newswire.json, newswire-style articles (results tables,
    standings, scorecards, market reports, ALL-CAPS headlines) labelled with CoNLL's conventions;
  * wikigold-tune / wikigold-held: wikigold.jsonl, odd-numbered articles to tune on, even-numbered
    held out.
Systems: raw = the NER-only model's doc.ents, PERSON/ORG/GPE/LOC/FAC (ner_score.SPACY_TYPE);
newsdesk = extract_texts (model, rules, gazetteers), person/org/place. Both read the same text:
article_text of the article (title, then body).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from bench_entities import gold_articles  # noqa: E402

from articles.entities.extract import article_text, extract_texts, extractable, load_model  # noqa: E402

NER_DEV = BENCH.parent.parent / "shared" / "data" / "ner-dev"
sys.path.insert(0, str(NER_DEV))
import ner_score  # noqa: E402

NEWS_TYPES = {"person": "PER", "org": "ORG", "place": "LOC"}
SETS = ("news-tune", "news-score", "wire-tune", "wire-score", "wikigold-tune", "wikigold-held")
WIRE = BENCH / "gold" / "newswire.json"


def news_sets() -> dict[str, list[tuple[str, str, list[tuple[str, str]], bool]]]:
    """part -> [(id, text, gold, extractable)]."""
    pairs, _ = gold_articles()
    out: dict[str, list[Any]] = {"news-tune": [], "news-score": []}
    for entry, article in pairs:
        gold = [(name, NEWS_TYPES[t]) for t in NEWS_TYPES for name in entry[t]]
        out["news-" + entry.get("part", "tune")].append(
            (entry["url"], article_text(article), gold, extractable(article))
        )
    return out


def wire_sets() -> dict[str, list[tuple[str, str, list[tuple[str, str]], bool]]]:
    """bench/gold/newswire.json: newswire-style articles (CoNLL conventions), read as an importer
    reads a record without a language (the language is detected)."""
    from articles.language import detect_language
    from articles.model import Article

    out: dict[str, list[Any]] = {"wire-tune": [], "wire-score": []}
    for entry in json.loads(WIRE.read_text(encoding="utf-8"))["articles"]:
        title, body = entry["title"], entry["body"]
        article = Article.create(title=title, body=body, language=detect_language(f"{title}\n{body}"))
        gold = [(name, NEWS_TYPES[t]) for t in NEWS_TYPES for name in entry[t]]
        out["wire-" + entry["part"]].append((entry["id"], article_text(article), gold, extractable(article)))
    return out


def wikigold_sets() -> dict[str, list[tuple[str, str, list[tuple[str, str]], bool]]]:
    out: dict[str, list[Any]] = {"wikigold-tune": [], "wikigold-held": []}
    for line in (NER_DEV / "wikigold.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        gold = [(g["text"], g["label"]) for g in doc["gold_entities"]]
        text = f"{doc['title']}\n\n{doc['body']}"
        number = int(doc["id"].rsplit("-", 1)[-1])
        out["wikigold-tune" if number % 2 else "wikigold-held"].append((doc["id"], text, gold, True))
    return out


def predictions(nlp: Any, docs: list[Any]) -> tuple[dict[str, list[Any]], dict[str, list[Any]], dict[str, float]]:
    texts = [text for _, text, _, _ in docs]
    started = time.perf_counter()
    raw_docs = list(nlp.pipe(texts, batch_size=32))
    raw_s = time.perf_counter() - started
    raw = {
        i: [(e.text, ner_score.SPACY_TYPE[e.label_]) for e in d.ents if e.label_ in ner_score.SPACY_TYPE]
        for (i, *_), d in zip(docs, raw_docs, strict=True)
    }
    started = time.perf_counter()
    found = extract_texts(nlp, texts)
    ours_s = time.perf_counter() - started
    ours = {
        i: [(e.name, ner_score.PRODUCT_TYPE[e.type]) for e in ents if e.type in ner_score.PRODUCT_TYPE] if ok else []
        for (i, _, _, ok), ents in zip(docs, found, strict=True)
    }
    return raw, ours, {"raw_s": raw_s, "newsdesk_s": ours_s}


def errors(pred: dict[str, list[Any]], gold: dict[str, list[Any]], top: int = 40) -> str:
    fp: Counter[tuple[str, str, str]] = Counter()
    fn: Counter[tuple[str, str]] = Counter()
    for doc_id, g in gold.items():
        gs, ps = ner_score.doc_sets(g), ner_score.doc_sets(pred.get(doc_id, []))
        for t in ner_score.TYPES:
            for name in ps[t] - gs[t]:
                other = next((o for o in ner_score.TYPES if name in gs[o]), "-")
                fp[(name, t, other)] += 1
            for name in gs[t] - ps[t]:
                fn[(name, t)] += 1
    lines = [f"false names (name, predicted, gold type) ×n: {sum(fp.values())}"]
    lines += [f"  {n!r} {t} (gold {o}) ×{c}" for (n, t, o), c in fp.most_common(top)]
    lines.append(f"missed (name, gold type) ×n: {sum(fn.values())}")
    lines += [f"  {n!r} {t} ×{c}" for (n, t), c in fn.most_common(top)]
    return "\n".join(lines)


def switch_off(sources: set[str]) -> None:
    """Replace the named data sources of the consolidation by empty ones (for this process)."""
    from articles.entities import consolidate, lexicon, mentions

    if "places" in sources:
        consolidate.lookup = lexicon.lookup = lambda name: None  # type: ignore[assignment]
    if "names" in sources:
        lexicon.given_names = lambda: frozenset()  # type: ignore[assignment]
    if "tables" in sources:
        mentions.row_mentions = lambda text, spans: ([], [])  # type: ignore[assignment]
    if "wire" in sources:
        for module in (consolidate, mentions):
            module.caps_lines = lambda text: []  # type: ignore[assignment]
            module.datelines = lambda text, within=6: []  # type: ignore[assignment]
    unknown = sources - {"places", "names", "tables", "wire"}
    if unknown:
        raise SystemExit(f"unknown sources: {', '.join(sorted(unknown))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--errors", choices=["news-tune", "wire-tune", "wikigold-tune"], help="list newsdesk's errors on a tune set")
    parser.add_argument("--json", type=Path, help="write the scores here")
    parser.add_argument("--tune-only", action="store_true", help="score the tune sets only (while changing rules)")
    parser.add_argument(
        "--without",
        default="",
        help="sources to switch off, comma-separated, to measure what each adds: places, names, tables, wire",
    )
    args = parser.parse_args(argv)
    switch_off({w for w in args.without.split(",") if w})
    nlp = load_model()
    sets = news_sets() | wire_sets() | wikigold_sets()
    rows = []
    results: dict[str, Any] = {}
    header = "| set | docs | gold names | raw micro F1 | newsdesk micro F1 | raw PER / ORG / LOC | newsdesk PER / ORG / LOC |"
    for name in [s for s in SETS if not args.tune_only or s.endswith("-tune")]:
        docs = sets[name]
        gold = {i: g for i, _, g, _ in docs}
        raw, ours, times = predictions(nlp, docs)
        r, o = ner_score.score(raw, gold), ner_score.score(ours, gold)
        results[name] = {"raw": r, "newsdesk": o, "docs": len(docs), **times}
        n_gold = sum(len(ner_score.doc_sets(g)[t]) for g in gold.values() for t in ner_score.TYPES)
        per = lambda s: " / ".join(f"{s[t][2]:.3f}" for t in ner_score.TYPES)  # noqa: E731
        rows.append(
            f"| {name} | {len(docs)} | {n_gold} | {r['micro'][2]:.3f} | **{o['micro'][2]:.3f}** | {per(r)} | {per(o)} |"
        )
        if args.errors == name:
            print(errors(ours, gold))
    print(header)
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Stories from the command line: `stories [QUERY]` (stories with their articles),
`stories join ARTICLE ARTICLE`, `stories split ARTICLE`, `stories rebuild`."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from articles.dates import local_display
from articles.sanitize import clean_line
from tui.cli.arguments import add_command, non_negative, parse_query
from tui.cli.common import ExitCode, UsageError, count_progress, open_store, print_error, print_json

if TYPE_CHECKING:
    from tui.config import Settings
    from store import NewsStore


def register(sub: Any) -> None:
    p = add_command(
        sub,
        "stories",
        "stories: articles from several sources about one event, and copies (the same text twice); "
        "stories of two articles or more, the latest coverage first, with a QUERY those holding a "
        "matching article; `stories join A B`, `stories split A` correct them, `stories rebuild` "
        "places every article anew",
        "newsdesk stories tram --json\n  newsdesk stories join 3f2a9c01b7de 9e8d7c6b5a41\n"
        "  newsdesk stories split 3f2a9c01b7de\n  newsdesk stories rebuild",
    )
    p.add_argument(
        "query", nargs="*", metavar="QUERY", help="a query; first word join, split or rebuild: that correction"
    )
    p.add_argument("--limit", type=non_negative, metavar="N", help="at most N stories (default: all)")
    p.add_argument("--json", action="store_true", help="print one JSON array (join, split, rebuild: one object)")


def exported_corrections(sources: list[str]) -> dict[str, list[list[str]]]:
    """The story corrections newsdesk's own JSONL export carries (`story_links` of its records),
    read from the local files among `sources`: an import keeps them."""
    import orjson

    from articles.model import is_article_id

    pairs: dict[str, set[tuple[str, str]]] = {"must": set(), "cannot": set()}
    for source in sources:
        path = Path(source)
        if source == "-" or "://" in source or not path.is_file():
            continue
        try:
            with path.open("rb") as stream:
                for line in stream:
                    if b'"story_links"' not in line:
                        continue
                    try:
                        record = orjson.loads(line)
                    except orjson.JSONDecodeError:
                        continue
                    links = record.get("story_links") if isinstance(record, dict) else None
                    article_id = record.get("id") if isinstance(record, dict) else None
                    if not isinstance(links, dict) or not is_article_id(article_id):
                        continue
                    for kind in ("must", "cannot"):
                        for other in links.get(kind) or ():
                            if is_article_id(other) and other != article_id:
                                pairs[kind].add((min(article_id, other), max(article_id, other)))
        except OSError:
            continue
    return {kind: sorted([a, b] for a, b in found) for kind, found in pairs.items()}


def place_stories(store: NewsStore, sources: list[str]) -> int:
    """After an import: an export's story corrections taken, then what is unplaced placed.  A
    failure is a warning (the import itself is saved); returns how many were placed."""
    from store import StoreError

    try:
        store.stories.add_corrections(exported_corrections(sources))
        return store.stories.assign()
    except StoreError as exc:
        print_error(f"newsdesk: warning: stories not placed: {exc}; `newsdesk stories rebuild` places them")
        return 0


def _article(store: NewsStore, given: str) -> str:
    wanted = given.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{4,12}", wanted):
        raise UsageError(f"{clean_line(given)!r} is not an article id (4 to 12 characters 0-9 and a-f)")
    found = store.resolve(wanted)
    if found is None:
        raise UsageError(f"no article {wanted!r} (or more than one starts so)")
    return found


def _correct(args: argparse.Namespace, words: list[str]) -> int:
    command, ids = words[0], words[1:]
    wanted = {"join": 2, "split": 1, "rebuild": 0}[command]
    if len(ids) != wanted:
        usage = {"join": "stories join ARTICLE ARTICLE", "split": "stories split ARTICLE", "rebuild": "stories rebuild"}
        raise UsageError(f"usage: newsdesk {usage[command]}")
    with open_store(args, write=True, create=False) as store:
        if command == "rebuild":
            placed = store.stories.rebuild(count_progress(sys.stderr, "placing stories", " articles"))
            result: dict[str, Any] = {"placed": placed, "stories": len(store.stories.stories())}
            text = f"placed {placed} articles; {result['stories']} stories of two articles or more"
        else:
            articles = [_article(store, i) for i in ids]
            if command == "join":
                story = store.stories.join(articles[0], articles[1])
                text = f"joined {articles[0]} and {articles[1]} in story {story}"
            else:
                story = store.stories.split(articles[0])
                text = f"split {articles[0]} out; its story is {story}"
            result = {"story": story, "articles": store.stories.members(story)}
    print_json(result) if args.json else print(text)
    return ExitCode.OK


def cmd_stories(args: argparse.Namespace, settings: Settings) -> int:
    words = list(args.query)
    if words and words[0] in ("join", "split", "rebuild"):
        return _correct(args, words)
    query = parse_query(args)
    with open_store(args) as store:
        found = store.stories.stories(query, limit=args.limit)
    if args.json:
        print_json(found)
        return ExitCode.OK
    if not found:
        print("no stories of two articles or more; `newsdesk stories rebuild` places every article anew")
        return ExitCode.OK
    for story in found:
        first = local_display(story["first"]) if story["first"] else "no date"
        last = local_display(story["last"]) if story["last"] else "no date"
        sources = ", ".join(clean_line(s) for s in story["sources"][:4])
        more = f" +{len(story['sources']) - 4}" if len(story["sources"]) > 4 else ""
        print(f"story {story['story']}  {story['count']} articles  {first} .. {last}  {sources}{more}")
        for a in story["articles"]:
            mark = f"  (copy of {a['copy_of']})" if a["copy_of"] else ""
            print(f"  {a['id']}  {clean_line(a['source'])[:20]:<20}  {clean_line(a['title'])}{mark}")
    return ExitCode.OK


HANDLERS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {"stories": cmd_stories}

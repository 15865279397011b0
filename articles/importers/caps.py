"""The size caps of one imported article: a body (or summary) longer than `[import]
max_body_chars` is cut at a paragraph and says so, and a one-line field longer than LINE_CHARS is
cut with an ellipsis.  Every state write (a tag, a mark) rewrites the segment that holds the
article, so one 50 MB body would make each of them cost seconds and hundreds of MB."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from articles.importers.base import ImportOptions, Item, Problem
from articles.model import Article, article_id, article_key

LINE_CHARS = 2_000
"""The longest title, author or source kept (a title longer than this is no title)."""


def cap_article(article: Article, max_body_chars: int) -> tuple[Article, str]:
    """`article` with its long fields cut, and what was cut ("" when nothing was).  An article
    whose identity is its text (no guid, no url) is keyed by the text it keeps, so importing the
    same thing again finds it."""
    changes: dict[str, object] = {}
    said: list[str] = []
    for name in ("body", "summary"):
        value: str = getattr(article, name)
        if len(value) > max_body_chars:
            changes[name] = cut_text(value, max_body_chars)
            said.append(f"{name} cut at {max_body_chars:,} of {len(value):,} characters")
    for name in ("title", "author", "source"):
        value = getattr(article, name)
        if len(value) > LINE_CHARS:
            changes[name] = value[: LINE_CHARS - 1].rstrip() + "…"
            said.append(f"{name} cut at {LINE_CHARS:,} of {len(value):,} characters")
    if not changes:
        return article, ""
    capped = replace(article, **changes)  # type: ignore[arg-type]
    if article.key.startswith("text:"):
        key = article_key(None, None, capped.title, capped.body or capped.summary)
        capped = replace(capped, key=key, id=article_id(key))
    return capped, "; ".join(said) + " ([import] max_body_chars)" * any(n in changes for n in ("body", "summary"))


def cut_text(text: str, limit: int) -> str:
    """The first part of `text`, ended at a paragraph (else a line, a sentence or a word) when
    one is in the last half, then a note saying that the rest was cut; `limit` characters at
    most, the note included, so that what was cut once is not cut again when it comes back."""
    note = f"\n\n[newsdesk: the text was cut here; it had {len(text):,} characters]"
    room = max(0, limit - len(note))
    head = text[:room]
    for mark in ("\n\n", "\n", ". ", " "):
        at = head.rfind(mark)
        if at >= room // 2:
            head = head[: at + len(mark)]
            break
    return (head.rstrip() + note)[:limit]


def capped(items: Iterable[Item], options: ImportOptions, source: str) -> Iterator[Item]:
    """`items` with each article cut to the caps, a cut said as a warning naming the article."""
    for item in items:
        if isinstance(item, Article):
            item, cut = cap_article(item, options.max_body_chars)
            if cut:
                title = item.title if len(item.title) <= 60 else item.title[:59] + "…"
                yield Problem(source, f"article {item.id} ({title}): {cut}", warning=True)
        yield item

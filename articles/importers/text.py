"""Plain-text articles in the seed's shape, and Markdown with optional front matter."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator, Mapping
from typing import Any

from articles.dates import parse_published
from articles.importers.base import Problem
from articles.language import detect_language
from articles.model import Article
from articles.sanitize import clean_line, clean_text, text_from_markup

_SENTENCE_END = re.compile(r"[.!?…:;\"'”’)\]]$")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def _is_section_label(paragraph: str) -> bool:
    """A trailing label such as "Special Reports": short, one line, no sentence punctuation,
    every word capitalised."""
    if "\n" in paragraph or len(paragraph) > 40 or _SENTENCE_END.search(paragraph):
        return False
    words = paragraph.split()
    return 1 <= len(words) <= 4 and all(w[0].isupper() or not w[0].isalpha() for w in words)


def parse_plain_text(text: str, *, source_name: str, fetched: str) -> Iterator[Article | Problem]:
    """First line is the title; paragraphs follow; a trailing section label is not body.
    A first paragraph repeated at the start of the next one is the standfirst (summary)."""
    text = clean_text(text)
    lines = text.split("\n", 1)
    title = clean_line(lines[0]) if lines else ""
    paragraphs = _paragraphs(lines[1]) if len(lines) > 1 else []
    if paragraphs and len(paragraphs) > 1 and _is_section_label(paragraphs[-1]):
        paragraphs = paragraphs[:-1]
    summary = ""
    if len(paragraphs) > 1 and paragraphs[1].startswith(paragraphs[0]):
        summary = paragraphs.pop(0)
    body = "\n\n".join(paragraphs)
    if not title and not body:
        yield Problem(source_name, "the file has no text", fatal=True)
        return
    yield Article.create(
        title=title,
        body=body,
        summary=summary,
        language=detect_language(f"{title}\n{body}"),
        fetched=fetched,
    )


_FRONT_YAML = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_FRONT_TOML = re.compile(r"\A\+\+\+[ \t]*\r?\n(.*?)\r?\n\+\+\+[ \t]*(?:\r?\n|\Z)", re.S)


def _front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """Split off YAML (---) or TOML (+++) front matter: (fields, rest, problem)."""
    for pattern, kind in ((_FRONT_YAML, "yaml"), (_FRONT_TOML, "toml")):
        match = pattern.match(text)
        if not match:
            continue
        try:
            if kind == "yaml":
                import yaml

                data = yaml.safe_load(match.group(1))
            else:
                data = tomllib.loads(match.group(1))
        except Exception as exc:  # any parser error: report it, keep the text
            return {}, text[match.end() :], f"front matter is not valid {kind.upper()}: {exc}"
        if not isinstance(data, Mapping):
            return {}, text[match.end() :], "front matter is not a mapping of fields"
        return dict(data), text[match.end() :], None
    return {}, text, None


_MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^```.*$|^~~~.*$", re.M), ""),  # code fences: keep the code as text
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: their alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links: their text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links
    (re.compile(r"^\[[^\]]+\]:\s+\S+.*$", re.M), ""),  # link definitions
    (re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M), r"\1"),  # ATX headings
    (re.compile(r"^\s{0,3}>\s?", re.M), ""),  # block quotes
    (re.compile(r"^\s*[-*+]\s+", re.M), "• "),  # bullets
    (re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$", re.M), ""),  # rules
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),  # emphasis
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
]


def markdown_to_text(markdown: str) -> str:
    """Markdown as the plain text a reader sees; inline HTML is converted too."""
    text = markdown
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text_from_markup(text)


def _field(data: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in data and data[name] not in (None, ""):
            return data[name]
    return None


def parse_markdown(text: str, *, source_name: str, fetched: str) -> Iterator[Article | Problem]:
    """Markdown: title from front matter, else the first heading, else the first line."""
    meta, rest, problem = _front_matter(text)
    if problem:
        yield Problem(source_name, problem, warning=True)
    title = _field(meta, "title", "headline")
    heading = re.match(r"\A\s*#\s+(.+?)\s*#*\s*(?:\n|\Z)", rest)
    if not title and heading:
        title = heading.group(1)
        rest = rest[heading.end() :]
    body = markdown_to_text(rest)
    if not title:
        first, _, remainder = body.partition("\n")
        title, body = first, remainder.strip()
    if not clean_line(title) and not body:
        yield Problem(source_name, "the file has no text", fatal=True)
        return
    tags = meta.get("tags") or meta.get("keywords") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    author = _field(meta, "author", "authors", "byline")
    if isinstance(author, list):
        author = ", ".join(str(a) for a in author)
    title_text = markdown_to_text(str(title)).replace("\n", " ")
    published = parse_published(_field(meta, "date", "published", "pubDate", "created"))
    yield Article.create(
        title=title_text,
        body=body,
        summary=text_from_markup(_field(meta, "summary", "description", "excerpt") or ""),
        author=str(author or ""),
        source=str(_field(meta, "source", "site", "publisher") or ""),
        url=_field(meta, "url", "link", "permalink"),
        guid=_field(meta, "guid", "uid"),
        published=published.value,
        date_only=published.date_only,  # YAML reads `date: 2011-10-06` as a datetime.date
        language=_field(meta, "language", "lang") or detect_language(f"{title_text}\n{body}"),
        fetched=fetched,
        tags=[str(t) for t in tags if isinstance(t, (str, int))] if isinstance(tags, list) else [],
    )

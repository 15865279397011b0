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
from articles.sanitize import clean_line, clean_text, safe_link, strip_controls, text_from_markup

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


# -- does a text file read like an article? ---------------------------------------------------------
# A folder import reads every file it finds, and a folder of news often holds a licence, a
# NOTICE, a list of sources or a config file.  A plain-text file found in a folder becomes an
# article only when it reads like one: a title line, then prose (sentences of mostly lowercase
# words), not a list, a table, fields, links, an outline or a licence.  A file named on the
# command line is imported whatever it looks like: the user chose it.

_NOTES_NAMES = frozenset(
    {"license", "licence", "copying", "notice", "readme", "authors", "contributors", "changelog",
     "changes", "contributing", "credits", "attribution", "attributions", "sources", "manifest"}
)  # fmt: skip
_RULE = re.compile(r"^\s*([=\-~_*#+.])\1{2,}\s*$")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
_LIST_ITEM = re.compile(r"^\s*(?:[-*•+]|\d{1,3}[.)]|\(?[a-z]\))\s+\S", re.I)
_FIELD = re.compile(r"^\s*[\w.\-/]+(?:[ \t][\w.\-/]+){0,2}\s*[:=]\s*\S")
_COPYRIGHT = re.compile(r"(?:\(c\)|©|\bcopyright\b)\s*(?:\(c\)\s*)?\d{4}", re.I)
_LICENCE = re.compile(
    r"permission is hereby granted|licensed under the|spdx-license-identifier|"
    r"redistribution and use in source and binary forms|this program is free software|"
    r"the software is provided [\"“]?as is",
    re.I,
)
_LICENCE_TITLE = re.compile(r"\blicen[cs]e\b", re.I)
_LICENCE_WORD = re.compile(r"\b(?:licen[cs]ed?|licensor|licensee|copyright|warrant(?:y|ies))\b", re.I)
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_SENTENCE_STOP = re.compile(r"[.!?…][\"'”’)\]]*(?:\s|$)")


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _line_kind(line: str) -> str:
    """'structure' (a rule, list item, table row, field, link, copyright line), 'prose' (three or
    more words, most of them lowercase) or 'other' (a heading, a name, a wrapped fragment)."""
    text = line.strip()
    if _RULE.match(text) or _LIST_ITEM.match(text) or text.count("|") >= 2 or text.count("\t") >= 2:
        return "structure"
    if _COPYRIGHT.search(text) or sum(len(u) for u in _URL.findall(text)) * 2 > len(text):
        return "structure"
    if _FIELD.match(text) and not _SENTENCE_STOP.search(text):
        return "structure"
    words = _WORD.findall(text)
    lower = sum(1 for w in words if w[0].islower())
    if len(words) >= 3 and lower * 2 >= len(words):
        return "prose"
    return "other"


def notes_file(name: str) -> str | None:
    """'a LICENSE file' when the file's name (any extension) is a project's notes file."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0].lower()
    return f"a {stem.upper()} file" if stem in _NOTES_NAMES else None


def why_not_an_article(text: str, name: str = "") -> str | None:
    """Why a plain-text file found in a folder is not taken for an article, or None when it reads
    like one: a title line (a few words, at most 200 characters, not a link or a table row), then
    text that is mostly prose with at least one sentence.  Named notes files (LICENSE, NOTICE,
    README, SOURCES, … with any extension) are never articles."""
    notes = notes_file(name)
    if notes:
        return notes
    # The first 64 KB decide (several pages of text): a huge file is judged as fast as a small one.
    lines = [line.rstrip() for line in strip_controls(text[:65536]).split("\n") if line.strip()]
    if not lines:
        return "no text"
    title, body = lines[0].strip(), lines[1:]
    if (
        len(title) > 200
        or not _WORD.search(title)
        or _RULE.match(title)
        or title.count("|") >= 2
        or sum(len(u) for u in _URL.findall(title)) * 2 > len(title)
    ):
        return "the first line is not a title"
    if not body:
        return "a title with no text"
    head = "\n".join(lines[:60])
    if _LICENCE.search(head) or (_LICENCE_TITLE.search(title) and len(_LICENCE_WORD.findall(head)) >= 5):
        return "a licence text"
    kinds = [_line_kind(line) for line in body]
    size = sum(len(line.strip()) for line in body)
    structure = sum(1 for k in kinds if k == "structure")
    if structure * 2 > len(body):
        return f"reads like a list, not prose ({structure} of {len(body)} lines are items, fields or links)"
    indents = {_indent(line) for line in body} - {0}
    indented = sum(1 for line in body if _indent(line))
    if len(indents) >= 2 and indented * 10 > len(body) * 3:
        return "reads like notes in an outline, not prose"
    prose = sum(len(line.strip()) for line, kind in zip(body, kinds, strict=True) if kind == "prose")
    if prose * 2 < size:
        return "too little prose"
    if not _SENTENCE_STOP.search(" ".join(line for line, kind in zip(body, kinds, strict=True) if kind != "structure")):
        return "no sentences"
    return None


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


_MD_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\)")
"""An inline link, `[text](url "title")`, not an image."""


def markdown_to_text(markdown: str) -> str:
    """Markdown as the plain text a reader sees; inline HTML is converted too."""
    text = markdown
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text_from_markup(text)


def markdown_to_text_and_links(markdown: str) -> tuple[str, tuple[str, ...]]:
    """Markdown as plain text with each inline link's text followed by its number (`[1]`), and
    the links in that order (http, https, mailto; other targets keep their text only)."""
    links: list[str] = []

    def number(match: re.Match[str]) -> str:
        target = safe_link(match.group(2))
        if target is None:
            return match.group(1)
        if target not in links:
            links.append(target)
        return f"{match.group(1)}\\[{links.index(target) + 1}\\]"  # escaped: no rule below takes it

    marked = _MD_LINK.sub(number, re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", markdown))
    return markdown_to_text(marked).replace("\\[", "[").replace("\\]", "]"), tuple(links)


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
    body, links = markdown_to_text_and_links(rest)
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
        links=links,
    )

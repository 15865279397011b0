"""HTML pages: main text, title, date and author, without scripts, styles or navigation."""

from __future__ import annotations

import re
from collections.abc import Iterator

from articles.dates import Published, parse_published
from articles.importers.base import Problem
from articles.language import detect_language
from articles.model import Article
from articles.sanitize import clean_line, html_to_text_and_links, line_from_markup, safe_link, safe_url

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.I | re.S)
_LANG = re.compile(r"<html[^>]*\blang=[\"']?([A-Za-z]{2,3})", re.I)
# htmldate's own defaults, plus a format with the time: it keeps a page's time when it has one.
_DATES = {"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
_DAY_ONLY = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00:00$")


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode a page by its declared charset (HTTP header or meta), else UTF-8, else a guess."""
    charset = declared
    if not charset:
        meta = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
        charset = meta.group(1).decode("ascii") if meta else None
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("utf-8", errors="replace")


def parse_page(html: str, *, source_name: str, url: str | None, fetched: str) -> Iterator[Article | Problem]:
    """Extract the article of a page with trafilatura; fall back to the page's visible text."""
    document = None
    try:
        import trafilatura

        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_links=True,
            deduplicate=False,
            as_dict=False,
            date_extraction_params=_DATES,
        )
    except Exception:  # trafilatura raises many kinds on broken markup; fall back below
        document = None
    title = line_from_markup(getattr(document, "title", None))
    body, links = numbered_links(document)
    if not body:
        match = _BODY.search(html)
        body, links = html_to_text_and_links(match.group(1) if match else html, base=url)
    if not title:
        match = _TITLE.search(html)
        title = line_from_markup(match.group(1)) if match else ""
    if not title and not body.strip():
        yield Problem(source_name, "no article text found in the page", fatal=True)
        return
    lang_match = _LANG.search(html[:4096])
    language = getattr(document, "language", None) or (lang_match.group(1).lower() if lang_match else None)
    page_url = safe_url(getattr(document, "url", None)) or url
    published = _page_date(getattr(document, "date", None))
    yield Article.create(
        title=title,
        body=body,
        summary=clean_line(getattr(document, "description", None) or ""),
        author=line_from_markup(getattr(document, "author", None)),
        source=line_from_markup(getattr(document, "sitename", None)) or _host(page_url),
        url=page_url,
        published=published.value,
        date_only=published.date_only,
        language=language or detect_language(f"{title}\n{body}"),
        fetched=fetched,
        links=links,
    )


_MD_LINK = re.compile(r"\[([^\]\n]*)\]\((?:<([^>\n]*)>|([^)\s]*))\)")
"""A link as trafilatura writes it in its text (`include_links`): `[text](target)`."""


def numbered_links(document: object) -> tuple[str, tuple[str, ...]]:
    """The text of trafilatura's document with each link's text followed by its number (`[1]`)
    and the targets in that order, as html_to_text_and_links gives them.  Only the `[text](url)`
    spans whose url is one of the document's own link targets are links (a page's literal
    brackets stay as they are); a target that is not http, https or mailto keeps its text only."""
    text = str(getattr(document, "text", None) or "") if document is not None else ""
    body = getattr(document, "body", None)
    targets = {str(ref.get("target")) for ref in body.iter("ref")} if body is not None else set()
    if not text or not targets:
        return text, ()
    links: list[str] = []

    def number(match: re.Match[str]) -> str:
        target = match.group(2) if match.group(2) is not None else match.group(3)
        if target not in targets:
            return match.group(0)
        checked = safe_link(target)
        if checked is None:
            return match.group(1)
        if checked not in links:
            links.append(checked)
        return f"{match.group(1)}[{links.index(checked) + 1}]"

    return _MD_LINK.sub(number, text), tuple(links)


def _page_date(value: object) -> Published:
    """htmldate writes a page's time with its offset, and a page that gives only a day as that
    day at a zoneless midnight: a calendar day (`date_only` in docs/cli.md)."""
    if isinstance(value, str) and (day := _DAY_ONLY.match(value.strip())):
        return parse_published(day.group(1))
    return parse_published(value)


def _host(url: str | None) -> str:
    if not url:
        return ""
    match = re.match(r"https?://(?:www\.)?([^/:]+)", url)
    return match.group(1) if match else ""

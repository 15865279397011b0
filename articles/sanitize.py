"""Make untrusted text safe to store and show: no control sequences, no bidi tricks, text not HTML."""

from __future__ import annotations

import functools
import html
import re
from typing import Any
from urllib.parse import urlsplit

# C0 controls except tab and newline, DEL, C1 controls, the bidi embedding/override and isolate
# controls (Trojan Source, CVE-2021-42574) and lone surrogates.  ESC is a C0 control, so no
# terminal escape sequence can survive: its introducer is gone and the rest is plain text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CR = re.compile(r"\r\n?")
_SPACES = re.compile(r"[ \t\u00a0]{2,}|[\t\u00a0]")  # only runs that change
_BLANK_LINES = re.compile(r"\n\n\n+")


_UNSAFE_ASCII = bytes([*range(0x09), *range(0x0B, 0x20), 0x7F])
"""_UNSAFE's ASCII code points, as bytes to delete."""


def strip_controls(text: str) -> str:
    """Remove every code point that could steer a terminal; CR and CRLF become newlines."""
    if "\r" in text:
        text = _CR.sub("\n", text)
    if text.isascii():  # the common case, told in C: no unsafe byte, nothing to do (a third of the regex's time)
        raw = text.encode("ascii")
        if len(raw.translate(None, _UNSAFE_ASCII)) == len(raw):
            return text
    return _UNSAFE.sub("", text)


def clean_line(text: object) -> str:
    """A single-line field (title, author, source): controls removed, whitespace collapsed."""
    if text is None:
        return ""
    return " ".join(strip_controls(str(text)).split())


_last_clean: list[str] = [""]
"""clean_text's latest result (kept, so that no other string can have its identity): a body is
cleaned as its HTML is read, and again as the Article is made; cleaning is idempotent."""


def clean_text(text: object) -> str:
    """A multi-line field (body): controls removed, paragraphs kept, runs of blank lines folded."""
    if text is None:
        return ""
    if text is _last_clean[0]:
        return text  # clean already: the str it is
    # Whole-text work, and each regex only when a cheap `in` test says it has something to do:
    # this runs on every imported body (a space-led regex costs ~60 us on a 3 KB body).
    # Plain spaces and line edges by str methods (C loops), the regexes only where they must.
    folded = strip_controls(str(text))
    if "\t" in folded or "\u00a0" in folded:
        folded = _SPACES.sub(" ", folded)
    while "  " in folded:
        folded = folded.replace("  ", " ")
    if " \n" in folded or "\n " in folded:  # spaces at line edges (the text's own ends: at the strip)
        folded = "\n".join(line.strip(" ") for line in folded.split("\n"))
    if "\n\n\n" in folded:
        folded = _BLANK_LINES.sub("\n\n", folded)
    folded = folded.strip()
    _last_clean[0] = folded
    return folded


def safe_url(url: object) -> str | None:
    """Return the url when it is an absolute http(s) url, else None (no javascript:, file:, data:)."""
    if not isinstance(url, str):
        return None
    candidate = strip_controls(url).strip()
    if not candidate or any(ch.isspace() for ch in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return candidate


def safe_file_url(url: object) -> str | None:
    """Return the url when it is a `file:///absolute/path` url without spaces or control
    characters (the subscription url of a local feed), else None."""
    if not isinstance(url, str) or strip_controls(url) != url or any(ch.isspace() for ch in url):
        return None
    return url if re.match(r"^file://(localhost)?/", url, re.I) else None


def safe_link(url: object) -> str | None:
    """A link an article may carry: an absolute http(s) url (safe_url) or a mailto: address,
    else None (no javascript:, file:, data:, no relative or broken url)."""
    checked = safe_url(url)
    if checked is not None or not isinstance(url, str):
        return checked
    candidate = strip_controls(url).strip()
    if candidate[:7].lower() != "mailto:" or len(candidate) <= 7 or any(ch.isspace() for ch in candidate):
        return None
    return candidate


def safe_links(value: object) -> tuple[str, ...]:
    """A record's list of links, each checked (safe_link); anything else is dropped."""
    if not isinstance(value, list | tuple):
        return ()
    return tuple(link for link in (safe_link(v) for v in value) if link is not None)


_HTML_HINT = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);")


def looks_like_html(text: str) -> bool:
    """True when the text carries tags or character references worth converting."""
    return bool(_HTML_HINT.search(text))


def collapse_spaces(text: str) -> str:
    """Each run of whitespace as one space, as re.sub(r"\\s+", " ", text) has it (str.split and
    the regex agree on what whitespace is), in a few times less time on a body."""
    if "  " not in text and text.isprintable():
        return text  # no whitespace but single spaces (every other kind is unprintable)
    inner = " ".join(text.split())
    if not inner:
        return " " if text else ""
    if text[0].isspace():
        inner = " " + inner
    if text[-1].isspace():
        inner += " "
    return inner


_BLOCK_TAGS = frozenset(
    "address article aside blockquote dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 "
    "header hr li main ol p pre section table tbody thead tfoot tr ul".split()
)
_SKIP_TAGS = frozenset("script style noscript template iframe object embed svg math head nav form".split())
_VOID_TAGS = frozenset("area base br col embed hr img input link meta source track wbr".split())


def link_target(href: str | None, base: str | None) -> str | None:
    """What a link's href points to, when a body may keep it (safe_link): a relative one
    resolved against `base`, the page it came from."""
    if href is not None and base and ":" not in href.split("/", 1)[0]:
        from urllib.parse import urljoin

        href = urljoin(base, href)
    return safe_link(href)


def link_mark(links: list[str], target: str) -> str:
    """The mark `[N]` that follows a link's text: the same target keeps its first number."""
    if target not in links:
        links.append(target)
    return f"[{links.index(target) + 1}]"


@functools.cache
def _text_extractor() -> type[Any]:
    """The html.parser reader of a fragment, _TextExtractor: made (and html.parser imported,
    with its regexes) the first time a fragment needs it, not by every process that imports
    this module for strip_controls or clean_line (a CLI command, the reader's start)."""
    from html.parser import HTMLParser

    class _TextExtractor(HTMLParser):
        """Collect the visible text of an HTML fragment, with paragraph breaks at block elements.
        With `links`, each link's target (http, https, mailto) is kept in `links` and its text is
        followed by its number, `[1]`, as newsboat shows them; the same target keeps one number."""

        def __init__(self, links: bool = False, base: str | None = None) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self._skip_depth = 0
            self._pre_depth = 0
            self._keep_links = links
            self._base = base
            self.links: list[str] = []
            self._open_links: list[str | None] = []

        def _link_start(self, attrs: list[tuple[str, str | None]]) -> None:
            href = next((v for k, v in attrs if k == "href" and v), None)
            self._open_links.append(link_target(href, self._base))

        def _link_end(self) -> None:
            target = self._open_links.pop() if self._open_links else None
            if target is not None:
                self.parts.append(link_mark(self.links, target))

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in _SKIP_TAGS:
                if tag not in _VOID_TAGS:
                    self._skip_depth += 1
                return
            if self._skip_depth:
                return
            if tag == "a" and self._keep_links:
                self._link_start(attrs)
            elif tag == "br":
                self.parts.append("\n")
            elif tag == "li":
                self.parts.append("\n\n• ")
            elif tag in ("td", "th"):
                self.parts.append(" ")
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n\n")
            if tag == "pre":
                self._pre_depth += 1

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "br" and not self._skip_depth:
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in _SKIP_TAGS:
                if tag not in _VOID_TAGS and self._skip_depth:
                    self._skip_depth -= 1
                return
            if self._skip_depth:
                return
            if tag == "a" and self._keep_links:
                self._link_end()
            elif tag in _BLOCK_TAGS:
                self.parts.append("\n\n")
            if tag == "pre" and self._pre_depth:
                self._pre_depth -= 1

        def handle_data(self, data: str) -> None:
            if self._skip_depth:
                return
            if self._pre_depth:
                self.parts.append(data)
            else:
                self.parts.append(collapse_spaces(data))

    return _TextExtractor


# The common shape of a feed's HTML, read without html.parser (pure Python, most of an import's
# time): tags whose names and attributes are plain, text with no `<` of its own.  Anything else
# (comments, declarations, scripts and other raw-text elements, <pre>, odd attribute syntax, a
# stray `<`) goes to parsed_html_to_text, and the two give the same text (tests/test_sanitize_html.py).
_PLAIN_TAG = re.compile(
    r"<(?:([a-zA-Z][a-zA-Z0-9]*)"
    r"((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'|[^\s\"'=<>`/]+(?=[\s>])))?)*)"
    r"\s*(/?)|/([a-zA-Z][a-zA-Z0-9]*)\s*)>"
)
_RAW_TEXT_TAGS = _SKIP_TAGS | frozenset("pre textarea title plaintext xmp noembed noframes listing".split())
_OPENING = {**dict.fromkeys(_BLOCK_TAGS, "\n\n"), "br": "\n", "li": "\n\n• ", "td": " ", "th": " "}
"""What an opening tag adds, as _TextExtractor.handle_starttag has it."""


def _plain_text_of(text: str) -> str | None:
    """What _TextExtractor makes of text between two tags; None when it holds a `<`."""
    if "<" in text:
        return None
    if "&" in text:
        text = html.unescape(text)
    return collapse_spaces(text)


_ATTRIBUTE = re.compile(r"\s+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:\"([^\"<]*)\"|'([^'<]*)'|([^\s\"'=<>`/]+)))?")
"""One attribute of a _PLAIN_TAG: its name and its value (double-quoted, single-quoted or bare)."""


def _href_of(attributes: str) -> str | None:
    """The first non-empty href among a plain tag's attributes, as html.parser gives it to
    _TextExtractor (names in any case, the value's character references resolved)."""
    if "=" not in attributes:
        return None
    for name, double, single, bare in _ATTRIBUTE.findall(attributes):
        value = double or single or bare
        if value and name.lower() == "href":
            return html.unescape(value) if "&" in value else value
    return None


def simple_html_to_text(fragment: str) -> str | None:
    """html_to_text for plain tag soup (see _PLAIN_TAG); None when the fragment needs the parser."""
    read = simple_html_to_text_and_links(fragment, links=False)
    return None if read is None else read[0]


def simple_html_to_text_and_links(
    fragment: str, *, links: bool = True, base: str | None = None
) -> tuple[str, tuple[str, ...]] | None:
    """html_to_text_and_links for plain tag soup (see _PLAIN_TAG): the same text and links as
    _TextExtractor gives; None when the fragment needs the parser."""
    parts: list[str] = []
    targets: list[str] = []
    open_links: list[str | None] = []
    position = 0
    for tag in _PLAIN_TAG.finditer(fragment):
        if tag.start() > position:
            text = _plain_text_of(fragment[position : tag.start()])
            if text is None:
                return None
            parts.append(text)
        position = tag.end()
        opening, attributes, self_closing, closing = tag.groups()
        name = (opening or closing).lower()
        if name in _RAW_TEXT_TAGS:
            return None
        if opening is None:
            if name in _BLOCK_TAGS:
                parts.append("\n\n")
            elif name == "a" and links and open_links:
                target = open_links.pop()
                if target is not None:
                    parts.append(link_mark(targets, target))
        elif not self_closing:
            if name == "a" and links:
                open_links.append(link_target(_href_of(attributes), base))
            else:
                parts.append(_OPENING.get(name, ""))
        elif name == "br":
            parts.append("\n")
    if position < len(fragment):
        text = _plain_text_of(fragment[position:])
        if text is None:
            return None
        parts.append(text)
    return clean_text("".join(parts)), tuple(targets)


def html_to_text(fragment: str) -> str:
    """Turn an HTML fragment into plain paragraphs; scripts, styles and navigation are dropped."""
    return html_to_text_and_links(fragment, links=False)[0]


def html_to_text_and_links(
    fragment: str, *, links: bool = True, base: str | None = None
) -> tuple[str, tuple[str, ...]]:
    """An HTML fragment as plain paragraphs and its links: each link's text is followed by its
    number (`[1]`), and the targets are returned in that order (http, https and mailto only; a
    relative one resolved against `base`).  A link to anything else keeps its text, unnumbered.
    Plain tag soup is read by simple_html_to_text_and_links, the rest by html.parser."""
    return simple_html_to_text_and_links(fragment, links=links, base=base) or _parsed(fragment, links=links, base=base)


def parsed_html_to_text(fragment: str) -> str:
    """html_to_text through html.parser, whatever the fragment holds."""
    return _parsed(fragment, links=False, base=None)[0]


def parsed_html_to_text_and_links(fragment: str, base: str | None = None) -> tuple[str, tuple[str, ...]]:
    """html_to_text_and_links through html.parser, whatever the fragment holds."""
    return _parsed(fragment, links=True, base=base)


def _parsed(fragment: str, *, links: bool, base: str | None) -> tuple[str, tuple[str, ...]]:
    parser = _text_extractor()(links=links, base=base)
    try:
        parser.feed(fragment)
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - html.parser is lenient; belt and braces
        return clean_text(html.unescape(re.sub(r"<[^>]*>", " ", fragment))), ()
    return clean_text("".join(parser.parts)), tuple(parser.links)


def text_and_links_from_markup(value: object, base: str | None = None) -> tuple[str, tuple[str, ...]]:
    """A body that may be HTML or plain text, as clean plain text with its links numbered
    (html_to_text_and_links); plain text has none."""
    if value is None:
        return "", ()
    text = str(value)
    if looks_like_html(text):
        return html_to_text_and_links(text, base=base)
    return clean_text(text), ()


_LINK_MARK = re.compile(r"\[\d+\]")


def without_link_marks(text: str) -> str:
    """A body with its link numbers (`[1]`) taken out: for comparing it with plain text."""
    return _LINK_MARK.sub("", text) if "[" in text else text


def text_from_markup(value: object) -> str:
    """A body that may be HTML or plain text, returned as clean plain text."""
    if value is None:
        return ""
    text = str(value)
    if looks_like_html(text):
        return html_to_text(text)
    return clean_text(text)


def line_from_markup(value: object) -> str:
    """A one-line field that may carry HTML tags or entities (feed titles often do)."""
    if value is None:
        return ""
    text = str(value)
    if looks_like_html(text):
        text = html_to_text(text)
    return clean_line(text)

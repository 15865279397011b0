"""Recognise a source's format by its content, with the file name only as a tie-breaker."""

from __future__ import annotations

import re

FEED = "feed"
JSONFEED = "jsonfeed"
JSON = "json"
JSONL = "jsonl"
OPML = "opml"
HTML = "html"
MARKDOWN = "markdown"
TEXT = "text"

_MARKDOWN_EXT = (".md", ".markdown", ".mdown", ".mkd")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def decode_head(data: bytes, size: int = 8192) -> str:
    """The start of the data as text, good enough to look at its shape."""
    head = data[:size]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace").lstrip("\ufeff")


def _strip_xml_preamble(text: str) -> str:
    """Skip the XML declaration, comments, processing instructions and DOCTYPE."""
    text = text.lstrip()
    while True:
        if text.startswith("<?"):
            end = text.find("?>")
        elif text.startswith("<!--"):
            end = text.find("-->")
            end = end + 1 if end >= 0 else end
        elif text[:9].upper() == "<!DOCTYPE":
            end = text.find(">")
            end = end - 1 if end >= 0 else end
        else:
            return text
        if end < 0:
            return ""
        text = text[end + 2 :].lstrip()


def sniff(data: bytes, name: str = "") -> str | None:
    """The format of `data`, or None when it is not something newsdesk reads."""
    lower = name.lower()
    if b"\x00" in data[:4096] and not data.startswith(_BOMS[1:]):
        return None  # binary
    text = decode_head(data)
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _sniff_json(stripped, lower)
    if stripped.startswith("<"):
        body = _strip_xml_preamble(stripped)
        root = re.match(r"<\s*([A-Za-z_][\w:.-]*)", body)
        tag = root.group(1).lower() if root else ""
        if tag in ("rss", "rdf:rdf", "feed", "rdf") or tag.endswith(":rdf"):
            return FEED
        if tag == "opml":
            return OPML
        if tag in ("html", "head", "body") or "<!doctype html" in stripped[:200].lower():
            return HTML
        if lower.endswith((".html", ".htm", ".xhtml")):
            return HTML
        if lower.endswith((".xml", ".rss", ".atom", ".rdf")) or not body:
            return FEED  # an XML feed too broken to show its root; the feed parser will say why
        if lower.endswith(".opml"):
            return OPML
        if re.search(r"<(p|div|article|h1|title)\b", stripped[:4096], re.I):
            return HTML
        return FEED
    if not stripped:
        if lower.endswith((".xml", ".rss", ".atom", ".rdf")):
            return FEED
        return None
    if not _is_texty(text):
        return None
    if lower.endswith((".jsonl", ".ndjson")) or _mostly_json_lines(stripped):
        return JSONL  # a JSON Lines file whose first line is broken: that line is reported
    if lower.endswith(".json"):
        return JSON  # named JSON but not JSON: the parser says why, rather than an article of it
    if lower.endswith(_MARKDOWN_EXT) or stripped.startswith(("---\n", "+++\n", "---\r\n")):
        return MARKDOWN
    return TEXT


def _sniff_json(text: str, lower: str) -> str:
    if "jsonfeed.org/version" in text[:2000]:
        return JSONFEED
    if text.startswith("{"):
        lines = [line for line in text.splitlines()[:3] if line.strip()]
        # A JSONL file: the first line is a complete object and the next starts another.
        if len(lines) >= 2 and lines[0].rstrip().endswith("}") and lines[1].lstrip().startswith("{"):
            return JSONL
        if _mostly_json_lines(text):
            return JSONL
        if lower.endswith((".jsonl", ".ndjson")):
            return JSONL
    return JSON


def _mostly_json_lines(text: str) -> bool:
    """At least two of the first ten lines are whole JSON objects, and most of them are."""
    lines = [line.strip() for line in text.splitlines()[:11] if line.strip()][:10]
    objects = sum(1 for line in lines if line.startswith("{") and line.endswith("}"))
    return objects >= 2 and objects * 2 > len(lines)


def _is_texty(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\f"))
    return bad <= len(sample) // 50


_FEED_ROOT = re.compile(rb"<(feed\b[^>]*\bxmlns|rss\b|rdf:RDF\b)", re.I)


def embedded_feed(data: bytes) -> bytes | None:
    """The feed element inside another document (an XHTML page wrapping an Atom feed, as a
    browser saves one; a capture with something before the XML), from its root's start tag to its
    last end tag; None when the document holds no feed root element (`<feed xmlns…>`, `<rss>`,
    `<rdf:RDF>`)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="replace").encode("utf-8")
    root = _FEED_ROOT.search(data)
    if root is None:
        return None
    tag = re.match(rb"[\w:]+", root.group(1)).group(0)  # type: ignore[union-attr]
    ends = list(re.finditer(rb"</" + re.escape(tag) + rb"\s*>", data[root.start() :], re.I))
    start = root.start()
    return data[start : start + ends[-1].end()] if ends else data[start:]

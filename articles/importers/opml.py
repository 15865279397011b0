"""OPML subscription lists: every feed outline, with its title and folder."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from articles.importers.base import Problem, Subscription
from articles.importers.fetch import refused_location
from articles.sanitize import clean_line, safe_url

MAX_FOLDER_LEVELS = 32
"""Folders nested deeper than this are filed under their 32nd level: a category of thousands of
levels is no use, and its text would grow with the square of the nesting."""


def parse_opml(data: bytes, *, source_name: str) -> Iterator[Subscription | Problem]:
    """Yield a Subscription per outline with an xmlUrl; other urls (file:// among them: an OPML
    file never leads to a local file) are reported, naming them, and not kept."""
    if re.search(rb"<!(DOCTYPE|ENTITY)", data[:65536], re.I):
        yield Problem(source_name, "refused: OPML with a DOCTYPE or entity declarations", fatal=True)
        return
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        yield Problem(source_name, f"not well-formed OPML: {exc}", fatal=True)
        return
    if root.tag.lower() != "opml":
        yield Problem(source_name, "not an OPML document", fatal=True)
        return
    found = 0
    body = root.find("body")
    # Depth first, in document order, with a stack of its own: a recursive walk overflowed
    # Python's stack on a file of a few thousand nested outlines.
    stack: list[tuple[Iterator[ET.Element], str, int]] = []
    if body is not None:
        stack.append((iter(body.findall("outline")), "", 0))
    while stack:
        outlines, folder, levels = stack[-1]
        outline = next(outlines, None)
        if outline is None:
            stack.pop()
            continue
        attrs = {k.lower(): v for k, v in outline.attrib.items()}
        title = clean_line(attrs.get("title") or attrs.get("text"))
        xml_url = attrs.get("xmlurl")
        if xml_url:
            url = safe_url(xml_url)
            if url is None:
                where = f"in the OPML outline {title!r}" if title else "in an OPML outline"
                yield Problem(source_name, refused_location(xml_url, where))
            else:
                found += 1
                yield Subscription(url=url, title=title, category=folder, origin=source_name)
        child_folder, child_levels = folder, levels
        if not xml_url and title and levels < MAX_FOLDER_LEVELS:  # deeper ones file under the last
            child_folder, child_levels = (f"{folder}/{title}" if folder else title), levels + 1
        stack.append((iter(outline.findall("outline")), child_folder, child_levels))
    if not found:
        yield Problem(source_name, "the OPML file lists no feeds", fatal=True)

"""OPML subscription lists: every feed outline, with its title and folder."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from articles.importers.base import Problem, Subscription
from articles.sanitize import clean_line, safe_url


def parse_opml(data: bytes, *, source_name: str) -> Iterator[Subscription | Problem]:
    """Yield a Subscription per outline with an xmlUrl; non-http(s) urls are reported, not kept."""
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

    def walk(element: ET.Element, folder: str) -> Iterator[Subscription | Problem]:
        nonlocal found
        for outline in element.findall("outline"):
            attrs = {k.lower(): v for k, v in outline.attrib.items()}
            title = clean_line(attrs.get("title") or attrs.get("text"))
            xml_url = attrs.get("xmlurl")
            if xml_url:
                url = safe_url(xml_url)
                if url is None:
                    yield Problem(source_name, f"feed {title or xml_url!r}: only http(s) feed urls are used")
                else:
                    found += 1
                    yield Subscription(url=url, title=title, category=folder, origin=source_name)
            child_folder = f"{folder}/{title}" if folder and title else (title or folder)
            yield from walk(outline, child_folder if not xml_url else folder)

    body = root.find("body")
    if body is not None:
        yield from walk(body, "")
    if not found:
        yield Problem(source_name, "the OPML file lists no feeds", fatal=True)

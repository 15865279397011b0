"""Tag names as docs/cli.md fixes them: trimmed, no commas or control characters, not empty,
compared case-insensitively and shown as first written."""

from __future__ import annotations

import re
from collections.abc import Iterable

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MAX_TAG_LENGTH = 100


class TagError(ValueError):
    """A tag name that cannot be used; the message says why."""


def normalise_tag(raw: str) -> str:
    """The tag as it will be stored, or TagError naming the problem."""
    if not isinstance(raw, str):
        raise TagError("a tag must be text")
    tag = " ".join(raw.split())
    if not tag:
        raise TagError("a tag cannot be empty")
    if "," in tag:
        raise TagError(f"a tag cannot contain a comma: {tag!r}")
    if _CONTROL.search(tag):
        raise TagError(f"a tag cannot contain control characters: {tag!r}")
    if len(tag) > MAX_TAG_LENGTH:
        raise TagError(f"a tag is at most {MAX_TAG_LENGTH} characters")
    return tag


def tag_key(tag: str) -> str:
    """The form tags are compared in."""
    return tag.casefold()


def merge_tags(current: Iterable[str], add: Iterable[str] = (), remove: Iterable[str] = ()) -> list[str]:
    """Current tags plus `add` minus `remove`, case-insensitively, keeping the first spelling."""
    removed = {tag_key(t) for t in remove}
    result: list[str] = []
    seen: set[str] = set()
    for tag in [*current, *add]:
        key = tag_key(tag)
        if key in seen or key in removed:
            continue
        seen.add(key)
        result.append(tag)
    return result

"""[reader] story_read: whether opening an article marks the rest of its story read too (its
copies, the same text, are always marked read with it).

    [reader]
    story_read = true"""

from __future__ import annotations

from typing import Any

STORY_READ = False


def story_read(value: Any) -> bool:
    """Check [reader] story_read: a TOML boolean (ValueError otherwise)."""
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value

"""The count typed before `o` or `y` (vim-style): `3o` opens link 3 of the article, `3y` copies
it.  Digits wait for the next key, with no timeout; that key takes the count (`o` and `y` use
it, any other key drops it) and `escape` only clears it."""

from __future__ import annotations

MAX_DIGITS = 4
"""A longer count is a slip of the finger: the digits after these are ignored."""


class LinkCount:
    """The digits typed so far, and the count the key being handled now was given."""

    def __init__(self) -> None:
        self.typed = ""
        self.given: int | None = None
        """The count before the key being handled (None: none): read by its action."""

    def key(self, character: str | None) -> None:
        """Every key, before its binding runs: a key that is not a digit takes the count typed."""
        if self.typed and not (character and character.isdigit()):
            self.given, self.typed = int(self.typed), ""
        else:
            self.given = None

    def digit(self, character: str | None) -> None:
        """A digit key (article.link_count): one more digit of the count (a leading 0 is none)."""
        if character and character.isdigit() and (self.typed or character != "0") and len(self.typed) < MAX_DIGITS:
            self.typed += character

    def take(self) -> int | None:
        """The count given to this key, once."""
        given, self.given = self.given, None
        return given

"""Context rules: what the words around a mention say of its type, whatever the model said.

"minister Eli Cohen", "Eyal Propper, Israel consul-general" (a role or title beside it: a person);
"mayor of Haifa", "in Calderwick", "Calderwick residents" (a place or an organisation);
"Leeds manager George Graham", "Rangers beat Celtic" (a club); "the Beatles" (no person);
"at Twickenham on Saturday" (a venue). No rule names an entity.
"""

from __future__ import annotations

import re

from articles.entities.words import ROLE_WORDS

__all__ = ["at_a_time", "context_vote"]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_THE_BEFORE = re.compile(r"\bthe\s+$", re.I)
# "mayor of Haifa": after a role and "of", a name is a place or an organisation.
_ROLE_OF = re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(ROLE_WORDS)) + r")\s+of\s+(the\s+)?$", re.I)
# "Eyal Propper, Israel consul-general to Shanghai": a role in apposition after the name.
_ROLE_AFTER = re.compile(
    r"^,\s+(?:(?:the|a|an|its|their)\s+)?(?:[A-Z][\w'’.-]*\s+){0,3}?("
    + "|".join(re.escape(w) for w in sorted(ROLE_WORDS, key=len, reverse=True))
    + r")\b",
    re.I,
)
# "in Calderwick", "in Ottawa and Halifax", "town of Sebago", "Calderwick residents": where a name
# sits says it is a place, not a person.
_PLACE_BEFORE = re.compile(
    r"\b(?:in|near|across|throughout|outside|inside|around|between|"
    r"(?:town|city|village|county|province|region|district|municipality|port|suburb|parish)\s+of)\s+"
    r"(?:(?-i:[A-Z][\w'-]+)\s+(?:(?-i:[A-Z][\w'-]+)\s+)?(?:and|or|,)\s+)?$",
    re.I,
)
_PLACE_AFTER = re.compile(
    r"^(?:'s)?\s+(?:mayor|residents|council|councillors|police|authorities|officials|government|province|"
    r"county|city|town|harbour|harbor|port|river|valley|estuary|region)\b"
)
# "Leeds manager George Graham", "Chelsea 's Dutch coach", "Rangers beat Celtic": a town's name is a club.
_TEAM_AFTER = re.compile(
    r"^(?:\s?'s)?\s+(?:[A-Z][\w-]*\s+)?(?:manager|coach|goalkeeper|keeper|striker|midfielder|defender|captain|"
    r"skipper|winger|fans|supporters)\b|^\s+(?:beat|drew\s+with|thrashed|routed)\s+[A-Z]"
)
_TEAM_BEFORE = re.compile(r"\b(?:beat|drew\s+with|thrashed|routed)\s+$")
# "Dr Beatriz Conceição" when the model kept only the surname: a given name may stand between.
_ROLE_BEFORE = re.compile(
    r"\b(" + "|".join(re.escape(w) for w in sorted(ROLE_WORDS)) + r")\.?,?\s+(?:(?-i:[A-Z][^\W\d_]+)\s+)?$",
    re.I,
)

# "the band Deadsy", "magazine Kerrang", "Velvet Revolver's album", "Linkin Park guitarist": a kind
# of organisation named just before, or a band's, firm's or club's own things just after.
_ORG_BEFORE = re.compile(
    r"\b(?:band|bands|group|label|company|firm|club|newspaper|magazine|channel|network|airline|carrier|publisher|"
    r"studio|retailer|brand|supergroup|duo|trio|quartet|ensemble|orchestra|choir)\s+$"
)
_ORG_AFTER = re.compile(
    r"^(?:\s?'s?)?\s+(?:(?:debut|new|first|second|third|latest|next|self-titled)\s+)?(?:album|albums|single|singles|"
    r"EP|tour|frontman|guitarist|drummer|bassist|vocalist|lead\s+singer|bandmates?|shareholders|shares|subsidiary|"
    r"headquarters|stock)\b"
)

_AT_BEFORE = re.compile(r"\bat\s+$")
_WHEN_AFTER = re.compile(
    r"^(?:'s)?\s*(?:,\s*)?(?:on|in|last|this|next)\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|week|month|year|"
    r"the\s+weekend)"
)


def context_vote(text: str, start: int, end: int) -> str | None:
    before = text[max(0, start - 40) : start].translate(_APOSTROPHES).rsplit("\n", 1)[-1]
    after = text[end : end + 60].translate(_APOSTROPHES).split("\n", 1)[0]
    if _THE_BEFORE.search(before):
        return "not-person"  # "the Beatles", "the Saudi Gazette": a person has no article
    if _ROLE_OF.search(before) or _PLACE_BEFORE.search(before) or _PLACE_AFTER.match(after):
        return "place-or-org"
    if _ROLE_BEFORE.search(before) or _ROLE_AFTER.match(after):
        return "person"
    if _TEAM_AFTER.match(after) or _TEAM_BEFORE.search(before):
        return "team"
    if _ORG_BEFORE.search(before) or _ORG_AFTER.match(after):
        return "org"
    return None


def at_a_time(text: str, start: int, end: int) -> bool:
    """ "at Twickenham on Saturday": a name after "at" and before a day or a date is where
    something happens (a venue), not who."""
    return bool(_AT_BEFORE.search(text[max(0, start - 10) : start]) and _WHEN_AFTER.match(text[end : end + 30]))

"""Wire copy's lines in capitals and datelines: "SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE
DEFEAT .", "EASTERN CONFERENCE", "AL-AIN , United Arab Emirates 1996-12-06".

The model, trained on mixed-case prose, reads a line in capitals as a string of names ("JAPAN GET
LUCKY WIN" an organisation). Its spans there are dropped; instead the line's words are matched,
longest first, against the names the rest of the article uses (any of their forms, case-folded)
and the countries of the gazetteer. A dateline (places, then an ISO date, alone on a line) names
where the story was filed: its names are places.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

_DATELINE = re.compile(
    r"^\s*([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)(?:\s*,\s*([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*))?"
    r"\s+(?:19|20)\d\d-\d\d-\d\d\s*$"
)
_TOKEN = re.compile(r"[^\s,;:!?\"()]+")
_BREAK = frozenset("- – — v vs vs. .".split())
LONGEST = 4
"""Words in the longest name looked for in a line in capitals."""


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    start = 0
    for line in text.split("\n"):
        yield start, start + len(line), line
        start += len(line) + 1


def datelines(text: str, within: int = 6) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """(line start, line end, [(start, end) of each place named]) of the dateline among the
    first `within` lines."""
    found = []
    for number, (start, end, line) in enumerate(_lines(text)):
        if number >= within:
            break
        match = _DATELINE.match(line)
        if match:
            names = [(start + match.start(g), start + match.end(g)) for g in (1, 2) if match.group(g)]
            found.append((start, end, names))
    return found


def caps_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines with letters and none of them in lower case, two words or more;
    none when such lines are most of the text (an article written all in capitals is read as it is)."""
    found = [
        (start, end)
        for start, end, line in _lines(text)
        if not any(c.islower() for c in line) and sum(1 for w in line.split() if any(c.isalpha() for c in w)) >= 2
    ]
    return found if sum(end - start for start, end in found) * 2 < len(text) else []


def names_in_caps(text: str, start: int, end: int, known: Callable[[str], bool]) -> list[tuple[int, str]]:
    """(start, words) of the longest runs of words of text[start:end] (a line in capitals) that
    `known` accepts (given the run case-folded), no run across a dash, a "v" or punctuation."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text, start, end)]
    found: list[tuple[int, str]] = []
    i = 0
    while i < len(tokens):
        for size in range(min(LONGEST, len(tokens) - i), 0, -1):
            run = tokens[i : i + size]
            if any(t[2].casefold() in _BREAK for t in run):
                continue
            words = " ".join(t[2] for t in run).rstrip(".'’")
            if words.casefold().endswith(("'s", "’s")):
                words = words[:-2].rstrip()
            if known(words.casefold()):
                found.append((run[0][0], words))
                i += size
                break
        else:
            i += 1
    return found


def title_case(name: str) -> str:
    """A name in capitals as a name ("AL-AIN" -> "Al-Ain"); a name in mixed case as it is."""
    if any(c.islower() for c in name):
        return name
    return "-".join(" ".join(w.capitalize() for w in part.split(" ")) for part in name.split("-"))

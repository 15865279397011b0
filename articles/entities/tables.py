"""Rows of tables in running text: results, standings, price lists ("Arsenal 2 Blackburn 0",
"Manchester United 28 16 8 4 55 32 56", "Siemens 76.40 +1.25").

A row is a line with at least one number in which every word outside the numbers is capitalised
(a name), but for a few joining words ("v", "vs", "at", "de", "van"): no running prose. The names
in a row are its runs of capitalised words between numbers and punctuation. The model reads such
lines badly (it runs names into the scores, calls clubs people, misses most of them); a name in a
row is a team, a firm or a person — whoever plays, trades or scores — and the rules here say which.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_NUMBER = re.compile(r"^[-+(]?\d[\d.,:/'-]*%?\)?$")
_JOINING = frozenset("v vs vs. at de da del der di du van von la le al el bin of and & - – — / ( )".split())
_DATE = re.compile(r"^(?:1[89]\d\d|20\d\d)(?:[-/.]\d\d?){0,2}$|^\d\d?[-/.]\d\d?[-/.]\d{2,4}$")
"""A year or a date: a dateline ("LONDON 1996-08-30") or a citation is not a table row."""
_INSIDE_NAMES = frozenset("de del der van von da di du la le &".split())
_WORD = re.compile(r"\S+")
_NAME_WORD = re.compile(r"^\(?[A-Z][\w'’.&-]*[),:;]*$")
MIN_NAMES = 1
MAX_ROW = 200
"""Characters: a longer line is prose or a list, not a row."""


def table_rows(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of the text that is a table row."""
    rows = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if _is_row(line):
            rows.append((start, end))
        start = end + 1
    return rows


def _is_row(line: str) -> bool:
    words = line.split()
    if not words or len(line) > MAX_ROW or not any(c.islower() for c in line):
        return False  # empty, prose-long, or a headline in capitals ("SOCCER - LEEDS BEAT CHELSEA 2-1")
    numbers = names = 0
    for word in words:
        if _NUMBER.match(word):
            numbers += not _DATE.match(word.strip("(),.;:"))
        elif word.endswith(":") and word[0].isupper():
            continue
        elif _NAME_WORD.match(word):
            names += 1
        elif word.casefold() not in _JOINING:
            return False
    return numbers >= 1 and names >= MIN_NAMES


def row_names(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each name in the row text[start:end]: runs of capitalised words, joined by
    a joining word inside a name ("Real Madrid", "Borussia Moenchengladbach", "Rayo de Madrid")."""
    run: list[tuple[int, int]] = []
    for match in _WORD.finditer(text, start, end):
        word = match.group()
        bare = word.strip("(),:;")
        if word.endswith(":"):  # "Scorers:" labels what follows
            yield from _close(run)
            run = []
        elif _NAME_WORD.match(word) and not _NUMBER.match(bare) and any(c.isalpha() for c in bare):
            if word.startswith("("):  # "Tiger Woods (U.S.)": a name of its own
                yield from _close(run)
                run = []
            offset = match.start() + (len(word) - len(word.lstrip("(")))
            run.append((offset, offset + len(bare)))
            if word.endswith((")", ",", ":", ";")) or word.startswith("("):
                yield from _close(run)
                run = []
        elif run and word.casefold() in _INSIDE_NAMES:
            continue
        else:
            yield from _close(run)
            run = []
    yield from _close(run)


def _close(run: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    if run:
        yield run[0][0], run[-1][1]

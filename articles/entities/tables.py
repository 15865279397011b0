"""Rows of tables in running text: results, standings, scorecards, price lists ("Arsenal 2
Blackburn 0", "Manchester United 28 16 8 4 55 32 56", "M. Atherton c Hussain b Mushtaq Ahmed 31",
"Siemens 76.40 +1.25").

A row is a line with at least one number in which every word outside the numbers is capitalised
(a name), but for a few joining words ("v", "beat", "c", "b", "lbw", "not out", "seconds"): no
running prose. A line in capitals is a row only with two numbers or more (a headline has at most a
score). The names in a row are its runs of capitalised words between numbers and punctuation,
less the words that label a column ("Halftime", "Attendance"). The model reads such lines badly
(it runs names into the scores, calls clubs people, misses most of them); a name in a row is a
team, a firm or a person — whoever plays, trades or scores — and `row_mentions` says which.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from articles.entities.lexicon import is_country, looks_like_a_person
from articles.entities.words import TABLE_LABELS

_NUMBER = re.compile(r"^[-+(]?\.?\d[\d.,:/'-]*%?\)?$")
_JOINING = frozenset(
    """v vs vs. at de da del der di du van von la le al el bin of and & - – — / ( ) beat bt c b lbw st
    not out run retired hurt seconds secs minutes mins hours metres km laps points pts same time behind
    pen og , . ; :""".split()
)
_DATE = re.compile(r"^(?:1[89]\d\d|20\d\d)(?:[-/.]\d\d?){0,2}$|^\d\d?[-/.]\d\d?[-/.]\d{2,4}$")
"""A year or a date: a dateline ("LONDON 1996-08-30") or a citation is not a table row."""
_INSIDE_NAMES = frozenset("de del der van von da di du la le &".split())
_NOT_NAMES = frozenset("In On At By For From To With And Of Or".split())
"""Capitalised words that start a line of prose ("In 1990"), never a name in a row."""
_WORD = re.compile(r"\S+")
_NAME_WORD = re.compile(r"^\(?[A-Z][\w'’.&-]*[),:;]*$")
MIN_NAMES = 1
MAX_ROW = 200
"""Characters: a longer line is prose or a list, not a row."""

_NAME = r"[A-Z][\w'’.&-]*(?:\s+(?:[A-Z][\w'’.&-]*|de|van|von|da|del|la))*"
_RANK = r"^\s*(?:\d+[.)]?\s+(?:-\s+)?)?"
_SCORE_LINE = re.compile(_RANK + _NAME + r"\s+\d+\s+(?:\([^)]*\)\s+)?" + _NAME + r"\s+\d+(?:\s|$)")
"""Two teams and their scores: "Coventry 1 Leeds 2", "Ajax 1 ( Litmanen 67 ) Feyenoord 1"."""
_STANDINGS = re.compile(_RANK + _NAME + r"(?:\s+[-+]?\.?\d[\d.,:-]*){3,}\s*-?\s*$")
"""A name and three numbers or more, nothing else: "Newcastle 14 9 3 2 27 14 30", "NEW YORK 74 62
.544 -" (a team, unless its name starts with a given name: a golfer's rounds)."""
_CRICKET = re.compile(r"\s(?:c|b|lbw|st)\s+[A-Z]|\b(?:not|run)\s+out\b|\b\d+-\d+-\d+-\d+\b")
"""A batsman's or a bowler's line of a cricket scorecard: every name in it is a player."""
_SCORERS = re.compile(r"^\s*(?:goal)?scorers?\b", re.I)
"""A line of scorers ("Scorers : Ronaldo 34 , Bebeto 67"): every name in it is a player."""
_COUNTRY_AFTER = re.compile(r"^\s*\(\s*([A-Z][\w.' -]*?)\s*\)")


def table_rows(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line of the text that is a table row, next to another one."""
    lines = []
    start = 0
    for line in text.split("\n"):
        lines.append((start, start + len(line)))
        start += len(line) + 1
    rows = {i for i, (s, e) in enumerate(lines) if _is_row(text[s:e])}
    # a row has another row beside it (a blank line between allowed): a lone line of names and
    # numbers in prose is a heading or a caption, not a table
    return [lines[i] for i in sorted(rows) if any(i + d in rows for d in (-2, -1, 1, 2))]


def _is_row(line: str) -> bool:
    words = line.split()
    if not words or len(line) > MAX_ROW:
        return False
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
    if not any(c.islower() for c in line) and numbers < 2:
        return False  # a headline in capitals ("SOCCER - LEEDS BEAT CHELSEA 2-1")
    return numbers >= 1 and names >= MIN_NAMES


def row_names(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each name in the row text[start:end]: runs of capitalised words, joined by
    a joining word inside a name ("Real Madrid", "Borussia Moenchengladbach", "Rayo de Madrid")."""
    run: list[tuple[int, int]] = []
    for match in _WORD.finditer(text, start, end):
        word = match.group()
        bare = word.strip("(),:;")
        if word.endswith(":") or bare.casefold() in TABLE_LABELS or bare in _NOT_NAMES:  # "Scorers:", "Attendance"
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


def row_mentions(
    text: str, spans: Sequence[tuple[int, int, str]]
) -> tuple[list[tuple[int, int]], list[tuple[str, str, int, int]]]:
    """The table rows of the text, and the names in them as (name, label, start, end), the label
    being what the row says (the model's `spans`, (start, end, label), only where the row says
    nothing): a country is a place; in a score line every other name is a team, and in a line of
    standings every other name that does not start with a given name; in a cricket scorecard's
    line or a line of scorers, a player; a name followed by a country in parentheses ("Boris
    Becker ( Germany )") or a number inside parentheses ("( Luc Nilis 20 )") a person;
    otherwise a full name the model called a person (or that starts with a given name) a person,
    any other name a team or firm."""
    rows = table_rows(text)
    found = []
    for row_start, row_end in rows:
        line = text[row_start:row_end]
        score_line = bool(_SCORE_LINE.match(line))
        standings = not score_line and bool(_STANDINGS.match(line))
        cricket = bool(_CRICKET.search(line)) or bool(_SCORERS.match(line))
        inside = [(s, e, label) for s, e, label in spans if row_start <= s < row_end]
        for start, end in row_names(text, row_start, row_end):
            name = text[start:end]
            after = text[end:row_end]
            in_parens = text.count("(", row_start, start) > text.count(")", row_start, start)
            country_after = _COUNTRY_AFTER.match(after)
            if is_country(name):
                label = "GPE"
            elif in_parens:
                label = "PERSON" if re.match(r"\s*\d", after) or cricket else _by_name(name, start, end, inside)
            elif cricket:
                label = "PERSON"
            elif score_line or (standings and not looks_like_a_person(name, name)):
                label = "ORG"
            elif country_after and is_country(country_after.group(1)):
                label = "PERSON"
            else:
                label = _by_name(name, start, end, inside)
            found.append((name, label, start, end))
    return rows, found




def _by_name(name: str, start: int, end: int, inside: Sequence[tuple[int, int, str]]) -> str:
    labels = [label for s, e, label in inside if s < end and start < e]
    if ("PERSON" in labels and len(name.split()) > 1) or looks_like_a_person(name, name):
        return "PERSON"
    return "ORG"

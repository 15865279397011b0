"""Mentions: the spans the NER model returned, and the lines of an article that replace the
model's spans with their own (table rows: tables.py; lines in capitals and datelines: wire.py)."""

from __future__ import annotations

from dataclasses import dataclass

from articles.entities.wire import caps_lines, datelines, title_case
from articles.entities.tables import row_mentions


@dataclass(frozen=True, slots=True)
class RawMention:
    """One span as the NER model returned it: its text, label and character offsets."""

    text: str
    label: str
    start: int = 0
    end: int = 0


def split_lines(mention: RawMention) -> list[RawMention]:
    """A span never crosses a line break (a title running into the body is two names)."""
    if "\n" not in mention.text:
        return [mention]
    parts, offset = [], 0
    for piece in mention.text.split("\n"):
        if piece.strip():
            parts.append(RawMention(piece, mention.label, mention.start + offset, mention.start + offset + len(piece)))
        offset += len(piece) + 1
    return parts


def with_table_rows(text: str, mentions: list[RawMention]) -> list[RawMention]:
    """Mentions in table rows replaced by the row's names, typed as the row types them (tables.py)."""
    rows, names = row_mentions(text, [(m.start, m.end, m.label) for m in mentions])
    if not rows:
        return mentions
    kept = [m for m in mentions if not any(s <= m.start < e for s, e in rows)]
    kept += [RawMention(name, label, start, end) for name, label, start, end in names]
    return sorted(kept, key=lambda m: m.start)


def with_wire_lines(text: str, mentions: list[RawMention]) -> list[RawMention]:
    """The model's spans in lines in capitals dropped (consolidate matches their words against the
    article's names), and a dateline's names made places (wire.py)."""
    blocked = caps_lines(text)
    dated = datelines(text)
    if not blocked and not dated:
        return mentions
    blocked += [(start, end) for start, end, _ in dated]
    kept = [m for m in mentions if not any(s <= m.start < e for s, e in blocked)]
    kept += [RawMention(title_case(text[s:e]), "GPE", s, e) for _, _, names in dated for s, e in names]
    return sorted(kept, key=lambda m: m.start)

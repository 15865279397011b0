"""The main screen's top bar: what the list shows, its counts, and the reader's state."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from tui.literal import literal, one_line

SPARKS = "▁▂▃▄▅▆▇█"
MIN_BARS = 8
"""Fewer columns than this for the bars (of a longer span): the labels shorten, then go."""


@dataclass(frozen=True, slots=True)
class TopBarState:
    """Everything the top bar says."""

    title: str
    total: int
    searching: bool
    """The listing is a search (its count is of matches)."""
    unread: int | None = None
    ranked: bool = False
    readonly: bool = False
    demo: bool = False
    background: str = ""
    histogram: tuple[tuple[str, int], ...] = ()


class TopBar(Static):
    """One line over the panes: ' newsdesk · search: tram · 3 matches · 1 unread · by relevance'."""

    def show(self, state: TopBarState, width: int) -> None:
        """Say `state` in a bar `width` cells wide (the sparkline takes the room the rest leaves)."""
        total = state.total
        noun = "match" if state.searching else "article"
        plural = "es" if noun == "match" else "s"
        bar = literal(f" newsdesk · {one_line(state.title)} · {total} {noun}{plural if total != 1 else ''}")
        if state.unread is not None:
            bar.append(f" · {state.unread} unread")
        spark_at = len(bar)
        if state.searching and total and state.ranked:
            bar.append(" · by relevance", style="dim")
        if state.readonly:
            bar.append("  · read-only: this store cannot be changed from here", style="bold")
        if state.demo:
            bar.append("  · demo store (thrown away on exit)", style="dim")
        if state.background:
            bar.append(f"  · {state.background}", style="bold")
        if state.histogram:  # between the count and the rest, in the width the rest leaves
            spark = sparkline(list(state.histogram), width - bar.cell_len - 3)
            if spark:
                head, tail = bar[:spark_at], bar[spark_at:]
                bar = Text.assemble(head, (f"  {spark}", "bold"), tail)
        self.update(bar)


def sparkline(months: list[tuple[str, int]], width: int = 40) -> str:
    """Articles per month over the whole span, from the first month with articles to the last
    (gaps filled), its ends labelled: '2019-03 ▁▃ █ 2025-11'.  At most `width` characters: when
    the span has more months than there are columns, each bar is a run of months (the first bar
    starts at the first month, the last ends at the last).  Shorter labels (years), then none,
    when the width is too small for the month labels."""
    if not months or width < 1:
        return ""
    counts = dict(months)
    year, month = (int(x) for x in months[0][0].split("-"))
    series: list[tuple[str, int]] = []
    while True:
        key = f"{year:04d}-{month:02d}"
        series.append((key, counts.get(key, 0)))
        if key >= months[-1][0]:
            break
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    first, last = series[0][0], series[-1][0]
    for start, end in ((first, last), (first[:4], last[:4]), ("", "")):
        room = width - (len(start) + len(end) + 2 if start else 0)
        if room >= min(len(series), MIN_BARS):
            break
    else:
        return ""
    buckets = min(len(series), room)
    edges = [i * len(series) // buckets for i in range(buckets + 1)]  # each bucket a run of >= 1 months
    sums = [sum(n for _, n in series[edges[i] : edges[i + 1]]) for i in range(buckets)]
    top = max(sums) or 1
    bars = "".join(" " if n == 0 else SPARKS[min(len(SPARKS) - 1, (n * len(SPARKS) - 1) // top)] for n in sums)
    return f"{start} {bars} {end}" if start else bars

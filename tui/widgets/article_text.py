"""The text pane: headers and the body as literal text, wrapped in pages as the reader scrolls,
so that a 10 MB body opens as fast as a short one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from articles.dates import local_display
from tui.literal import literal, one_line, tag_chips

if TYPE_CHECKING:
    from store import Highlighter, StoredArticle

CHUNK = 16_000
"""Characters wrapped at a time: a huge paragraph is wrapped piece by piece."""


def body_chunks(body: str) -> Iterator[tuple[str, bool]]:
    """(text, starts a paragraph): paragraphs, with any paragraph longer than CHUNK cut at a
    space near the limit so that wrapping works piece by piece."""
    start = 0
    length = len(body)
    while start < length:
        end = body.find("\n\n", start)
        end = length if end < 0 else end
        first = True
        while start < end:
            stop = min(start + CHUNK, end)
            if stop < end:
                space = body.rfind(" ", start + CHUNK // 2, stop)
                stop = space + 1 if space > 0 else stop
            yield body[start:stop], first
            first = False
            start = stop
        start = end + 2


class ArticleText(ScrollView, can_focus=True):
    """The current article.

    | Key | id | Does |
    |---|---|---|
    | `j` `down` / `k` `up` | text.down / text.up | scroll |
    | `space` `pagedown` / `b` `pageup` | text.page_down / text.page_up | page |
    | `n` / `N` | text.next_match / text.prev_match | next/previous search match |

    The body's links (`[1]`, `[2]` … in the text) are listed at its end.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Scroll down", show=False, id="text.down"),
        Binding("k,up", "scroll_up", "Scroll up", show=False, id="text.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="text.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="text.page_up"),
        Binding("g,home", "scroll_home", "Top", show=False, id="text.top"),
        Binding("n", "next_match", "Next match", show=False, id="text.next_match"),
        Binding("N", "prev_match", "Previous match", show=False, id="text.prev_match"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-text--title",
        "article-text--meta",
        "article-text--summary",
        "article-text--match",
    }

    DEFAULT_CSS = """
    ArticleText { background: $surface; padding: 0 1; overflow-x: hidden; scrollbar-gutter: stable;
                  scrollbar-size-vertical: 1; }
    ArticleText > .article-text--title { text-style: bold; color: $text; }
    ArticleText > .article-text--meta { color: $text-muted; }
    ArticleText > .article-text--summary { text-style: italic; }
    ArticleText > .article-text--match { background: $warning 35%; text-style: bold; }
    ArticleText:nocolor > .article-text--match { text-style: bold underline; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: StoredArticle | None = None
        self._message: str = "No article selected."
        self._lines: list[Strip] = []
        self._pending: Iterator[tuple[Text, bool]] | None = None
        self._width = 0
        self._highlighter: Highlighter | None = None
        self.match_lines: list[int] = []
        """Wrapped lines (so far) that hold a search match, in order."""
        self.current_match: int | None = None
        """The match line n/N last jumped to."""

    # -- content --------------------------------------------------------------------------------
    def show(self, stored: StoredArticle | None, message: str = "") -> None:
        """Show an article (or a message when there is none), scrolled to the top unless it is the
        article already shown."""
        same = stored is not None and self.article is not None and stored.article == self.article.article
        scroll, match = round(self.scroll_y), self.current_match
        self.article = stored
        self._message = message or "No article selected."
        self._restart()
        if same:  # only its state changed (read, tags): the reader keeps their place
            self._extend(scroll + self.size.height * 2)
            self.current_match = match
            self.scroll_to(0, scroll, animate=False, immediate=True)
        else:
            self.scroll_to(0, 0, animate=False, immediate=True)

    def set_highlighter(self, highlighter: Highlighter | None, *, redraw: bool = True) -> None:
        """Mark a search's words in the text (None: no marks).  `redraw` False: for the next
        article shown (the one shown now is about to be replaced; wrapping it again is waste)."""
        if highlighter is self._highlighter:
            return
        self._highlighter = highlighter
        if self.article is not None and redraw:
            self._restart()

    def _marked(self, text: Text) -> Text:
        if self._highlighter is not None:
            style = self.get_component_rich_style("article-text--match")
            for start, end in self._highlighter.spans(text.plain):
                text.stylize(style, start, end)
        return text

    def _blocks(self) -> Iterator[tuple[Text, bool]]:
        """(text, preceded by a blank line): header lines together, then summary and body."""
        if self.article is None:
            yield literal(self._message, self.get_component_rich_style("article-text--meta")), False
            return
        article, state = self.article.article, self.article.state
        meta = self.get_component_rich_style("article-text--meta")
        yield (
            self._marked(literal(one_line(article.title), self.get_component_rich_style("article-text--title"))),
            False,
        )
        byline = " · ".join(one_line(v) for v in (article.source, article.author) if v)
        if byline:
            yield literal(byline, meta), False
        when = (
            local_display(article.published, "%A %d %B %Y, %H:%M", date_only=article.date_only)
            if article.published
            else "date unknown"
        )
        yield literal(when, meta), False
        if article.url:
            yield literal(one_line(article.url), meta + Style(underline=True)), False
        if state.tags:
            yield tag_chips(state.tags), False
        standfirst = article.standfirst()  # not when the body opens with it: shown once
        if standfirst:
            yield self._marked(literal(standfirst, self.get_component_rich_style("article-text--summary"))), True
        for chunk, starts_paragraph in body_chunks(article.body):
            yield self._marked(literal(chunk)), starts_paragraph
        if article.links:  # numbered as the body marks them ([1]), as newsboat lists them
            yield literal("Links", self.get_component_rich_style("article-text--title")), True
            for number, link in enumerate(article.links, start=1):
                yield literal(f"[{number}] {one_line(link)}", meta), False

    def _restart(self) -> None:
        self._lines = []
        self.match_lines = []
        self.current_match = None
        self._pending = self._blocks()
        self._width = self.scrollable_content_region.width
        self._extend(max(self.size.height, 24) * 2)
        self.refresh()

    def _extend(self, wanted: int) -> None:
        """Wrap more blocks until `wanted` lines exist or the article ends."""
        if self._pending is None or self._width <= 0:
            return
        console = self.app.console
        base = self.rich_style
        match = self.get_component_rich_style("article-text--match") if self._highlighter is not None else None
        while len(self._lines) < wanted:
            block = next(self._pending, None)
            if block is None:
                self._pending = None
                break
            text, gap = block
            if gap and self._lines:
                self._lines.append(Strip.blank(self._width, base))
            for line in text.wrap(console, self._width, overflow="fold"):
                if match is not None and any(span.style == match for span in line.spans):
                    self.match_lines.append(len(self._lines))
                # Text.render leaves the line's own style to the caller.
                line_style = base + console.get_style(line.style) if line.style else base
                segments = [
                    Segment(s.text, line_style + s.style if s.style else line_style) for s in line.render(console)
                ]
                self._lines.append(Strip(segments).adjust_cell_length(self._width, base))
        more = 1 if self._pending is not None else 0
        self.virtual_size = Size(self._width, len(self._lines) + more)

    @property
    def fully_wrapped(self) -> bool:
        return self._pending is None

    def plain_lines(self) -> list[str]:
        """What the pane has wrapped so far, as text (for tests and copy)."""
        return [strip.text.rstrip() for strip in self._lines]

    # -- drawing --------------------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._width:
            self._restart()

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        if index >= len(self._lines) - self.size.height and self._pending is not None:
            self._extend(index + self.size.height * 3)
        if index < len(self._lines):
            return self._lines[index]
        return Strip.blank(self.scrollable_content_region.width, self.rich_style)

    def action_page_down(self) -> None:
        self._extend(round(self.scroll_y) + self.size.height * 3)
        super().action_page_down()

    def action_scroll_down(self) -> None:
        self._extend(round(self.scroll_y) + self.size.height * 3)
        super().action_scroll_down()

    # -- search matches -------------------------------------------------------------------------
    MATCH_CONTEXT = 2
    """Lines shown above a match jumped to."""

    def _match_reference(self) -> int:
        """The line n/N move from: the match jumped to while it is on screen, else the top."""
        top = round(self.scroll_y)
        current = self.current_match
        if current is not None and top <= current < top + self.size.height:
            return current
        return top + self.MATCH_CONTEXT - 1

    def action_next_match(self) -> None:
        reference = self._match_reference()
        while True:
            after = [line for line in self.match_lines if line > reference]
            if after or self._pending is None:
                break
            self._extend(len(self._lines) + max(self.size.height, 24) * 10)
        if after:
            self._jump(after[0])
        elif self._highlighter is not None:
            self.notify("No more matches below.", timeout=2)

    def action_prev_match(self) -> None:
        reference = self._match_reference() + (0 if self.current_match is not None else 1)
        before = [line for line in self.match_lines if line < reference]
        if before:
            self._jump(before[-1])
        elif self._highlighter is not None:
            self.notify("No more matches above.", timeout=2)

    def _jump(self, line: int) -> None:
        self.current_match = line
        self._extend(line + self.size.height * 2)
        self.scroll_to(y=max(line - self.MATCH_CONTEXT, 0), animate=False, immediate=True)

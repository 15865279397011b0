"""The fast reading of plain feed HTML (articles.sanitize.simple_html_to_text_and_links) gives
exactly the text and links html.parser's reading gives (parsed_html_to_text_and_links), or
declines; with links or without."""

from __future__ import annotations

import random

import orjson
import pytest

from articles.sanitize import (
    html_to_text,
    html_to_text_and_links,
    parsed_html_to_text,
    parsed_html_to_text_and_links,
    simple_html_to_text,
    simple_html_to_text_and_links,
)
from newsdesk_testing import shared_path

CASES = [
    "<p>One <b>two</b> three.</p><p>Four &amp; five&nbsp;six</p>",
    "<div class=\"a>b\" data-x='y'>Text</div>",
    "Line<br>break<br/>and<br />more",
    "<ul><li>one</li><li>two</li></ul>",
    "<table><tr><td>a</td><th>b</th></tr></table>",
    "<p/>self-closed block<hr/>and hr<hr>open",
    "<p class=x/>unquoted then slash</p>",
    "<a href=x>link</a> <img src=y alt=z> tail &#8212; &#x2014; &bogus; &amp",
    "<P>Upper <BR>case</P>",
    "a < b and c > d",
    "<!-- comment --><p>after</p>",
    "<script>var x = '<p>';</script><p>visible</p>",
    "<style>p{}</style>text",
    "<pre>  keep   spaces\n</pre>",
    "<textarea><b>raw</b></textarea>",
    "<title>t <b>x</b></title>",
    "text <b",
    "<my-tag>custom</my-tag>",
    "<p\n  class='multi\nline'\n>wrapped</p>",
    "\u00a0\u2003spaces\u3000and\ttabs\n\n\n\nlines",
    "<nav>menu</nav><p>body</p>",
    "<p>x</ p>",
    "</p>stray end<p>",
    "<input disabled/><input disabled >",
    "<a title=it's>odd</a>",
    "<br clear=all/>",
    "&lt;p&gt; escaped tags &lt;/p&gt;",
    '<p>See <a href="https://x.example/a?b=1&amp;c=2">the report</a> and <a href="/rel">more</a>.</p>',
    "<a HREF='mailto:desk@x.example'>mail</a> <a href=javascript:alert(1)>no</a> <a>none</a>",
    '<a href="" href="https://second.example/">empty first</a><a name=n href=https://x.example/>bare</a>',
    '<a href="https://x.example/">one</a> <a href="https://x.example/">same</a> </a> stray end',
    '<a href="https://x.example/"><a href="https://y.example/">nested</a> outer</a>',
    '<a href="https://x.example/"/>self-closed <a href = "https://y.example/" >spaced</a>',
    '<a href="page.html">relative</a> <a href="//cdn.example/x">scheme-relative</a> <a href="#top">top</a>',
    '<a href="https://x.example/&#x27;q&#39;">refs</a><a href="https://x.example/\u00e9">é</a>',
]


BASE = "https://news.example/section/story.html"


def agree(fragment: str) -> None:
    simple = simple_html_to_text(fragment)
    if simple is not None:
        assert simple == parsed_html_to_text(fragment), fragment
    assert html_to_text(fragment) == parsed_html_to_text(fragment), fragment
    for base in (None, BASE):
        parsed = parsed_html_to_text_and_links(fragment, base=base)
        with_links = simple_html_to_text_and_links(fragment, base=base)
        if with_links is not None:
            assert with_links == parsed, (fragment, base)
        assert html_to_text_and_links(fragment, base=base) == parsed, (fragment, base)


@pytest.mark.parametrize("fragment", CASES)
def test_the_two_readings_agree_on_tricky_fragments(fragment: str) -> None:
    agree(fragment)


def test_plain_feed_html_takes_the_fast_reading() -> None:
    assert simple_html_to_text(CASES[0]) == "One two three.\n\nFour & five six"
    assert simple_html_to_text(CASES[11]) is None  # a script: the parser's job
    assert simple_html_to_text_and_links(CASES[27], base=BASE) == (
        "See the report[1] and more[2].",
        ("https://x.example/a?b=1&c=2", "https://news.example/rel"),
    )


def test_feed_bodies_with_links_take_the_fast_reading() -> None:
    """The shared feeds' bodies with links are read without html.parser, most of them."""
    bodies = [body for body in feed_bodies() if "<a " in body]
    fast = [body for body in bodies if simple_html_to_text_and_links(body, base=BASE) is not None]
    assert bodies and len(fast) * 2 > len(bodies)


PIECES = [
    "<p>", "</p>", "<div class='c'>", "</div>", "<br>", "<br/>", "<li>", "</li>", "<td>", "<b>", "</b>",
    "<a href=\"https://x.example/?a=1&b=2\">", "</a>", "<img src=x alt=\"a > b\">", "<hr>", "<h2 id=t>",
    "</h2>", "<script>", "</script>", "<pre>", "</pre>", "<!--", "-->", "<", ">", "&amp;", "&nbsp;",
    "&#39;", "&", ";", " ", "  ", "\n", "\t", "\u00a0", "word", "Wörter", "'", '"', "=", "/", "<p/>",
    "<P CLASS=Y>", "</ul >", "<x-y>", "\r\n", "<a href='/x?a=1&amp;b'>", "<a HREF=https://y.example/>",
    "<a href=\"mailto:m@x.example\">", "<a href=\"\">", "<a>", "<a href=\"javascript:x\">", "<a/>", "[1]",
]


def test_the_two_readings_agree_on_random_fragments() -> None:
    rng = random.Random(18)
    for _ in range(4000):
        agree("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))))


def feed_bodies() -> list[str]:
    """Every HTML body of the shared sample feeds: CDATA sections, and JSONL values with a `<`."""
    found: list[str] = []
    for path in sorted(shared_path("feeds").rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        found += [chunk.split("]]>")[0] for chunk in text.split("<![CDATA[")[1:]]
        if path.suffix == ".jsonl":
            for line in text.splitlines()[:200]:
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(record, dict):
                    found += [v for v in record.values() if isinstance(v, str) and "<" in v]
    return found


def test_the_two_readings_agree_on_feed_bodies() -> None:
    """Every HTML body of the shared sample feeds."""
    bodies = feed_bodies()
    for body in bodies:
        agree(body)
    assert bodies


def test_collapse_spaces_is_the_regex() -> None:
    import re
    import sys

    from articles.sanitize import collapse_spaces

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    rng = random.Random(3)
    for _ in range(20000):
        text = "".join(rng.choice([*spaces, "a", "é"]) for _ in range(rng.randint(0, 10)))
        assert collapse_spaces(text) == re.sub(r"\s+", " ", text), repr(text)


def reference_clean_text(text: str) -> str:
    """clean_text as regexes alone (what it was before its str-method shortcuts)."""
    import re

    from articles.sanitize import strip_controls

    folded = strip_controls(text)
    folded = re.sub(r"[ \t\u00a0]{2,}|[\t\u00a0]", " ", folded)
    folded = re.sub(r" +\n *| *\n +", "\n", folded)
    folded = re.sub(r"\n\n\n+", "\n\n", folded)
    return folded.strip()


def test_clean_text_is_the_regexes() -> None:
    from articles.sanitize import clean_text

    rng = random.Random(5)
    alphabet = [" ", " ", "\n", "\t", "\u00a0", "\r", "a", "b", "\x1b", "\u2003"]
    for _ in range(30000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
        assert clean_text(text) == reference_clean_text(text), repr(text)
        once = reference_clean_text(text)
        assert reference_clean_text(once) == once, repr(text)  # idempotent: clean_text passes its result through
        assert clean_text((once + "\x00")[:-1]) == once, repr(text)  # equal, but not the object it returned


def test_feeds_and_wikinews_import_the_same_without_the_fast_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole imports of the shared feeds (HTML in CDATA and escaped, links resolved against each
    item's url) and of Wikinews: every article the same when html.parser reads every body."""
    from articles import sanitize
    from articles.importers import read_source
    from articles.model import Article

    def articles() -> list[Article]:
        found = [*read_source(str(shared_path("feeds"))), *read_source(str(shared_path("wikinews")))]
        return [a.with_changes(fetched=None) for a in found if isinstance(a, Article)]

    fast = articles()
    monkeypatch.setattr(sanitize, "simple_html_to_text_and_links", lambda *args, **kwargs: None)
    assert articles() == fast
    assert sum(1 for a in fast if a.links) >= 5

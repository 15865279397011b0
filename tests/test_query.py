"""The search language parser: precedence, fields, dates in local days, and pointed errors."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.search.query import (
    And,
    DateRange,
    Everything,
    Flag,
    Match,
    Not,
    Or,
    Phrase,
    QueryError,
    Term,
    fold,
    parse_query,
    words_of,
)

NOW = datetime(2026, 11, 25, 15, 30, tzinfo=UTC)


def node(text: str):  # type: ignore[no-untyped-def]
    return parse_query(text, now=NOW, zone=UTC).node


def ts(*args: int, zone: timezone = UTC) -> float:
    return datetime(*args, tzinfo=zone).timestamp()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Everything()),
        ("   ", Everything()),
        ("Zürich", Term("zurich")),
        ("a b", And((Term("a"), Term("b")))),
        ("a AND b", And((Term("a"), Term("b")))),
        ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
        ("a OR b c", Or((Term("a"), And((Term("b"), Term("c")))))),
        ("a (b OR c)", And((Term("a"), Or((Term("b"), Term("c")))))),
        ("NOT a b", And((Not(Term("a")), Term("b")))),
        ("-a", Not(Term("a"))),
        ("NOT NOT a", Term("a")),
        ("a -b", And((Term("a"), Not(Term("b"))))),
        ("a and b or not c", And((Term("a"), Term("and"), Term("b"), Term("or"), Term("not"), Term("c")))),
        ('"tel aviv"', Phrase(("tel", "aviv"))),
        ("Tel-Aviv", Phrase(("tel", "aviv"))),
        ("fran*", Term("fran", prefix=True)),
        ("title:Harbour", Term("harbour", "title")),
        ('title:"new harbour"', Phrase(("new", "harbour"), "title")),
        ('source:"Meridian Wire"', Phrase(("meridian", "wire"), "source")),
        ("url:example.org/a", Match("url", "example.org/a")),
        ('tag:"to read"', Match("tag", "to read")),
        ("tag:Energy", Match("tag", "Energy")),
        ('person:"Ying Yong"', Match("person", "Ying Yong")),
        ("org:Mobileye place:Israel", And((Match("org", "Mobileye"), Match("place", "Israel")))),
        ("lang:de", Match("lang", "de")),
        ("id:3f2a9c", Match("id", "3f2a9c")),
        ("is:unread", Flag("unread")),
        ("has:entities -is:read", And((Flag("entities"), Not(Flag("read"))))),
        ("10:30", Phrase(("10", "30"))),
        ("市长表示", Phrase(("市", "长", "表", "示"))),
    ],
)
def test_parses(text: str, expected: object) -> None:
    assert node(text) == expected


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("date:2024-06-05", ts(2024, 6, 5), ts(2024, 6, 6)),
        ("date:2024-06", ts(2024, 6, 1), ts(2024, 7, 1)),
        ("date:2024-12", ts(2024, 12, 1), ts(2025, 1, 1)),
        ("date:2024", ts(2024, 1, 1), ts(2025, 1, 1)),
        ("date:2024-06-01..2024-06-30", ts(2024, 6, 1), ts(2024, 7, 1)),
        ("date:2024-06-01..", ts(2024, 6, 1), None),
        ("date:..2024-06-30", None, ts(2024, 7, 1)),
        ("after:2024-06-01", ts(2024, 6, 1), None),
        ("before:2024-06-01", None, ts(2024, 6, 1)),
        ("date:7d", ts(2026, 11, 18), ts(2026, 11, 26)),
        ("after:2w", ts(2026, 11, 11), None),
        ("date:today", ts(2026, 11, 25), ts(2026, 11, 26)),
    ],
)
def test_dates_are_local_days(text: str, start: float | None, end: float | None) -> None:
    assert node(text) == DateRange(start, end)


def test_dates_follow_the_users_zone() -> None:
    tokyo = timezone(timedelta(hours=9))
    parsed = parse_query("date:2024-06-05", now=NOW, zone=tokyo).node
    assert parsed == DateRange(ts(2024, 6, 5, zone=tokyo), ts(2024, 6, 6, zone=tokyo))
    assert parsed.start == ts(2024, 6, 4, 15)  # 00:00 in Tokyo is 15:00 UTC the day before


@pytest.mark.parametrize(
    ("text", "sort"),
    [
        ("", "new"),
        ("harbour", "rel"),
        ("tag:x", "new"),
        ("harbour sort:old", "old"),
        ("sort:rel", "rel"),
        ("NOT harbour", "new"),
    ],
)
def test_sort(text: str, sort: str) -> None:
    assert parse_query(text, now=NOW, zone=UTC).sort == sort


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ('harbour "new port', "unbalanced quote", 8),
        ("(a OR b", "'(' without ')'", 0),
        ("a OR b)", "')' without '('", 6),
        ("()", "empty parentheses", 0),
        ("colour:red", "unknown field 'colour:'", 0),
        ("a colour:red", "unknown field", 2),
        ("date:yesterweek", "bad date", 0),
        ("date:2024-13-01", "bad date", 0),
        ("date:2024-06-30..2024-06-01", "ends before it starts", 0),
        ("is:bold", "unknown is:bold", 0),
        ("sort:random", "unknown sort:random", 0),
        ("a OR", "OR needs something on its right", 2),
        ("OR a", "OR needs something on its left", 0),
        ("a AND", "AND needs something on its right", 2),
        ("NOT", "NOT needs something to negate", 0),
        ("tag:", "needs a value", 4),
        ("*", "prefix needs", 0),
    ],
)
def test_malformed_queries_point_at_the_problem(text: str, message: str, position: int) -> None:
    with pytest.raises(QueryError) as raised:
        parse_query(text, now=NOW, zone=UTC)
    assert message in raised.value.message
    assert raised.value.position == position
    assert raised.value.pointer().splitlines()[1].index("^") == position + 2


def test_folding_and_words() -> None:
    assert fold("ÉCOLE Straße") == "ecole strasse"
    assert words_of("Tel-Aviv, 2024!") == ["tel", "aviv", "2024"]
    assert words_of("São Paulo") == ["sao", "paulo"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab cAND ORNOT()"-*:tagdte0123456789.zü市')), max_size=40))
def test_the_parser_never_crashes(text: str) -> None:
    try:
        parsed = parse_query(text, now=NOW, zone=UTC)
    except QueryError as exc:
        assert 0 <= exc.position <= len(text)
    else:
        assert parsed.sort in ("new", "old", "rel")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_the_parser_never_crashes_on_any_text(text: str) -> None:
    with contextlib.suppress(QueryError):  # a QueryError is a fine answer; anything else is not
        parse_query(text, now=NOW, zone=UTC)

"""Saved views and search history in the store; highlighting spans."""

from __future__ import annotations

import pytest

from store import Highlighter, NewsStore, QueryError, ViewError, parse_query


def spans(query: str, text: str) -> list[str]:
    return [text[a:b] for a, b in Highlighter(parse_query(query)).spans(text)]


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("zurich", "Banks of Zürich and ZURICH.", ["Zürich", "ZURICH"]),
        ("zurich", "Zu\u0308rich decomposed", ["Zu\u0308rich"]),
        ('"tel aviv"', "From Tel-Aviv to Tel Aviv; tel, then aviv", ["Tel-Aviv", "Tel Aviv"]),
        ("transp*", "Transport and transparency, not trans", ["Transport", "transparency"]),
        ("tel-av*", "Tel-Aviv, tel avenue, avid tel", ["Tel-Aviv", "tel avenue"]),
        ("上海", "上海市长访问以色列, 海上", ["上海"]),
        ("flood -storm", "flood storm", ["flood"]),
        ("title:flood body:storm", "flood storm", ["flood", "storm"]),
        ("tag:flood is:unread", "flood", []),
        ("floods", "flood", []),
        ("a OR (b c)", "a b c d", ["a", "b", "c"]),
    ],
)
def test_highlight_spans(query: str, text: str, expected: list[str]) -> None:
    assert spans(query, text) == expected


def test_no_words_means_no_highlighter() -> None:
    assert not Highlighter(parse_query("tag:x is:unread after:7d"))
    assert Highlighter(parse_query("x"))


def test_views_save_rename_delete_and_persist(store: NewsStore) -> None:
    store.save_view("Climate", "tag:climate is:unread")
    store.save_view("  Trams  ", 'tram OR "crosstown line"')
    assert [(v.name, v.query) for v in store.saved_views()] == [
        ("Climate", "tag:climate is:unread"),
        ("Trams", 'tram OR "crosstown line"'),
    ]
    with pytest.raises(ViewError, match="exists already"):
        store.save_view("climate", "x")  # names compare case-insensitively
    store.save_view("climate", "flood", replace=True)
    with pytest.raises(QueryError):
        store.save_view("Bad", '"unbalanced')
    with pytest.raises(ViewError, match="needs a name"):
        store.save_view("   ", "x")
    with pytest.raises(ViewError, match="control"):
        store.save_view("a\x1b[31m", "x")
    store.rename_view("TRAMS", "Transit")
    with pytest.raises(ViewError, match="no view"):
        store.rename_view("Trams", "x")
    with pytest.raises(ViewError, match="exists already"):
        store.rename_view("Transit", "Climate")
    reopened = NewsStore(store.root)
    assert [(v.name, v.query) for v in reopened.saved_views()] == [
        ("climate", "flood"),
        ("Transit", 'tram OR "crosstown line"'),
    ]
    assert reopened.delete_view("CLIMATE") is True
    assert reopened.delete_view("climate") is False
    assert [v.name for v in store.saved_views()] == ["Transit"]  # the first handle sees it too
    reopened.close()


def test_search_history_is_deduplicated_and_bounded(store: NewsStore) -> None:
    for query in ["a", "b", "a", "  c  ", "", "c"]:
        store.add_search_history(query)
    assert store.search_history() == ["b", "a", "c"]
    for n in range(250):
        store.add_search_history(f"q{n}")
    history = store.search_history()
    assert len(history) == 200 and history[-1] == "q249" and history[0] == "q50"

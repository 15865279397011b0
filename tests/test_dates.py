"""Dates without a time are calendar days (issue 14, item 5): shown, matched and sorted as that day
in every zone; JSON records say `"date_only": true`.  And dates show their year when it is not
this year (item 14).  Real time zones throughout: CLI processes run with TZ set, the reader and
the store under a TZ set with time.tzset()."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from articles.dates import is_date_only, local_display, parse_published
from articles.importers import read_source
from articles.model import Article
from newsdesk_testing import REPO, index_behind, settle
from store import NewsStore
from tui.app import NewsdeskApp
from tui.widgets.article_list import ArticleList
from tui.widgets.article_text import ArticleText

DAY = "2011-10-06"
SetZone = Callable[[str], None]
RECORDS = [
    # A calendar day, between two timed neighbours that are on the same day or the days around
    # it depending on the zone.
    {"title": "Day only", "date": DAY, "url": "https://ex.org/day", "body": "A calendar day."},
    {"title": "Evening before", "date": "2011-10-05T22:00:00-04:00", "url": "https://ex.org/eve", "body": "Timed."},
    {"title": "Next morning", "date": "2011-10-07T01:00:00-04:00", "url": "https://ex.org/morn", "body": "Timed."},
]


def write_records(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def cli(store: Path, *args: str, zone: str) -> subprocess.CompletedProcess[str]:
    """The real command line, in its own process, in the time zone `zone`."""
    env = {**os.environ, "TZ": zone, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "--store", str(store), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


@pytest.fixture
def day_store(tmp_path: Path) -> Path:
    store = tmp_path / "s"
    done = cli(store, "import", "--no-entities", str(write_records(tmp_path / "d.jsonl", RECORDS)), zone="UTC")
    assert done.returncode == 0, done.stderr
    return store


@pytest.fixture
def zone() -> Iterator[SetZone]:
    """Set the process's time zone (TZ + tzset); put back UTC (conftest's) afterwards."""

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    os.environ["TZ"] = "UTC"
    time.tzset()


# -- parsing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "date_only"),
    [
        ("2011-10-06", True),
        (" 2011-10 ", True),
        (dt.date(2011, 10, 6), True),  # YAML front matter's `date: 2011-10-06`
        ("Thu, 06 Oct 2011", True),
        ("2011-10-06T00:00:00Z", False),
        ("2011-10-06 10:00", False),
        (dt.datetime(2011, 10, 6, tzinfo=dt.UTC), False),
        ("Thu, 06 Oct 2011 10:00:00 GMT", False),
        (1317859200, False),
    ],
)
def test_a_day_without_a_time_is_date_only(value: object, date_only: bool) -> None:
    parsed = parse_published(value)
    assert parsed.value is not None and parsed.value.startswith("2011-10")
    assert (parsed.date_only, is_date_only(value)) == (date_only, date_only)


def test_a_calendar_day_is_shown_as_that_day_in_every_zone(zone: SetZone) -> None:
    for name in ("America/New_York", "Pacific/Auckland", "Pacific/Niue", "Pacific/Kiritimati"):
        zone(name)
        assert local_display("2011-10-06T00:00:00+00:00", date_only=True) == DAY
        assert local_display("2011-10-06T00:00:00+00:00", "%A %d %B %Y, %H:%M", date_only=True) == (
            "Thursday 06 October 2011"
        )
    zone("America/New_York")
    assert local_display("2011-10-06T00:00:00+00:00") == "2011-10-05 20:00"  # an instant still moves


# -- importers ----------------------------------------------------------------------------------
def test_every_importer_flags_a_bare_date(tmp_path: Path) -> None:
    rss = tmp_path / "feed.xml"
    rss.write_text(
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        "<title>T</title><link>https://ex.org/</link>"
        "<item><title>dc date</title><link>https://ex.org/a</link><dc:date>2011-10-06</dc:date></item>"
        "<item><title>pubDate day</title><link>https://ex.org/b</link><pubDate>Thu, 06 Oct 2011</pubDate></item>"
        "<item><title>timed</title><link>https://ex.org/c</link>"
        "<pubDate>Thu, 06 Oct 2011 00:00:00 GMT</pubDate></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    atom = tmp_path / "atom.xml"
    atom.write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><id>urn:a</id>'
        "<entry><title>atom day</title><id>urn:a:1</id><updated>2011-10-06</updated></entry></feed>",
        encoding="utf-8",
    )
    json_feed = tmp_path / "feed.json"
    json_feed.write_text(
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "J",
                "items": [{"id": "1", "title": "json feed day", "content_text": "x", "date_published": DAY}],
            }
        ),
        encoding="utf-8",
    )
    markdown = tmp_path / "note.md"
    markdown.write_text("---\ntitle: front matter day\ndate: 2011-10-06\n---\n\nBody text.\n", encoding="utf-8")
    timed_md = tmp_path / "timed.md"
    timed_md.write_text("---\ntitle: front matter time\ndate: 2011-10-06 10:00\n---\n\nBody.\n", encoding="utf-8")
    records = write_records(tmp_path / "r.jsonl", RECORDS[:2])
    found = {
        a.title: (a.published, a.date_only)
        for path in (rss, atom, json_feed, markdown, timed_md, records)
        for a in read_source(str(path))
        if isinstance(a, Article)
    }
    midnight = "2011-10-06T00:00:00+00:00"
    assert found == {
        "dc date": (midnight, True),
        "pubDate day": (midnight, True),
        "timed": (midnight, False),  # a midnight with a time is an instant
        "atom day": (midnight, True),
        "json feed day": (midnight, True),
        "front matter day": (midnight, True),
        "front matter time": ("2011-10-06T10:00:00+00:00", False),
        "Day only": (midnight, True),
        "Evening before": ("2011-10-05T22:00:00-04:00", False),
    }


def test_a_page_keeps_its_time_or_its_day(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>Paragraph {i} of a report with enough words to count as its text.</p>" for i in range(8))

    def page(published: str) -> Article:
        path = tmp_path / "page.html"
        path.write_text(
            f"<html lang='en'><head><title>P</title><meta property='article:published_time' content='{published}'>"
            f"</head><body><article><h1>P</h1>{paragraphs}</article></body></html>",
            encoding="utf-8",
        )
        (article,) = [a for a in read_source(str(path)) if isinstance(a, Article)]
        return article

    timed = page("2024-05-01T08:30:00Z")
    assert (timed.published, timed.date_only) == ("2024-05-01T08:30:00+00:00", False)
    day = page("2024-05-01")
    assert (day.published, day.date_only) == ("2024-05-01T00:00:00+00:00", True)


# -- the command line, in real zones ------------------------------------------------------------
@pytest.mark.parametrize("zone_name", ["America/New_York", "Pacific/Auckland"])
def test_cli_shows_matches_and_sorts_a_calendar_day(day_store: Path, zone_name: str) -> None:
    listed = json.loads(cli(day_store, "list", "--json", zone=zone_name).stdout)
    by_title = {item["title"]: item for item in listed}
    day = by_title["Day only"]
    assert day["published"] == "2011-10-06T00:00:00+00:00" and day["date_only"] is True
    assert "date_only" not in by_title["Evening before"]  # only for such items
    shown = json.loads(cli(day_store, "show", day["id"], "--json", zone=zone_name).stdout)
    assert shown["published"] == "2011-10-06T00:00:00+00:00" and shown["date_only"] is True

    human = cli(day_store, "list", zone=zone_name).stdout.splitlines()
    (line,) = [row for row in human if "Day only" in row]
    assert f"  {DAY}        N " in line  # the day, no time, in the date column's 16 cells
    show = cli(day_store, "show", day["id"], zone=zone_name).stdout
    assert f"Date:   {DAY}\n" in show

    count = cli(day_store, "search", "--count", f"date:{DAY}", zone=zone_name)
    assert count.returncode == 0, count.stderr
    # New York: the evening before is 5 October there, the next morning 7 October.  Auckland
    # (UTC+13): the evening before is the 6th's afternoon, the next morning the 7th.
    expected = {"America/New_York": 1, "Pacific/Auckland": 2}[zone_name]
    assert int(count.stdout) == expected
    on_day = json.loads(cli(day_store, "search", "--json", f"date:{DAY}", zone=zone_name).stdout)
    assert "Day only" in [item["title"] for item in on_day]
    after = json.loads(cli(day_store, "search", "--json", f"after:{DAY}", zone=zone_name).stdout)
    before = json.loads(cli(day_store, "search", "--json", "before:2011-10-07", zone=zone_name).stdout)
    assert "Day only" in [i["title"] for i in after] and "Day only" in [i["title"] for i in before]
    assert int(cli(day_store, "search", "--count", "date:2011-10-05", "Day", zone=zone_name).stdout) == 0
    assert int(cli(day_store, "search", "--count", "date:2011-10-07", "Day", zone=zone_name).stdout) == 0

    # Sorted as its day, among timed neighbours: newest first, the day between the two.
    assert [item["title"] for item in listed] == ["Next morning", "Day only", "Evening before"]


def test_a_summer_day_in_winter_is_matched_with_its_own_offset(tmp_path: Path) -> None:
    """New York in December is UTC-5, but 6 October 2011 began at 04:00 UTC (EDT): an article at
    00:30 that day is shown on the 6th and must be found on the 6th (same class of bug: the
    date words took today's fixed offset for every day)."""
    records = [{"title": "Just after midnight", "date": "2011-10-06T00:30:00-04:00", "url": "https://ex.org/m"}]
    store = tmp_path / "s"
    imported = cli(store, "import", "--no-entities", str(write_records(tmp_path / "m.jsonl", records)), zone="UTC")
    assert imported.returncode == 0
    ny = "America/New_York"
    assert "2011-10-06 00:30" in cli(store, "list", zone=ny).stdout
    assert int(cli(store, "search", "--count", f"date:{DAY}", zone=ny).stdout) == 1
    assert int(cli(store, "search", "--count", "date:2011-10-05", zone=ny).stdout) == 0


def test_export_and_import_keep_the_calendar_day(day_store: Path, tmp_path: Path) -> None:
    exported = cli(day_store, "export", zone="America/New_York").stdout
    records = [json.loads(line) for line in exported.splitlines()]
    flags = {r["title"]: r.get("date_only") for r in records}
    assert flags == {"Day only": True, "Evening before": None, "Next morning": None}
    copy = tmp_path / "copy"
    exported_file = tmp_path / "export.jsonl"
    exported_file.write_text(exported, encoding="utf-8")
    assert cli(copy, "import", str(exported_file), zone="Pacific/Auckland").returncode == 0
    listed = json.loads(cli(copy, "list", "--json", zone="Pacific/Auckland").stdout)
    assert [(i["title"], i.get("date_only")) for i in listed] == [
        ("Next morning", None),
        ("Day only", True),
        ("Evening before", None),
    ]
    assert int(cli(copy, "search", "--count", f"date:{DAY}", "Day", zone="America/New_York").stdout) == 1


def test_reimport_sets_the_flag_and_a_day_that_gains_a_time_loses_it(tmp_path: Path) -> None:
    store = tmp_path / "s"
    # A record as stored before date_only existed: midnight UTC, no flag.
    old = [{"title": "Day only", "published": "2011-10-06T00:00:00+00:00", "url": "https://ex.org/day"}]
    assert cli(store, "import", str(write_records(tmp_path / "old.jsonl", old)), zone="UTC").returncode == 0
    ny = "America/New_York"
    assert int(cli(store, "search", "--count", f"date:{DAY}", zone=ny).stdout) == 0  # an instant
    again = [{"title": "Day only", "date": DAY, "url": "https://ex.org/day"}]
    done = cli(store, "import", "--json", str(write_records(tmp_path / "day.jsonl", again)), zone="UTC")
    assert json.loads(done.stdout)["updated"] == 1
    (item,) = json.loads(cli(store, "list", "--json", zone=ny).stdout)
    assert item["date_only"] is True
    assert int(cli(store, "search", "--count", f"date:{DAY}", zone=ny).stdout) == 1
    timed = [{"title": "Day only", "date": "2011-10-06T09:00:00Z", "url": "https://ex.org/day"}]
    assert cli(store, "import", str(write_records(tmp_path / "t.jsonl", timed)), zone="UTC").returncode == 0
    (item,) = json.loads(cli(store, "list", "--json", zone=ny).stdout)
    assert "date_only" not in item and item["published"] == "2011-10-06T09:00:00+00:00"
    shown = json.loads(cli(store, "show", item["id"], "--json", zone=ny).stdout)
    assert "date_only" not in shown


# -- the store: the full-text index and the articles it has not caught up with ------------------
def day_articles() -> list[Article]:
    day, evening = "2011-10-06T00:00:00+00:00", "2011-10-06T02:00:00+00:00"
    return [
        Article.create(title="Day only", body="harbour", url="https://ex.org/day", published=day, date_only=True),
        Article.create(title="Evening before", body="harbour", url="https://ex.org/eve", published=evening),
    ]


@pytest.mark.parametrize("behind", [False, True])
def test_store_matches_a_day_in_the_index_and_outside_it(store: NewsStore, zone: SetZone, behind: bool) -> None:
    store.add_articles(day_articles())
    assert store.sync_text()
    for name, titles in (
        ("America/New_York", ["Day only"]),
        ("Pacific/Auckland", ["Evening before", "Day only"]),
        ("Pacific/Kiritimati", ["Evening before", "Day only"]),  # UTC+14: the day's key is the 7th there
        ("Pacific/Niue", ["Day only"]),  # UTC-11: the day's key is the 5th there
    ):
        zone(name)
        for query, expected in (
            (f"date:{DAY}", titles),
            (f"harbour date:{DAY}", titles),
            (f"date:{DAY}..{DAY}", titles),
            (f"harbour -date:{DAY}", [t for t in ("Day only", "Evening before") if t not in titles]),
            ("date:2011-10", ["Day only", "Evening before"]),
        ):
            if behind:
                with index_behind(store, 2):
                    found = store.search(query + " sort:new")
            else:
                found = store.search(query + " sort:new")
            assert sorted(i.title for i in found.items) == sorted(expected), (name, query)
        assert store.search(f"Day date:{DAY}").items[0].date_only


# -- the reader ---------------------------------------------------------------------------------
def rendered(listing: ArticleList, row: int) -> str:
    return "".join(segment.text for segment in listing.render_line(row))


async def test_reader_shows_the_calendar_day_in_new_york(store: NewsStore, zone: SetZone) -> None:
    zone("America/New_York")
    store.add_articles(day_articles())
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        rows = [rendered(listing, 0), rendered(listing, 1)]
        assert "2011-10-06       " in rows[0] and "Day only" in rows[0]  # the day, no time
        assert "2011-10-05 22:00" in rows[1] and "Evening before" in rows[1]
        view = app.screen.query_one(ArticleText)
        assert "Thursday 06 October 2011" in view.plain_lines()
        await pilot.press("j")
        await settle(pilot)
        assert "Wednesday 05 October 2011, 22:00" in view.plain_lines()


async def test_list_at_80_columns_shows_the_year_of_a_past_date(store: NewsStore) -> None:
    this_year = dt.datetime.now(dt.UTC).year
    store.add_articles(
        [
            Article.create(title="This year", url="https://ex.org/now", published=f"{this_year}-01-02T10:00:00+00:00"),
            Article.create(title="Past year", url="https://ex.org/old", published="2022-12-17T10:00:00+00:00"),
        ]
    )
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        rows = [rendered(listing, i) for i in range(2)]
        assert "Jan 02 " in rows[0] and str(this_year) not in rows[0]
        assert "Dec 17 2022" in rows[1]  # not "Dec 17", which reads as a date to come
        # The date column is as wide in every row, so the titles line up.
        assert rows[0].index("This year") == rows[1].index("Past year")
    app = NewsdeskApp(store, read_delay=3600)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        listing = app.screen.query_one(ArticleList)
        rows = [rendered(listing, i) for i in range(2)]
        assert "Jan 02 10:00" in rows[0]
        assert "Dec 17  2022" in rows[1]  # as ls -l: the year where this year's dates have a time
        assert rows[0].index("This year") == rows[1].index("Past year")


async def test_list_shows_a_past_calendar_day_with_its_year_and_no_time(store: NewsStore, zone: SetZone) -> None:
    zone("America/New_York")
    day = "2021-03-04T00:00:00+00:00"
    store.add_articles([Article.create(title="Past day", url="https://ex.org/d", published=day, date_only=True)])
    for size, shown in (((80, 24), "Mar 04 2021"), ((100, 24), "Mar 04  2021"), ((120, 24), "2021-03-04      ")):
        app = NewsdeskApp(store, read_delay=3600)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            row = rendered(app.screen.query_one(ArticleList), 0)
            assert shown in row and "Past day" in row, (size, row)


def test_histogram_months_are_local_and_a_day_keeps_its_month(store: NewsStore, zone: SetZone) -> None:
    """Same class of bug: the month bars counted UTC months, while the list shows local dates."""
    store.add_articles(
        [
            Article.create(title="Late", url="https://ex.org/late", published="2011-11-01T02:00:00+00:00"),
            Article.create(title="Day", url="https://ex.org/d1", published="2011-11-01T00:00:00+00:00", date_only=True),
        ]
    )
    zone("America/New_York")  # 02:00 UTC on 1 November is 22:00 on 31 October there
    assert store.histogram("") == [("2011-10", 1), ("2011-11", 1)]
    zone("Pacific/Auckland")
    assert store.histogram("") == [("2011-11", 2)]

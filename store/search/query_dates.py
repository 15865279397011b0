"""Date words of the search language as ranges of the user's local days."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo

from store.search.query_nodes import DateRange, QueryError

_RELATIVE = re.compile(r"^(\d{1,5})([dwmy])$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


class DateResolver:
    """Turns date words into local-day ranges.  `now` and the time zone are injectable; without a
    zone, days are the system's local days with their own offsets (a summer day in New York
    starts at 04:00 UTC even in winter, as the reader shows its times)."""

    def __init__(self, now: datetime | None = None, zone: tzinfo | None = None) -> None:
        self.zone = zone
        self.now = (now or datetime.now(zone)).astimezone(zone)
        self.query = ""

    def __call__(self, name: str, value: str, position: int) -> DateRange:
        def fail(message: str) -> QueryError:
            return QueryError(message, position, self.query)

        try:
            return self._resolve(name, value, fail)
        except QueryError:
            raise
        except (ValueError, OverflowError) as exc:
            raise fail(f"bad date {value!r}: {exc}") from None

    def _resolve(self, name: str, value: str, fail: Callable[[str], QueryError]) -> DateRange:
        if name == "date" and ".." in value:
            first, _, last = value.partition("..")
            start = self._span(first, fail)[0] if first else None
            end = self._span(last, fail)[1] if last else None
            if start is not None and end is not None and start >= end:
                raise fail(f"date range {value} ends before it starts")
            return self._range(start, end)
        start, end = self._span(value, fail)
        if name == "after":
            return self._range(start, None)
        if name == "before":
            return self._range(None, start)
        return self._range(start, end)

    def _range(self, first: date | None, end: date | None) -> DateRange:
        """[first, end) as local midnights, and as the UTC midnights date-only articles keep."""
        return DateRange(
            None if first is None else self._midnight(first),
            None if end is None else self._midnight(end),
            days=(
                None if first is None else self._midnight(first, UTC),
                None if end is None else self._midnight(end, UTC),
            ),
        )

    def _midnight(self, day: date, zone: tzinfo | None = None) -> float:
        zone = zone or self.zone
        if zone is None:
            # Not datetime.now().astimezone().tzinfo: that is today's fixed offset, which is an
            # hour off for every day on the other side of a daylight-saving change.
            return time.mktime(day.timetuple())  # tm_isdst -1: the C library finds the offset
        return datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()

    def _span(self, value: str, fail: Callable[[str], QueryError]) -> tuple[date, date]:
        """[start, end) of a day, month, year, or of the period since a relative date."""
        text = value.strip().lower()
        today = self.now.date()
        relative = _RELATIVE.match(text)
        try:
            if text in ("today", "yesterday"):
                day = today if text == "today" else today - timedelta(days=1)
                return day, day + timedelta(days=1)
            if relative:
                count, unit = int(relative.group(1)), relative.group(2)
                days = {"d": 1, "w": 7, "m": 30, "y": 365}[unit] * count
                # "7d": from the start of the local day 7 days ago up to now (and beyond).
                return today - timedelta(days=days), today + timedelta(days=1)
            if match := _DAY.match(text):
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                return day, day + timedelta(days=1)
            if match := _MONTH.match(text):
                year, month = int(match.group(1)), int(match.group(2))
                first = date(year, month, 1)
                following = date(year + (month == 12), month % 12 + 1, 1)
                return first, following
            if match := _YEAR.match(text):
                year = int(match.group(1))
                return date(year, 1, 1), date(year + 1, 1, 1)
        except (ValueError, OverflowError) as exc:
            raise fail(f"bad date {value!r}: {exc}") from None
        raise fail(f"bad date {value!r} (use 2024-06-05, 2024-06, 2024, 7d, 2w, 3m, 1y, today, yesterday)")

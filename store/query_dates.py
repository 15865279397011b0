"""Date words of the search language as ranges of the user's local days."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo

from store.query_nodes import DateRange, QueryError

_RELATIVE = re.compile(r"^(\d{1,5})([dwmy])$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


class DateResolver:
    """Turns date words into local-day ranges.  `now` and the time zone are injectable."""

    def __init__(self, now: datetime | None = None, zone: tzinfo | None = None) -> None:
        self.zone = zone or datetime.now().astimezone().tzinfo
        self.now = (now or datetime.now(self.zone)).astimezone(self.zone)
        self.query = ""

    def __call__(self, name: str, value: str, position: int) -> DateRange:
        def fail(message: str) -> QueryError:
            return QueryError(message, position, self.query)

        if name == "date" and ".." in value:
            first, _, last = value.partition("..")
            start = self._span(first, fail)[0] if first else None
            end = self._span(last, fail)[1] if last else None
            if start is not None and end is not None and start >= end:
                raise fail(f"date range {value} ends before it starts")
            return DateRange(start, end)
        start, end = self._span(value, fail)
        if name == "after":
            return DateRange(start, None)
        if name == "before":
            return DateRange(None, start)
        return DateRange(start, end)

    def _midnight(self, day: date) -> float:
        return datetime(day.year, day.month, day.day, tzinfo=self.zone).timestamp()

    def _span(self, value: str, fail: Callable[[str], QueryError]) -> tuple[float, float]:
        """[start, end) of a day, month, year, or of the period since a relative date."""
        text = value.strip().lower()
        today = self.now.date()
        relative = _RELATIVE.match(text)
        try:
            if text in ("today", "yesterday"):
                day = today if text == "today" else today - timedelta(days=1)
                return self._midnight(day), self._midnight(day + timedelta(days=1))
            if relative:
                count, unit = int(relative.group(1)), relative.group(2)
                days = {"d": 1, "w": 7, "m": 30, "y": 365}[unit] * count
                # "7d": from the start of the local day 7 days ago up to now (and beyond).
                return self._midnight(today - timedelta(days=days)), self._midnight(today + timedelta(days=1))
            if match := _DAY.match(text):
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
                return self._midnight(day), self._midnight(day + timedelta(days=1))
            if match := _MONTH.match(text):
                year, month = int(match.group(1)), int(match.group(2))
                first = date(year, month, 1)
                following = date(year + (month == 12), month % 12 + 1, 1)
                return self._midnight(first), self._midnight(following)
            if match := _YEAR.match(text):
                year = int(match.group(1))
                return self._midnight(date(year, 1, 1)), self._midnight(date(year + 1, 1, 1))
        except (ValueError, OverflowError) as exc:
            raise fail(f"bad date {value!r}: {exc}") from None
        raise fail(f"bad date {value!r} (use 2024-06-05, 2024-06, 2024, 7d, 2w, 3m, 1y, today, yesterday)")

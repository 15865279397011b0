"""Dates as docs/cli.md fixes them: RFC 3339 with an offset, midnight UTC for a bare date, UTC for no zone.

A date without a time ("2011-10-06", a YAML date, "Thu, 06 Oct 2011") is a calendar day, not an
instant: it is stored as midnight UTC with a `date_only` flag, and shown as that same day in
every zone (`local_display(..., date_only=True)`), never as the evening before in New York.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import NamedTuple

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_NUMERIC = re.compile(r"^-?\d+(?:\.\d+)?$")
# Accept "2024-06-05 10:00:00 +0200" and "…Z" forms that fromisoformat rejects on 3.11.
_SPACE_OFFSET = re.compile(r"\s+([+-]\d{2}):?(\d{2})$")

# RFC 822 without a time: "Thu, 06 Oct 2011", "6 Oct 2011".
_RFC822_DAY = re.compile(r"^(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})$")
# strftime directives of a time of day (with the separator before them), for date_part().
_TIME_PART = re.compile(r"(?:[\s,:.@]|T(?=%))*%[-_0^#]?[HIklMSpPfzZXrRT]")

# Earliest and latest years we accept; anything outside is a parse error, not a date.
_MIN_YEAR, _MAX_YEAR = 1800, 2200


def now_utc() -> datetime:
    """The current time, aware, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def format_rfc3339(moment: datetime) -> str:
    """RFC 3339 with an explicit offset; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.replace(microsecond=0).isoformat()


def _from_datetime(moment: datetime) -> str | None:
    if not (_MIN_YEAR <= moment.year <= _MAX_YEAR):
        return None
    return format_rfc3339(moment)


def from_struct_time(value: time.struct_time | None) -> str | None:
    """feedparser's *_parsed values are UTC struct_times."""
    if value is None:
        return None
    try:
        moment = datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return _from_datetime(moment)


class Published(NamedTuple):
    """A parsed publication date: RFC 3339 (or None), and whether the source gave only a day."""

    value: str | None
    date_only: bool = False


def is_date_only(value: object) -> bool:
    """True for a value that names a calendar day without a time of day: a `date` (YAML front
    matter's `date: 2011-10-06`), "2011-10-06", "2011-10", or RFC 822's "Thu, 06 Oct 2011"."""
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(_DATE_ONLY.match(text) or _YEAR_MONTH.match(text) or _RFC822_DAY.match(text))


def parse_published(value: object) -> Published:
    """parse_date, and whether the value was a day without a time (docs/cli.md: `date_only`)."""
    parsed = parse_date(value)
    return Published(parsed, parsed is not None and is_date_only(value))


def calendar_day(rfc3339: str) -> str:
    """The stored form of a date-only value: midnight UTC of the calendar day `rfc3339` names in
    its own offset ("2011-10-06T00:00:00-04:00" is 6 October, not the 6th at 04:00 UTC)."""
    day = datetime.fromisoformat(rfc3339).date()
    return format_rfc3339(datetime(day.year, day.month, day.day, tzinfo=UTC))


def parse_date(value: object) -> str | None:
    """Parse the date-like values news carries (ISO 8601, RFC 822, epoch seconds) into RFC 3339."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _from_datetime(value)
    if isinstance(value, date):
        return _from_datetime(datetime(value.year, value.month, value.day, tzinfo=UTC))
    if isinstance(value, (int, float)):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if _NUMERIC.match(text):
        return _from_epoch(float(text))
    if match := _RFC822_DAY.match(text):
        try:
            day = datetime.strptime(" ".join(match.groups()), "%d %b %Y")  # noqa: DTZ007 - a day, set to UTC
        except ValueError:
            return None
        return _from_datetime(day.replace(tzinfo=UTC))
    if _YEAR_MONTH.match(text):
        text += "-01"
    if _DATE_ONLY.match(text):
        try:
            return _from_datetime(datetime.fromisoformat(text).replace(tzinfo=UTC))
        except ValueError:
            return None
    iso = _SPACE_OFFSET.sub(r"\1:\2", text)
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    try:
        return _from_datetime(datetime.fromisoformat(iso))
    except ValueError:
        pass
    try:
        return _from_datetime(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _from_epoch(seconds: float) -> str | None:
    if seconds > 1e11:  # milliseconds, as JavaScript exports write them
        seconds /= 1000.0
    try:
        return _from_datetime(datetime.fromtimestamp(seconds, UTC))
    except (OverflowError, ValueError, OSError):
        return None


def to_timestamp(rfc3339: str | None) -> float | None:
    """Seconds since the epoch for a stored RFC 3339 value."""
    if not rfc3339:
        return None
    try:
        return datetime.fromisoformat(rfc3339).timestamp()
    except ValueError:
        return None


def date_part(fmt: str) -> str:
    """A strftime format without its time of day: "%Y-%m-%d %H:%M" -> "%Y-%m-%d",
    "%A %d %B %Y, %H:%M" -> "%A %d %B %Y".  For a date-only item, which has no time to show."""
    return _TIME_PART.sub("", fmt).strip() or "%Y-%m-%d"


def local_moment(rfc3339: str | None, *, date_only: bool = False) -> datetime | None:
    """A stored timestamp as the reader shows it: in the user's local zone, or for a date-only
    value its calendar day (midnight, naive), the same in every zone.  None if unknown."""
    if not rfc3339:
        return None
    try:
        moment = datetime.fromisoformat(rfc3339)
    except ValueError:
        return None
    if date_only:
        day = moment.astimezone(UTC) if moment.tzinfo else moment
        return datetime(day.year, day.month, day.day)  # noqa: DTZ001 - a calendar day has no zone
    return moment.astimezone()


def local_display(rfc3339: str | None, fmt: str = "%Y-%m-%d %H:%M", *, date_only: bool = False) -> str:
    """A stored timestamp shown in the user's local time zone; a date-only one as its calendar
    day, with the time of day left out of `fmt`."""
    moment = local_moment(rfc3339, date_only=date_only)
    if moment is None:
        return ""
    return moment.strftime(date_part(fmt) if date_only else fmt)

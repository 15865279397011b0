"""Dates as CLI.md fixes them: RFC 3339 with an offset, midnight UTC for a bare date, UTC for no zone."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH = re.compile(r"^\d{4}-\d{2}$")
_NUMERIC = re.compile(r"^-?\d+(?:\.\d+)?$")
# Accept "2024-06-05 10:00:00 +0200" and "…Z" forms that fromisoformat rejects on 3.11.
_SPACE_OFFSET = re.compile(r"\s+([+-]\d{2}):?(\d{2})$")

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


def local_display(rfc3339: str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored timestamp shown in the user's local time zone."""
    if not rfc3339:
        return ""
    try:
        return datetime.fromisoformat(rfc3339).astimezone().strftime(fmt)
    except ValueError:
        return ""

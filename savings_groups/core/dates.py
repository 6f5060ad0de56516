"""One clock for the whole app: naive UTC datetimes for what is stored (the same in SQLite and
PostgreSQL), one today() for everything a person sees or checks, and the date helpers every area
shares."""

import calendar
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from savings_groups.core.errors import N_, DomainError
from savings_groups.core.vocabulary import MeetingFrequency

_zone: tzinfo | None = None  # the installation's zone; None is the machine's own


def configure(zone: str | None) -> None:
    """Set the installation's zone from its IANA name (the TIMEZONE setting, e.g. Africa/Dakar);
    None or "" keeps the machine's zone. A name that is no zone stops the app at start."""
    global _zone
    if not zone:
        _zone = None
        return
    try:
        _zone = ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise DomainError(
            N_("TIMEZONE must be a time zone name like Africa/Dakar, not “%(zone)s”."), zone=zone
        ) from None


def now() -> datetime:
    """The instant, in UTC: the one place the clock is read, so that tests can set it."""
    return datetime.now(UTC)


def utcnow() -> datetime:
    """The instant as the database stores it: naive UTC."""
    return now().astimezone(UTC).replace(tzinfo=None)


def today() -> date:
    """The installation's local day: every form default, every "not in the future" check and
    every "days late" uses it, so that a page never offers a day the domain refuses."""
    return now().astimezone(_zone).date()


def parse_date(value: date | str | None, field: str, required: bool = True) -> date | None:
    """A date object, or ISO text as a date input sends it; a clear message otherwise."""
    if isinstance(value, date):
        return value
    text = (value or "").strip()
    if not text:
        if required:
            raise DomainError(N_("Enter a date."), field=field)
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            N_("%(text)s is not a date: write it like 2026-01-31."), field=field, text=text
        ) from None


def add_periods(start: date, count: int, frequency: str) -> date:
    """`count` meeting periods after `start`: 7 or 14 days, or months (the day kept, or the
    last day of a shorter month). `frequency` is a MeetingFrequency value."""
    if frequency == MeetingFrequency.WEEKLY:
        return start + timedelta(weeks=count)
    if frequency == MeetingFrequency.FORTNIGHTLY:
        return start + timedelta(weeks=2 * count)
    if frequency != MeetingFrequency.MONTHLY:
        raise ValueError(f"{frequency!r} is not a meeting frequency")
    months = start.year * 12 + start.month - 1 + count
    year, month = divmod(months, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)

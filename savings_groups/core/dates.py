"""One clock for the whole app: naive UTC datetimes (the same in SQLite and PostgreSQL), the
one today(), and the date helpers every area shares."""

import calendar
from datetime import UTC, date, datetime, timedelta

from savings_groups.core.errors import N_, DomainError


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()


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
    if frequency == "weekly":
        return start + timedelta(weeks=count)
    if frequency == "fortnightly":
        return start + timedelta(weeks=2 * count)
    if frequency != "monthly":
        raise ValueError(f"{frequency!r} is not a meeting frequency")
    months = start.year * 12 + start.month - 1 + count
    year, month = divmod(months, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)

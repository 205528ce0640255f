"""Dates and numbers written for the current reader: "Mon 7 Dec" in English, "lun 7 dic" in Italian."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from app.i18n.reader import current_reader


def format_weekday(day: date) -> str:
    """The day of the week, short: "Mon", "lun"."""
    return format_date(day, "EEE", locale=current_reader().language)


def format_day(day: date, year: int, *, month: bool = True) -> str:
    """One day: "Mon 7 Dec" ("lun 7 dic"), with its year when it is not `year`; "Mon 7" without its month."""
    pattern = "EEE d" + (" MMM" + (" y" if day.year != year else "") if month else "")
    return format_date(day, pattern, locale=current_reader().language)


def format_span(first: date, last: date, year: int) -> str:
    """From `first` to `last`: "Mon 7 – Wed 9 Dec", the month and year said once when they are the same."""
    if first == last:
        return format_day(first, year)
    same_month = (first.year, first.month) == (last.year, last.month)
    first_year = last.year if first.year == last.year else year
    return f"{format_day(first, first_year, month=not same_month)} – {format_day(last, year)}"


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of days in a row: only a weekend may stand between two days of one run."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs:
            first, last = runs[-1]
            between = (last + timedelta(days=n) for n in range(1, (day - last).days))
            if all(d.weekday() >= 5 for d in between):
                runs[-1] = (first, day)
                continue
        runs.append((day, day))
    return runs


def format_days(days: Iterable[date], year: int) -> str:
    """Days as a person writes them: "Mon 7 – Wed 9 Dec, Fri 11 Dec", each run of working days in a row
    said as a span."""
    return ", ".join(format_span(first, last, year) for first, last in _runs(days))


def format_number(value: int | float | Decimal) -> str:
    """A number with the reader's separators: 1,234.5 in English, 1.234,5 in Italian."""
    return format_decimal(value, locale=current_reader().language)

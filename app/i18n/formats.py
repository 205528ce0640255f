"""Dates and numbers written for the current reader: "Mon 7 Dec" in English, "lun 7 dic" in Italian."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from app.domain.dates import days_text, span_text
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
    return span_text(first, last, year, format_day)


def format_days(days: Iterable[date], year: int) -> str:
    """Days as a person writes them: "Mon 7 – Wed 9 Dec, Fri 11 Dec", each run of working days in a row
    said as a span."""
    return days_text(days, year, format_day)


def format_number(value: int | float | Decimal) -> str:
    """A number with the reader's separators: 1,234.5 in English, 1.234,5 in Italian; at most three
    decimals, except for a Decimal (an amount of money), which is written with all of its own."""
    exact = isinstance(value, Decimal)
    return format_decimal(value, locale=current_reader().language, decimal_quantization=not exact)

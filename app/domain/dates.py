"""Days as people read them in Slack: "Mon 7 Dec", "Mon 7 – Wed 9 Dec", the year only when not `year`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Protocol


class DayWriter(Protocol):
    """How one day is written: `day_text`, or a reader's own language's version of it."""

    def __call__(self, day: date, year: int, *, month: bool = True) -> str: ...


def day_text(day: date, year: int, *, month: bool = True) -> str:
    """One day: "Mon 7 Dec", or "Mon 7 Dec 2027" when its year is not `year`; "Mon 7" without its month."""
    text = f"{day:%a} {day.day}"
    if month:
        text += f" {day:%b}" + (f" {day.year}" if day.year != year else "")
    return text


def span_text(first: date, last: date, year: int, write: DayWriter = day_text) -> str:
    """From `first` to `last`: "Mon 7 – Wed 9 Dec", the month and year said once when they are the same;
    each day written by `write`."""
    if first == last:
        return write(first, year)
    same_month = (first.year, first.month) == (last.year, last.month)
    first_year = last.year if first.year == last.year else year
    return f"{write(first, first_year, month=not same_month)} – {write(last, year)}"


def _runs(days: Iterable[date]) -> list[tuple[date, date]]:
    """Sorted days as runs of working days in a row (a weekend between them does not break a run)."""
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


def days_text(days: Iterable[date], year: int, write: DayWriter = day_text) -> str:
    """Days as a person writes them: "Mon 7 – Wed 9 Dec, Fri 11 Dec", the year only when it is not `year`;
    each day written by `write`."""
    return ", ".join(span_text(first, last, year, write) for first, last in _runs(days))

"""Working days: Monday to Friday, less the public holidays of a country (and subdivision) when one is set."""

from __future__ import annotations

import re
from datetime import date, timedelta

import holidays

_REGION = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z0-9]{1,10}))?$")
_SHOWN_SUBDIVISIONS = 12


def holiday_region(code: str) -> str:
    """`code` ("IT", "it-rm") as the `holidays` package names it ("IT", "IT-RM"); a ValueError that says
    what is wrong in plain words when it is not a country, or a subdivision of one, that the package knows."""
    match = _REGION.match(code.strip())
    if match is None:
        shape = "of two or three letters and an optional -subdivision"
        raise ValueError(f"'{code}' is not a country code {shape}")
    country, subdivision = match[1].upper(), (match[2] or "").upper()
    known = holidays.list_supported_countries()
    if country not in known:
        raise ValueError(f"'{code}' is not a country the holidays package knows")
    if subdivision and subdivision not in known[country]:
        some = ", ".join(known[country][:_SHOWN_SUBDIVISIONS])
        more = ", …" if len(known[country]) > _SHOWN_SUBDIVISIONS else ""
        listed = f"those of {country} are {some}{more}" if some else f"it knows none of {country}"
        raise ValueError(f"'{code}' is not a subdivision the holidays package knows; {listed}")
    return f"{country}-{subdivision}" if subdivision else country


def _language(known: tuple[str, ...], wanted: str | None) -> str | None:
    """The package's language for `wanted` ("it", "en-GB"), when it has one."""
    prefix = (wanted or "").replace("-", "_").split("_")[0].lower()
    return next((code for code in known if prefix and code.lower().startswith(prefix)), None)


class WorkingDays:
    """Monday to Friday, less the public holidays of `region` ("IT", "IT-RM"; none without one). Holiday
    names are in `language` ("en", "it") when the package has it, else in the country's own language."""

    def __init__(self, region: str | None = None, language: str | None = None) -> None:
        self.region = holiday_region(region) if region else None
        self._holidays: holidays.HolidayBase | None = None
        if self.region is not None:
            country, _, subdivision = self.region.partition("-")
            found = holidays.country_holidays(country, subdiv=subdivision or None)
            chosen = _language(found.supported_languages, language) or found.default_language
            self._holidays = holidays.country_holidays(country, subdiv=subdivision or None, language=chosen)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name (several joined by "; "), or None on a day that is not a public holiday."""
        return None if self._holidays is None else self._holidays.get(day)

    def is_working(self, day: date) -> bool:
        return day.weekday() < 5 and self.holiday_name(day) is None

    def working_days(self, start: date, end: date) -> list[date]:
        """The working days from `start` to `end`, both included."""
        return [day for day in _days(start, end) if self.is_working(day)]

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """The holidays from `start` to `end` that fall Monday to Friday, with their names: the days a range
        leaves out besides weekends."""
        named = ((day, self.holiday_name(day)) for day in _days(start, end) if day.weekday() < 5)
        return [(day, name) for day, name in named if name is not None]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


MONDAY_TO_FRIDAY = WorkingDays()

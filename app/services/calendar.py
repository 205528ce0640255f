"""Working days: Monday to Friday, less the public holidays of a country (and subdivision) when one is set."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from app.i18n import current_reader

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


@dataclass(frozen=True)
class HolidayName:
    """A public holiday's name (several holidays of one day joined by "; ") in each language the `holidays`
    package writes it in: pairs of the package's language code ("en_US", "it_IT") and the name, the
    country's own language first."""

    names: tuple[tuple[str, str], ...]

    def read_in(self, language: str | None = None) -> str:
        """The name in `language` ("en", "it"), by default the current reader's; in the country's own
        language when the package does not write it in that one."""
        wanted = language or current_reader().language
        chosen = _language(tuple(code for code, _ in self.names), wanted)
        return dict(self.names)[chosen] if chosen else self.names[0][1]

    def __str__(self) -> str:
        return self.read_in()


class WorkingDays:
    """Monday to Friday, less the public holidays of `region` ("IT", "IT-RM"; none without one). Holiday
    names are in `language` ("en", "it") when it is given and the package has it, else in the country's own
    language; without `language`, in the language of whoever reads them (`app.i18n.current_reader`)."""

    def __init__(self, region: str | None = None, language: str | None = None) -> None:
        self.region = holiday_region(region) if region else None
        self._by_language: dict[str, holidays.HolidayBase] = {}
        if self.region is not None:
            country, _, subdivision = self.region.partition("-")
            found = holidays.country_holidays(country, subdiv=subdivision or None)
            own = found.default_language
            if language is not None:
                languages = [_language(found.supported_languages, language) or own]
            else:
                languages = [own, *(code for code in found.supported_languages if code != own)]
            self._by_language = {
                code: holidays.country_holidays(country, subdiv=subdivision or None, language=code)
                for code in languages
                if code is not None
            } or {"": found}

    def holiday(self, day: date) -> HolidayName | None:
        """The holiday on `day` named in each language, or None on a day that is not a public holiday."""
        named = tuple((code, found.get(day)) for code, found in self._by_language.items())
        kept = tuple((code, name) for code, name in named if name is not None)
        return HolidayName(kept) if kept else None

    def holiday_name(self, day: date, language: str | None = None) -> str | None:
        """The holiday's name (several joined by "; ") in `language`, by default the calendar's language or
        else the current reader's; None on a day that is not a public holiday."""
        found = self.holiday(day)
        return None if found is None else found.read_in(language)

    def is_working(self, day: date) -> bool:
        own = next(iter(self._by_language.values()), None)
        return day.weekday() < 5 and (own is None or day not in own)

    def working_days(self, start: date, end: date) -> list[date]:
        """The working days from `start` to `end`, both included."""
        return [day for day in _days(start, end) if self.is_working(day)]

    def holidays_between(self, start: date, end: date, language: str | None = None) -> list[tuple[date, str]]:
        """The holidays from `start` to `end` that fall Monday to Friday, with their names (in `language`, as
        `holiday_name` says): the days a range leaves out besides weekends."""
        named = ((day, self.holiday_name(day, language)) for day in _days(start, end) if day.weekday() < 5)
        return [(day, name) for day, name in named if name is not None]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


MONDAY_TO_FRIDAY = WorkingDays()

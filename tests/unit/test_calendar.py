"""Working days: Monday to Friday, less the public holidays STAFFDESK_HOLIDAYS names."""

from __future__ import annotations

import re
from datetime import date

import pytest
from pydantic import ValidationError

from app.services.calendar import MONDAY_TO_FRIDAY, WorkingDays, holiday_region
from app.settings import Mode, Settings, SettingsError, load_settings

ITALY = WorkingDays("IT", language="it")


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 12, 8), "Immacolata Concezione"),
        (date(2026, 12, 25), "Natale"),
        (date(2026, 12, 26), "Santo Stefano"),
        (date(2027, 1, 6), "Epifania"),
        (date(2026, 12, 7), None),
    ],
)
def test_italys_holidays_are_named_in_italian_and_are_not_working_days(day: date, name: str | None) -> None:
    assert ITALY.holiday_name(day) == name
    assert ITALY.is_working(day) is (name is None and day.weekday() < 5)


def test_a_subdivision_adds_its_own_holidays() -> None:
    rome = WorkingDays("IT-RM", language="it")
    assert rome.holiday_name(date(2026, 6, 29)) == "Santi Pietro e Paolo"
    assert not rome.is_working(date(2026, 6, 29))
    assert ITALY.holiday_name(date(2026, 6, 29)) is None
    assert ITALY.is_working(date(2026, 6, 29))


def test_holiday_names_come_in_the_language_asked_for_when_the_package_has_it() -> None:
    assert WorkingDays("IT", language="en").holiday_name(date(2026, 12, 8)) == "Immaculate Conception"
    assert WorkingDays("IT", language="xx").holiday_name(date(2026, 12, 8)) == "Immacolata Concezione"


def test_without_a_country_the_working_days_are_monday_to_friday() -> None:
    assert MONDAY_TO_FRIDAY.region is None
    assert MONDAY_TO_FRIDAY.holiday_name(date(2026, 12, 25)) is None
    assert MONDAY_TO_FRIDAY.working_days(date(2026, 12, 4), date(2026, 12, 8)) == [
        date(2026, 12, 4),
        date(2026, 12, 7),
        date(2026, 12, 8),
    ]
    assert MONDAY_TO_FRIDAY.holidays_between(date(2026, 12, 1), date(2026, 12, 31)) == []


def test_a_range_skips_weekends_and_holidays_and_says_which_holidays_it_skipped() -> None:
    assert ITALY.working_days(date(2026, 12, 7), date(2026, 12, 11)) == [
        date(2026, 12, 7),
        date(2026, 12, 9),
        date(2026, 12, 10),
        date(2026, 12, 11),
    ]
    # Santo Stefano falls on a Saturday in 2026: a weekend, not a skipped holiday
    assert ITALY.holidays_between(date(2026, 12, 1), date(2026, 12, 31)) == [
        (date(2026, 12, 8), "Immacolata Concezione"),
        (date(2026, 12, 25), "Natale"),
    ]


@pytest.mark.parametrize(("code", "region"), [("IT", "IT"), ("it-rm", "IT-RM"), (" GB-SCT ", "GB-SCT")])
def test_a_country_code_is_named_as_the_package_names_it(code: str, region: str) -> None:
    assert holiday_region(code) == region
    assert WorkingDays(code).region == region


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("XX", "'XX' is not a country the holidays package knows"),
        ("ZZZ", "'ZZZ' is not a country the holidays package knows"),
        ("Italy", "'Italy' is not a country code of two or three letters and an optional -subdivision"),
        (
            "GB-XYZ",
            "'GB-XYZ' is not a subdivision the holidays package knows; those of GB are ENG, NIR, SCT, WLS",
        ),
        (
            "IT-ZZ",
            "'IT-ZZ' is not a subdivision the holidays package knows; those of IT are AG, AL, AN, AO, AP, "
            "AQ, AR, AT, AV, BA, BG, BI, …",
        ),
    ],
)
def test_a_code_the_package_does_not_know_is_refused_in_plain_words(code: str, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        holiday_region(code)


def test_the_setting_is_validated_and_its_problem_listed_at_start_up(clean_env: pytest.MonkeyPatch) -> None:
    assert load_settings(Mode.CHECK).staffdesk_holidays is None
    assert Settings(staffdesk_holidays="it-rm").staffdesk_holidays == "IT-RM"
    with pytest.raises(ValidationError):
        Settings(staffdesk_holidays="XX")
    clean_env.setenv("STAFFDESK_HOLIDAYS", "IT-ZZ")
    with pytest.raises(SettingsError) as raised:
        load_settings(Mode.CHECK)
    assert str(raised.value).splitlines()[1] == (
        "  - STAFFDESK_HOLIDAYS: 'IT-ZZ' is not a subdivision the holidays package knows; those of IT are "
        "AG, AL, AN, AO, AP, AQ, AR, AT, AV, BA, BG, BI, …; expected a country code, with a subdivision if "
        "wanted, such as IT or IT-RM."
    )

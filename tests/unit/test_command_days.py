"""Days in words inside a slash command's text, and the holidays a range skips."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.calendar import WorkingDays
from app.slack.blocks.inputs import Draft
from app.slack.forms import allocation_days
from app.slack.ids import Block
from app.slack.text import WHITELIST, AwayText, Prefill, parse_away, parse_command_text, working_days

TODAY = date(2026, 12, 1)  # a Tuesday
ITALY = WorkingDays("IT")
DAYS_LEFT = "so the days are left for you to fill in"
AMBIGUOUS = "“3/12” could be 3 December or 12 March; write the month in letters, such as “3 dec”"


def test_next_week_inside_the_command_is_its_monday_to_friday_and_the_project_keeps_its_words() -> None:
    prefill = parse_command_text("<@U0ANA> apollo next week 4h", TODAY)
    assert prefill == Prefill(
        user_id="U0ANA", project_words=("apollo",), start=date(2026, 12, 7), end=date(2026, 12, 11), hours=4
    )


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("apollo web dal 3 al 5 dicembre 4h", date(2026, 12, 3), date(2026, 12, 5)),
        ("apollo web mon to wed 4h", date(2026, 12, 7), date(2026, 12, 9)),
        ("apollo web 4h 3 december", date(2026, 12, 3), date(2026, 12, 3)),
        ("apollo web prossima settimana 4h", date(2026, 12, 7), date(2026, 12, 11)),
    ],
)
def test_a_phrase_of_days_anywhere_in_the_text_fills_the_days(text: str, start: date, end: date) -> None:
    prefill = parse_command_text(text, TODAY)
    assert (prefill.start, prefill.end, prefill.hours) == (start, end, 4)
    assert (prefill.project_words, prefill.unused, prefill.notes) == (("apollo", "web"), (), ())


def test_a_slash_date_is_read_in_the_users_locale_and_refused_without_one() -> None:
    assert parse_command_text("apollo 3/12", TODAY, locale="en-GB").start == date(2026, 12, 3)
    assert parse_command_text("apollo 12/3", TODAY, locale="en-US").start == date(2026, 12, 3)
    refused = parse_command_text("apollo 3/12", TODAY)
    assert (refused.start, refused.project_words, refused.notes) == (None, ("apollo",), (AMBIGUOUS,))


def test_a_weekend_in_words_is_refused_as_a_weekend_written_as_a_date_is() -> None:
    prefill = parse_command_text("apollo saturday", TODAY)
    assert (prefill.start, prefill.end) == (None, None)
    assert prefill.notes == (f"“saturday” has no working day (weekends are skipped), {DAYS_LEFT}",)


def test_a_holiday_is_not_a_working_day_of_the_command_and_the_note_names_it() -> None:
    holiday = parse_command_text("apollo 8 dec", TODAY, calendar=ITALY)
    assert (holiday.start, holiday.end) == (None, None)
    assert holiday.notes == (
        f"“8 dec” has no working day (Tue 8 Dec is a holiday: Immaculate Conception), {DAYS_LEFT}",
    )
    around = parse_command_text("apollo 25 dec to 27 dec", TODAY, calendar=ITALY)
    assert around.notes == (
        "“25 dec to 27 dec” has no working day (weekends are skipped; "
        f"Fri 25 Dec is a holiday: Christmas Day), {DAYS_LEFT}",
    )
    week = parse_command_text("apollo 7 dec to 11 dec", TODAY, calendar=ITALY)
    assert (week.start, week.end, week.notes) == (date(2026, 12, 7), date(2026, 12, 11), ())
    assert parse_command_text("apollo 8 dec", TODAY).start == date(2026, 12, 8)  # no holidays set


def test_a_second_phrase_and_a_form_without_days_are_said_back() -> None:
    prefill = parse_command_text("next week tomorrow", TODAY)
    assert (prefill.start, prefill.end) == (date(2026, 12, 7), date(2026, 12, 11))
    assert prefill.notes == ("“tomorrow” is left out: only the first days are used",)
    whitelist = parse_command_text("<@U0ANA> apollo dal 3 al 5 dicembre", TODAY, WHITELIST)
    assert (whitelist.project_words, whitelist.notes) == (
        ("apollo",),
        ("“dal 3 al 5 dicembre”: this form has no days",),
    )


def test_a_refused_phrase_is_one_note_and_its_words_are_not_taken_as_the_project() -> None:
    prefill = parse_command_text("apollo next friday 4h", TODAY)
    assert (prefill.project_words, prefill.start, prefill.hours) == (("apollo",), None, 4)
    assert prefill.notes == (
        "“next friday” could be Fri 4 Dec or Fri 11 Dec; write the date, such as “4 dec”",
    )


PIECES = st.sampled_from(
    ["<@U0ANA>", "apollo", "4h", "next week", "dal 3 al 5 dicembre", "mon to wed", "3/12", "8 dec", "??"]
)


@given(pieces=st.lists(PIECES, max_size=10))
def test_nothing_typed_is_dropped_when_days_are_in_words(pieces: list[str]) -> None:
    prefill = parse_command_text(" ".join(pieces), TODAY, calendar=ITALY)
    taken = [prefill.user_id is not None, prefill.start is not None, prefill.hours is not None]
    said = len(prefill.project_words) + len(prefill.unused) + len(prefill.others) + len(prefill.notes)
    assert sum(taken) + said == len(pieces)


def test_away_reads_days_in_words_and_says_why_it_refused_some() -> None:
    assert parse_away("<@U0ANA> next week", TODAY) == AwayText("U0ANA", date(2026, 12, 7), date(2026, 12, 11))
    assert parse_away("<@U0ANA> dal 3 al 5 dicembre", TODAY) == AwayText(
        "U0ANA", date(2026, 12, 3), date(2026, 12, 5)
    )
    assert parse_away("<@U0ANA> 3/12", TODAY, "en-GB").start == date(2026, 12, 3)
    assert parse_away("<@U0ANA> 3/12 soon", TODAY) == AwayText(
        "U0ANA", unused=("3/12", "soon"), notes=(AMBIGUOUS,)
    )
    assert parse_away("<@U0ANA> tomorrow next week", TODAY) == AwayText(
        "U0ANA", date(2026, 12, 2), date(2026, 12, 2), unused=("next week",)
    )


def test_a_range_in_the_form_skips_the_holidays_of_the_calendar() -> None:
    errors: dict[str, str] = {}
    week = Draft(start=date(2026, 12, 7), end=date(2026, 12, 11))
    assert allocation_days(week, errors, ITALY) == [date(2026, 12, d) for d in (7, 9, 10, 11)]
    assert allocation_days(week, errors) == [date(2026, 12, d) for d in (7, 8, 9, 10, 11)]
    assert errors == {}
    allocation_days(Draft(start=date(2026, 12, 8), end=date(2026, 12, 8)), errors, ITALY)
    assert errors == {Block.START: "Tue 8 Dec is a holiday (Immaculate Conception): pick working days."}
    assert working_days(date(2026, 12, 24), date(2026, 12, 28), ITALY) == [
        date(2026, 12, 24),
        date(2026, 12, 28),
    ]

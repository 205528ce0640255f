"""Reading a slash command's text: every word is a value, or said back as unused or refused."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.dates import span_text
from app.domain.requests import RequestKind
from app.slack.blocks.echo import command_echo_text
from app.slack.blocks.inputs import Choice, Draft
from app.slack.blocks.modals import build_allocation_modal
from app.slack.forms import read_draft
from app.slack.ids import NO_MATCH, Action, Block
from app.slack.metadata import ModalContext
from app.slack.prefill import echoed
from app.slack.text import PROJECT_PERSON, WHITELIST, Prefill, parse_command_text
from tests.unit.test_block_kit import check_view
from tests.unit.test_escaping import CHECKS, assert_only_own_markup, assert_posted_safely, words

TODAY = date(2026, 11, 23)  # a Monday
HOURS_RULE = "(hours are 1 to 8 a day), so hours are left for you to fill in"


def parse(text: str) -> Prefill:
    return parse_command_text(text, TODAY)


def test_junk_words_and_hours_over_eight_are_reported_and_the_hours_not_prefilled() -> None:
    prefill = parse("?? garbage 99h")
    assert prefill.hours is None
    assert prefill.unused == ("??",)
    assert prefill.project_words == ("garbage",)
    assert prefill.notes == (f"99 h is more than 8 {HOURS_RULE}",)


def test_a_date_that_does_not_exist_is_refused_and_not_prefilled() -> None:
    prefill = parse("2026-13-45")
    assert (prefill.start, prefill.end) == (None, None)
    assert prefill.notes == ("“2026-13-45” is not a date",)
    assert prefill.project_words == ()


def test_a_range_with_one_impossible_end_prefills_no_days() -> None:
    prefill = parse("2026-12-01..2026-12-32")
    assert (prefill.start, prefill.end) == (None, None)
    assert prefill.notes == ("“2026-12-32” is not a date",)


@pytest.mark.parametrize("separator", ["..", " to ", "-", " - ", "\u2013", " .. "])
def test_a_range_is_read_with_each_separator(separator: str) -> None:
    prefill = parse(f"2026-12-07{separator}2026-12-09")
    assert (prefill.start, prefill.end) == (date(2026, 12, 7), date(2026, 12, 9))
    assert (prefill.unused, prefill.notes, prefill.project_words) == ((), (), ())


def test_the_whole_command_of_the_readme_is_understood() -> None:
    prefill = parse("<@U0MARTA|marta> apollo web 2026-12-07..2026-12-09 4h")
    assert prefill == Prefill(
        user_id="U0MARTA",
        project_words=("apollo", "web"),
        start=date(2026, 12, 7),
        end=date(2026, 12, 9),
        hours=4,
    )


@pytest.mark.parametrize(
    ("hours", "note"),
    [
        ("0h", f"0 h is less than 1 {HOURS_RULE}"),
        ("9 hours", f"9 h is more than 8 {HOURS_RULE}"),
        ("4.5h", f"4.5 h is not a whole number {HOURS_RULE}"),
    ],
)
def test_hours_outside_the_form_rules_are_refused(hours: str, note: str) -> None:
    prefill = parse(hours)
    assert prefill.hours is None
    assert prefill.notes == (note,)


@pytest.mark.parametrize("hours", ["1h", "8 h", "8hrs", "6 hours", "3.0h"])
def test_hours_within_one_to_eight_are_prefilled(hours: str) -> None:
    prefill = parse(hours)
    assert prefill.hours == int(hours[0])
    assert prefill.notes == ()


@pytest.mark.parametrize(
    ("text", "note"),
    [
        (
            "2026-12-09..2026-12-07",
            "“2026-12-09..2026-12-07” ends before it starts, so the days are left for you to fill in",
        ),
        (
            "2026-12-05..2026-12-06",
            "“2026-12-05..2026-12-06” has no working day (weekends are skipped), so the days are left for "
            "you to fill in",
        ),
        (
            "2026-12-01..2027-03-01",
            "“2026-12-01..2027-03-01” is more than 31 working days at once, so the days are left for you to "
            "fill in",
        ),
    ],
)
def test_days_the_form_would_refuse_are_not_prefilled(text: str, note: str) -> None:
    prefill = parse(text)
    assert (prefill.start, prefill.end, prefill.notes) == (None, None, (note,))


def test_today_and_tomorrow_are_days_and_a_second_day_is_left_out_with_a_word() -> None:
    prefill = parse("tomorrow today")
    assert (prefill.start, prefill.end) == (date(2026, 11, 24), date(2026, 11, 24))
    assert prefill.notes == ("“today” is left out: only the first days are used",)


def test_a_second_person_is_taken_by_the_allocation_form_and_second_hours_are_reported() -> None:
    prefill = parse("<@U0ANA> <@U0BRUNO|bruno> <@U0ANA> 4h 6h")
    assert (prefill.user_id, prefill.more, prefill.others, prefill.hours) == (
        "U0ANA",
        ("U0BRUNO",),
        ("U0ANA",),
        4,
    )
    assert prefill.notes == ("“6h” is left out: only the first hours are used",)


def test_a_form_of_one_person_reports_a_second_one() -> None:
    prefill = parse_command_text("<@U0ANA> <@U0BRUNO|bruno> apollo", date(2026, 11, 23), WHITELIST)
    assert (prefill.user_id, prefill.more, prefill.others) == ("U0ANA", (), ("U0BRUNO",))


def test_parts_a_form_has_no_field_for_are_said_back() -> None:
    prefill = parse_command_text("<@U0ANA> apollo 2026-12-07 4h", TODAY, PROJECT_PERSON)
    assert prefill.user_id is None
    assert prefill.others == ("U0ANA",)
    assert prefill.project_words == ("apollo",)
    assert prefill.notes == ("“2026-12-07”: this form has no days", "“4h”: this form has no hours")
    whitelist = parse_command_text("<@U0ANA> apollo tomorrow", TODAY, WHITELIST)
    assert (whitelist.user_id, whitelist.notes) == ("U0ANA", ("“tomorrow”: this form has no days",))


def test_words_that_cannot_name_a_project_are_unused_and_slack_entities_are_read_as_written() -> None:
    prefill = parse("R&amp;D &lt;!here&gt; @ana #general <#C0X|general> !!")
    assert prefill.project_words == ("R&D",)
    assert prefill.unused == ("<!here>", "@ana", "#general", "<#C0X|general>", "!!")


# Each token yields exactly one value or one word said back, whatever the order.
TOKENS = st.sampled_from(
    [
        "<@U0ANA>",
        "<@U0BRUNO|bruno>",
        "2026-12-07",
        "2026-13-45",
        "2026-12-05",
        "2026-12-07..2026-12-09",
        "9999-12-30..9999-12-31",
        "today",
        "4h",
        "99h",
        "0h",
        "apollo",
        "garbage",
        "??",
        "@ana",
    ]
)


@given(tokens=st.lists(TOKENS, max_size=12))
def test_nothing_typed_is_dropped(tokens: list[str]) -> None:
    prefill = parse(" ".join(tokens))
    taken = [prefill.user_id is not None, prefill.start is not None, prefill.hours is not None]
    said = len(prefill.project_words) + len(prefill.unused) + len(prefill.others) + len(prefill.notes)
    said += len(prefill.more)
    assert sum(taken) + said == len(tokens)


# The echo on top of the modal


def test_the_echo_says_what_was_understood_and_what_was_not() -> None:
    prefill = Prefill(
        user_id="U0MARTA",
        start=date(2026, 12, 7),
        end=date(2026, 12, 9),
        hours=4,
        unused=("??", "garbage"),
        notes=(
            "“2026-13-45” is not a date",
            f"99 h is more than 8 {HOURS_RULE}",
            "no project matches “nosuch”",
        ),
    )
    assert command_echo_text(prefill, "Apollo Website", year=2026) == (
        ":mag: From your command: <@U0MARTA>, Apollo Website, Mon 7 – Wed 9 Dec, 4 h a day. "
        "Not understood: “??”, “garbage”; “2026-13-45” is not a date; 99 h is more than 8 (hours are 1 to "
        "8 a day), so hours are left for you to fill in; no project matches “nosuch”."
    )


def test_the_echo_of_an_empty_text_is_nothing_and_of_nonsense_only_what_was_not_understood() -> None:
    assert command_echo_text(parse("")) is None
    assert command_echo_text(parse("?? 2026-13-45")) == (
        ":mag: From your command, not understood: “??”; “2026-13-45” is not a date."
    )


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (date(2026, 12, 7), date(2026, 12, 7), "Mon 7 Dec"),
        (date(2026, 11, 30), date(2026, 12, 2), "Mon 30 Nov – Wed 2 Dec"),
        (date(2026, 12, 31), date(2027, 1, 4), "Thu 31 Dec – Mon 4 Jan 2027"),
    ],
)
def test_days_are_shown_as_short_as_they_stay_clear(start: date, end: date, shown: str) -> None:
    assert span_text(start, end, 2026) == shown


def slack_sends(typed: str) -> str:
    """Command text as Slack sends what a person typed: its three control characters as entities."""
    return typed.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@CHECKS
@given(typed=st.lists(words, max_size=40), project=words)
def test_the_echo_shows_typed_words_as_written_and_stays_within_slacks_limits(
    typed: list[str], project: str
) -> None:
    prefill = parse(" ".join(map(slack_sends, typed)))
    assert_only_own_markup(command_echo_text(prefill, project) or "")
    meta = echoed(ModalContext(kind=RequestKind.ALLOCATION, channel_id="C0X"), prefill, Choice("1", project))
    view = build_allocation_modal(Draft(), meta)
    assert_posted_safely(view)
    check_view(view)


def test_the_echo_is_the_first_block_of_the_modal() -> None:
    meta = echoed(ModalContext(kind=RequestKind.ALLOCATION), parse("?? 3h"))
    first = build_allocation_modal(Draft(), meta)["blocks"][0]
    assert first["block_id"] == Block.ECHO
    assert first["elements"][0]["text"] == ":mag: From your command: 3 h a day. Not understood: “??”."


def test_the_option_that_says_nothing_matched_is_read_as_no_pick() -> None:
    option = {"text": {"type": "plain_text", "text": "No project matches “x”"}, "value": NO_MATCH}
    picked = {"type": "external_select", "selected_option": option}
    assert read_draft({Block.PROJECT: {Action.PROJECT: picked}}).project is None

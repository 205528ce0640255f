"""The i18n API: which language a locale reads, the reader of the words being built, templates filled
after translation, and days and numbers written for the reader."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from app.domain.dates import day_text, span_text
from app.domain.words import Joined, SlackUser, said, said_day, said_days, said_n, verbatim
from app.i18n import (
    current_reader,
    fill,
    format_day,
    format_number,
    format_span,
    format_weekday,
    language_of,
    n,
    read_as,
    reading_as,
    render,
    t,
)
from app.slack.blocks.escape import Mrkdwn
from app.slack.locale import markup
from app.slack.locale import n as markup_n
from app.slack.locale import t as markup_t


@pytest.mark.parametrize("locale", ["it", "it-IT", "it_IT", "IT", " it-CH ", "it-it"])
def test_an_italian_locale_reads_italian(locale: str) -> None:
    assert language_of(locale) == "it"


@pytest.mark.parametrize("locale", ["en", "en-US", "en_GB", "fr-FR", "itx", "", None])
def test_any_other_locale_reads_english(locale: str | None) -> None:
    assert language_of(locale) == "en"


def test_words_are_english_until_someone_says_otherwise() -> None:
    assert current_reader().language == "en"
    assert t("Your requests") == "Your requests"


def test_reading_as_holds_for_its_block_and_nests() -> None:
    with reading_as("it-IT") as reader:
        assert (reader.language, reader.locale) == ("it", "it-IT")
        assert t("Your requests") == "Le tue richieste"
        with reading_as("en-US"):
            assert t("Your requests") == "Your requests"
        assert current_reader() is reader
    assert current_reader().language == "en"


async def test_read_as_holds_for_the_rest_of_the_task_and_the_tasks_it_starts() -> None:
    async def step() -> tuple[str, str]:
        read_as("it_IT")
        started = asyncio.create_task(asyncio.sleep(0, current_reader().language))
        return current_reader().language, await started

    assert await asyncio.create_task(step()) == ("it", "it")
    assert current_reader().language == "en"


def test_placeholders_are_filled_after_translation() -> None:
    with reading_as("it"):
        assert t("This week's hours, {days}", days="lun 7 dic") == "Ore di questa settimana, lun 7 dic"


def test_a_value_is_put_in_as_it_is_and_never_read_as_a_template() -> None:
    assert fill("{a} and {b} {{literally}}", {"a": "{b}", "b": 2}) == "{b} and 2 {literally}"
    with pytest.raises(KeyError):
        fill("{missing}", {})


def test_plurals_follow_the_language_and_write_the_count_for_it() -> None:
    one, many = "{count} more not shown", "{count} more not shown"
    assert n(one, many, 1234) == "1,234 more not shown"
    with reading_as("it"):
        assert n(one, many, 1) == "un'altra persona non mostrata"
        assert n(one, many, 1234) == "altre 1.234 persone non mostrate"


def test_slack_words_escape_what_they_fill_in_but_markup() -> None:
    said = markup_t("{requester} asks: {request}", requester="<!channel> & co", request=Mrkdwn("*<@U1>*"))
    assert said == "&lt;!channel&gt; &amp; co asks: *<@U1>*"
    assert isinstance(said, Mrkdwn)
    assert markup_n("{count} more not shown", "{count} more not shown", 2) == "2 more not shown"


def test_english_days_are_written_as_before() -> None:
    first = date(2026, 1, 1)
    for offset in range(0, 800, 3):
        day = first + timedelta(days=offset)
        assert format_day(day, 2026) == day_text(day, 2026)
        assert format_day(day, 2026, month=False) == day_text(day, 2026, month=False)
        for length in (0, 2, 9, 40):
            assert format_span(day, day + timedelta(days=length), 2026) == span_text(
                day, day + timedelta(days=length), 2026
            )


@pytest.mark.parametrize(
    ("first", "last", "english", "italian"),
    [
        (date(2026, 12, 7), date(2026, 12, 7), "Mon 7 Dec", "lun 7 dic"),
        (date(2026, 12, 7), date(2026, 12, 9), "Mon 7 – Wed 9 Dec", "lun 7 – mer 9 dic"),
        (date(2026, 11, 30), date(2026, 12, 4), "Mon 30 Nov – Fri 4 Dec", "lun 30 nov – ven 4 dic"),
        (date(2026, 12, 28), date(2027, 1, 1), "Mon 28 Dec – Fri 1 Jan 2027", "lun 28 dic – ven 1 gen 2027"),
        (date(2027, 6, 1), date(2027, 6, 1), "Tue 1 Jun 2027", "mar 1 giu 2027"),
    ],
)
def test_days_are_written_for_the_reader(first: date, last: date, english: str, italian: str) -> None:
    assert format_span(first, last, 2026) == english
    with reading_as("it-IT"):
        assert format_span(first, last, 2026) == italian


def test_weekdays_and_numbers_are_written_for_the_reader() -> None:
    assert (format_weekday(date(2026, 12, 10)), format_number(1234.5)) == ("Thu", "1,234.5")
    with reading_as("it"):
        assert (format_weekday(date(2026, 12, 10)), format_number(1234.5)) == ("gio", "1.234,5")


def test_words_said_below_the_slack_layer_are_put_in_the_readers_language_when_shown() -> None:
    cancelled = said(":heavy_multiplication_x: Cancelled by {who}.", who=SlackUser("U0ANA"))
    many = said_n("*This will create {count} allocation:*", "*This will create {count} allocations:*", 1200)
    assert str(cancelled) == ":heavy_multiplication_x: Cancelled by U0ANA."
    assert str(many) == "*This will create 1200 allocations:*"
    with reading_as("it"):
        assert markup(cancelled) == ":heavy_multiplication_x: Annullata da <@U0ANA>."
        assert render(many) == "*Verranno create 1.200 allocazioni:*"
    assert markup(many) == "*This will create 1,200 allocations:*"


def test_values_said_are_escaped_as_markup_and_their_own_words_translated() -> None:
    inner = said("Your requests")
    both = Joined((said(":heavy_multiplication_x: Cancelled by {who}.", who="<b&o>"), inner), " / ")
    with reading_as("it"):
        assert markup(both) == ":heavy_multiplication_x: Annullata da &lt;b&amp;o&gt;. / Le tue richieste"
    assert markup(verbatim("{not a field} & <x>")) == "{not a field} &amp; &lt;x&gt;"


def test_words_said_below_are_translated_where_they_fill_a_template() -> None:
    who = said(":heavy_multiplication_x: Cancelled by {who}.", who=SlackUser("U0ANA"))
    with reading_as("it"):
        assert (
            markup_t("{a} & {b}", a=who, b="<x>")
            == ":heavy_multiplication_x: Annullata da <@U0ANA>. & &lt;x&gt;"
        )
        assert t("{a}", a=who) == ":heavy_multiplication_x: Annullata da U0ANA."


def test_days_said_below_are_written_by_the_readers_calendar_and_kept_as_they_are() -> None:
    from app.domain.outcomes import Delivered

    days = said_days([date(2026, 12, 9), date(2026, 12, 7), date(2026, 12, 8), date(2027, 1, 4)], 2026)
    booked = said("Already gone from Wethod: {days}.", days=days)
    assert str(booked) == "Already gone from Wethod: Mon 7 – Wed 9 Dec, Mon 4 Jan 2027."
    with reading_as("it"):
        assert render(booked) == "Già rimosse da Wethod: lun 7 – mer 9 dic, lun 4 gen 2027."
        assert markup(said_day(date(2026, 12, 25), 2026)) == "ven 25 dic"
    kept = Delivered.model_validate_json(Delivered(summary=booked, upstream_ids=("1",)).model_dump_json())
    with reading_as("it"):
        assert render(kept.said_summary) == "Già rimosse da Wethod: lun 7 – mer 9 dic, lun 4 gen 2027."

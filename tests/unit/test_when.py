"""Days written in words, English and Italian, read against a fixed today: the days, or why not."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.when import DAY_FIRST, MONTH_FIRST, DayPhrase, read_days, slash_order

TODAY = date(2026, 12, 1)  # a Tuesday


def dec(day: int, year: int = 2026) -> date:
    return date(year, 12, day)


# phrase, the user's Slack locale, first day, last day
READ: list[tuple[str, str | None, date, date]] = [
    ("today", None, dec(1), dec(1)),
    ("Today", None, dec(1), dec(1)),
    ("tomorrow", None, dec(2), dec(2)),
    ("monday", None, dec(7), dec(7)),
    ("mon", None, dec(7), dec(7)),
    ("Tuesday", None, dec(1), dec(1)),  # the next such day, today included
    ("wed", None, dec(2), dec(2)),
    ("thursday", None, dec(3), dec(3)),
    ("fri", None, dec(4), dec(4)),
    ("saturday", None, dec(5), dec(5)),  # read; the form says it has no working day
    ("on friday", None, dec(4), dec(4)),
    ("this friday", None, dec(4), dec(4)),
    ("next monday", None, dec(7), dec(7)),  # the coming Monday is next week's: no doubt
    ("this week", None, dec(1), dec(4)),
    ("next week", None, dec(7), dec(11)),
    ("Next Week", None, dec(7), dec(11)),
    ("3 dec", None, dec(3), dec(3)),
    ("dec 3", None, dec(3), dec(3)),
    ("3 december", None, dec(3), dec(3)),
    ("December 3rd", None, dec(3), dec(3)),
    ("3rd of december", None, dec(3), dec(3)),
    ("dec 3, 2027", None, dec(3, 2027), dec(3, 2027)),
    ("1 dec", None, dec(1), dec(1)),
    ("30 nov", None, date(2027, 11, 30), date(2027, 11, 30)),  # no year: the next one
    ("6 jan", None, date(2027, 1, 6), date(2027, 1, 6)),
    ("29 feb", None, date(2028, 2, 29), date(2028, 2, 29)),
    ("mon to wed", None, dec(7), dec(9)),
    ("mon-wed", None, dec(7), dec(9)),
    ("mon - wed", None, dec(7), dec(9)),
    ("mon..wed", None, dec(7), dec(9)),
    ("wed to mon", None, dec(2), dec(7)),
    ("tomorrow to friday", None, dec(2), dec(4)),
    ("today – fri", None, dec(1), dec(4)),
    ("fri to 8 dec", None, dec(4), dec(8)),
    ("3 to 5 dec", None, dec(3), dec(5)),
    ("3-5 dec", None, dec(3), dec(5)),
    ("dec 3-5", None, dec(3), dec(5)),
    ("dec 3 to 5", None, dec(3), dec(5)),
    ("7 dec .. 9 dec", None, dec(7), dec(9)),
    ("from 3 dec to 5 dec", None, dec(3), dec(5)),
    ("28 dec to 3 jan", None, dec(28), date(2027, 1, 3)),
    ("28 dec to 3 jan 2028", None, dec(28, 2027), date(2028, 1, 3)),
    ("5 to 3 dec", None, dec(5), dec(3)),  # as written; the form says it ends before it starts
    ("3/12", "en-GB", dec(3), dec(3)),
    ("3/12", "it-IT", dec(3), dec(3)),
    ("3/12", "it", dec(3), dec(3)),
    ("12/3", "en-US", dec(3), dec(3)),
    ("3/12", "en-US", date(2027, 3, 12), date(2027, 3, 12)),
    ("13/12", None, dec(13), dec(13)),  # only one order is a date
    ("12/13", None, dec(13), dec(13)),
    ("5/5", None, date(2027, 5, 5), date(2027, 5, 5)),
    ("3/12/2027", "en-GB", dec(3, 2027), dec(3, 2027)),
    ("3/12-5/12", "en-GB", dec(3), dec(5)),
    ("oggi", None, dec(1), dec(1)),
    ("domani", None, dec(2), dec(2)),
    ("dopodomani", None, dec(3), dec(3)),
    ("lunedì", None, dec(7), dec(7)),
    ("Lunedi", None, dec(7), dec(7)),
    ("venerdì", None, dec(4), dec(4)),
    ("lunedì prossimo", None, dec(7), dec(7)),
    ("questa settimana", None, dec(1), dec(4)),
    ("prossima settimana", None, dec(7), dec(11)),
    ("la prossima settimana", None, dec(7), dec(11)),
    ("settimana prossima", None, dec(7), dec(11)),
    ("3 dicembre", None, dec(3), dec(3)),
    ("il 3 dicembre", None, dec(3), dec(3)),
    ("l'8 dicembre", None, dec(8), dec(8)),
    ("1° gennaio", None, date(2027, 1, 1), date(2027, 1, 1)),
    ("3 dic. 2027", None, dec(3, 2027), dec(3, 2027)),
    ("dal 3 al 5 dicembre", None, dec(3), dec(5)),
    ("dall'8 al 10 dicembre", None, dec(8), dec(10)),
    ("dal 28 dicembre al 6 gennaio", None, dec(28), date(2027, 1, 6)),
    ("da lunedì a mercoledì", None, dec(7), dec(9)),
    ("dal lunedì al venerdì", None, dec(7), dec(11)),
    ("3-5 dic", None, dec(3), dec(5)),
    ("3..5 dic", None, dec(3), dec(5)),
]

AMBIGUOUS = "“3/12” could be 3 December or 12 March; write the month in letters, such as “3 dec”"
NO_LAST = "gives a first day but no last; write both, such as “3..5 dec” or “mon to wed”"

# phrase, the user's Slack locale, the note that says why it gives no days
REFUSED: list[tuple[str, str | None, str]] = [
    ("3/12", None, AMBIGUOUS),
    ("3/12", "en", AMBIGUOUS),  # English without a country: either order
    ("3/12", "en-CA", AMBIGUOUS),
    ("3/12", "fr-FR", AMBIGUOUS),
    ("3/12 to 5/12", None, AMBIGUOUS),
    ("12/3", None, "“12/3” could be 12 March or 3 December; write the month in letters, such as “12 mar”"),
    ("13/12", "en-US", "“13/12” is not a date (read as month/day, as your Slack language writes dates)"),
    ("31 nov", None, "“31 nov” is not a date"),
    ("29 feb 2027", None, "“29 feb 2027” is not a date"),
    ("32 dec", None, "“32 dec” is not a date"),
    ("dal 30 al 31 novembre", None, "“dal 30 al 31 novembre” is not a date"),
    ("next friday", None, "“next friday” could be Fri 4 Dec or Fri 11 Dec; write the date, such as “4 dec”"),
    (
        "venerdì prossimo",
        None,
        "“venerdì prossimo” could be Fri 4 Dec or Fri 11 Dec; write the date, such as “4 dec”",
    ),
    (
        "prossimo giovedì",
        None,
        "“prossimo giovedì” could be Thu 3 Dec or Thu 10 Dec; write the date, such as “3 dec”",
    ),
    ("from monday", None, f"“from monday” {NO_LAST}"),
    ("dal 3 dicembre", None, f"“dal 3 dicembre” {NO_LAST}"),
]

NOT_DAYS = ["apollo", "3", "12", "2026", "may", "dec", "sat", "sun", "next", "week", "3 to 5", "to wed"]
NOT_DAYS += ["mon-x", "x-ray", "from", "la settimana", "3 of apollo"]


@pytest.mark.parametrize(("phrase", "locale", "start", "end"), READ)
def test_a_phrase_is_read_as_its_first_and_last_day(
    phrase: str, locale: str | None, start: date, end: date
) -> None:
    words = phrase.split()
    assert read_days(words, TODAY, locale) == DayPhrase(len(words), phrase, start, end)


@pytest.mark.parametrize(("phrase", "locale", "note"), REFUSED)
def test_a_phrase_that_cannot_be_read_for_sure_is_refused_with_a_note(
    phrase: str, locale: str | None, note: str
) -> None:
    words = phrase.split()
    read = read_days(words, TODAY, locale)
    assert read is not None
    assert str(read.note) == note
    assert read == DayPhrase(len(words), phrase, note=read.note)


@pytest.mark.parametrize("words", NOT_DAYS)
def test_words_that_name_no_day_start_no_phrase(words: str) -> None:
    assert read_days(words.split(), TODAY) is None


def test_there_are_at_least_sixty_phrasings_in_english_and_italian() -> None:
    assert len(READ) + len(REFUSED) >= 60


def test_a_phrase_is_read_from_the_start_of_the_words_and_ends_where_they_stop_naming_days() -> None:
    assert read_days(["next", "week", "apollo"], TODAY) == DayPhrase(2, "next week", dec(7), dec(11))
    assert read_days(["3", "dec", "apollo", "web"], TODAY) == DayPhrase(2, "3 dec", dec(3), dec(3))
    assert read_days(["mon", "to", "apollo"], TODAY) == DayPhrase(1, "mon", dec(7), dec(7))
    assert read_days(["apollo", "next", "week"], TODAY) is None


def test_this_week_at_the_weekend_has_no_day_left_and_says_what_to_write() -> None:
    saturday = date(2026, 12, 5)
    read = read_days(["this", "week"], saturday)
    assert read is not None
    assert (read.size, read.text, read.start, read.end) == (2, "this week", None, None)
    assert str(read.note) == "“this week” has no working day left (it is the weekend); try “next week”"
    assert read_days(["next", "week"], saturday) == DayPhrase(2, "next week", dec(7), dec(11))
    assert read_days(["this", "week"], date(2026, 12, 4)) == DayPhrase(2, "this week", dec(4), dec(4))


@pytest.mark.parametrize(
    ("locale", "order"),
    [
        (None, None),
        ("", None),
        ("en", None),
        ("en-CA", None),
        ("fr-FR", None),
        ("en-US", MONTH_FIRST),
        ("en_US", MONTH_FIRST),
        ("en-PH", MONTH_FIRST),
        ("en-GB", DAY_FIRST),
        ("en-AU", DAY_FIRST),
        ("it", DAY_FIRST),
        ("it-IT", DAY_FIRST),
    ],
)
def test_a_slack_locale_says_which_order_3_12_is_read_in(locale: str | None, order: str | None) -> None:
    assert slash_order(locale) == order

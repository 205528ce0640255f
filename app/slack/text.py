"""Reading what follows a slash command: `/allocate @ana apollo 2026-12-01..2026-12-05 4h`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Flag, auto

from app.domain.directory import normalize
from app.domain.requests import MAX_ALLOCATION_DAYS
from app.domain.when import DayPhrase, read_days
from app.i18n import format_day, render, t
from app.services.calendar import MONDAY_TO_FRIDAY, WorkingDays

MIN_HOURS, MAX_HOURS = 1, 8
_DAY = r"\d{4}-\d{1,2}-\d{1,2}"
_TOKEN = re.compile(
    r"(?P<mention><@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>)"
    rf"|(?P<days>(?P<start>{_DAY})(?:\s*(?:\.\.|(?i:to)|\u2013|-)\s*(?P<end>{_DAY}))?)(?!\S)"
    r"|(?P<hours>(?P<number>\d{1,4}(?:[.,]\d{1,2})?)\s*(?i:h|hrs?|hours?))(?!\S)"
    r"|(?P<word><[^>]*>|\S+)"
)
_LONGEST_PHRASE = 12  # words; "from 3rd of december 2026 to 5th of january 2027" has ten
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


class Takes(Flag):
    """The parts of a command text a form has fields for."""

    PERSON = auto()
    PROJECT = auto()
    DAYS = auto()
    HOURS = auto()
    PEOPLE = auto()  # several people, the first in PERSON


ALLOCATION = Takes.PERSON | Takes.PEOPLE | Takes.PROJECT | Takes.DAYS | Takes.HOURS
WHITELIST = Takes.PERSON | Takes.PROJECT
PROJECT_PERSON = Takes.PROJECT


@dataclass(frozen=True)
class Prefill:
    """What the command text gave within the form's rules, and everything else it held: `project_words` are
    for the directory search, `unused` are words as written and `others` people (Slack ids) that no field
    takes, `notes` are plain sentences on values the form refuses, in the reader's language."""

    user_id: str | None = None
    project_words: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    hours: int | None = None
    unused: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    more: tuple[str, ...] = ()  # people after the first, for a form that takes several
    notes: tuple[str, ...] = ()

    @property
    def project_query(self) -> str:
        return " ".join(self.project_words)


def _as_written(word: str) -> str:
    """A word of the command text as the person typed it: Slack sends `&`, `<` and `>` as entities."""
    for entity, char in _ENTITIES:
        word = word.replace(entity, char)
    return word


def _day(text: str) -> date | None:
    try:
        year, month, day = map(int, text.split("-"))
        return date(year, month, day)
    except ValueError:
        return None


def _skipped(start: date, end: date, calendar: WorkingDays) -> str:
    """Why days from `start` to `end` are not working days: "weekends are skipped; Tue 8 Dec is a holiday"."""
    reasons = [t("weekends are skipped")] if any(d.weekday() >= 5 for d in _every_day(start, end)) else []
    reasons += [
        t("{day} is a holiday: {name}", day=format_day(d, start.year), name=name)
        for d, name in calendar.holidays_between(start, end)
    ]
    return "; ".join(reasons)


def _every_day(start: date, end: date) -> Iterator[date]:
    return (start + timedelta(days=i) for i in range((end - start).days + 1))


def _days_problem(token: str, start: date, end: date, calendar: WorkingDays) -> str | None:
    """Why the days from `token` cannot be put in the form, if they cannot."""
    if end < start:
        return t("“{words}” ends before it starts, so the days are left for you to fill in", words=token)
    checked = min((end - start).days, 7 * (MAX_ALLOCATION_DAYS // 5 + 2))  # enough days to pass the limit
    last = start + timedelta(days=checked)
    working = sum(map(calendar.is_working, _every_day(start, last)))
    if working == 0:
        return t(
            "“{words}” has no working day ({why}), so the days are left for you to fill in",
            words=token,
            why=_skipped(start, last, calendar),
        )
    if working > MAX_ALLOCATION_DAYS:
        return t(
            "“{words}” is more than {most} working days at once, so the days are left for you to fill in",
            words=token,
            most=MAX_ALLOCATION_DAYS,
        )
    return None


def _hours_problem(number: str) -> str | None:
    value = float(number.replace(",", "."))
    rule = {"least": MIN_HOURS, "most": MAX_HOURS}
    if value != int(value):
        return t(
            "{hours} h is not a whole number (hours are {least} to {most} a day), so hours are left for "
            "you to fill in",
            hours=number,
            **rule,
        )
    if value > MAX_HOURS:
        return t(
            "{hours} h is more than {most} (hours are {least} to {most} a day), so hours are left for you "
            "to fill in",
            hours=int(value),
            **rule,
        )
    if value < MIN_HOURS:
        return t(
            "{hours} h is less than {least} (hours are {least} to {most} a day), so hours are left for you "
            "to fill in",
            hours=int(value),
            **rule,
        )
    return None


@dataclass
class _Reading:
    """The command text read so far, one token after another."""

    takes: Takes
    calendar: WorkingDays
    user_id: str | None = None
    start: date | None = None
    end: date | None = None
    hours: int | None = None
    days_given: bool = False
    hours_given: bool = False
    project_words: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    more: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def mention(self, user_id: str) -> None:
        if Takes.PERSON in self.takes and self.user_id is None:
            self.user_id = user_id
        elif Takes.PEOPLE in self.takes and user_id != self.user_id and user_id not in self.more:
            self.more.append(user_id)
        else:
            self.others.append(user_id)

    def _takes_days(self, token: str) -> bool:
        """Whether the form takes these days: it has days, and none were given before."""
        if Takes.DAYS not in self.takes:
            self.notes.append(t("“{words}”: this form has no days", words=token))
        elif self.days_given:
            self.notes.append(t("“{words}” is left out: only the first days are used", words=token))
        else:
            self.days_given = True
            return True
        return False

    def days(self, token: str, start_text: str, end_text: str | None) -> None:
        if not self._takes_days(token):
            return
        start = _day(start_text)
        end = _day(end_text) if end_text else start
        self.notes.extend(
            t("“{words}” is not a date", words=text)
            for text, day in ((start_text, start), (end_text, end))
            if text and not day
        )
        if start is not None and end is not None:
            self._span(token, start, end)

    def phrase(self, phrase: DayPhrase) -> None:
        if not self._takes_days(phrase.text):
            return
        if phrase.start is None or phrase.end is None:
            note = phrase.note
            self.notes.append(render(note) if note else t("“{words}” is not a date", words=phrase.text))
        else:
            self._span(phrase.text, phrase.start, phrase.end)

    def _span(self, token: str, start: date, end: date) -> None:
        problem = _days_problem(token, start, end, self.calendar)
        if problem:
            self.notes.append(problem)
        else:
            self.start, self.end = start, end

    def hours_of(self, token: str, number: str) -> None:
        if Takes.HOURS not in self.takes:
            self.notes.append(t("“{words}”: this form has no hours", words=token))
        elif self.hours_given:
            self.notes.append(t("“{words}” is left out: only the first hours are used", words=token))
        else:
            self.hours_given = True
            problem = _hours_problem(number)
            if problem:
                self.notes.append(problem)
            else:
                self.hours = int(float(number.replace(",", ".")))

    def word(self, token: str) -> None:
        word = _as_written(token)
        if Takes.PROJECT in self.takes and normalize(word) and not word.startswith(("@", "#", "<")):
            self.project_words.append(word)
        else:
            self.unused.append(word)


@dataclass(frozen=True)
class _Token:
    """One token of the command text, and the phrase of days that starts there when it is a word."""

    match: re.Match[str]
    phrase: DayPhrase | None = None


def _tokens(text: str, today: date, locale: str | None) -> Iterator[_Token]:
    """The tokens of `text`, the words of a phrase of days ("next week", "dal 3 al 5 dicembre") as one."""
    matches = list(_TOKEN.finditer(text or ""))
    at = 0
    while at < len(matches):
        words: list[str] = []
        for match in matches[at : at + _LONGEST_PHRASE]:
            if not match["word"]:
                break
            words.append(_as_written(match["word"]))
        phrase = read_days(words, today, locale, format_day) if words else None
        yield _Token(matches[at], phrase)
        at += phrase.size if phrase else 1


def parse_command_text(
    text: str,
    today: date,
    takes: Takes = ALLOCATION,
    *,
    locale: str | None = None,
    calendar: WorkingDays = MONDAY_TO_FRIDAY,
) -> Prefill:
    """Every token of `text`: a value for one of the fields `takes` names, or said back as unused or
    refused, so that nothing typed is dropped silently. Days may be written in words (`app.domain.when`),
    3/12 in the order of the user's Slack `locale`; a range must hold a working day of `calendar`."""
    reading = _Reading(takes=takes, calendar=calendar)
    for token in _tokens(text, today, locale):
        match = token.match
        if token.phrase:
            reading.phrase(token.phrase)
        elif match["mention"]:
            reading.mention(match["user"])
        elif match["days"]:
            reading.days(match["days"], match["start"], match["end"])
        elif match["hours"]:
            reading.hours_of(match["hours"], match["number"])
        else:
            reading.word(match["word"])
    return Prefill(
        user_id=reading.user_id,
        project_words=tuple(reading.project_words),
        start=reading.start,
        end=reading.end,
        hours=reading.hours,
        unused=tuple(reading.unused),
        others=tuple(reading.others),
        more=tuple(reading.more),
        notes=tuple(reading.notes),
    )


def working_days(start: date, end: date, calendar: WorkingDays = MONDAY_TO_FRIDAY) -> list[date]:
    """The working days of `calendar` (Monday to Friday, less its holidays) from `start` to `end`."""
    return calendar.working_days(start, end)


@dataclass(frozen=True)
class AwayText:
    """`/staffing away @delegate FROM..TO`, read: the delegate, the days, what was not understood, and
    why days written in words were refused (`notes`, in the reader's language; their words are in `unused`
    too)."""

    delegate: str | None = None
    start: date | None = None
    end: date | None = None
    unused: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def parse_away(text: str, today: date, locale: str | None = None) -> AwayText:
    delegate: str | None = None
    start = end = None
    unused: list[str] = []
    notes: list[str] = []
    for token in _tokens(text, today, locale):
        match, phrase = token.match, token.phrase
        if phrase and phrase.note is None and start is None:
            start, end = phrase.start, phrase.end
        elif phrase:
            unused.append(phrase.text)
            notes += [render(phrase.note)] if phrase.note else []
        elif match["mention"] and delegate is None:
            delegate = match["user"]
        elif match["days"] and start is None:
            start = _day(match["start"])
            end = _day(match["end"]) if match["end"] else start
            if start is None or end is None:
                start = end = None
                unused.append(_as_written(match.group(0)))
        else:
            unused.append(_as_written(match.group(0)))
    return AwayText(delegate, start, end, tuple(unused), tuple(notes))

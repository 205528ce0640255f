"""Reading what follows a slash command: `/allocate @ana apollo 2026-12-01..2026-12-05 4h`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Flag, auto

from app.domain.directory import normalize
from app.domain.requests import MAX_ALLOCATION_DAYS

MIN_HOURS, MAX_HOURS = 1, 8
_DAY = r"\d{4}-\d{1,2}-\d{1,2}"
_TOKEN = re.compile(
    r"(?P<mention><@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>)"
    rf"|(?P<days>(?P<start>{_DAY})(?:\s*(?:\.\.|(?i:to)|\u2013|-)\s*(?P<end>{_DAY}))?)(?!\S)"
    r"|(?P<hours>(?P<number>\d{1,4}(?:[.,]\d{1,2})?)\s*(?i:h|hrs?|hours?))(?!\S)"
    r"|(?P<word><[^>]*>|\S+)"
)
_RELATIVE = {"today": 0, "tomorrow": 1}
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))
_HOURS_RULE = f"(hours are {MIN_HOURS} to {MAX_HOURS} a day), so hours are left for you to fill in"
_DAYS_LEFT = "so the days are left for you to fill in"


class Takes(Flag):
    """The parts of a command text a form has fields for."""

    PERSON = auto()
    PROJECT = auto()
    DAYS = auto()
    HOURS = auto()


ALLOCATION = Takes.PERSON | Takes.PROJECT | Takes.DAYS | Takes.HOURS
WHITELIST = Takes.PERSON | Takes.PROJECT
PROJECT_PERSON = Takes.PROJECT


@dataclass(frozen=True)
class Prefill:
    """What the command text gave within the form's rules, and everything else it held: `project_words` are
    for the directory search, `unused` are words as written and `others` people (Slack ids) that no field
    takes, `notes` are plain sentences on values the form refuses."""

    user_id: str | None = None
    project_words: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    hours: int | None = None
    unused: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
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


def _days_problem(token: str, start: date, end: date) -> str | None:
    """Why the days from `token` cannot be put in the form, if they cannot."""
    if end < start:
        return f"“{token}” ends before it starts, {_DAYS_LEFT}"
    span = min((end - start).days, 7 * (MAX_ALLOCATION_DAYS // 5 + 2))  # enough to pass the limit
    working = sum((start + timedelta(days=i)).weekday() < 5 for i in range(span + 1))
    if working == 0:
        return f"“{token}” has no working day (weekends are skipped), {_DAYS_LEFT}"
    if working > MAX_ALLOCATION_DAYS:
        return f"“{token}” is more than {MAX_ALLOCATION_DAYS} working days at once, {_DAYS_LEFT}"
    return None


def _hours_problem(number: str) -> str | None:
    value = float(number.replace(",", "."))
    if value != int(value):
        return f"{number} h is not a whole number {_HOURS_RULE}"
    if value > MAX_HOURS:
        return f"{int(value)} h is more than {MAX_HOURS} {_HOURS_RULE}"
    if value < MIN_HOURS:
        return f"{int(value)} h is less than {MIN_HOURS} {_HOURS_RULE}"
    return None


@dataclass
class _Reading:
    """The command text read so far, one token after another."""

    takes: Takes
    today: date
    user_id: str | None = None
    start: date | None = None
    end: date | None = None
    hours: int | None = None
    days_given: bool = False
    hours_given: bool = False
    project_words: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def mention(self, user_id: str) -> None:
        if Takes.PERSON in self.takes and self.user_id is None:
            self.user_id = user_id
        else:
            self.others.append(user_id)

    def days(self, token: str, start_text: str, end_text: str | None) -> None:
        if Takes.DAYS not in self.takes:
            self.notes.append(f"“{token}”: this form has no days")
            return
        if self.days_given:
            self.notes.append(f"“{token}” is left out: only the first days are used")
            return
        self.days_given = True
        start = _day(start_text)
        end = _day(end_text) if end_text else start
        self.notes.extend(
            f"“{text}” is not a date"
            for text, day in ((start_text, start), (end_text, end))
            if text and not day
        )
        if start is None or end is None:
            return
        problem = _days_problem(token, start, end)
        if problem:
            self.notes.append(problem)
        else:
            self.start, self.end = start, end

    def hours_of(self, token: str, number: str) -> None:
        if Takes.HOURS not in self.takes:
            self.notes.append(f"“{token}”: this form has no hours")
        elif self.hours_given:
            self.notes.append(f"“{token}” is left out: only the first hours are used")
        else:
            self.hours_given = True
            problem = _hours_problem(number)
            if problem:
                self.notes.append(problem)
            else:
                self.hours = int(float(number.replace(",", ".")))

    def word(self, token: str) -> None:
        word = _as_written(token)
        if word.lower() in _RELATIVE:
            day = self.today + timedelta(days=_RELATIVE[word.lower()])
            self.days(word, day.isoformat(), None)
        elif Takes.PROJECT in self.takes and normalize(word) and not word.startswith(("@", "#", "<")):
            self.project_words.append(word)
        else:
            self.unused.append(word)


def parse_command_text(text: str, today: date, takes: Takes = ALLOCATION) -> Prefill:
    """Every token of `text`: a value for one of the fields `takes` names, or said back as unused or
    refused, so that nothing typed is dropped silently."""
    reading = _Reading(takes=takes, today=today)
    for match in _TOKEN.finditer(text or ""):
        if match["mention"]:
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
        notes=tuple(reading.notes),
    )


def working_days(start: date, end: date) -> list[date]:
    """Monday to Friday from `start` to `end`, both included."""
    every = (start + timedelta(days=i) for i in range((end - start).days + 1))
    return [day for day in every if day.weekday() < 5]


@dataclass(frozen=True)
class AwayText:
    """`/staffing away @delegate FROM..TO`, read: the delegate, the days, and what was not understood."""

    delegate: str | None = None
    start: date | None = None
    end: date | None = None
    unused: tuple[str, ...] = ()


def parse_away(text: str, today: date) -> AwayText:
    delegate: str | None = None
    start = end = None
    unused: list[str] = []
    for match in _TOKEN.finditer(text or ""):
        word = _as_written(match.group(0))
        if match["mention"] and delegate is None:
            delegate = match["user"]
        elif match["days"] and start is None:
            start = _day(match["start"])
            end = _day(match["end"]) if match["end"] else start
            if start is None or end is None:
                start = end = None
                unused.append(word)
        elif word.lower() in _RELATIVE and start is None:
            start = end = today + timedelta(days=_RELATIVE[word.lower()])
        else:
            unused.append(word)
    return AwayText(delegate, start, end, tuple(unused))

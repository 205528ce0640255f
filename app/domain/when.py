"""Days as people write them in a command: "next week", "mon to wed", "3 dec", "dal 3 al 5 dicembre".

No parsing library: the domain imports only the standard library, and dateparser 1.5 (tried) reads "this
week" as one day, "next week 4h" as 04:00 on a day of that week, "3/12" as 12 March whatever the locale, and
"dal 3 al 5 dicembre" as 5 December alone. Rules, in English and Italian: a weekday name is the next such
day, today included; "this week" is today to Friday, "next week" its Monday to Friday; a date without a year
is its next occurrence on or after today; a range's first day is read so and its last on or after the first,
a bare day ("3 to 5 dec") sharing the other's month and year, and a year written on the last day only puts
the first on or before it; "3/12" is read in the order of the user's locale (month first in the US, day
first in Italian and other English locales) and, with no such locale, only when one order alone is a date.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from app.domain.dates import DayWriter, day_text
from app.domain.words import Joined, Said, said

DAY_FIRST, MONTH_FIRST = "day/month", "month/day"
_MONTH_FIRST_REGIONS = frozenset({"US", "AS", "FM", "GU", "MH", "MP", "PH", "PR", "PW", "UM", "VI"})
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_APOSTROPHES = "'\u2019"


def _names(groups: str) -> dict[str, int]:
    """Each name of the n-th `|`-separated group of space-separated names, mapped to n."""
    return {name: n for n, group in enumerate(groups.split("|")) for name in group.split()}


WEEKDAYS = _names(
    "mon monday lun lunedì lunedi|tue tues tuesday martedì martedi|wed weds wednesday mer mercoledì "
    "mercoledi|thu thur thurs thursday gio giovedì giovedi|fri friday ven venerdì venerdi|saturday sabato|"
    "sunday domenica"
)
MONTHS = _names(
    "|jan january gen gennaio|feb february febbraio|mar march marzo|apr april aprile|may mag maggio|jun june "
    "giu giugno|jul july lug luglio|aug august ago agosto|sep sept september set sett settembre|oct october "
    "ott ottobre|nov november novembre|dec december dic dicembre"
)
_RELATIVE = {"today": 0, "oggi": 0, "tomorrow": 1, "domani": 1, "dopodomani": 2}
_WEEKS = {"this week": 0, "questa settimana": 0, "next week": 1, "prossima settimana": 1}
_WEEKS |= {"settimana prossima": 1, "la prossima settimana": 1, "la settimana prossima": 1}
_ITALIAN_FROM = frozenset({"dal", "da", "dall"})
_FROM = _ITALIAN_FROM | {"from"}
_TO = frozenset({"..", "-", "–", "—", "to", "till", "until", "through", "thru", "al", "all"})
_ON = frozenset({"on", "il", "l"})
_NEXT = frozenset({"next", "prossimo", "prossima"})
_SPLIT = re.compile(r"(\.\.|[-–—])")
_ELIDED = re.compile(rf"^(dall|all|l)[{_APOSTROPHES}](.+)$", re.IGNORECASE)
_DAY_NUMBER = re.compile(r"^(\d{1,2})(?:st|nd|rd|th|°|º)?$")
_YEAR = re.compile(r"^\d{4}$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})(?:/(\d{4}))?$")
_TYPED_MONTHS = {
    "en": ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    "it": ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"],
}
MONTH_NAMES = (
    said("January"),
    said("February"),
    said("March"),
    said("April"),
    said("May"),
    said("June"),
    said("July"),
    said("August"),
    said("September"),
    said("October"),
    said("November"),
    said("December"),
)
ORDER_WORDS = {DAY_FIRST: said("day/month"), MONTH_FIRST: said("month/day")}


@dataclass(frozen=True)
class DayPhrase:
    """Words read as days: how many of the words given it took, those words as written, and its first and
    last day, or a note saying why it gives none (words for the reader's catalog; `str(note)` is English)."""

    size: int
    text: str
    start: date | None = None
    end: date | None = None
    note: Said | None = None


@dataclass(frozen=True)
class _Point:
    """One end of a phrase: a known day, a weekday, a day of a month (of a year), a bare day, or a refusal."""

    fixed: date | None = None
    weekday: int | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    order: str | None = None
    note: Said | None = None

    @property
    def bare(self) -> bool:
        return self.day is not None and self.month is None


@dataclass(frozen=True)
class _Piece:
    """A word, or a part of one split at a range sign (`mon-wed`) or an elision (`dall'8`)."""

    text: str
    key: str
    word: int
    last: bool


_Refusal = Callable[[str], Said]  # the refusal of a phrase, given its words as written
_Outcome = tuple[_Point, _Point] | _Refusal  # both ends, or why the phrase gives no days
_Step = tuple[_Point, int] | None


def slash_order(locale: str | None) -> str | None:
    """How a Slack locale ("en-US", "en-GB", "it-IT") writes 3/12: DAY_FIRST, MONTH_FIRST, or None when it
    does not say (no locale, English with no region or in Canada, a language other than these two)."""
    language, _, region = (locale or "").replace("_", "-").partition("-")
    language, region = language.lower(), region.upper()
    if language == "en" and region in _MONTH_FIRST_REGIONS:
        return MONTH_FIRST
    if language == "it" or (language == "en" and region not in ("", "CA")):
        return DAY_FIRST
    return None


def _pieces(words: Sequence[str]) -> list[_Piece]:
    pieces: list[_Piece] = []
    for index, word in enumerate(words):
        parts: list[str] = []
        for part in filter(None, _SPLIT.split(word)):
            elided = _ELIDED.match(part)
            parts += [elided[1] + "'", elided[2]] if elided else [part]
        for n, part in enumerate(parts):
            key = unicodedata.normalize("NFC", part).casefold().rstrip(",." + _APOSTROPHES) or part
            pieces.append(_Piece(part, key, index, n == len(parts) - 1))
    return pieces


def _day_number(key: str) -> int | None:
    found = _DAY_NUMBER.match(key)
    return int(found[1]) if found else None


def _exists(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _LONGEST_MONTH[month - 1]


def _nearest(point: _Point, around: date, *, after: bool = True) -> date:
    """The day `point` names: where it leaves that open, the first on or after `around` (with `after`) or
    the last on or before it; ValueError when there is none."""
    if point.fixed is not None:
        return point.fixed
    if point.weekday is not None:
        shift = (point.weekday - around.weekday()) % 7
        return around + timedelta(days=shift) if after else around - timedelta(days=(7 - shift) % 7)
    if point.year is not None:
        return date(point.year, point.month or 0, point.day or 0)
    step = 1 if after else -1
    for year in range(around.year, around.year + 9 * step, step):  # a 29 February comes within eight years
        try:
            found = date(year, point.month or 0, point.day or 0)
        except ValueError:
            continue
        if (found >= around) if after else (found <= around):
            return found
    raise ValueError("not a day")


def _span(first: _Point, last: _Point, today: date) -> tuple[date, date]:
    """The first and last day of a phrase by the rules of the module; ValueError when one does not exist."""
    if first.bare:
        start = _nearest(replace(first, month=last.month, year=last.year), today)
        return start, date(start.year, start.month, last.day or 0)
    if last.bare:
        start = _nearest(first, today)
        return start, date(start.year, start.month, last.day or 0)
    if last.year is not None and first.year is None and first.month is not None:
        end = _nearest(last, today)
        return _nearest(first, end, after=False), end
    start = _nearest(first, today)
    return start, _nearest(last, start)


def _typed_language(locale: str | None) -> str:
    """The language whose month names a Slack locale's user types: Italian for "it", else English."""
    language = (locale or "").replace("_", "-").partition("-")[0].lower()
    return language if language in _TYPED_MONTHS else "en"


def _day_of_month(day: int, month: int) -> Joined:
    """A day of a month in words: "3 December"."""
    return Joined((str(day), MONTH_NAMES[month - 1]), " ")


def _gives_no_last(text: str) -> Said:
    return said(
        "“{words}” gives a first day but no last; write both, such as “3..5 dec” or “mon to wed”", words=text
    )


def _no_day_left(text: str) -> Said:
    return said("“{words}” has no working day left (it is the weekend); try “next week”", words=text)


class _Reader:
    """The phrases the start of some words can be read as, the most complete first; days in a note are
    written by `write`, and days to type in the month names of the `typed` language."""

    def __init__(
        self, words: Sequence[str], today: date, order: str | None, write: DayWriter, typed: str
    ) -> None:
        self.words, self.today, self.order, self.write = words, today, order, write
        self.months = _TYPED_MONTHS[typed]
        self.pieces = _pieces(words)

    def short(self, day: date) -> str:
        """A day as it is best typed: "7 dec"."""
        return f"{day.day} {self.months[day.month - 1]}"

    def key(self, at: int) -> str:
        return self.pieces[at].key if at < len(self.pieces) else ""

    def candidates(self) -> Iterator[tuple[int, _Outcome]]:
        for words, ahead in _WEEKS.items():
            size = words.count(" ") + 1
            if " ".join(map(self.key, range(size))) == words:
                yield size, self.week(ahead)
        if ranged := self.range():
            yield ranged
        if single := self.point(1 if self.key(0) in _ON else 0):
            yield single[1], (single[0], single[0])
        if self.key(0) in _FROM and (alone := self.point(1)):
            yield alone[1], _gives_no_last

    def week(self, ahead: int) -> _Outcome:
        monday = self.today - timedelta(days=self.today.weekday()) + timedelta(weeks=ahead)
        start, friday = max(monday, self.today), monday + timedelta(days=4)
        if start > friday:
            return _no_day_left
        return _Point(fixed=start), _Point(fixed=friday)

    def range(self) -> tuple[int, _Outcome] | None:
        start = 1 if self.key(0) in _FROM else 0
        first = self.point(start) or self.bare(start)
        signs = _TO | {"a"} if self.key(0) in _ITALIAN_FROM else _TO  # "da lunedì a mercoledì"
        if first is None or self.key(first[1]) not in signs:
            return None
        last = self.point(first[1] + 1) or self.bare(first[1] + 1)
        if last is None:
            return None
        (one, _), (other, end) = first, last
        if (one.bare and other.month is None) or (other.bare and one.month is None):
            return None
        return end, (one, other)

    def point(self, at: int) -> _Step:
        return self.relative(at) or self.weekday(at) or self.dated(at)

    def bare(self, at: int) -> _Step:
        day = _day_number(self.key(at))
        return (_Point(day=day), at + 1) if day is not None else None

    def relative(self, at: int) -> _Step:
        days = _RELATIVE.get(self.key(at))
        return (_Point(fixed=self.today + timedelta(days=days)), at + 1) if days is not None else None

    def weekday(self, at: int) -> _Step:
        key, ahead = self.key(at), self.key(at + 1)
        if key in _NEXT and ahead in WEEKDAYS:
            return self.next_weekday(at, WEEKDAYS[ahead]), at + 2
        if key == "this" and ahead in WEEKDAYS:
            return _Point(weekday=WEEKDAYS[ahead]), at + 2
        if key not in WEEKDAYS:
            return None
        if ahead in _NEXT:
            return self.next_weekday(at, WEEKDAYS[key]), at + 2
        return _Point(weekday=WEEKDAYS[key]), at + 1

    def next_weekday(self, at: int, weekday: int) -> _Point:
        """ "next friday": the coming one when it is also next week's, else a note asking which is meant."""
        coming = self.today + timedelta(days=(weekday - self.today.weekday() - 1) % 7 + 1)
        of_next_week = self.today + timedelta(days=7 - self.today.weekday() + weekday)
        if coming == of_next_week:
            return _Point(fixed=coming)
        words, year = " ".join(p.text for p in self.pieces[at : at + 2]), self.today.year
        return _Point(
            note=said(
                "“{words}” could be {one} or {other}; write the date, such as “{example}”",
                words=words,
                one=self.write(coming, year),
                other=self.write(of_next_week, year),
                example=self.short(coming),
            )
        )

    def dated(self, at: int) -> _Step:
        key = self.key(at)
        if slash := _SLASH.match(key):
            return self.slash(slash, self.pieces[at].text), at + 1
        if (day := _day_number(key)) is not None:
            month_at = at + 1 + (self.key(at + 1) == "of")
            if self.key(month_at) in MONTHS:
                return self.year(_Point(day=day, month=MONTHS[self.key(month_at)]), month_at + 1)
        elif key in MONTHS and (day := _day_number(self.key(at + 1))) is not None:
            return self.year(_Point(day=day, month=MONTHS[key]), at + 2)
        return None

    def year(self, point: _Point, at: int) -> _Step:
        if _YEAR.match(self.key(at)):
            return replace(point, year=int(self.key(at))), at + 1
        return point, at

    def slash(self, found: re.Match[str], text: str) -> _Point:
        first, second = int(found[1]), int(found[2])
        year = int(found[3]) if found[3] else None
        if self.order is not None:
            day, month = (first, second) if self.order == DAY_FIRST else (second, first)
            return _Point(day=day, month=month, year=year, order=self.order)
        readings = {(d, m) for d, m in ((first, second), (second, first)) if _exists(d, m)}
        if len(readings) < 2:
            day, month = readings.pop() if readings else (first, second)
            return _Point(day=day, month=month, year=year)
        one, other = date(2000, second, first), date(2000, first, second)
        return _Point(
            note=said(
                "“{words}” could be {one} or {other}; write the month in letters, such as “{example}”",
                words=text,
                one=_day_of_month(one.day, one.month),
                other=_day_of_month(other.day, other.month),
                example=self.short(one),
            )
        )

    def phrase(self, end: int, outcome: _Outcome) -> DayPhrase:
        size = self.pieces[end - 1].word + 1
        text = " ".join(self.words[:size])
        if not isinstance(outcome, tuple):
            return DayPhrase(size, text, note=outcome(text))
        first, last = outcome
        if note := first.note or last.note:
            return DayPhrase(size, text, note=note)
        try:
            start, end_day = _span(first, last, self.today)
        except ValueError:
            order = first.order or last.order
            if order:
                note = said(
                    "“{words}” is not a date (read as {order}, as your Slack language writes dates)",
                    words=text,
                    order=ORDER_WORDS[order],
                )
            else:
                note = said("“{words}” is not a date", words=text)
            return DayPhrase(size, text, note=note)
        return DayPhrase(size, text, start, end_day)


def read_days(
    words: Sequence[str], today: date, locale: str | None = None, write: DayWriter = day_text
) -> DayPhrase | None:
    """The longest phrase of days that `words` start with, read against `today` in the order of day and
    month of `locale` (see `slash_order`); None when they start with none. A phrase ends where a word ends.
    A note names days as `write` writes them (the reader's format, `day_text` in English), and a day to
    type with the month names of `locale`'s language."""
    reader = _Reader(words, today, slash_order(locale), write, _typed_language(locale))
    for end, outcome in reader.candidates():
        if reader.pieces[end - 1].last:
            return reader.phrase(end, outcome)
    return None

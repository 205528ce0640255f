"""Words for a person, kept apart from the language they will be read in.

Rules and errors below the Slack layer say what they mean with `said`: a catalog msgid and the values
of its `{name}`s, put in the reader's language only when shown (`app.i18n.render` as plain text,
`app.slack.locale.markup` as Slack markup). A value may be text, a number (written for the reader: give
ids as text; a Decimal keeps all its decimals), a Slack user (shown as a mention), days (written in the
reader's language) or words said in turn.

    said("{project} is archived in {upstream}; pick an active project.", project="Apollo", upstream="Wethod")
    said_n("{count} day", "{count} days", 3)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Union

from app.domain.dates import days_text

_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class SlackUser:
    """A Slack user named in words for a person; the Slack layer shows them as a mention."""

    id: str


@dataclass(frozen=True)
class Days:
    """Days named in words for a person, written in the reader's language: "Mon 7 – Wed 9 Dec, Fri 11
    Dec" ("lun 7 – mer 9 dic, ven 11 dic"), each day's year only when it is not `year`."""

    days: tuple[date, ...]
    year: int


Value = Union[str, int, float, Decimal, SlackUser, Days, "Said", "Joined"]


@dataclass(frozen=True)
class Said:
    """A msgid of the catalog and its values; `plural` and `count` for words that depend on a number."""

    msgid: str
    params: Mapping[str, Value] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None

    def __str__(self) -> str:
        return english(self)


@dataclass(frozen=True)
class Joined:
    """Several values read one after the other, `between` each (itself a value, so it can be said)."""

    parts: tuple[Value, ...]
    between: Value = ""


def said(msgid: str, /, **params: Value) -> Said:
    """`msgid`, to be read in the reader's language with `params` filled in."""
    return Said(msgid, params)


def said_n(singular: str, plural: str, count: int, /, **params: Value) -> Said:
    """`singular` or `plural` as `count` asks in the reader's language; `{count}` is the number."""
    return Said(singular, {"count": count, **params}, plural, count)


def said_days(days: Iterable[date], year: int) -> Days:
    """`days` in words for the reader, their year said only when it is not `year`."""
    return Days(tuple(sorted(days)), year)


def said_day(day: date, year: int) -> Days:
    """One day in words for the reader: "Mon 7 Dec", its year said only when it is not `year`."""
    return Days((day,), year)


def said_in_turn(parts: Iterable[Value], between: Value) -> Said:
    """`parts` said one after the other, `between` each; shown as they are, each in the reader's language."""
    return Said("{text}", {"text": Joined(tuple(parts), between)})


def verbatim(text: str) -> Said:
    """Text that is not the catalog's (an upstream's own words, a stored sentence): shown as it is."""
    return Said("{text}", {"text": text})


def fill(template: str, params: Mapping[str, object], quote: Callable[[object], str] = str) -> str:
    """`template` with each `{name}` replaced by `quote(params[name])`; `{{` and `}}` are braces."""

    def field(found: re.Match[str]) -> str:
        name = found.group(1)
        return found.group(0)[0] if name is None else quote(params[name])

    return _FIELD.sub(field, template)


def placeholders(template: str) -> frozenset[str]:
    """The names of the `{name}`s of `template`."""
    return frozenset(m.group(1) for m in _FIELD.finditer(template) if m.group(1))


def english(value: Value) -> str:
    """`value` in the catalog's own language (English), Slack users by their id: for logs and errors."""
    if isinstance(value, Said):
        template = value.msgid if value.count is None or value.count == 1 else (value.plural or value.msgid)
        return fill(template, value.params, english)  # type: ignore[arg-type]
    if isinstance(value, Joined):
        return english(value.between).join(english(part) for part in value.parts)
    if isinstance(value, SlackUser):
        return value.id
    if isinstance(value, Days):
        return days_text(value.days, value.year)
    return str(value)

"""Words from the catalog: templates translated for the current reader, then their `{name}`s filled in."""

from __future__ import annotations

from decimal import Decimal

from app.domain.words import Days, Joined, Said, SlackUser, Value, fill
from app.i18n.formats import format_days, format_number
from app.i18n.reader import current_reader


def mark(msgid: str) -> str:
    """`msgid` as it is, marked for the catalog: for a constant translated later with `translate`."""
    return msgid


def translate(msgid: str) -> str:
    """The current reader's template for `msgid`."""
    return current_reader().translator.gettext(msgid)


def translate_plural(singular: str, plural: str, count: int) -> str:
    """The current reader's template for `count` of something, by its language's plural rule."""
    return current_reader().translator.ngettext(singular, plural, count)


def _plain(value: object) -> str:
    return render(value) if isinstance(value, Said | Joined | SlackUser | Days) else str(value)


def t(msgid: str, /, **params: object) -> str:
    """`msgid` in the reader's language, with `params` put in as they are (plain text); words said below
    (`app.domain.words`) in the reader's language."""
    return fill(translate(msgid), params, _plain)


def n(singular: str, plural: str, count: int, /, **params: object) -> str:
    """`singular` or `plural` as `count` asks in the reader's language; `{count}` is the number, written
    for the reader, unless `params` gives it."""
    return fill(translate_plural(singular, plural, count), {"count": format_number(count)} | params, _plain)


def render(value: Value) -> str:
    """Words said below the Slack layer, in the reader's language as plain text: numbers written for the
    reader, days in the reader's language, Slack users by their id."""
    if isinstance(value, Said):
        if value.count is None:
            template = translate(value.msgid)
        else:
            template = translate_plural(value.msgid, value.plural or value.msgid, value.count)
        return fill(template, value.params, render)  # type: ignore[arg-type]
    if isinstance(value, Joined):
        return render(value.between).join(render(part) for part in value.parts)
    if isinstance(value, SlackUser):
        return value.id
    if isinstance(value, Days):
        return format_days(value.days, value.year)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return format_number(value)
    return str(value)

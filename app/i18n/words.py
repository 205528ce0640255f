"""Words from the catalog: templates translated for the current reader, then their `{name}`s filled in."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from app.i18n.formats import format_number
from app.i18n.reader import current_reader

_FIELD = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def mark(msgid: str) -> str:
    """`msgid` as it is, marked for the catalog: for a constant translated later with `translate`."""
    return msgid


def translate(msgid: str) -> str:
    """The current reader's template for `msgid`."""
    return current_reader().translator.gettext(msgid)


def translate_plural(singular: str, plural: str, count: int) -> str:
    """The current reader's template for `count` of something, by its language's plural rule."""
    return current_reader().translator.ngettext(singular, plural, count)


def fill(template: str, params: Mapping[str, object], quote: Callable[[object], str] = str) -> str:
    """`template` with each `{name}` replaced by `quote(params[name])`; `{{` and `}}` are braces."""

    def field(found: re.Match[str]) -> str:
        name = found.group(1)
        return found.group(0)[0] if name is None else quote(params[name])

    return _FIELD.sub(field, template)


def placeholders(template: str) -> frozenset[str]:
    """The names of the `{name}`s of `template`."""
    return frozenset(m.group(1) for m in _FIELD.finditer(template) if m.group(1))


def t(msgid: str, /, **params: object) -> str:
    """`msgid` in the reader's language, with `params` put in as they are (plain text)."""
    return fill(translate(msgid), params)


def n(singular: str, plural: str, count: int, /, **params: object) -> str:
    """`singular` or `plural` as `count` asks in the reader's language; `{count}` is the number, written
    for the reader, unless `params` gives it."""
    return fill(translate_plural(singular, plural, count), {"count": format_number(count)} | params)

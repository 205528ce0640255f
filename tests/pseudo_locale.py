"""A pseudo locale for tests: every template the catalog gives is wrapped in ⟦ ⟧, so that whatever a person
would read outside the markers is either data given to the builder or words that skipped the catalog."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from babel import Locale

from app.domain.words import Joined, Said
from app.i18n import Language, Reader, Translator, reader_for, reading
from app.slack.blocks.escape import escape

OPEN, CLOSE = "⟦", "⟧"
_SLACK_TOKEN = re.compile(r"<[@#!][^<>]*>|<https?://[^<>]*>|&(?:amp|lt|gt);|:[a-z0-9_+\-]+:")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Screen:
    """What a builder shows (a string or Block Kit), and the data it was given, which is not the catalog's."""

    shown: Any
    data: tuple[object, ...] = ()


@dataclass(frozen=True)
class Pseudo:
    """A translator that wraps what `base` gives in markers."""

    base: Translator

    def gettext(self, message: str, /) -> str:
        return OPEN + self.base.gettext(message) + CLOSE

    def ngettext(self, singular: str, plural: str, n: int, /) -> str:
        return OPEN + self.base.ngettext(singular, plural, n) + CLOSE


@contextmanager
def pseudo_reading(language: Language = "it") -> Iterator[Reader]:
    """Words built inside the block are `language`'s, each template in markers."""
    base = reader_for(language)
    with reading(Reader(base.language, Pseudo(base.translator), base.locale)) as reader:
        yield reader


def visible_texts(shown: Any) -> list[str]:
    """The texts a person reads in `shown`: a string, or Block Kit (a view, a message, blocks), where they
    are the text objects (plain_text and mrkdwn) and a message's `text`."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
                found.append(node["text"])
                return
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    found.append(value)
                elif isinstance(value, dict | list):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    if isinstance(shown, str):
        found.append(shown)
    else:
        walk(shown)
    return found


def outside_markers(text: str) -> str:
    """`text` without what is inside markers (nested or cut off at the end by a length limit)."""
    depth, kept = 0, []
    for char in text:
        if char == OPEN:
            depth += 1
        elif char == CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(char)
    return "".join(kept)


@cache
def _calendar_words(language: Language) -> re.Pattern[str]:
    """Names of days and months as Babel writes them in `language`: they come from CLDR, not the catalog."""
    locale = Locale.parse(language)
    names = {
        str(name)
        for table in (locale.days, locale.months)
        for context in table.values()
        for width in context.values()
        for name in width.values()
    }
    alternatives = "|".join(sorted((re.escape(name) for name in names), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\.?(?!\w)", re.IGNORECASE)


def _leaves(value: object) -> Iterator[str]:
    """The texts in `value` that are not the catalog's: a string itself, the values filled into words said."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Said):
        for param in value.params.values():
            yield from _leaves(param)
    elif isinstance(value, Joined):
        for part in (*value.parts, value.between):
            yield from _leaves(part)


def untranslated(shown: Any, data: Iterable[object] = (), language: Language = "it") -> list[str]:
    """What a person would read in `shown` (built under `pseudo_reading`) that neither came from the
    catalog nor is `data` given to the builder (text, or the values in words said), a Slack token (mention,
    date, link, emoji, entity), a name of a day or month, a number or a sign; one entry for each text that
    has such words."""
    texts = {leaf for value in data for leaf in _leaves(value) if leaf}
    values = sorted({v for value in texts for v in (value, escape(value))}, key=len, reverse=True)
    leftovers = []
    for text in visible_texts(shown):
        rest = outside_markers(text)
        for value in values:
            rest = rest.replace(value, " ")
        rest = _calendar_words(language).sub(" ", _SLACK_TOKEN.sub(" ", rest))
        if _LETTER.search(rest):
            leftovers.append(" ".join(rest.split()))
    return leftovers

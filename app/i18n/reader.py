"""Who is reading: the language (and the Slack locale) of the person the current words are for."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from app.i18n.catalogs import LANGUAGES, SOURCE_LANGUAGE, TRANSLATORS, Language, Translator

_BY_CODE: dict[str, Language] = {language: language for language in LANGUAGES}


@dataclass(frozen=True)
class Reader:
    """`locale` is the locale as Slack gave it ("it-IT"), None when unknown; `language` is what it reads."""

    language: Language
    translator: Translator
    locale: str | None = None


def language_of(locale: str | None) -> Language:
    """The language Staffdesk speaks for a locale: "it", "it-IT", "it_IT" read "it"; anything unknown "en"."""
    code = (locale or "").strip().replace("_", "-").partition("-")[0].lower()
    return _BY_CODE.get(code, SOURCE_LANGUAGE)


def reader_for(locale: str | None) -> Reader:
    language = language_of(locale)
    return Reader(language, TRANSLATORS[language], locale or None)


_SOURCE_READER = reader_for(SOURCE_LANGUAGE)
_READER: ContextVar[Reader | None] = ContextVar("staffdesk_reader", default=None)


def current_reader() -> Reader:
    """Who the words being built now are for; English when nobody has said."""
    return _READER.get() or _SOURCE_READER


@contextmanager
def reading(reader: Reader) -> Iterator[Reader]:
    """Words built inside the block are for `reader`; the reader before comes back after it."""
    token = _READER.set(reader)
    try:
        yield reader
    finally:
        _READER.reset(token)


@contextmanager
def reading_as(locale: str | None) -> Iterator[Reader]:
    """Words built inside the block are in the language of `locale` ("it-IT", "en", None for English)."""
    with reading(reader_for(locale)) as reader:
        yield reader


def read_as(locale: str | None) -> Reader:
    """From now on, in this task and in the tasks it starts, words are in the language of `locale`: for
    a step that cannot wrap what follows it in a block, such as a Bolt middleware."""
    reader = reader_for(locale)
    _READER.set(reader)
    return reader

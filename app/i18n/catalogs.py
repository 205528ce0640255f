"""The message catalogs: English source strings are the msgids, each other language has a `.po` file."""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path
from typing import Literal, Protocol

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

Language = Literal["en", "it"]
LANGUAGES: tuple[Language, ...] = ("en", "it")
SOURCE_LANGUAGE: Language = "en"
TRANSLATED: tuple[Language, ...] = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
DOMAIN = "staffdesk"
LOCALES = Path(__file__).parent / "locales"


class Translator(Protocol):
    """What a reader's words are looked up in: the standard library's gettext interface."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


def po_path(language: Language) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(language: Language) -> Catalog:
    """The `.po` file of `language` as Babel reads it."""
    with po_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


def compiled(catalog: Catalog) -> gettext.GNUTranslations:
    """`catalog` compiled in memory: its translated, non-fuzzy messages, with its plural rule."""
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def load_translators() -> dict[Language, Translator]:
    """A translator for each language: the source language reads its msgids as they are."""
    translators: dict[Language, Translator] = {SOURCE_LANGUAGE: gettext.NullTranslations()}
    for language in TRANSLATED:
        translators[language] = compiled(read_catalog(language))
    return translators


TRANSLATORS = load_translators()

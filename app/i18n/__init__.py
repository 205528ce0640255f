"""Words in each reader's language: the message catalogs (English msgids, a `.po` file for Italian), the
reader of the words being built (a context variable), and dates and numbers written for that reader.

    with reading_as("it-IT"):
        t("Your requests")                           # "Le tue richieste"
        n("{count} more", "{count} more", 3)         # the plural form Italian uses for 3

The catalog holds templates; `{name}`s are filled in after translation. The Slack layer has its own `t`
and `n` (app/slack/locale.py) that escape what they fill in and return Slack markup.
"""

from app.domain.words import fill, placeholders
from app.i18n.catalogs import LANGUAGES, Language, Translator
from app.i18n.formats import format_day, format_days, format_number, format_span, format_weekday
from app.i18n.reader import Reader, current_reader, language_of, read_as, reader_for, reading, reading_as
from app.i18n.words import mark, n, render, t, translate, translate_plural

__all__ = [
    "LANGUAGES",
    "Language",
    "Reader",
    "Translator",
    "current_reader",
    "fill",
    "format_day",
    "format_days",
    "format_number",
    "format_span",
    "format_weekday",
    "language_of",
    "mark",
    "n",
    "placeholders",
    "read_as",
    "reader_for",
    "reading",
    "reading_as",
    "render",
    "t",
    "translate",
    "translate_plural",
]

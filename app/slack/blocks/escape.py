"""Escaping for Slack text: &, < and > as the entities Slack documents; invisible characters dropped."""

from __future__ import annotations

import unicodedata

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_INVISIBLE = frozenset({"Cc", "Cf", "Cs"})
_KEPT = frozenset("\n\t")


class Mrkdwn(str):
    """Text already in Slack's markup: escaped text, and the mentions, dates and formatting Staffdesk writes.

    Builders accept only this for mrkdwn and a message's `text`, so text that is not escaped cannot reach
    them without being named as markup.
    """

    __slots__ = ()


def _shown(char: str) -> bool:
    return char in _KEPT or unicodedata.category(char) not in _INVISIBLE


def escape(text: str) -> Mrkdwn:
    """`text` as it was written, for mrkdwn or a message's `text`: never a mention, a link or a command.

    Slack's formatting reference names `&`, `<` and `>` as its control characters, to be sent as `&amp;`,
    `&lt;` and `&gt;`, and asks that nothing else be entity-encoded. It says nothing of invisible
    characters: control characters (but line feeds and tabs), format characters such as bidirectional
    overrides, isolates and marks, zero-width spaces and joiners and the byte order mark, and unpaired
    surrogates are dropped, so that a name cannot hide or reorder what is shown around it.

    Escaping twice shows the entities of the first escaping: each string is escaped once, where a builder
    puts it into markup.
    """
    return Mrkdwn("".join(filter(_shown, text)).translate(_ENTITIES))


def markup(template: str, *values: object) -> Mrkdwn:
    """`template`, Staffdesk's own markup, with each `{}` filled: Mrkdwn as it is, anything else escaped."""
    return Mrkdwn(template.format(*(v if isinstance(v, Mrkdwn) else escape(str(v)) for v in values)))

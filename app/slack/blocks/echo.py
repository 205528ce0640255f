"""What a slash command's text put in a modal, and what it held that was not used, said back on top."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.i18n import format_span
from app.slack.blocks.common import joined, truncate, user
from app.slack.blocks.escape import Mrkdwn, escape, markup
from app.slack.locale import n, t
from app.slack.text import Prefill

WORDS_BUDGET = 400
NOTES_BUDGET = 400
SHOWN_WORD = 30


def _within(items: Sequence[Mrkdwn], budget: int) -> list[Mrkdwn]:
    """The first `items` that fit in `budget` characters, then how many more there are."""
    kept: list[Mrkdwn] = []
    used = 0
    for item in items:
        used += len(item) + 2
        if used > budget:
            kept.append(n("and {count} more", "and {count} more", len(items) - len(kept)))
            break
        kept.append(item)
    return kept


def _understood(prefill: Prefill, project: str | None, year: int) -> list[Mrkdwn]:
    parts: list[Mrkdwn] = []
    if prefill.user_id:
        parts.append(joined((user(u) for u in (prefill.user_id, *prefill.more)), t(" and ")))
    if project:
        parts.append(escape(truncate(project, 75)))
    if prefill.start and prefill.end:
        parts.append(escape(format_span(prefill.start, prefill.end, year)))
    if prefill.hours is not None:
        parts.append(t("{hours} h a day", hours=prefill.hours))
    return parts


def _not_understood(prefill: Prefill) -> list[Mrkdwn]:
    words = [markup("“{}”", truncate(word, SHOWN_WORD)) for word in prefill.unused]
    words += [user(slack_id) for slack_id in prefill.others]
    said = [joined(_within(words, WORDS_BUDGET), ", ")] if words else []
    return said + _within([escape(note) for note in prefill.notes], NOTES_BUDGET)


def command_echo_text(prefill: Prefill, project: str | None = None, year: int | None = None) -> Mrkdwn | None:
    """What the command text gave (the person, `project`, the days, the hours) and what it held that no
    field took, with why; None when the text was empty. Words are shown as written, escaped; a day's year
    is shown when it is not `year` (this year unless told)."""
    understood = joined(_understood(prefill, project, year or date.today().year), ", ")
    missed = joined(_not_understood(prefill), "; ")
    if understood and missed:
        return t(
            ":mag: From your command: {understood}. Not understood: {missed}.",
            understood=understood,
            missed=missed,
        )
    if understood:
        return t(":mag: From your command: {understood}.", understood=understood)
    if missed:
        return t(":mag: From your command, not understood: {missed}.", missed=missed)
    return None

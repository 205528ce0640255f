"""Reading what follows a slash command: `/allocate @ana apollo 2026-12-01..2026-12-05 4h`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_HOURS = re.compile(r"\b(\d{1,2})\s*(?:h|hrs?|hours?)\b", re.IGNORECASE)
_RANGE = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:\s*(?:\.\.|to|\u2013|-)\s*(\d{4}-\d{2}-\d{2}))?\b")
_WORDS = {"today": 0, "tomorrow": 1}


@dataclass(frozen=True)
class Prefill:
    """What the command text gave; anything unreadable is left for the modal."""

    user_id: str | None = None
    project_query: str = ""
    start: date | None = None
    end: date | None = None
    hours: int | None = None
    notes: list[str] = field(default_factory=list)


def _day(text: str, notes: list[str]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        notes.append(f"'{text}' is not a date")
        return None


def parse_command_text(text: str, today: date) -> Prefill:
    notes: list[str] = []
    rest = text or ""
    mention = _MENTION.search(rest)
    rest = _MENTION.sub(" ", rest)
    hours = _HOURS.search(rest)
    rest = _HOURS.sub(" ", rest)
    start = end = None
    dates = _RANGE.search(rest)
    if dates:
        start = _day(dates.group(1), notes)
        end = _day(dates.group(2), notes) if dates.group(2) else start
        rest = _RANGE.sub(" ", rest)
    words = []
    for word in rest.split():
        if word.lower() in _WORDS and start is None:
            start = end = today + timedelta(days=_WORDS[word.lower()])
        else:
            words.append(word)
    return Prefill(
        user_id=mention.group(1) if mention else None,
        project_query=" ".join(words),
        start=start,
        end=end,
        hours=int(hours.group(1)) if hours else None,
        notes=notes,
    )


def working_days(start: date, end: date) -> list[date]:
    """Monday to Friday from `start` to `end`, both included."""
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days

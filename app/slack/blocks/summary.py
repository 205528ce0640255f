"""The daily summary in Slack: a short top message, and the details in its thread, split to Slack's sizes.

Built for the reader who reads it: the channel's language for the channel, the PM's own for a digest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.i18n import format_day, format_number
from app.services.summary import FULL_DAY, DailySummary
from app.services.summary_text import (
    NOTHING_AT_ALL,
    by_status,
    counts,
    headline,
    person_line,
    project_name,
    request_line,
    title,
    waiting_line,
)
from app.slack.blocks.common import SlackMessage, context, joined, section
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.locale import markup as said_markup
from app.slack.locale import t

MAX_BLOCKS = 45
MAX_CHARS = 11_000
SECTION_CHARS = 2_900
MAX_OVER_NAMED = 20


def _sections(title: Mrkdwn, lines: Iterable[Mrkdwn]) -> list[dict[str, Any]]:
    """Lines packed into sections of at most SECTION_CHARS, the first one titled; none for no lines."""
    lines = list(lines)
    if not lines:
        return []
    blocks: list[dict[str, Any]] = []
    current = markup("*{}*", title)
    for line in lines:
        if len(current) + len(line) + 1 > SECTION_CHARS:
            blocks.append(section(current))
            current = Mrkdwn("")
        current = markup("{}\n{}", current, line) if current else line
    if current:
        blocks.append(section(current))
    return blocks


def _chunks(blocks: list[dict[str, Any]], text: Mrkdwn) -> list[SlackMessage]:
    messages: list[SlackMessage] = []
    current: list[dict[str, Any]] = []
    size = 0
    for block in blocks:
        length = len(block.get("text", {}).get("text", ""))
        if current and (len(current) >= MAX_BLOCKS or size + length > MAX_CHARS):
            messages.append(SlackMessage(text, current))
            current, size = [], 0
        current.append(block)
        size += length
    if current:
        messages.append(SlackMessage(text, current))
    return messages


def _top(summary: DailySummary) -> list[dict[str, Any]]:
    top = [section(markup(":calendar: *{}*\n{}", said_markup(title(summary)), said_markup(counts(summary))))]
    top += [context(markup(":warning: {}", said_markup(problem))) for problem in summary.problems]
    if summary.over:
        names = joined((said_markup(p.name) for p in summary.over[:MAX_OVER_NAMED]), ", ")
        top.append(context(t(":warning: Over {hours} h: {people}", hours=FULL_DAY, people=names)))
    return top


def _days(summary: DailySummary) -> list[dict[str, Any]]:
    """Each project's people, each person's day, and who has nothing."""
    details: list[dict[str, Any]] = []
    for project in summary.projects:
        lines = [t("{hours} h  {name}", hours=b.hours, name=b.name) for b in project.people]
        heading = t("{project} · {hours} h", project=project_name(project), hours=project.hours)
        details += _sections(heading, lines)
    people = (markup("`{}`", said_markup(person_line(p))) for p in summary.people)
    details += _sections(t("Each person's day"), people)
    if summary.idle:
        together = joined((said_markup(name) for name in summary.idle), ", ")
        idle = [together] if len(together) < SECTION_CHARS else [said_markup(name) for name in summary.idle]
        details += _sections(t("Nothing allocated ({count})", count=format_number(len(summary.idle))), idle)
    return details


def _requests(summary: DailySummary) -> list[dict[str, Any]]:
    """The requests finished since the last summary, by outcome, and those still waiting for approval."""
    blocks: list[dict[str, Any]] = []
    for heading, found in by_status(summary.finished):
        lines = [said_markup(request_line(d, summary.day.year)) for d in found]
        blocks += _sections(said_markup(heading), lines)
    waiting = [said_markup(waiting_line(summary, i)) for i in range(len(summary.pending))]
    return blocks + _sections(
        t("Waiting for approval ({count})", count=format_number(len(summary.pending))), waiting
    )


def build_summary_messages(summary: DailySummary) -> tuple[SlackMessage, list[SlackMessage]]:
    """The top message, and the thread replies that hold the details, in the current reader's language."""
    details = _days(summary) + _requests(summary)
    if not details:
        details = [section(said_markup(NOTHING_AT_ALL))]
    thread = t("Staffing details for {day}", day=format_day(summary.day, summary.day.year))
    return SlackMessage(said_markup(headline(summary)), _top(summary)), _chunks(details, thread)

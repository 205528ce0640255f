"""The daily summary in Slack: a short top message, and the details in its thread, split to Slack's sizes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.domain.dates import day_text
from app.domain.directory import project_label
from app.services.summary import DailySummary
from app.services.summary_text import (
    NOTHING_AT_ALL,
    age,
    by_status,
    counts,
    headline,
    person_line,
    request_line,
    title,
)
from app.slack.blocks.common import SlackMessage, context, joined, section, user
from app.slack.blocks.escape import Mrkdwn, escape, markup

MAX_BLOCKS = 45
MAX_CHARS = 11_000
SECTION_CHARS = 2_900


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
    top = [section(markup(":calendar: *{}*\n{}", title(summary), counts(summary)))]
    top += [context(markup(":warning: {}", problem)) for problem in summary.problems]
    if summary.over:
        top.append(context(markup(":warning: Over 8 h: {}", ", ".join(p.name for p in summary.over[:20]))))
    return top


def _days(summary: DailySummary) -> list[dict[str, Any]]:
    """Each project's people, each person's day, and who has nothing."""
    details: list[dict[str, Any]] = []
    for project in summary.projects:
        lines = [markup("{} h  {}", b.hours, b.name) for b in project.people]
        label = project_label(project.name, project.job_order)
        details += _sections(markup("{} · {} h", label, project.hours), lines)
    people = (markup("`{}`", person_line(p)) for p in summary.people)
    details += _sections(Mrkdwn("Each person's day"), people)
    if summary.idle:
        together = escape(", ".join(summary.idle))
        idle = [together] if len(together) < SECTION_CHARS else [escape(name) for name in summary.idle]
        details += _sections(markup("Nothing allocated ({})", len(summary.idle)), idle)
    return details


def _waiting(summary: DailySummary) -> list[Mrkdwn]:
    lines = []
    for waiting in summary.pending:
        approvers = waiting.description.request.approvers
        who = joined(map(user, approvers), " or ") if approvers else Mrkdwn("nobody yet")
        line = request_line(waiting.description, summary.day.year)
        lines.append(markup("{} · waiting {} for {}", line, age(waiting.age), who))
    return lines


def _requests(summary: DailySummary) -> list[dict[str, Any]]:
    """The requests finished since the last summary, by outcome, and those still waiting for approval."""
    blocks: list[dict[str, Any]] = []
    for heading, found in by_status(summary.finished):
        lines = [escape(request_line(d, summary.day.year)) for d in found]
        blocks += _sections(escape(heading), lines)
    return blocks + _sections(markup("Waiting for approval ({})", len(summary.pending)), _waiting(summary))


def build_summary_messages(summary: DailySummary) -> tuple[SlackMessage, list[SlackMessage]]:
    """The top message, and the thread replies that hold the details."""
    details = _days(summary) + _requests(summary)
    if not details:
        details = [section(Mrkdwn(NOTHING_AT_ALL))]
    thread = markup("Staffing details for {}", day_text(summary.day, summary.day.year))
    return SlackMessage(escape(headline(summary)), _top(summary)), _chunks(details, thread)

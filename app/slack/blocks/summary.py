"""The daily summary in Slack: a short top message, and the details in its thread, split to Slack's sizes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from app.services.summary import DailySummary
from app.services.summary_text import headline, person_line
from app.slack.blocks.common import SlackMessage, context, section, user

MAX_BLOCKS = 45
MAX_CHARS = 11_000
SECTION_CHARS = 2_900


def _sections(title: str, lines: Iterable[str]) -> list[dict[str, Any]]:
    """Lines packed into sections of at most SECTION_CHARS, the first one titled; none for no lines."""
    lines = list(lines)
    if not lines:
        return []
    blocks: list[dict[str, Any]] = []
    current = f"*{title}*"
    for line in lines:
        if len(current) + len(line) + 1 > SECTION_CHARS:
            blocks.append(section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(section(current))
    return blocks


def _chunks(blocks: list[dict[str, Any]], text: str) -> list[SlackMessage]:
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


def build_summary_messages(summary: DailySummary) -> tuple[SlackMessage, list[SlackMessage]]:
    """The top message, and the thread replies that hold the details."""
    top = [section(f":calendar: *{headline(summary)}*")]
    top += [context(f":warning: {problem}") for problem in summary.problems]
    if summary.over:
        top.append(context(f":warning: Over 8 h: {', '.join(p.name for p in summary.over[:20])}"))
    details: list[dict[str, Any]] = []
    for project in summary.projects:
        code = f" ({project.job_order})" if project.job_order else ""
        lines = [f"{b.hours} h  {b.name}" for b in project.people]
        details += _sections(f"{project.name}{code} · {project.hours} h", lines)
    details += _sections("Each person's day", (f"`{person_line(p)}`" for p in summary.people))
    if summary.idle:
        details += _sections(
            f"Nothing allocated ({len(summary.idle)})",
            [", ".join(summary.idle)][:1] if len(", ".join(summary.idle)) < SECTION_CHARS else summary.idle,
        )
    if summary.finished:
        lines = [
            f"{d.request.status.label}: {d.request.kind.label} for {d.subject} on {d.project}"
            for d in summary.finished
        ]
        details += _sections("Since the last summary", lines)
    if summary.pending:
        lines = [
            f"{int(w.age.total_seconds() // 3600)} h old: {w.description.request.kind.label} for "
            f"{w.description.subject} on {w.description.project}, waiting for "
            + " or ".join(user(a) for a in w.description.request.approvers)
            for w in summary.pending
        ]
        details += _sections("Waiting for approval", lines)
    if not details:
        details = [section("Nothing is allocated and nothing is waiting.")]
    text = headline(summary)
    return SlackMessage(text, top), _chunks(details, f"Staffing details for {summary.day:%-d %B}")

"""The daily summary in words: its headline, each request's line, and the text of `summary --dry-run`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from app.domain.dates import day_text, days_text
from app.domain.directory import project_label
from app.domain.placement import AmendAction
from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    StaffingRequest,
    WhitelistPayload,
)
from app.domain.status import RequestStatus
from app.services.queries import RequestDescription, missionx_details, request_details
from app.services.summary import FULL_DAY, DailySummary, PersonDay

FINISHED_ORDER = (RequestStatus.DELIVERED, RequestStatus.REJECTED, RequestStatus.FAILED)
NOTHING_AT_ALL = "Nothing is allocated and nothing is waiting."


def bar(hours: int, width: int = FULL_DAY) -> str:
    """How full a day is: one block per hour up to 8, and a flag past it."""
    filled = min(hours, width)
    return "█" * filled + "░" * (width - filled)


def person_line(person: PersonDay) -> str:
    flag = "  ⚠ over 8 h" if person.over else ""
    return f"{bar(person.hours)} {person.hours:>2} h  {person.name}{flag}"


def _count(number: int, one: str, many: str) -> str:
    return f"{number:,} {one if number == 1 else many}"


def age(elapsed: timedelta) -> str:
    """How long something has waited: under an hour, hours, or days and hours."""
    hours = int(elapsed.total_seconds() // 3600)
    if hours < 1:
        return "under an hour"
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"


def title(summary: DailySummary) -> str:
    who = "your projects" if summary.digest_for else "the company"
    return f"Staffing on {day_text(summary.day, summary.day.year)} for {who}"


def counts(summary: DailySummary) -> str:
    """The day in a few numbers, leaving out those that are zero; a holiday named first."""
    parts = [f"A holiday ({summary.holiday})"] if summary.holiday else []
    if summary.people:
        parts.append(f"{_count(len(summary.people), 'person', 'people')}, {summary.total_hours:,} h")
        if summary.over:
            parts.append(f"{len(summary.over):,} over {FULL_DAY} h")
        if summary.idle:
            parts.append(f"{len(summary.idle):,} with nothing allocated")
    elif summary.problems:
        parts.append("Allocations unknown")
    elif not summary.holiday:
        parts.append("Nothing allocated today")
    if summary.pending:
        parts.append(f"{_count(len(summary.pending), 'approval', 'approvals')} waiting")
    return " · ".join(parts)


def headline(summary: DailySummary) -> str:
    """The title and the numbers in one line, as a message's text and the first line of the text version."""
    numbers = counts(summary)
    return f"{title(summary)}: {numbers[:1].lower()}{numbers[1:]}"


def _role(payload: MissionXProjectPersonPayload | ProcoreProjectPersonPayload) -> str:
    if isinstance(payload, ProcoreProjectPersonPayload):
        employee = f"employee {payload.employee_id}" if payload.employee_id else None
        return ", ".join(filter(None, [payload.job_title, employee]))
    return missionx_details(payload)


def what(request: StaffingRequest, year: int) -> str:
    """What a request adds: the hours and days of an allocation, or what was (or is to be) added; what an
    undo took away or what a change made of it."""
    payload = request.payload
    if request.amends is not None:
        return request_details(request)
    if isinstance(payload, AllocationPayload):
        if len(payload.dates) == 1:
            return f"{payload.hours} h on {days_text(payload.dates, year)}"
        return f"{payload.hours} h a day, {days_text(payload.dates, year)}"
    added = request.status is RequestStatus.DELIVERED
    if isinstance(payload, WhitelistPayload):
        return "added to the timesheet whitelist" if added else "timesheet whitelist"
    role = _role(payload)
    joint = "with" if isinstance(payload, MissionXProjectPersonPayload) else "as"
    if added:
        return f"added {joint} {role}" if role else "added to the project"
    return f"to be added {joint} {role}" if role else "to be added to the project"


def request_line(description: RequestDescription, year: int) -> str:
    """One request, told apart from others: "Marta Gallo on Apollo Website: 4 h a day, Mon 7 – Wed 9 Dec"."""
    return f"{description.subject} on {description.project}: {what(description.request, year)}"


def by_status(finished: Sequence[RequestDescription]) -> list[tuple[str, list[RequestDescription]]]:
    """The finished requests in groups titled like "Delivered since the last summary (2)"."""
    statuses = [*FINISHED_ORDER, *(s for s in RequestStatus if s not in FINISHED_ORDER)]
    groups = []
    for status in statuses:
        found = [d for d in finished if d.request.status is status and not _done_amendment(d)]
        if found:
            groups.append((f"{status.label.capitalize()} since the last summary ({len(found)})", found))
        if status is RequestStatus.DELIVERED:
            for action, word in ((AmendAction.UNDO, "Undone"), (AmendAction.CHANGE, "Changed")):
                done = [d for d in finished if _done_amendment(d) is action]
                if done:
                    groups.append((f"{word} since the last summary ({len(done)})", done))
    return groups


def _done_amendment(description: RequestDescription) -> AmendAction | None:
    """The action of a delivered undo or change; None for anything else."""
    request = description.request
    if request.amends is None or request.status is not RequestStatus.DELIVERED:
        return None
    return request.amends.action


def _days_lines(summary: DailySummary) -> list[str]:
    lines: list[str] = []
    if summary.projects:
        lines.append("By project:")
    for project in summary.projects:
        lines.append(f"  {project_label(project.name, project.job_order)}: {project.hours} h")
        lines += [f"    {b.hours:>2} h  {b.name}" for b in project.people]
    if summary.people:
        lines.append("By person:")
        lines += [f"  {person_line(p)}" for p in summary.people]
    if summary.idle:
        lines.append(f"Nothing allocated ({len(summary.idle)}): " + ", ".join(summary.idle))
    return lines


def _request_lines(summary: DailySummary) -> list[str]:
    year = summary.day.year
    lines: list[str] = []
    for heading, found in by_status(summary.finished):
        lines.append(f"{heading}:")
        lines += [f"  {request_line(d, year)}" for d in found]
    if summary.pending:
        lines.append(f"Waiting for approval ({len(summary.pending)}):")
    for waiting in summary.pending:
        who = " or ".join(waiting.description.request.approvers) or "nobody yet"
        lines.append(f"  {request_line(waiting.description, year)} · waiting {age(waiting.age)} for {who}")
    return lines


def render_summary_text(summary: DailySummary) -> str:
    lines = [headline(summary), ""]
    lines += [f"! {problem}" for problem in summary.problems]
    details = _days_lines(summary) + _request_lines(summary)
    lines += details or [NOTHING_AT_ALL]
    return "\n".join(lines)

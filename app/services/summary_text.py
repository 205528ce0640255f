"""The daily summary in words: its headline, each request's line, and the text of `summary --dry-run`.

Each piece is words said (`app.domain.words`), put in the reader's language where it is shown; they are
built for the reader who will read them, since a holiday's name is taken in that reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

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
from app.domain.words import Joined, Said, SlackUser, Value, said, said_day, said_days, said_in_turn, said_n
from app.i18n import format_number, mark, render, t
from app.services.queries import RequestDescription, missionx_details, request_details
from app.services.summary import FULL_DAY, DailySummary, PersonDay, ProjectDay

FINISHED_ORDER = (RequestStatus.DELIVERED, RequestStatus.REJECTED, RequestStatus.FAILED)
NOTHING_AT_ALL = said("Nothing is allocated and nothing is waiting.")
SINCE_THE_LAST_SUMMARY = {
    RequestStatus.DELIVERED: mark("Delivered since the last summary ({count})"),
    RequestStatus.REJECTED: mark("Rejected since the last summary ({count})"),
    RequestStatus.FAILED: mark("Failed since the last summary ({count})"),
    RequestStatus.EXPIRED: mark("Expired since the last summary ({count})"),
    RequestStatus.CANCELLED: mark("Cancelled since the last summary ({count})"),
}
AMENDED_SINCE_THE_LAST_SUMMARY = {
    AmendAction.UNDO: mark("Undone since the last summary ({count})"),
    AmendAction.CHANGE: mark("Changed since the last summary ({count})"),
}


def bar(hours: int, width: int = FULL_DAY) -> str:
    """How full a day is: one block per hour up to 8, and a flag past it."""
    filled = min(hours, width)
    return "█" * filled + "░" * (width - filled)


def person_line(person: PersonDay) -> Said:
    """A person's day: "████░░░░  4 h  Marta Gallo", flagged past a full day."""
    hours = _aligned(person.hours)
    line = said("{bar} {hours} h  {name}", bar=bar(person.hours), hours=hours, name=person.name)
    if not person.over:
        return line
    return said("{line}  ⚠ over {hours} h", line=line, hours=FULL_DAY)


def _aligned(hours: int) -> str:
    """Hours right-aligned in two characters, so that a column of them lines up."""
    return str(hours).rjust(2)


def project_name(project: ProjectDay) -> Value:
    """The project's name with its job order: "Harbor Tower (HT-1)"."""
    return project_label(project.name, project.job_order) if isinstance(project.name, str) else project.name


def age(elapsed: timedelta) -> Said:
    """How long something has waited: under an hour, hours, or days and hours."""
    hours = int(elapsed.total_seconds() // 3600)
    if hours < 1:
        return said("under an hour")
    if hours >= 24:
        return said("{days} d {hours} h", days=hours // 24, hours=hours % 24)
    return said("{hours} h", hours=hours)


def title(summary: DailySummary) -> Said:
    day = said_day(summary.day, summary.day.year)
    if summary.digest_for:
        return said("Staffing on {day} for your projects", day=day)
    return said("Staffing on {day} for the company", day=day)


def counts(summary: DailySummary, *, in_a_sentence: bool = False) -> Said:
    """The day in a few numbers, leaving out those that are zero; a holiday named first, in the current
    reader's language. `in_a_sentence`: the first word in lower case, to follow the title."""
    parts: list[Value] = []
    if summary.holiday:
        name = summary.holiday.read_in()
        parts.append(
            said("a holiday ({name})", name=name) if in_a_sentence else said("A holiday ({name})", name=name)
        )
    if summary.people:
        people = len(summary.people)
        parts.append(
            said_n(
                "{count} person, {hours} h", "{count} people, {hours} h", people, hours=summary.total_hours
            )
        )
        if summary.over:
            parts.append(
                said_n("{count} over {hours} h", "{count} over {hours} h", len(summary.over), hours=FULL_DAY)
            )
        if summary.idle:
            parts.append(
                said_n("{count} with nothing allocated", "{count} with nothing allocated", len(summary.idle))
            )
    elif summary.problems:
        parts.append(said("allocations unknown") if in_a_sentence else said("Allocations unknown"))
    elif not summary.holiday:
        parts.append(said("nothing allocated today") if in_a_sentence else said("Nothing allocated today"))
    if summary.pending:
        parts.append(said_n("{count} approval waiting", "{count} approvals waiting", len(summary.pending)))
    return said_in_turn(parts, " · ")


def headline(summary: DailySummary) -> Said:
    """The title and the numbers in one line, as a message's text and the first line of the text version."""
    return said("{title}: {counts}", title=title(summary), counts=counts(summary, in_a_sentence=True))


def _role(payload: MissionXProjectPersonPayload | ProcoreProjectPersonPayload) -> Said | None:
    if isinstance(payload, ProcoreProjectPersonPayload):
        employee = said("employee {id}", id=payload.employee_id) if payload.employee_id else None
        parts = [part for part in (payload.job_title, employee) if part]
        return said_in_turn(parts, ", ") if parts else None
    return missionx_details(payload)


def what(request: StaffingRequest, year: int) -> Said:
    """What a request adds: the hours and days of an allocation, or what was (or is to be) added; what an
    undo took away or what a change made of it."""
    payload = request.payload
    if request.amends is not None:
        return request_details(request)
    if isinstance(payload, AllocationPayload):
        days = said_days(payload.dates, year)
        if len(payload.dates) == 1:
            return said("{hours} h on {days}", hours=payload.hours, days=days)
        return said("{hours} h a day, {days}", hours=payload.hours, days=days)
    added = request.status is RequestStatus.DELIVERED
    if isinstance(payload, WhitelistPayload):
        return said("added to the timesheet whitelist") if added else said("timesheet whitelist")
    role = _role(payload)
    if role is None:
        return said("added to the project") if added else said("to be added to the project")
    if isinstance(payload, MissionXProjectPersonPayload):
        return said("added with {role}", role=role) if added else said("to be added with {role}", role=role)
    return said("added as {role}", role=role) if added else said("to be added as {role}", role=role)


def request_line(description: RequestDescription, year: int) -> Said:
    """One request, told apart from others: "Marta Gallo on Apollo Website: 4 h a day, Mon 7 – Wed 9 Dec"."""
    return said(
        "{subject} on {project}: {what}",
        subject=description.subject,
        project=description.project,
        what=what(description.request, year),
    )


def approvers_of(description: RequestDescription) -> Value:
    """Who may approve a waiting request: "U0PM or U0ACC" (mentions in Slack), or "nobody yet"."""
    approvers = description.request.approvers
    if not approvers:
        return said("nobody yet")
    return Joined(tuple(SlackUser(a) for a in approvers), said(" or "))


def waiting_line(summary: DailySummary, index: int) -> Said:
    """The request waiting at `index` of the summary, with how long it has waited and for whom."""
    waiting = summary.pending[index]
    return said(
        "{request} · waiting {age} for {approvers}",
        request=request_line(waiting.description, summary.day.year),
        age=age(waiting.age),
        approvers=approvers_of(waiting.description),
    )


def by_status(finished: Sequence[RequestDescription]) -> list[tuple[Said, list[RequestDescription]]]:
    """The finished requests in groups titled like "Delivered since the last summary (2)"."""
    statuses = [*FINISHED_ORDER, *(s for s in RequestStatus if s not in FINISHED_ORDER)]
    groups = []
    for status in statuses:
        found = [d for d in finished if d.request.status is status and not _done_amendment(d)]
        if found:
            groups.append((_since(status, len(found)), found))
        if status is RequestStatus.DELIVERED:
            for action, heading in AMENDED_SINCE_THE_LAST_SUMMARY.items():
                done = [d for d in finished if _done_amendment(d) is action]
                if done:
                    groups.append((said(heading, count=len(done)), done))
    return groups


def _since(status: RequestStatus, count: int) -> Said:
    heading = SINCE_THE_LAST_SUMMARY.get(status)
    if heading is None:
        return said("{status} since the last summary ({count})", status=status.words, count=count)
    return said(heading, count=count)


def _done_amendment(description: RequestDescription) -> AmendAction | None:
    """The action of a delivered undo or change; None for anything else."""
    request = description.request
    if request.amends is None or request.status is not RequestStatus.DELIVERED:
        return None
    return request.amends.action


def _days_lines(summary: DailySummary) -> list[str]:
    lines: list[str] = []
    if summary.projects:
        lines.append(t("By project:"))
    for project in summary.projects:
        lines.append("  " + t("{project}: {hours} h", project=project_name(project), hours=project.hours))
        lines += [
            "    " + t("{hours} h  {name}", hours=_aligned(b.hours), name=b.name) for b in project.people
        ]
    if summary.people:
        lines.append(t("By person:"))
        lines += [f"  {render(person_line(p))}" for p in summary.people]
    if summary.idle:
        names = ", ".join(summary.idle)
        lines.append(
            t("Nothing allocated ({count}): {names}", count=format_number(len(summary.idle)), names=names)
        )
    return lines


def _request_lines(summary: DailySummary) -> list[str]:
    year = summary.day.year
    lines: list[str] = []
    for heading, found in by_status(summary.finished):
        lines.append(t("{heading}:", heading=heading))
        lines += [f"  {render(request_line(d, year))}" for d in found]
    if summary.pending:
        lines.append(t("Waiting for approval ({count}):", count=format_number(len(summary.pending))))
    lines += [f"  {render(waiting_line(summary, i))}" for i in range(len(summary.pending))]
    return lines


def render_summary_text(summary: DailySummary) -> str:
    """The summary as plain text, in the current reader's language."""
    lines = [render(headline(summary)), ""]
    lines += [f"! {render(problem)}" for problem in summary.problems]
    details = _days_lines(summary) + _request_lines(summary)
    lines += details or [render(NOTHING_AT_ALL)]
    return "\n".join(lines)

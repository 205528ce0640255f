"""The daily summary as plain text, for `staffdesk summary --dry-run` and for Slack's message texts."""

from __future__ import annotations

from app.services.summary import FULL_DAY, DailySummary, PersonDay


def bar(hours: int, width: int = FULL_DAY) -> str:
    """How full a day is: one block per hour up to 8, and a flag past it."""
    filled = min(hours, width)
    return "█" * filled + "░" * (width - filled)


def person_line(person: PersonDay) -> str:
    flag = "  ⚠ over 8 h" if person.over else ""
    return f"{bar(person.hours)} {person.hours:>2} h  {person.name}{flag}"


def _age(seconds: float) -> str:
    hours = int(seconds // 3600)
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"


def headline(summary: DailySummary) -> str:
    who = "your projects" if summary.digest_for else "the company"
    return (
        f"Staffing on {summary.day:%A %-d %B %Y} for {who}: {len(summary.people)} people allocated, "
        f"{summary.total_hours} h in all, {len(summary.over)} over 8 h, {len(summary.idle)} with nothing, "
        f"{len(summary.pending)} approvals waiting."
    )


def render_summary_text(summary: DailySummary) -> str:
    lines = [headline(summary), ""]
    lines += [f"! {problem}" for problem in summary.problems]
    lines.append("By project:")
    for project in summary.projects:
        code = f" ({project.job_order})" if project.job_order else ""
        lines.append(f"  {project.name}{code}: {project.hours} h")
        lines += [f"    {b.hours:>2} h  {b.name}" for b in project.people]
    lines.append("By person:")
    lines += [f"  {person_line(p)}" for p in summary.people]
    if summary.idle:
        lines.append(f"Nothing allocated ({len(summary.idle)}): " + ", ".join(summary.idle))
    if summary.finished:
        lines.append("Since the last summary:")
        lines += [
            f"  {d.request.status.label}: {d.request.kind.label} for {d.subject} on {d.project}"
            for d in summary.finished
        ]
    if summary.pending:
        lines.append("Waiting for approval:")
        for waiting in summary.pending:
            d = waiting.description
            who = ", ".join(d.request.approvers)
            age = _age(waiting.age.total_seconds())
            lines.append(
                f"  {age} old: {d.request.kind.label} for {d.subject} on {d.project} (asked of {who})"
            )
    return "\n".join(lines)

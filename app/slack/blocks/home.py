"""App Home and the /staffing answers: buttons to ask, my requests, approvals for me, my team's week."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from app.domain.absences import Absence
from app.domain.requests import RequestKind
from app.domain.status import RequestStatus
from app.domain.upstreams import UPSTREAM_OF_KIND, Upstream
from app.i18n import format_day, format_span, format_weekday, mark, render
from app.services.queries import FULL_DAY_HOURS, RequestDescription
from app.services.team_week import TeamWeek
from app.slack.blocks.amends import amend_buttons, amended_words, undo_button
from app.slack.blocks.common import Blocks, button, context, plain, section, status_text, truncate, user
from app.slack.blocks.escape import Mrkdwn, escape, markup
from app.slack.ids import Action
from app.slack.locale import markup as said_markup
from app.slack.locale import n, t
from app.slack.metadata import RequestRef, dump

MAX_LISTED = 20
NAME_WIDTH = 20
START_BUTTONS: tuple[tuple[RequestKind, Action, str], ...] = (
    (RequestKind.ALLOCATION, Action.START_ALLOCATION, mark("Allocate hours")),
    (RequestKind.WHITELIST, Action.START_WHITELIST, mark("Add to a timesheet whitelist")),
    (RequestKind.MISSIONX_PROJECT_PERSON, Action.START_MISSIONX_PERSON, mark("Add to a MissionX project")),
    (RequestKind.PROCORE_PROJECT_PERSON, Action.START_PROCORE_PERSON, mark("Add to a Procore project")),
)
START_KINDS: dict[str, RequestKind] = {action: kind for kind, action, _ in START_BUTTONS}


def help_text() -> Mrkdwn:
    """What Staffdesk does and each command, one line each."""
    lines = [
        t("*Staffdesk* asks for staffing changes and gets them approved and done."),
        t(
            "• `/allocate [@person] [project] [YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD] [4h]`: "
            "allocate hours on days (Wethod)"
        ),
        t("• `/whitelist [@person] [project]`: add someone to a project's timesheet whitelist (Wethod)"),
        t("• `/add-person [project]`: add someone to a MissionX or Procore project"),
        t("• `/staffing mine`: your requests and their states"),
        t("• `/staffing pending`: the approvals waiting for you, to approve several at once"),
        t(
            "• `/staffing away @someone YYYY-MM-DD..YYYY-MM-DD`: while you are away, they decide in your "
            "place; `/staffing back` ends it"
        ),
        t("• `/staffing summary`: today's staffing summary, only for you"),
        t("• `/staffing digest on` (or `off`): a daily direct message with your projects' day"),
        t("Requests you may not make alone go to the project's PM or Account for approval."),
    ]
    return Mrkdwn("\n".join(lines))


def ago(moment: datetime) -> Mrkdwn:
    """How long ago, as a Slack date token ("3 days ago"), read in each reader's own time."""
    stamp = int(moment.timestamp())
    return Mrkdwn(f"<!date^{stamp}^{{ago}}|{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC>")


def _line(desc: RequestDescription) -> Mrkdwn:
    request = desc.request
    return t(
        "*{title}*: {subject} on {project} · {details}\n{status} · asked {ago}",
        title=desc.title,
        subject=desc.subject,
        project=desc.project,
        details=desc.details,
        status=status_text(request.status),
        ago=ago(request.created_at),
    )


def build_my_requests(descriptions: list[RequestDescription]) -> Blocks:
    if not descriptions:
        return [section(t("You have no requests yet. Try `/allocate` or `/whitelist`."))]
    blocks: Blocks = []
    for desc in descriptions[:MAX_LISTED]:
        block = section(_line(desc))
        if desc.request.status is RequestStatus.PENDING_APPROVAL:
            block["accessory"] = button(
                t("Cancel request"), Action.CANCEL, dump(RequestRef(request_id=desc.request.id))
            )
        elif amend_buttons(desc.request):
            block["accessory"] = undo_button(desc.request)
        if amended := amended_words(desc):
            block["text"]["text"] += f"\n{amended}"
        blocks.append(block)
    return blocks


def build_waiting_for_me(descriptions: list[RequestDescription]) -> Blocks:
    """Each approval waiting, with its own buttons and a box to pick it; with two or more, a button that
    approves the ones picked."""
    if not descriptions:
        return [section(t("No approvals are waiting for you."))]
    blocks: Blocks = []
    for desc in descriptions[:MAX_LISTED]:
        ref = dump(RequestRef(request_id=desc.request.id))
        asks = section(
            t("{requester} asks: {request}", requester=user(desc.request.requester_id), request=_line(desc))
        )
        if len(descriptions) > 1:
            pick = {"text": plain(t("Pick")), "value": desc.request.id}
            asks["accessory"] = {"type": "checkboxes", "action_id": Action.PICK, "options": [pick]}
        blocks.append(asks)
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button(t("Approve"), Action.APPROVE, ref, style="primary"),
                    button(t("Reject"), Action.REJECT, ref, style="danger"),
                ],
            }
        )
    if len(descriptions) > 1:
        approve = button(t("Approve the ones picked"), Action.APPROVE_SELECTED, "picked", style="primary")
        blocks.append({"type": "actions", "elements": [approve]})
    return blocks


def build_absence(absence: Absence | None) -> Blocks:
    """While I am away (or will be): until when, who decides in my place, and a button to end it."""
    if absence is None:
        return []
    year = absence.starts.year
    text = t(
        ":palm_tree: You are away {days}: {delegate} decides the approvals that would come to you.",
        days=format_span(absence.starts, absence.ends, year),
        delegate=user(absence.delegate_id),
    )
    block = section(text)
    block["accessory"] = button(t("I'm back"), Action.BACK, "back")
    return [block]


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text)}


def build_start_buttons(enabled: Collection[Upstream]) -> Blocks:
    """A button for each kind of request whose upstream is set up."""
    buttons = [
        button(t(label), action, kind.value)
        for kind, action, label in START_BUTTONS
        if UPSTREAM_OF_KIND[kind] in enabled
    ]
    if not buttons:
        return [section(t("No upstream is set up in Staffdesk yet, so there is nothing to ask for."))]
    return [{"type": "actions", "elements": buttons}]


def hours_cell(hours: int) -> str:
    """One day of the grid, four characters wide: the hours, then ⚠ over a full day or ↓ under it; — for
    none."""
    if hours == 0:
        return "  — "
    mark = "⚠" if hours > FULL_DAY_HOURS else "↓" if hours < FULL_DAY_HOURS else " "
    return f"{hours:>3}{mark}"


def _row(name: str, cells: list[str]) -> str:
    shown = truncate(name.replace("`", "'"), NAME_WIDTH)
    return f"{shown:<{NAME_WIDTH}} {' '.join(cells)}".rstrip()


def build_week_grid(week: TeamWeek) -> Mrkdwn:
    """One line per person, Monday to Friday, in a code block so that the days stand in columns."""
    lines = [_row("", [f"{format_weekday(day)} " for day in week.days])]
    lines += [_row(render(person.name), [hours_cell(h) for h in person.hours]) for person in week.people]
    return Mrkdwn("```\n" + "\n".join(escape(line) for line in lines) + "\n```")


def build_team_week(week: TeamWeek) -> Blocks:
    """This week's hours of the people on my projects, or one line that says why they are not shown."""
    first, last = week.days[0], week.days[-1]
    days = format_span(first, last, first.year)
    blocks: Blocks = [_header(t("This week's hours, {days}", days=days)), *_holidays(week)]
    if week.missing:
        return [*blocks, section(said_markup(week.missing))]
    if not week.people:
        return [*blocks, section(t("Nobody has hours on your projects this week."))]
    legend = t("Each person's hours on all projects · ⚠ over 8 h · ↓ under 8 h · — none")
    if week.left_out:
        more = n("{count} more not shown", "{count} more not shown", week.left_out)
        legend = markup("{} · {}", legend, more)
    return [*blocks, section(build_week_grid(week)), context(legend)]


def _holidays(week: TeamWeek) -> Blocks:
    """A line for each public holiday of the week, so that nobody reads it as a free day."""
    year = week.days[0].year
    lines = [
        t(":palm_tree: {day} is a holiday ({name})", day=format_day(day, year), name=holiday.read_in())
        for day, holiday in sorted(week.holidays.items())
    ]
    return [context(Mrkdwn("\n".join(lines)))] if lines else []


def build_home(
    mine: list[RequestDescription],
    waiting: list[RequestDescription],
    *,
    enabled: Collection[Upstream] = (),
    week: TeamWeek | None = None,
    away: Absence | None = None,
) -> dict[str, Any]:
    """The Home tab: what I can ask for, what waits for me, my requests, and my team's week."""
    open_mine = [d for d in mine if not d.request.status.is_final] + [
        d for d in mine if d.request.status.is_final
    ][:5]
    blocks: Blocks = [
        *build_absence(away),
        _header(t("Ask for a staffing change")),
        *build_start_buttons(enabled),
        {"type": "divider"},
        _header(t("Approvals waiting for you")),
        *build_waiting_for_me(waiting),
        {"type": "divider"},
        _header(t("Your requests")),
        *build_my_requests(open_mine),
        *([{"type": "divider"}, *build_team_week(week)] if week is not None else []),
        {"type": "divider"},
        context(t("Or ask with `/allocate`, `/whitelist` or `/add-person`; `/staffing help` says more.")),
    ]
    return {"type": "home", "blocks": blocks[:100]}

"""App Home and the /staffing answers: my requests, and the approvals waiting for me."""

from __future__ import annotations

from typing import Any

from app.domain.status import RequestStatus
from app.services.queries import RequestDescription
from app.slack.blocks.common import STATUS_TEXT, Blocks, button, context, section, user, when
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.ids import Action
from app.slack.metadata import RequestRef, dump

MAX_LISTED = 20

HELP = Mrkdwn(
    "*Staffdesk* asks for staffing changes and gets them approved and done.\n"
    "• `/allocate [@person] [project] [YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD] [4h]`: "
    "allocate hours on days (Wethod)\n"
    "• `/whitelist [@person] [project]`: add someone to a project's timesheet whitelist (Wethod)\n"
    "• `/add-person [project]`: add someone to a MissionX or Procore project\n"
    "• `/staffing mine`: your requests and their states\n"
    "• `/staffing pending`: the approvals waiting for you\n"
    "• `/staffing summary`: today's staffing summary, only for you\n"
    "• `/staffing digest on` (or `off`): a daily direct message with your projects' day\n"
    "Requests you may not make alone go to the project's PM or Account for approval."
)


def _line(desc: RequestDescription) -> Mrkdwn:
    request = desc.request
    return markup(
        "*{}* for {} on {} · {}\n{} · asked {}",
        request.kind.label.capitalize(),
        desc.subject,
        desc.project,
        desc.details,
        STATUS_TEXT[request.status],
        when(request.created_at),
    )


def build_my_requests(descriptions: list[RequestDescription]) -> Blocks:
    if not descriptions:
        return [section(Mrkdwn("You have no requests yet. Try `/allocate` or `/whitelist`."))]
    blocks: Blocks = []
    for desc in descriptions[:MAX_LISTED]:
        block = section(_line(desc))
        if desc.request.status is RequestStatus.PENDING_APPROVAL:
            block["accessory"] = button("Cancel", Action.CANCEL, dump(RequestRef(request_id=desc.request.id)))
        blocks.append(block)
    return blocks


def build_waiting_for_me(descriptions: list[RequestDescription]) -> Blocks:
    if not descriptions:
        return [section(Mrkdwn("No approvals are waiting for you."))]
    blocks: Blocks = []
    for desc in descriptions[:MAX_LISTED]:
        ref = dump(RequestRef(request_id=desc.request.id))
        blocks.append(section(markup("{} asks: {}", user(desc.request.requester_id), _line(desc))))
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button("Approve", Action.APPROVE, ref, style="primary"),
                    button("Reject", Action.REJECT, ref, style="danger"),
                ],
            }
        )
    return blocks


def build_home(mine: list[RequestDescription], waiting: list[RequestDescription]) -> dict[str, Any]:
    open_mine = [d for d in mine if not d.request.status.is_final] + [
        d for d in mine if d.request.status.is_final
    ][:5]
    blocks: Blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Approvals waiting for you"}},
        *build_waiting_for_me(waiting),
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": "Your requests"}},
        *build_my_requests(open_mine),
        {"type": "divider"},
        context(
            Mrkdwn("Ask with `/allocate`, `/whitelist` or `/add-person`; `/staffing help` explains more.")
        ),
    ]
    return {"type": "home", "blocks": blocks[:100]}

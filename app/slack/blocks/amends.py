"""Undo and Change on a delivered request: its buttons, the word of its amendment, the change's preview."""

from __future__ import annotations

from typing import Any

from app.domain.amends import ChangePlan, placements_of, why_not_amendable
from app.domain.dates import days_text
from app.domain.placement import AmendAction
from app.domain.requests import AllocationPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.services.queries import RequestDescription
from app.slack.blocks.common import SlackMessage, button, mrkdwn, plain, section, user, when
from app.slack.blocks.escape import Mrkdwn, markup
from app.slack.ids import Action
from app.slack.metadata import RequestRef, dump


def _what_goes(request: StaffingRequest) -> str:
    """What an undo deletes, in words: "the 5 allocations (4 h a day, Mon 7 – Fri 11 Dec)"."""
    placed = placements_of(request)
    payload = request.payload
    if isinstance(payload, AllocationPayload):
        days = days_text([p.day for p in placed if p.day], request.created_at.year)
        count = len(placed)
        noun = "allocation" if count == 1 else f"{count} allocations"
        return f"the {noun} it made in Wethod ({payload.hours} h a day, {days})"
    return "the person from the project's timesheet whitelist in Wethod"


def undo_button(request: StaffingRequest) -> dict[str, Any]:
    """*Undo*, asking first: the dialog says what goes and that an approver may be asked."""
    element = button("Undo", Action.UNDO, dump(RequestRef(request_id=request.id)))
    element["confirm"] = {
        "title": plain("Undo this request?"),
        "text": mrkdwn(
            markup(
                "Staffdesk will delete {}. If you may not do that yourself, the project's approvers are "
                "asked first. Anything changed in Wethod since is left as it is.",
                _what_goes(request),
            )
        ),
        "confirm": plain("Undo it"),
        "deny": plain("Keep it"),
        "style": "danger",
    }
    return element


def amend_buttons(request: StaffingRequest) -> list[dict[str, Any]]:
    """*Change* (an allocation) and *Undo* on a delivered request that can still be amended; none else."""
    if why_not_amendable(request, AmendAction.UNDO) is not None:
        return []
    ref = dump(RequestRef(request_id=request.id))
    changeable = why_not_amendable(request, AmendAction.CHANGE) is None
    change = [button("Change", Action.CHANGE, ref)] if changeable else []
    return [*change, undo_button(request)]


_UNDER_WAY = {
    RequestStatus.PENDING_APPROVAL: "waiting for approval",
    RequestStatus.APPROVED: "on its way",
    RequestStatus.DELIVERING: "being done",
}


def amended_words(desc: RequestDescription) -> Mrkdwn | None:
    """How this request was undone or changed since, by whom and when; None when it was not."""
    amendment = desc.amended_by
    if amendment is None or amendment.amends is None:
        return None
    undo = amendment.amends.action is AmendAction.UNDO
    who = user(amendment.requester_id)
    if amendment.status is RequestStatus.DELIVERED:
        done = "Undone" if undo else "Changed"
        tail = "" if undo else f": now {desc.amendment_details}"
        return markup(
            ":leftwards_arrow_with_hook: {} by {} {}{}", done, who, when(amendment.updated_at), tail
        )
    noun = "An undo" if undo else "A change"
    if amendment.status in _UNDER_WAY:
        return markup("{} asked by {} is {}.", noun, who, _UNDER_WAY[amendment.status])
    return markup("{} asked by {} did not go through; see its thread.", noun, who)


def change_preview_text(plan: ChangePlan, after: AllocationPayload, year: int) -> Mrkdwn:
    """What the change would do in Wethod, day by day: added, set to other hours, deleted, kept."""
    if not (plan.create or plan.update or plan.delete):
        return Mrkdwn("_Nothing changes yet: pick other days, other hours or another person._")
    lines = ["*This change will:*"]
    parts = [
        (f"add {after.hours} h on", list(plan.create)),
        (f"set to {after.hours} h", [p.day for p in plan.update if p.day]),
        ("delete", [p.day for p in plan.delete if p.day]),
        ("keep as it is", [p.day for p in plan.keep if p.day]),
    ]
    lines += [f"• {verb} {days_text(days, year)}" for verb, days in parts if days]
    return Mrkdwn("\n".join(lines))


def build_amended_reply(original: RequestDescription) -> SlackMessage | None:
    """The word in the original's thread (and to its requester) once its undo or change is done."""
    amendment = original.amended_by
    if amendment is None or amendment.amends is None or amendment.status is not RequestStatus.DELIVERED:
        return None
    done = "Undone" if amendment.amends.action is AmendAction.UNDO else "Changed"
    summary = str((amendment.result or {}).get("summary", ""))
    text = markup(
        ":leftwards_arrow_with_hook: {} by {}: {}\n{}: {} on {}",
        done,
        user(amendment.requester_id),
        summary,
        original.title,
        original.subject,
        original.project,
    )
    return SlackMessage(text, [section(text)])

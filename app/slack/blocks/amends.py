"""Undo and Change on a delivered request: its buttons, the word of its amendment, the change's preview."""

from __future__ import annotations

from typing import Any

from app.domain.amends import ChangePlan, placements_of, why_not_amendable
from app.domain.outcomes import summary_of
from app.domain.placement import AmendAction
from app.domain.requests import AllocationPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.i18n import format_days, mark
from app.services.queries import RequestDescription
from app.slack.blocks.common import SlackMessage, button, mrkdwn, plain, section, user, when
from app.slack.blocks.escape import Mrkdwn
from app.slack.ids import Action
from app.slack.locale import n, t
from app.slack.metadata import RequestRef, dump


def _what_goes(request: StaffingRequest) -> Mrkdwn:
    """What an undo deletes, in words: "the 5 allocations (4 h a day, Mon 7 – Fri 11 Dec)"."""
    placed = placements_of(request)
    payload = request.payload
    if isinstance(payload, AllocationPayload):
        days = format_days([p.day for p in placed if p.day], request.created_at.year)
        return n(
            "the allocation it made in Wethod ({hours} h a day, {days})",
            "the {count} allocations it made in Wethod ({hours} h a day, {days})",
            len(placed),
            hours=payload.hours,
            days=days,
        )
    return t("the person from the project's timesheet whitelist in Wethod")


def undo_button(request: StaffingRequest) -> dict[str, Any]:
    """*Undo*, asking first: the dialog says what goes and that an approver may be asked."""
    element = button(t("Undo"), Action.UNDO, dump(RequestRef(request_id=request.id)))
    element["confirm"] = {
        "title": plain(t("Undo this request?")),
        "text": mrkdwn(
            t(
                "Staffdesk will delete {what}. If you may not do that yourself, the project's approvers are "
                "asked first. Anything changed in Wethod since is left as it is.",
                what=_what_goes(request),
            )
        ),
        "confirm": plain(t("Undo it")),
        "deny": plain(t("Keep it")),
        "style": "danger",
    }
    return element


def amend_buttons(request: StaffingRequest) -> list[dict[str, Any]]:
    """*Change* (an allocation) and *Undo* on a delivered request that can still be amended; none else."""
    if why_not_amendable(request, AmendAction.UNDO) is not None:
        return []
    ref = dump(RequestRef(request_id=request.id))
    changeable = why_not_amendable(request, AmendAction.CHANGE) is None
    change = [button(t("Change"), Action.CHANGE, ref)] if changeable else []
    return [*change, undo_button(request)]


_UNDER_WAY = {
    RequestStatus.PENDING_APPROVAL: mark("waiting for approval"),
    RequestStatus.APPROVED: mark("on its way"),
    RequestStatus.DELIVERING: mark("being done"),
}


def amended_words(desc: RequestDescription) -> Mrkdwn | None:
    """How this request was undone or changed since, by whom and when; None when it was not."""
    amendment = desc.amended_by
    if amendment is None or amendment.amends is None:
        return None
    undo = amendment.amends.action is AmendAction.UNDO
    who = user(amendment.requester_id)
    if amendment.status is RequestStatus.DELIVERED and undo:
        return t(":leftwards_arrow_with_hook: Undone by {who} {at}", who=who, at=when(amendment.updated_at))
    if amendment.status is RequestStatus.DELIVERED:
        return t(
            ":leftwards_arrow_with_hook: Changed by {who} {at}: now {details}",
            who=who,
            at=when(amendment.updated_at),
            details=desc.amendment_details,
        )
    if amendment.status in _UNDER_WAY:
        state = t(_UNDER_WAY[amendment.status])
        if undo:
            return t("An undo asked by {who} is {state}.", who=who, state=state)
        return t("A change asked by {who} is {state}.", who=who, state=state)
    if undo:
        return t("An undo asked by {who} did not go through; see its thread.", who=who)
    return t("A change asked by {who} did not go through; see its thread.", who=who)


def change_preview_text(plan: ChangePlan, after: AllocationPayload, year: int) -> Mrkdwn:
    """What the change would do in Wethod, day by day: added, set to other hours, deleted, kept."""
    if not (plan.create or plan.update or plan.delete):
        return t("_Nothing changes yet: pick other days, other hours or another person._")
    lines = [t("*This change will:*")]
    if plan.create:
        lines.append(t("• add {hours} h on {days}", hours=after.hours, days=format_days(plan.create, year)))
    if updated := [p.day for p in plan.update if p.day]:
        lines.append(t("• set to {hours} h {days}", hours=after.hours, days=format_days(updated, year)))
    if deleted := [p.day for p in plan.delete if p.day]:
        lines.append(t("• delete {days}", days=format_days(deleted, year)))
    if kept := [p.day for p in plan.keep if p.day]:
        lines.append(t("• keep as it is {days}", days=format_days(kept, year)))
    return Mrkdwn("\n".join(lines))


def build_amended_reply(original: RequestDescription) -> SlackMessage | None:
    """The word in the original's thread (and to its requester) once its undo or change is done."""
    amendment = original.amended_by
    if amendment is None or amendment.amends is None or amendment.status is not RequestStatus.DELIVERED:
        return None
    words = {
        "who": user(amendment.requester_id),
        "summary": summary_of(amendment.result),
        "title": original.title,
        "subject": original.subject,
        "project": original.project,
    }
    if amendment.amends.action is AmendAction.UNDO:
        text = t(
            ":leftwards_arrow_with_hook: Undone by {who}: {summary}\n{title}: {subject} on {project}", **words
        )
    else:
        text = t(
            ":leftwards_arrow_with_hook: Changed by {who}: {summary}\n{title}: {subject} on {project}",
            **words,
        )
    return SlackMessage(text, [section(text)])

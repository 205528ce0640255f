"""Undo and Change of a delivered request: each is a request of its own, checked and approved alike."""

from __future__ import annotations

from app.domain.amends import ChangePlan, placements_of, plan_change, why_not_amendable
from app.domain.errors import NotAmendable
from app.domain.placement import AmendAction, Amendment
from app.domain.requests import AllocationPayload, NewRequest, StaffingRequest
from app.domain.words import said
from app.services.approvals import Submitted, submit_request
from app.services.approvers import ApprovalContext


async def amendable(ctx: ApprovalContext, request_id: str, action: AmendAction) -> StaffingRequest:
    """The request, when it can be undone (or changed) now; NotAmendable says why not."""
    async with ctx.read() as uow:
        request = await uow.requests.get(request_id)
    why = why_not_amendable(request, action)
    if why is not None:
        raise NotAmendable(why)
    return request


def _amendment(original: StaffingRequest, action: AmendAction) -> Amendment:
    person_id = getattr(original.payload, "person_id", None)
    return Amendment(
        action=action, of_request=original.id, previous=placements_of(original), person_id=person_id
    )


async def undo_request(ctx: ApprovalContext, request_id: str, actor_id: str) -> Submitted:
    """Ask to delete what the request made upstream, with the same permissions and approvals as asking
    for it; a second click while one undo is under way is refused with AlreadyAmended."""
    original = await amendable(ctx, request_id, AmendAction.UNDO)
    new = NewRequest(
        payload=original.payload,
        requester_id=actor_id,
        channel_id=original.channel_id,
        amends=_amendment(original, AmendAction.UNDO),
    )
    return await submit_request(ctx, new)


async def change_request(
    ctx: ApprovalContext,
    request_id: str,
    actor_id: str,
    payload: AllocationPayload,
    *,
    note: str | None = None,
    submission_key: str | None = None,
) -> Submitted:
    """Ask to turn a delivered allocation into `payload` (same project): days added, dropped, or set to
    other hours; refused when nothing would change."""
    original = await amendable(ctx, request_id, AmendAction.CHANGE)
    before = original.payload
    assert isinstance(before, AllocationPayload)
    if payload.project_id != before.project_id:
        raise NotAmendable(
            said("A change keeps the project. Undo this allocation and ask for the other project."),
            field="project",
        )
    amends = _amendment(original, AmendAction.CHANGE)
    plan = plan_change(amends, payload)
    if not (plan.create or plan.delete or plan.update):
        raise NotAmendable(
            said("Nothing would change: pick other days, other hours or another person."), field="days"
        )
    new = NewRequest(
        payload=payload,
        requester_id=actor_id,
        channel_id=original.channel_id,
        amends=amends,
        note=note,
        submission_key=submission_key,
    )
    return await submit_request(ctx, new)


async def preview_change(ctx: ApprovalContext, request_id: str, payload: AllocationPayload) -> ChangePlan:
    """What changing the delivered allocation into `payload` would do, day by day."""
    original = await amendable(ctx, request_id, AmendAction.CHANGE)
    return plan_change(_amendment(original, AmendAction.CHANGE), payload)

"""Submit, approve, reject, cancel and expire requests; every actor is checked here, on the server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.domain.amends import acted_on
from app.domain.errors import (
    ArchivedProject,
    DuplicateSubmission,
    NoApprover,
    NotAllowed,
    NotLess,
    NoUpstreamPerson,
    ReasonRequired,
    RequestExpired,
    RequestMovedOn,
    StaffdeskError,
)
from app.domain.notices import NoticeKind
from app.domain.requests import AllocationPayload, NewRequest, StaffingRequest
from app.domain.status import RequestStatus
from app.domain.upstreams import UPSTREAM_OF_KIND
from app.domain.words import Said, said, said_n
from app.policy.model import permissions_in_words
from app.policy.rules import may_act_alone, missing_permissions, relation_decides, required_permissions
from app.services.approvers import ApprovalContext, choose_approvers, project_facts, project_id_of
from app.services.ports import RequestChanges

SYSTEM_ACTOR = "staffdesk"
PENDING = RequestStatus.PENDING_APPROVAL


@dataclass(frozen=True)
class Submitted:
    request: StaffingRequest
    auto_approved: bool


async def _already_submitted(ctx: ApprovalContext, new: NewRequest) -> Submitted | None:
    """The request stored from this very submission, when Slack sent it before."""
    if new.submission_key is None:
        return None
    async with ctx.read() as uow:
        found = await uow.requests.by_submission_key(new.submission_key)
    if found is None:
        return None
    return Submitted(found, auto_approved=not found.approvers)


async def submit_request(ctx: ApprovalContext, new: NewRequest) -> Submitted:
    """Store the request: approved at once when the requester may act alone, else pending its approvers.

    The same submission received again stores nothing and answers as the first time."""
    first = await _already_submitted(ctx, new)
    if first is not None:
        return first
    try:
        return await _submit(ctx, new)
    except DuplicateSubmission:
        first = await _already_submitted(ctx, new)
        assert first is not None
        return first


async def _submit(ctx: ApprovalContext, new: NewRequest) -> Submitted:
    upstream = UPSTREAM_OF_KIND[new.kind]
    project, facts = await project_facts(ctx, upstream, project_id_of(new.payload))
    if project.archived:
        raise ArchivedProject(project.name, upstream.label)
    requester = await ctx.identities.actor(new.requester_id, upstream)
    acting = acted_on(new.payload, new.amends)
    if requester.upstream_person_id is None and relation_decides(ctx.policy, requester, acting, ctx.today()):
        ask = ctx.whom_to_ask(new.requester_id, requester.email)
        raise NoUpstreamPerson(upstream.label, requester.email, ask)
    needed = required_permissions(acting, requester.upstream_person_id, facts, ctx.today())
    detail: dict[str, object] = {"needs": sorted(p.value for p in needed)}
    if ctx.policy.approvals.auto_approve and may_act_alone(ctx.policy, requester, needed):
        status, stored = RequestStatus.APPROVED, new.model_copy(update={"approvers": ()})
        detail["auto_approved"] = True
    else:
        chosen = await choose_approvers(ctx, acting, new.requester_id, upstream, facts, ctx.today())
        approvers = chosen.approvers
        if not approvers:
            raise NoApprover(permissions_in_words(p.value for p in needed), ctx.whom_to_ask())
        lacking = tuple(missing_permissions(ctx.policy, requester, needed))
        status, stored = PENDING, new.model_copy(update={"approvers": approvers, "lacking": lacking})
        detail["approvers"] = list(approvers)
        if chosen.in_place_of:
            detail["in_place_of"] = chosen.in_place_of
    async with ctx.uow_factory() as uow:
        now = ctx.clock()
        request = await uow.requests.add(
            stored, status=status, actor=new.requester_id, now=now, detail=detail
        )
        await uow.notices.add(request.id, NoticeKind.SUBMITTED, now=now)
        if new.amends is not None:
            await uow.notices.add(
                new.amends.of_request, NoticeKind.AMENDED, now=now, detail={"by": request.id}
            )
        await uow.commit()
    ctx.wake_outbox()
    return Submitted(request, auto_approved=status is RequestStatus.APPROVED)


async def _pending(ctx: ApprovalContext, request_id: str) -> StaffingRequest:
    """The request, still waiting for a decision; one past `expire_after` expires here and now."""
    request = await ctx.request(request_id)
    if request.status is not PENDING:
        raise RequestMovedOn(request_id, PENDING, request.status)
    if ctx.clock() - request.created_at >= ctx.policy.approvals.expire_after:
        await _expire(ctx, request, ctx.clock())
        raise RequestExpired(request_id, _duration(ctx.clock() - request.created_at))
    return request


def _duration(waited: timedelta) -> Said:
    """How long a request waited, in words: "3 days", "2.5 h", "5 min"."""
    hours = waited.total_seconds() / 3600
    if hours >= 48:
        return said_n("{count} day", "{count} days", round(hours / 24))
    if hours >= 1:
        return said("{hours} h", hours=round(hours) if hours >= 10 else round(hours, 1))
    return said("{minutes} min", minutes=max(1, round(waited.total_seconds() / 60)))


async def _expire(ctx: ApprovalContext, request: StaffingRequest, now: datetime) -> StaffingRequest:
    waited = round((now - request.created_at).total_seconds() / 3600, 1)
    return await _decide(
        ctx, request, SYSTEM_ACTOR, RequestStatus.EXPIRED, {"decided_at": now}, {"waited_hours": waited}
    )


async def _check_approver(ctx: ApprovalContext, request: StaffingRequest, actor_id: str) -> None:
    if actor_id == request.requester_id:
        raise NotAllowed(said("You cannot approve or reject your own request."))
    if actor_id not in request.approvers:
        raise NotAllowed(said("Only the approvers asked for this request can approve or reject it."))
    upstream = UPSTREAM_OF_KIND[request.kind]
    approver = await ctx.identities.actor(actor_id, upstream)
    _, facts = await project_facts(ctx, upstream, project_id_of(request.payload))
    acting = acted_on(request.payload, request.amends)
    needed = required_permissions(acting, approver.upstream_person_id, facts, ctx.today())
    missing = missing_permissions(ctx.policy, approver, needed)
    if missing:
        raise NotAllowed(
            said(
                "You cannot approve this request: you may not {permissions}.",
                permissions=permissions_in_words(missing),
            )
        )


async def _decide(
    ctx: ApprovalContext,
    request: StaffingRequest,
    actor_id: str,
    target: RequestStatus,
    changes: RequestChanges,
    detail: dict[str, object] | None = None,
    *,
    action: str | None = None,
) -> StaffingRequest:
    async with ctx.uow_factory() as uow:
        updated = await uow.requests.transition(
            request.id,
            expected=PENDING,
            target=target,
            actor=actor_id,
            action=action or target.value,
            now=ctx.clock(),
            detail=detail,
            changes=changes,
        )
        await uow.notices.add(
            request.id, NoticeKind.DECIDED, now=ctx.clock(), detail={"status": target.value}
        )
        if updated.amends is not None and target is not RequestStatus.APPROVED:
            by = {"by": request.id}
            await uow.notices.add(updated.amends.of_request, NoticeKind.AMENDED, now=ctx.clock(), detail=by)
        await uow.commit()
    ctx.wake_outbox()
    return updated


async def approve_request(
    ctx: ApprovalContext,
    request_id: str,
    actor_id: str,
    *,
    note: str | None = None,
    together_with: int | None = None,
) -> StaffingRequest:
    """Approve; `note` is the approver's word to the requester; `together_with` counts the requests
    approved at once with this one, for the audit trail."""
    request = await _pending(ctx, request_id)
    await _check_approver(ctx, request, actor_id)
    detail: dict[str, object] = {"approved_together_with": together_with} if together_with else {}
    return await _approve(ctx, request, actor_id, note, detail=detail)


async def _approve(
    ctx: ApprovalContext,
    request: StaffingRequest,
    actor_id: str,
    note: str | None,
    *,
    detail: dict[str, object],
    changed: RequestChanges | None = None,
    action: str | None = None,
) -> StaffingRequest:
    """Record the approval of a request already checked, with the approver's note when there is one."""
    now = ctx.clock()
    changes: RequestChanges = {
        "decided_by": actor_id,
        "decided_at": now,
        "next_attempt_at": now,
        **(changed or {}),
    }
    note = (note or "").strip() or None
    if note:
        changes["decision_reason"] = note
        detail = {**detail, "note": note}
    return await _decide(
        ctx, request, actor_id, RequestStatus.APPROVED, changes, detail or None, action=action
    )


@dataclass(frozen=True)
class SeveralApproved:
    """What came of approving several requests at once: each approved, or refused with the reason."""

    approved: list[StaffingRequest]
    refused: list[tuple[str, StaffdeskError]]


async def approve_several(ctx: ApprovalContext, request_ids: list[str], actor_id: str) -> SeveralApproved:
    """Approve each request on its own, checked on its own; one refused does not stop the others."""
    approved: list[StaffingRequest] = []
    refused: list[tuple[str, StaffdeskError]] = []
    unique = list(dict.fromkeys(request_ids))
    for request_id in unique:
        try:
            others = len(unique) - 1
            approved.append(await approve_request(ctx, request_id, actor_id, together_with=others))
        except StaffdeskError as error:
            refused.append((request_id, error))
    return SeveralApproved(approved, refused)


async def approve_with_changes(
    ctx: ApprovalContext,
    request_id: str,
    actor_id: str,
    dates: tuple[date, ...],
    hours: int,
    note: str | None = None,
) -> StaffingRequest:
    """Approve fewer days or fewer hours than the allocation asked for; what was asked is kept beside it.
    Nothing changed but a note given: approved as asked, with the note."""
    request = await _pending(ctx, request_id)
    await _check_approver(ctx, request, actor_id)
    asked = request.payload
    if not isinstance(asked, AllocationPayload) or request.amends is not None:
        raise NotLess(
            said("Only an allocation can be approved with changes, not an undo or a change of one.")
        )
    if (note or "").strip() and set(dates) == set(asked.dates) and hours == asked.hours:
        return await _approve(ctx, request, actor_id, note, detail={})
    approved = asked.narrowed(dates, hours)
    changed: RequestChanges = {
        "payload": approved.model_dump(mode="json"),
        "asked_payload": asked.model_dump(mode="json"),
    }
    dropped = sorted(set(asked.dates) - set(approved.dates))
    detail: dict[str, object] = {
        "hours": {"asked": asked.hours, "approved": approved.hours},
        "dropped_days": [d.isoformat() for d in dropped],
    }
    return await _approve(
        ctx, request, actor_id, note, detail=detail, changed=changed, action="approved_with_changes"
    )


async def reject_request(
    ctx: ApprovalContext, request_id: str, actor_id: str, reason: str
) -> StaffingRequest:
    reason = reason.strip()
    if not reason:
        raise ReasonRequired()
    request = await _pending(ctx, request_id)
    await _check_approver(ctx, request, actor_id)
    changes: RequestChanges = {"decided_by": actor_id, "decided_at": ctx.clock(), "decision_reason": reason}
    return await _decide(ctx, request, actor_id, RequestStatus.REJECTED, changes, {"reason": reason})


async def cancel_request(ctx: ApprovalContext, request_id: str, actor_id: str) -> StaffingRequest:
    request = await _pending(ctx, request_id)
    if actor_id != request.requester_id:
        raise NotAllowed(said("Only the person who asked can cancel this request."))
    changes: RequestChanges = {"decided_by": actor_id, "decided_at": ctx.clock()}
    return await _decide(ctx, request, actor_id, RequestStatus.CANCELLED, changes)


async def expire_requests(ctx: ApprovalContext) -> list[StaffingRequest]:
    """Expire every request that has waited longer than the policy's `expire_after`."""
    now = ctx.clock()
    async with ctx.uow_factory() as uow:
        stale = await uow.requests.pending_created_before(now - ctx.policy.approvals.expire_after)
    expired = []
    for request in stale:
        try:
            expired.append(await _expire(ctx, request, now))
        except RequestMovedOn:
            continue
    return expired

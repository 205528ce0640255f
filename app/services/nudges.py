"""Approvals that do not stall: reminders, escalation to the fallback, and delegates of those away.

Each reminder and escalation is claimed in the database with the notices it owes, in one transaction, so
however many replicas find it due at once, it is sent once."""

from __future__ import annotations

import logging
from datetime import date

from app.domain.absences import Absence
from app.domain.amends import acted_on
from app.domain.errors import RequestMovedOn
from app.domain.notices import NoticeKind
from app.domain.requests import StaffingRequest
from app.domain.upstreams import UPSTREAM_OF_KIND
from app.services.approvals import SYSTEM_ACTOR
from app.services.approvers import (
    ApprovalContext,
    away_today,
    fallback_approvers,
    may_decide,
    project_facts,
    project_id_of,
)

log = logging.getLogger(__name__)
REMINDER, ESCALATION = "reminder", "escalation"


async def nudge_waiting(ctx: ApprovalContext) -> int:
    """Remind, escalate and offer to delegates what is due now; returns how many requests were nudged.

    Reminders and escalations go out only inside `remind_between`; the reminder of a period that fell
    outside it (a night, a weekend) is sent when the hours open, once, as the latest period's."""
    settings = ctx.policy.approvals
    now = ctx.clock()
    async with ctx.read() as uow:
        pending = await uow.requests.pending()
        taken = await uow.nudges.taken([r.id for r in pending])
    nudged = await offer_to_delegates(ctx, pending, ctx.today())
    if not settings.may_nudge(now.astimezone(ctx.timezone)):
        return nudged
    for request in pending:
        try:
            nudged += await _nudge(ctx, request, taken)
        except Exception:  # one request that cannot be nudged (its project gone, say) holds up no other
            log.exception("could not remind or escalate request %s; trying again at the next run", request.id)
    return nudged


async def _nudge(ctx: ApprovalContext, request: StaffingRequest, taken: set[tuple[str, str, int]]) -> int:
    settings = ctx.policy.approvals
    age = ctx.clock() - request.created_at
    if age >= settings.expire_after:
        return 0
    nudged = 0
    if (
        settings.escalate_after
        and age >= settings.escalate_after
        and (request.id, ESCALATION, 1) not in taken
    ):
        nudged += await _escalate(ctx, request)
    period = int(age / settings.remind_after) if settings.remind_after else 0
    if period >= 1 and (request.id, REMINDER, period) not in taken:
        nudged += await _remind(ctx, request, period)
    return nudged


async def _remind(ctx: ApprovalContext, request: StaffingRequest, period: int) -> int:
    now = ctx.clock()
    waited = round((now - request.created_at).total_seconds() / 3600, 1)
    async with ctx.uow_factory() as uow:
        if not await uow.nudges.claim(request.id, REMINDER, period, now):
            return 0
        detail = {"number": period, "waited_hours": waited, "approvers": list(request.approvers)}
        await uow.requests.record(request.id, actor=SYSTEM_ACTOR, action="reminded", now=now, detail=detail)
        await uow.notices.add(request.id, NoticeKind.REMINDED, now=now, detail=detail)
        await uow.commit()
    ctx.wake_outbox()
    return 1


async def _escalate(ctx: ApprovalContext, request: StaffingRequest) -> int:
    """Ask the fallback approvers who may decide, besides those already asked; once per request."""
    upstream = UPSTREAM_OF_KIND[request.kind]
    _, facts = await project_facts(ctx, upstream, project_id_of(request.payload))
    fallback = await fallback_approvers(
        ctx, acted_on(request.payload, request.amends), request.requester_id, upstream, facts, ctx.today()
    )
    added = [a for a in fallback if a not in request.approvers]
    return await _add_approvers(ctx, request, added, why="escalated", claim=(ESCALATION, 1))


async def offer_to_delegates(ctx: ApprovalContext, pending: list[StaffingRequest], today: date) -> int:
    """Each pending request waiting for someone away today is offered to their delegate, when the
    delegate may decide it in their own right, else to the fallback approvers who may."""
    away = await away_today(ctx, {a for r in pending for a in r.approvers}, today)
    offered = 0
    for request in pending:
        missing = [a for a in request.approvers if a in away and away[a].delegate_id not in request.approvers]
        if not missing:
            continue
        try:
            offered += await _offer(ctx, request, missing, away, today)
        except Exception:
            log.exception(
                "could not offer request %s to a delegate; trying again at the next run", request.id
            )
    return offered


async def _offer(
    ctx: ApprovalContext, request: StaffingRequest, missing: list[str], away: dict[str, Absence], today: date
) -> int:
    upstream = UPSTREAM_OF_KIND[request.kind]
    _, facts = await project_facts(ctx, upstream, project_id_of(request.payload))
    added: list[str] = []
    for approver in missing:
        delegate = away[approver].delegate_id
        if delegate != request.requester_id and await may_decide(ctx, delegate, request, facts, today):
            added.append(delegate)
        else:
            fallback = await fallback_approvers(
                ctx, acted_on(request.payload, request.amends), request.requester_id, upstream, facts, today
            )
            added += [f for f in fallback if f not in request.approvers and f not in added]
    in_place = {a: away[a].delegate_id for a in missing}
    return await _add_approvers(ctx, request, added, why="delegated", in_place_of=in_place)


async def _add_approvers(
    ctx: ApprovalContext,
    request: StaffingRequest,
    added: list[str],
    *,
    why: str,
    claim: tuple[str, int] | None = None,
    in_place_of: dict[str, str] | None = None,
) -> int:
    now = ctx.clock()
    detail: dict[str, object] = {"why": why, "added": added}
    if in_place_of:
        detail["in_place_of"] = in_place_of
    async with ctx.uow_factory() as uow:
        if claim is not None and not await uow.nudges.claim(request.id, claim[0], claim[1], now):
            return 0
        if not added:  # an escalation that finds nobody new is recorded, once
            if claim is not None:
                await uow.requests.record(request.id, actor=SYSTEM_ACTOR, action=why, now=now, detail=detail)
                await uow.commit()
            return 0
        try:
            await uow.requests.add_approvers(
                request.id, added, actor=SYSTEM_ACTOR, action=why, now=now, detail=detail
            )
        except RequestMovedOn:
            return 0
        await uow.notices.add(request.id, NoticeKind.APPROVERS_ADDED, now=now, detail=detail)
        await uow.commit()
    ctx.wake_outbox()
    return 1

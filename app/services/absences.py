"""Approvers away: `/staffing away @delegate FROM..TO` and `/staffing back`."""

from __future__ import annotations

from datetime import date, timedelta

from app.domain.absences import Absence
from app.domain.errors import StaffdeskError
from app.domain.words import said
from app.services.approvers import ApprovalContext
from app.services.nudges import offer_to_delegates

LONGEST_ABSENCE = timedelta(days=366)


class AbsenceRefused(StaffdeskError):
    """An absence that cannot be set as asked; the words say what to change."""


async def go_away(
    ctx: ApprovalContext, slack_user_id: str, delegate_id: str, starts: date, ends: date
) -> tuple[Absence, int]:
    """Store the absence (replacing any other of this person), and offer the requests already waiting for
    them to the delegate when the absence has begun; returns it and how many requests were offered."""
    today = ctx.today()
    if delegate_id == slack_user_id:
        raise AbsenceRefused(said("Pick someone else to decide while you are away."))
    if ends < starts:
        raise AbsenceRefused(said("The last day comes before the first; write the days as FROM..TO."))
    if ends < today:
        raise AbsenceRefused(said("Those days are over already; give days from today on."))
    if ends - starts > LONGEST_ABSENCE:
        raise AbsenceRefused(said("An absence can last a year at most."))
    absence = Absence(slack_user_id=slack_user_id, delegate_id=delegate_id, starts=starts, ends=ends)
    async with ctx.uow_factory() as uow:
        await uow.absences.set(absence, ctx.clock())
        await uow.commit()
    async with ctx.read() as uow:
        waiting = await uow.requests.waiting_for(slack_user_id)
    offered = await offer_to_delegates(ctx, waiting, today) if absence.covers(today) else 0
    return absence, offered


async def come_back(ctx: ApprovalContext, slack_user_id: str) -> Absence | None:
    """End this person's absence; the one ended, or None when there was none."""
    async with ctx.uow_factory() as uow:
        ended = await uow.absences.end(slack_user_id)
        await uow.commit()
    return ended


async def absence_of(ctx: ApprovalContext, slack_user_id: str) -> Absence | None:
    """This person's absence, now or to come."""
    async with ctx.read() as uow:
        (found,) = await uow.absences.of([slack_user_id]) or (None,)
    return found if found is not None and found.ends >= ctx.today() else None

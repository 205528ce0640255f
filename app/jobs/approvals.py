"""Expire requests that waited too long for a decision; remind, escalate and offer to delegates what is
due; on a schedule."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.services.approvals import expire_requests
from app.services.approvers import ApprovalContext
from app.services.nudges import nudge_waiting

log = logging.getLogger(__name__)

EXPIRE_EVERY = timedelta(minutes=5)
NUDGE_EVERY = timedelta(seconds=30)  # a reminder or escalation goes out within a minute of being due


async def expire_once(ctx: ApprovalContext) -> None:
    """Expire what waited too long; each expiry wakes the outbox, which tells Slack, as any decision does."""
    try:
        expired = await expire_requests(ctx)
    except Exception:
        log.exception("expiring requests failed; trying again at the next run")
        return
    if expired:
        log.info(
            "expired %d request(s) that waited longer than %s",
            len(expired),
            ctx.policy.approvals.expire_after,
        )


async def nudge_once(ctx: ApprovalContext) -> None:
    try:
        nudged = await nudge_waiting(ctx)
    except Exception:
        log.exception("reminding approvers failed; trying again at the next run")
        return
    if nudged:
        log.info("reminded, escalated or delegated %d waiting request(s)", nudged)


def schedule_expiry(scheduler: AsyncIOScheduler, ctx: ApprovalContext) -> None:
    scheduler.add_job(
        expire_once,
        "interval",
        args=(ctx,),
        seconds=EXPIRE_EVERY.total_seconds(),
        id="expire-requests",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        nudge_once,
        "interval",
        args=(ctx,),
        seconds=NUDGE_EVERY.total_seconds(),
        id="nudge-approvers",
        max_instances=1,
        coalesce=True,
    )

"""When the daily summary goes out: once per working day and destination, whatever the replicas."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

from app.domain.upstreams import Upstream
from app.services.calendar import MONDAY_TO_FRIDAY, WorkingDays
from app.services.identity import Identities
from app.services.ports import AllocationReader, Clock, UnitOfWorkFactory
from app.services.summary import DailySummary, build_summary


class SummaryPoster(Protocol):
    """Posts a summary where it belongs (a channel id, or a Slack user id for a digest); returns its ts."""

    async def post(self, destination: str, summary: DailySummary) -> str: ...


log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=10)
DIGEST = "digest:"


@dataclass(frozen=True)
class SummaryContext:
    uow_factory: UnitOfWorkFactory
    reader: AllocationReader | None
    identities: Identities
    clock: Clock
    timezone: tzinfo
    at: time
    channel: str | None
    worker: str
    calendar: WorkingDays = MONDAY_TO_FRIDAY

    def today(self) -> date:
        return self.clock().astimezone(self.timezone).date()


def due_day(
    now: datetime, timezone: tzinfo, at: time, calendar: WorkingDays = MONDAY_TO_FRIDAY
) -> date | None:
    """The working day whose summary is due at `now` in company time; None before the time, at weekends and
    on the holidays of `calendar`."""
    local = now.astimezone(timezone)
    if not calendar.is_working(local.date()) or local.time().replace(tzinfo=None) < at:
        return None
    return local.date()


async def _since(ctx: SummaryContext, day: date, destination: str) -> datetime:
    async with ctx.uow_factory() as uow:
        previous = await uow.summaries.last_posted_before(day, destination)
    return previous or ctx.clock() - timedelta(days=1)


async def summary_for(ctx: SummaryContext, day: date, destination: str) -> DailySummary:
    """The channel's summary, or the digest of the PM a `digest:<user>` destination names."""
    since = await _since(ctx, day, destination)
    if not destination.startswith(DIGEST):
        return await build_summary(
            ctx.uow_factory, ctx.reader, day, now=ctx.clock(), since=since, calendar=ctx.calendar
        )
    user = destination.removeprefix(DIGEST)
    _, person_id = await ctx.identities.link(user, Upstream.WETHOD)
    return await build_summary(
        ctx.uow_factory,
        ctx.reader,
        day,
        now=ctx.clock(),
        since=since,
        pm_person_id=person_id or "-",
        approver_id=user,
        calendar=ctx.calendar,
    )


async def post_summary(ctx: SummaryContext, poster: SummaryPoster, day: date, destination: str) -> str | None:
    """Claim, build, post and record one summary; None when it was posted already or is being posted."""
    async with ctx.uow_factory() as uow:
        claimed = await uow.summaries.claim(
            day, destination, worker=ctx.worker, now=ctx.clock(), lease=CLAIM_LEASE
        )
        await uow.commit()
    if not claimed:
        return None
    summary = await summary_for(ctx, day, destination)
    ts = await poster.post(destination.removeprefix(DIGEST), summary)
    async with ctx.uow_factory() as uow:
        await uow.summaries.mark_posted(day, destination, worker=ctx.worker, now=ctx.clock(), ts=ts)
        await uow.commit()
    log.info("posted the summary of %s to %s", day, destination)
    return ts


async def post_due_summaries(ctx: SummaryContext, poster: SummaryPoster) -> list[str]:
    """Post every summary due now and not yet posted: the channel's, then each digest."""
    day = due_day(ctx.clock(), ctx.timezone, ctx.at, ctx.calendar)
    if day is None:
        return []
    async with ctx.uow_factory() as uow:
        destinations = [f"{DIGEST}{user}" for user in await uow.summaries.digest_subscribers()]
    if ctx.channel:
        destinations.insert(0, ctx.channel)
    posted = []
    for destination in destinations:
        if await post_summary(ctx, poster, day, destination) is not None:
            posted.append(destination)
    return posted


async def set_digest(ctx: SummaryContext, slack_user_id: str, enabled: bool) -> None:
    async with ctx.uow_factory() as uow:
        await uow.summaries.set_digest(slack_user_id, enabled, ctx.clock())
        await uow.commit()


async def gets_digest(ctx: SummaryContext, slack_user_id: str) -> bool:
    """Whether this Slack user has opted in to the daily digest."""
    async with ctx.uow_factory() as uow:
        return slack_user_id in await uow.summaries.digest_subscribers()

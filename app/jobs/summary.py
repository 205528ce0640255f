"""The scheduler job that posts the daily summaries when they are due."""

from __future__ import annotations

import logging
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.services.summary_runs import SummaryContext, SummaryPoster, post_due_summaries

log = logging.getLogger(__name__)

CHECK_EVERY = timedelta(minutes=1)


async def summaries_once(ctx: SummaryContext, poster: SummaryPoster) -> None:
    try:
        await post_due_summaries(ctx, poster)
    except Exception:
        log.exception("posting the daily summary failed; it is tried again in a minute")


def schedule_summaries(scheduler: AsyncIOScheduler, ctx: SummaryContext, poster: SummaryPoster) -> None:
    """Check every minute (and at start, for a summary missed while down) whether one is due."""
    scheduler.add_job(
        summaries_once,
        "interval",
        args=(ctx, poster),
        seconds=CHECK_EVERY.total_seconds(),
        next_run_time=ctx.clock(),
        id="daily-summary",
        max_instances=1,
        coalesce=True,
    )

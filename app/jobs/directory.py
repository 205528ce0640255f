"""Refresh each upstream's directory in the background, on its own interval."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.observability import DIRECTORY_REFRESH_ERRORS, DIRECTORY_REFRESHES
from app.services.directory import refresh_directory
from app.services.ports import Clock, DirectorySource, UnitOfWorkFactory

log = logging.getLogger(__name__)

INCREMENTAL_EVERY = timedelta(minutes=5)
FULL_EVERY = timedelta(minutes=30)


async def refresh_once(source: DirectorySource, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
    """One refresh, logged and counted; never raises, so the schedule keeps going."""
    try:
        report = await refresh_directory(source, uow_factory, clock)
    except Exception:
        DIRECTORY_REFRESH_ERRORS.labels(source.upstream.value).inc()
        log.exception("directory refresh of %s failed", source.upstream.label)
        return
    DIRECTORY_REFRESHES.labels(source.upstream.value, "full" if report.full else "incremental").inc()
    if report.errors:
        DIRECTORY_REFRESH_ERRORS.labels(source.upstream.value).inc()
    log.info(
        "directory %s: %s refresh, %d people, %d projects%s",
        source.upstream.label,
        "full" if report.full else "incremental",
        report.people,
        report.projects,
        f", problems: {'; '.join(report.errors)}" if report.errors else "",
    )


def schedule_directory_refresh(
    scheduler: AsyncIOScheduler,
    sources: Sequence[DirectorySource],
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
) -> None:
    """Refresh each source now and then on its interval; runs of one source never overlap."""
    for source in sources:
        every = INCREMENTAL_EVERY if source.incremental else FULL_EVERY
        scheduler.add_job(
            refresh_once,
            "interval",
            args=(source, uow_factory, clock),
            seconds=every.total_seconds(),
            next_run_time=clock(),
            id=f"directory-{source.upstream.value}",
            max_instances=1,
            coalesce=True,
        )

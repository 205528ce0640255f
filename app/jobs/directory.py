"""Refresh each upstream's directory in the background, on its own interval, and keep this process's
project index up with refreshes made anywhere."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.observability import DIRECTORY_REFRESH_ERRORS, DIRECTORY_REFRESHES
from app.services.directory import refresh_directory
from app.services.directory_index import DirectoryIndex
from app.services.ports import Clock, DirectorySource, UnitOfWorkFactory

log = logging.getLogger(__name__)

INCREMENTAL_EVERY = timedelta(minutes=5)
FULL_EVERY = timedelta(minutes=30)
AFTER_FAILURE = timedelta(minutes=1)
CATCH_UP_EVERY = timedelta(seconds=10)


async def refresh_once(
    source: DirectorySource, uow_factory: UnitOfWorkFactory, clock: Clock, index: DirectoryIndex | None = None
) -> bool:
    """One refresh, logged and counted, then `index` caught up (rebuilt only if the refresh changed
    something); never raises, so the schedule keeps going. False when it failed in whole or in part."""
    try:
        report = await refresh_directory(source, uow_factory, clock, index=index)
    except Exception:
        DIRECTORY_REFRESH_ERRORS.labels(source.upstream.value).inc()
        log.exception("directory refresh of %s failed", source.upstream.label)
        return False
    DIRECTORY_REFRESHES.labels(source.upstream.value, "full" if report.full else "incremental").inc()
    if report.errors:
        DIRECTORY_REFRESH_ERRORS.labels(source.upstream.value).inc()
    log.info(
        "directory %s: %s refresh, %d people, %d projects, %d entries changed%s",
        source.upstream.label,
        "full" if report.full else "incremental",
        report.people,
        report.projects,
        report.changed,
        f", problems: {'; '.join(report.errors)}" if report.errors else "",
    )
    return not report.errors


async def _refresh_on_schedule(
    scheduler: AsyncIOScheduler,
    job_id: str,
    source: DirectorySource,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    index: DirectoryIndex | None,
) -> None:
    """A failed refresh (the upstream or the database away for a moment) is tried again soon rather
    than at the next interval, so that pickers are not left stale for half an hour."""
    if not await refresh_once(source, uow_factory, clock, index):
        scheduler.modify_job(job_id, next_run_time=clock() + AFTER_FAILURE)


def schedule_directory_refresh(
    scheduler: AsyncIOScheduler,
    sources: Sequence[DirectorySource],
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    index: DirectoryIndex | None = None,
) -> None:
    """Refresh each source now and then on its interval (a minute after a failure), catching `index` up
    after each; runs of one source never overlap."""
    for source in sources:
        every = INCREMENTAL_EVERY if source.incremental else FULL_EVERY
        job_id = f"directory-{source.upstream.value}"
        scheduler.add_job(
            _refresh_on_schedule,
            "interval",
            args=(scheduler, job_id, source, uow_factory, clock, index),
            seconds=every.total_seconds(),
            next_run_time=clock(),
            id=job_id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=60,  # a busy moment delays a run rather than skipping it
        )


async def catch_up_once(index: DirectoryIndex) -> bool:
    """Rebuild what other processes have changed since the index was built; never raises. False when
    the database could not be read (the index then answers as it was)."""
    try:
        rebuilt = await index.catch_up()
    except Exception:
        log.exception("the project index could not catch up with the directory")
        return False
    if rebuilt:
        log.info("project index caught up with %s", ", ".join(u.label for u in rebuilt))
    return True


def schedule_index_catch_up(
    scheduler: AsyncIOScheduler, index: DirectoryIndex, *, every: timedelta = CATCH_UP_EVERY
) -> None:
    """Check every `every` whether another process has changed the directory (one read of the content
    versions), and rebuild the index of what changed."""
    scheduler.add_job(
        catch_up_once,
        "interval",
        args=(index,),
        seconds=every.total_seconds(),
        id="directory-index-catch-up",
        max_instances=1,
        coalesce=True,
    )

"""Keep the local directory of upstream people and projects fresh, and search it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.directory import DirectoryPerson, DirectoryProject, SyncState, Upstream
from app.domain.errors import UpstreamUnavailable
from app.services.ports import Clock, DirectorySource, UnitOfWorkFactory

log = logging.getLogger(__name__)

FULL_REFRESH_EVERY = timedelta(hours=24)
CURSOR_OVERLAP = timedelta(seconds=1)
WRITE_CHUNK = 500


@dataclass(frozen=True)
class RefreshReport:
    upstream: Upstream
    full: bool
    people: int
    projects: int
    errors: tuple[str, ...]


def _needs_full(source: DirectorySource, state: SyncState | None, now: datetime) -> bool:
    if not source.incremental or state is None or state.cursor is None or state.last_full_at is None:
        return True
    return now - state.last_full_at >= FULL_REFRESH_EVERY


def _newest(items: Sequence[DirectoryPerson | DirectoryProject]) -> datetime | None:
    stamps = [i.updated_at for i in items if i.updated_at is not None]
    return max(stamps) if stamps else None


async def _store(
    uow_factory: UnitOfWorkFactory, items: Sequence[DirectoryPerson | DirectoryProject], now: datetime
) -> None:
    """Write in chunks, each its own transaction, so that searches are never held up for long."""
    for start in range(0, len(items), WRITE_CHUNK):
        chunk = items[start : start + WRITE_CHUNK]
        async with uow_factory() as uow:
            await uow.directory.upsert_people([i for i in chunk if isinstance(i, DirectoryPerson)], now=now)
            await uow.directory.upsert_projects(
                [i for i in chunk if isinstance(i, DirectoryProject)], now=now
            )
            await uow.commit()


async def refresh_directory(
    source: DirectorySource, uow_factory: UnitOfWorkFactory, clock: Clock
) -> RefreshReport:
    """Fetch what changed upstream (or everything, when due or not incremental) and store it.

    A part that cannot be read is reported and left as it was; a full refresh removes entries the upstream
    no longer lists only when both parts were read.
    """
    async with uow_factory() as uow:
        state = await uow.directory.sync_state(source.upstream)
    started = clock()
    full = _needs_full(source, state, started)
    since = None if full or state is None or state.cursor is None else state.cursor - CURSOR_OVERLAP
    fetched: list[DirectoryPerson | DirectoryProject] = []
    errors: list[str] = []
    counts = {"people": 0, "projects": 0}
    for part, fetch in (("people", source.fetch_people), ("projects", source.fetch_projects)):
        try:
            items: Sequence[DirectoryPerson | DirectoryProject] = await fetch(since)
        except UpstreamUnavailable as exc:
            errors.append(f"{part}: {exc.reason}")
            log.warning("directory refresh of %s %s failed: %s", source.upstream.label, part, exc.reason)
            continue
        counts[part] = len(items)
        fetched.extend(items)
    await _store(uow_factory, fetched, started)
    newest = _newest(fetched)
    async with uow_factory() as uow:
        if full and not errors:
            await uow.directory.remove_not_synced_since(source.upstream, started)
        previous_cursor = state.cursor if state else None
        # The cursor moves only when every part was read, so a part that failed is fetched again in full.
        newest = newest if not errors else None
        await uow.directory.save_sync_state(
            SyncState(
                upstream=source.upstream,
                last_full_at=started if full and not errors else (state.last_full_at if state else None),
                last_run_at=started,
                cursor=max(filter(None, [newest, previous_cursor]), default=None),
                last_error="; ".join(errors) or None,
            )
        )
        await uow.commit()
    return RefreshReport(source.upstream, full, counts["people"], counts["projects"], tuple(errors))


async def search_projects(
    uow_factory: UnitOfWorkFactory, upstream: Upstream, query: str, *, limit: int = 50
) -> list[DirectoryProject]:
    async with uow_factory() as uow:
        return await uow.directory.search_projects(upstream, query, limit=limit)


async def search_people(
    uow_factory: UnitOfWorkFactory, upstream: Upstream, query: str, *, limit: int = 50
) -> list[DirectoryPerson]:
    async with uow_factory() as uow:
        return await uow.directory.search_people(upstream, query, limit=limit)

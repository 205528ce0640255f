"""Keep the local directory of upstream people and projects fresh, and search it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.directory import DirectoryPerson, DirectoryProject, SyncState
from app.domain.errors import UpstreamUnavailable
from app.domain.upstreams import Upstream
from app.services.directory_index import DirectoryIndex
from app.services.ports import Clock, DirectorySource, UnitOfWorkFactory

log = logging.getLogger(__name__)

Fetch = Callable[[datetime | None], Awaitable[Sequence[DirectoryPerson | DirectoryProject]]]
FULL_REFRESH_EVERY = timedelta(hours=24)
CURSOR_OVERLAP = timedelta(seconds=1)
WRITE_CHUNK = 500


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh did: `people` and `projects` are the entries the upstream listed, `changed` the
    entries written (new or changed) or removed."""

    upstream: Upstream
    full: bool
    people: int
    projects: int
    errors: tuple[str, ...]
    changed: int


def _needs_full(source: DirectorySource, state: SyncState | None, now: datetime) -> bool:
    if not source.incremental or state is None or state.last_full_at is None:
        return True
    return now - state.last_full_at >= FULL_REFRESH_EVERY


def _newest(
    items: Sequence[DirectoryPerson | DirectoryProject], previous: datetime | None
) -> datetime | None:
    stamps = [i.updated_at for i in items if i.updated_at is not None]
    return max([*stamps, *([previous] if previous else [])], default=None)


async def _store(
    uow_factory: UnitOfWorkFactory, items: Sequence[DirectoryPerson | DirectoryProject], now: datetime
) -> int:
    """Write in chunks, each its own transaction, so that searches are never held up for long; returns
    the entries written (those new or changed)."""
    written = 0
    for start in range(0, len(items), WRITE_CHUNK):
        chunk = items[start : start + WRITE_CHUNK]
        async with uow_factory() as uow:
            people = [i for i in chunk if isinstance(i, DirectoryPerson)]
            written += await uow.directory.upsert_people(people, now=now)
            projects = [i for i in chunk if isinstance(i, DirectoryProject)]
            written += await uow.directory.upsert_projects(projects, now=now)
            await uow.commit()
    return written


async def refresh_directory(
    source: DirectorySource,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    index: DirectoryIndex | None = None,
) -> RefreshReport:
    """Fetch what changed upstream (or everything, when due or not incremental) and store it.

    People and projects keep a cursor each: the newest `updated_at` seen, less a small overlap next time.
    A part that cannot be read is reported and keeps its cursor; a full refresh removes entries the upstream
    no longer lists only when both parts were read.

    Only entries whose content changed are written, and each such write raises the directory's content
    version in its own transaction. `index`, this process's project search, catches up once the refresh
    is recorded: rebuilt when the content version moved, left as it is when nothing changed. Other
    processes on the same database (and this one, without `index`) do the same at their next `catch_up`.
    """
    async with uow_factory() as uow:
        state = await uow.directory.sync_state(source.upstream)
    started = clock()
    full = _needs_full(source, state, started)
    cursors = {
        "people": state.people_cursor if state else None,
        "projects": state.projects_cursor if state else None,
    }
    parts: dict[str, Fetch] = {"people": source.fetch_people, "projects": source.fetch_projects}
    counts = {"people": 0, "projects": 0}
    changed = 0
    errors: list[str] = []
    for part, fetch in parts.items():
        cursor = cursors[part]
        since = None if full or cursor is None else cursor - CURSOR_OVERLAP
        try:
            items = await fetch(since)
        except UpstreamUnavailable as exc:
            errors.append(f"{part}: {exc.reason}")
            log.warning("directory refresh of %s %s failed: %s", source.upstream.label, part, exc.reason)
            continue
        changed += await _store(uow_factory, items, started)
        counts[part] = len(items)
        cursors[part] = _newest(items, cursor)
    async with uow_factory() as uow:
        if full and not errors:
            changed += await uow.directory.remove_not_synced_since(source.upstream, started)
        await uow.directory.save_sync_state(
            SyncState(
                upstream=source.upstream,
                last_full_at=started if full and not errors else (state.last_full_at if state else None),
                last_run_at=started,
                people_cursor=cursors["people"],
                projects_cursor=cursors["projects"],
                last_error="; ".join(errors) or None,
            )
        )
        await uow.commit()
    if index is not None:
        await index.catch_up((source.upstream,))
    return RefreshReport(source.upstream, full, counts["people"], counts["projects"], tuple(errors), changed)


async def search_projects(
    uow_factory: UnitOfWorkFactory, upstream: Upstream, query: str, *, limit: int = 50
) -> list[DirectoryProject]:
    """Straight from the database; option loads ask this process's `DirectoryIndex` instead."""
    async with uow_factory() as uow:
        return await uow.directory.search_projects(upstream, query, limit=limit)


async def search_people(
    uow_factory: UnitOfWorkFactory, upstream: Upstream, query: str, *, limit: int = 50
) -> list[DirectoryPerson]:
    async with uow_factory() as uow:
        return await uow.directory.search_people(upstream, query, limit=limit)


async def find_project(
    uow_factory: UnitOfWorkFactory, upstream: Upstream, project_id: str
) -> DirectoryProject | None:
    async with uow_factory() as uow:
        return await uow.directory.get_project(upstream, project_id)


async def find_person(
    uow_factory: UnitOfWorkFactory, upstream: Upstream, person_id: str
) -> DirectoryPerson | None:
    async with uow_factory() as uow:
        found = await uow.directory.get_people(upstream, [person_id])
    return found[0] if found else None

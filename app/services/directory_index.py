"""The directory from memory: each upstream's `ProjectIndex` and `PeopleIndex`, rebuilt when its content
changed and swapped whole; and the same lookups from the database."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Protocol, TypeVar

from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.upstreams import Upstream
from app.services.ports import DirectoryRepository, UnitOfWorkFactory
from app.services.project_index import PeopleIndex, ProjectChoice, ProjectIndex, project_row

log = logging.getLogger(__name__)

# A rebuild reads this many entries at a time, and lets the event loop run between pages: a page of 1,000
# projects is about 15 ms of the loop's time, read and made into rows.
PAGE_SIZE = 1_000
Entry = TypeVar("Entry", DirectoryPerson, DirectoryProject)
Kept = TypeVar("Kept")


class DirectoryReads(Protocol):
    """The directory lookups on the path of a request: a project, people by id, e-mail or role."""

    async def project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None: ...

    async def people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]: ...

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None: ...

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]: ...


class DatabaseDirectory:
    """The directory lookups read from the database each time."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None:
        async with self._uow_factory() as uow:
            return await uow.directory.get_project(upstream, upstream_id)

    async def people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]:
        async with self._uow_factory() as uow:
            return await uow.directory.get_people(upstream, upstream_ids)

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None:
        async with self._uow_factory() as uow:
            return await uow.directory.person_by_email(upstream, email)

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]:
        async with self._uow_factory() as uow:
            return await uow.directory.people_with_role(upstream, role)


class DirectoryIndex:
    """This process's project search: one `ProjectIndex` per upstream, read by option loads without any
    database session, and replaced whole (one reference) when rebuilt.

    The database stays the source of truth. Every write that changes an upstream's people or projects
    raises its content version, in the same transaction. `catch_up` rebuilds each upstream whose content
    version differs from the one its index was built under (and, the first time, every upstream);
    `refresh_directory` calls it for its upstream once a refresh is recorded, and the scheduler every few
    seconds for changes made by other processes. A refresh that changed nothing leaves the version, and so
    the index, as they were. Between a change elsewhere and the next `catch_up` here, searches answer from
    the index as it was.

    A rebuild reads the entries `page_size` at a time, letting the event loop run between pages, builds
    the new index off to the side, and swaps it in whole.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        upstreams: Iterable[Upstream] = tuple(Upstream),
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self._uow_factory = uow_factory
        self._upstreams = tuple(upstreams)
        self._page_size = page_size
        self._built: Mapping[Upstream, ProjectIndex] = MappingProxyType({})
        self._people: Mapping[Upstream, PeopleIndex] = MappingProxyType({})
        self._rebuilding = asyncio.Lock()
        self._database = DatabaseDirectory(uow_factory)

    # The lookups answer from memory, and ask the database only for what the index does not hold (not
    # built yet, or a refresh elsewhere not caught up yet), so that nothing known is ever missed.

    async def project(self, upstream: Upstream, upstream_id: str) -> DirectoryProject | None:
        built = self._built.get(upstream)
        found = built.project(upstream_id) if built is not None else None
        return found or await self._database.project(upstream, upstream_id)

    async def people(self, upstream: Upstream, upstream_ids: Sequence[str]) -> list[DirectoryPerson]:
        known = self._people.get(upstream)
        if known is not None and all(i in known.by_id for i in upstream_ids):
            return [known.by_id[i] for i in dict.fromkeys(upstream_ids)]
        return await self._database.people(upstream, upstream_ids)

    async def person_by_email(self, upstream: Upstream, email: str) -> DirectoryPerson | None:
        known = self._people.get(upstream)
        found = known.by_email.get(email.strip().lower()) if known is not None else None
        return found or await self._database.person_by_email(upstream, email)

    async def people_with_role(self, upstream: Upstream, role: str) -> list[DirectoryPerson]:
        known = self._people.get(upstream)
        found = list(known.by_role.get(role.strip().lower(), ())) if known is not None else []
        return found or await self._database.people_with_role(upstream, role)

    def search_projects(self, upstream: Upstream, query: str, *, limit: int = 50) -> list[DirectoryProject]:
        """What the database search would answer, from the index as last built; nothing before the first
        build."""
        built = self._built.get(upstream)
        return built.search(query, limit) if built is not None else []

    def project_choices(self, upstream: Upstream, query: str, *, limit: int = 50) -> list[ProjectChoice]:
        """What a picker shows of the projects `search_projects` answers."""
        built = self._built.get(upstream)
        return built.choices_for(query, limit) if built is not None else []

    def built(self, upstream: Upstream) -> ProjectIndex | None:
        """The index that option loads read now for `upstream`, if any."""
        return self._built.get(upstream)

    async def catch_up(self, upstreams: Iterable[Upstream] | None = None) -> tuple[Upstream, ...]:
        """Rebuild those of `upstreams` (by default all this index holds) whose directory content changed
        since their index was built, or never built; returns them. When nothing changed this costs one
        read of their content versions. An upstream that a rebuild running meanwhile has brought to the
        version read is not built again."""
        chosen = self._upstreams if upstreams is None else tuple(upstreams)
        async with self._uow_factory() as uow:
            versions = {u: await uow.directory.content_version(u) for u in chosen}
        rebuilt: list[Upstream] = []
        for upstream in chosen:
            async with self._rebuilding:
                built = self._built.get(upstream)
                if built is not None and built.version == versions[upstream]:
                    continue
                await self._rebuild(upstream)
            rebuilt.append(upstream)
        return tuple(rebuilt)

    async def reload(self, upstream: Upstream) -> None:
        """Build `upstream`'s index from the database whatever its version, and swap it in, after any
        rebuild under way."""
        async with self._rebuilding:
            await self._rebuild(upstream)

    async def _rebuild(self, upstream: Upstream) -> None:
        """The content version is read before the entries, so a change committed in between leaves an
        older version on newer entries, which the next `catch_up` builds again, rather than the reverse.
        The entries are read a page at a time (`_paged`), projects kept as plain rows; the indexes are
        built in a worker thread, off the event loop, and swapped in only once both are whole."""
        started = time.perf_counter()
        async with self._uow_factory() as uow:
            version = await uow.directory.content_version(upstream)
        size = self._page_size
        rows = await self._paged(
            lambda stored, after: stored.projects_page(upstream, after, size), project_row
        )
        people = await self._paged(lambda stored, after: stored.people_page(upstream, after, size), _same)
        read = time.perf_counter()
        index = await asyncio.to_thread(ProjectIndex.from_rows, upstream, rows, version)
        known = await asyncio.to_thread(PeopleIndex.build, people)
        self._built = MappingProxyType({**self._built, upstream: index})
        self._people = MappingProxyType({**self._people, upstream: known})
        log.info(
            "project index of %s at content version %d: %d projects, read in %.2f s, built in %.2f s",
            upstream.label,
            version,
            len(index),
            read - started,
            time.perf_counter() - read,
        )

    async def _paged(
        self,
        read: Callable[[DirectoryRepository, str | None], Awaitable[list[Entry]]],
        keep: Callable[[Entry], Kept],
    ) -> list[Kept]:
        """What `keep` makes of every entry `read` gives, read a page at a time along the upstream ids
        (keyset pagination), each page in a unit of work of its own, yielding to the event loop after
        each, so that no stretch of reading holds the loop for long nor keeps a connection between
        pages."""
        found: list[Kept] = []
        after: str | None = None
        while True:
            async with self._uow_factory() as uow:
                page = await read(uow.directory, after)
            found += map(keep, page)
            await asyncio.sleep(0)
            if len(page) < self._page_size:
                return found
            after = page[-1].upstream_id


def _same(entry: Entry) -> Entry:
    return entry

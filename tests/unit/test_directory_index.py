"""The directory held in memory: rebuilt when the content version moves and only then, read a page at a
time with the event loop let run between pages, swapped whole, and answering lookups without the database."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from types import TracebackType
from typing import Self, TypeVar

import pytest

from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.upstreams import Upstream
from app.services.directory_index import DirectoryIndex
from app.services.project_index import PeopleIndex, ProjectIndex
from tests.unit.test_project_index import PROJECTS, W, names, project

Entry = TypeVar("Entry", DirectoryPerson, DirectoryProject)


def page_of(entries: Sequence[Entry], after: str | None, limit: int) -> list[Entry]:
    """What the database gives for a page: by upstream id, those after `after`, at most `limit`."""
    ordered = sorted(entries, key=lambda e: e.upstream_id)
    return [e for e in ordered if after is None or e.upstream_id > after][:limit]


@dataclass
class FakeDirectory:
    """The directory as stored: projects, people and a content version per upstream; notes what is read."""

    projects: dict[Upstream, list[DirectoryProject]] = field(default_factory=dict)
    versions: dict[Upstream, int] = field(default_factory=dict)
    people: dict[Upstream, list[DirectoryPerson]] = field(default_factory=dict)
    reads: list[str] = field(default_factory=list)
    reading: asyncio.Event = field(default_factory=asyncio.Event)  # set once projects are being read
    versions_read: asyncio.Event = field(default_factory=asyncio.Event)  # set once a version is read
    hold: asyncio.Event | None = None  # when given, reading a page of projects after the first waits for it

    async def content_version(self, upstream: Upstream) -> int:
        self.reads.append(f"content_version {upstream.value}")
        self.versions_read.set()
        return self.versions.get(upstream, 0)

    async def projects_page(
        self, upstream: Upstream, after: str | None, limit: int
    ) -> list[DirectoryProject]:
        self.reads.append(f"projects_page {upstream.value} after {after}")
        found = page_of(self.projects.get(upstream, []), after, limit)
        self.reading.set()
        if self.hold is not None and after is not None:
            await self.hold.wait()
        return found

    async def people_page(self, upstream: Upstream, after: str | None, limit: int) -> list[DirectoryPerson]:
        self.reads.append(f"people_page {upstream.value} after {after}")
        return page_of(self.people.get(upstream, []), after, limit)

    def changed(self, upstream: Upstream, projects: list[DirectoryProject]) -> None:
        """What a write that changed the content leaves, in any process: the projects and a new version."""
        self.projects[upstream] = projects
        self.versions[upstream] = self.versions.get(upstream, 0) + 1


@dataclass
class FakeUnitOfWork:
    directory: FakeDirectory

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


@dataclass
class Sessions:
    """A unit-of-work factory over `directory` that counts the units opened."""

    directory: FakeDirectory
    opened: int = 0

    def __call__(self) -> FakeUnitOfWork:
        self.opened += 1
        return FakeUnitOfWork(self.directory)


@pytest.fixture
def directory() -> FakeDirectory:
    stored = FakeDirectory()
    stored.changed(W, PROJECTS)
    return stored


async def test_nothing_is_found_before_the_first_build_and_everything_after(directory: FakeDirectory) -> None:
    index = DirectoryIndex(Sessions(directory), [W, Upstream.PROCORE])  # type: ignore[arg-type]
    assert index.search_projects(W, "apollo") == []
    assert await index.catch_up() == (W, Upstream.PROCORE)
    assert names(index.search_projects(W, "apollo")) == ["Apollo Website", "Apollo Archive"]
    assert index.search_projects(Upstream.PROCORE, "apollo") == []


async def test_searches_open_no_unit_of_work(directory: FakeDirectory) -> None:
    sessions = Sessions(directory)
    index = DirectoryIndex(sessions, [W])  # type: ignore[arg-type]
    await index.catch_up()
    opened = sessions.opened
    assert opened > 0
    for query in ("apo", "zenith", "", "nothing like it"):
        index.search_projects(W, query, limit=50)
    assert sessions.opened == opened


async def test_catch_up_reads_only_the_content_version_until_the_content_changes(
    directory: FakeDirectory,
) -> None:
    index = DirectoryIndex(Sessions(directory), [W])  # type: ignore[arg-type]
    await index.catch_up()
    built = index.built(W)
    directory.reads.clear()
    directory.projects[W] = [*PROJECTS, project("20", "Nebula Launch")]  # stored, but the version kept
    assert await index.catch_up() == ()
    assert await index.catch_up([W]) == ()
    assert directory.reads == ["content_version wethod", "content_version wethod"]
    assert index.built(W) is built
    assert index.search_projects(W, "nebula") == []
    directory.changed(W, directory.projects[W])
    assert await index.catch_up([W]) == (W,)
    assert names(index.search_projects(W, "nebula")) == ["Nebula Launch"]
    assert await index.catch_up() == ()


async def test_a_content_version_that_went_back_is_still_caught_up(directory: FakeDirectory) -> None:
    index = DirectoryIndex(Sessions(directory), [W])  # type: ignore[arg-type]
    await index.catch_up()
    directory.projects[W] = [project("30", "Vega")]
    directory.versions[W] = 0  # the database restored from an older copy
    assert await index.catch_up() == (W,)
    assert names(index.search_projects(W, "")) == ["Vega"]


def directory_of(projects: int, people: int) -> FakeDirectory:
    """A directory with upstream ids of mixed lengths, letters and case, whose order as text is not their
    order as numbers."""
    stored = FakeDirectory()
    ids = [f"{i}" if i % 3 else f"p-{i}" if i % 2 else f"P{i:03d}" for i in range(1, projects + 1)]
    stored.changed(
        W, [project(pid, f"Project {pid} Apollo", archived=i % 5 == 0) for i, pid in enumerate(ids)]
    )
    stored.people[W] = [
        DirectoryPerson(
            upstream=W,
            upstream_id=str(i),
            name=f"Person {i}",
            email=f"person{i}@acme.example",
            role="Project Manager" if i % 4 == 0 else "Developer",
            archived=i % 7 == 0,
        )
        for i in range(1, people + 1)
    ]
    return stored


@pytest.mark.parametrize("page_size", [1, 4, 5, 20, 5_000])
async def test_a_rebuild_read_in_pages_builds_the_index_a_single_read_would(page_size: int) -> None:
    stored = directory_of(projects=20, people=9)
    index = DirectoryIndex(Sessions(stored), [W], page_size=page_size)  # type: ignore[arg-type]
    assert await index.catch_up() == (W,)
    whole = ProjectIndex.build(W, stored.projects[W], version=stored.versions[W])
    assert index.built(W) == whole
    assert names(index.search_projects(W, "apo", limit=50)) == names(whole.search("apo", 50))
    known = PeopleIndex.build(stored.people[W])
    assert await index.people_with_role(W, "project manager") == list(known.by_role["project manager"])
    assert await index.people(W, list(known.by_id)) == list(known.by_id.values())
    assert await index.person_by_email(W, "person9@acme.example") == known.by_id["9"]
    pages = [read for read in stored.reads if read.startswith("projects_page")]
    assert len(pages) == 20 // page_size + 1  # the last page is the first shorter than a whole one


async def test_the_event_loop_runs_between_the_pages_of_a_rebuild() -> None:
    stored = directory_of(projects=12, people=0)
    index = DirectoryIndex(Sessions(stored), [W], page_size=3)  # type: ignore[arg-type]
    ticks = 0
    ticks_at_each_page: list[int] = []
    read_page = stored.projects_page

    async def noted(upstream: Upstream, after: str | None, limit: int) -> list[DirectoryProject]:
        ticks_at_each_page.append(ticks)
        return await read_page(upstream, after, limit)

    stored.projects_page = noted  # type: ignore[method-assign]

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    ticker = asyncio.create_task(ticking())
    await asyncio.sleep(0)  # the ticker starts
    try:
        await index.catch_up()
    finally:
        ticker.cancel()
    assert len(ticks_at_each_page) == 5
    assert all(b > a for a, b in pairwise(ticks_at_each_page))


async def test_a_rebuild_swaps_the_whole_index_at_once(directory: FakeDirectory) -> None:
    index = DirectoryIndex(Sessions(directory), [W], page_size=1)  # type: ignore[arg-type]
    await index.catch_up()
    before = index.built(W)
    assert before is not None
    directory.changed(W, [project("40", "Nebula Launch"), project("13", "Zenith Migration")])
    directory.hold, directory.reading = asyncio.Event(), asyncio.Event()
    rebuilding = asyncio.create_task(index.catch_up())
    await directory.reading.wait()
    await asyncio.sleep(0)
    assert directory.reads[-1] == "projects_page wethod after 13"  # the first page read, the next held
    assert names(index.search_projects(W, "")) == names(before.search("", 50))  # the old one, whole
    directory.hold.set()
    await rebuilding
    assert index.built(W) is not before
    assert names(index.search_projects(W, "")) == ["Nebula Launch", "Zenith Migration"]
    assert len(before) == len(PROJECTS)  # a reader still holding the old index sees it unchanged
    assert names(before.search("apo", 50)) == ["Apollo Website", "Apollo Archive"]


async def test_a_catch_up_during_a_rebuild_does_not_build_the_same_change_again(
    directory: FakeDirectory,
) -> None:
    index = DirectoryIndex(Sessions(directory), [W], page_size=1)  # type: ignore[arg-type]
    await index.catch_up()
    directory.changed(W, [project("50", "Orion Data Platform"), project("51", "Orion Mobile")])
    directory.hold, directory.reading = asyncio.Event(), asyncio.Event()
    directory.reads.clear()
    rebuilding = asyncio.create_task(index.catch_up([W]))  # this process's refresh, done
    await directory.reading.wait()
    directory.versions_read = asyncio.Event()
    catching_up = asyncio.create_task(index.catch_up())  # the periodic check, meanwhile
    await directory.versions_read.wait()
    directory.hold.set()
    assert await rebuilding == (W,)
    assert await catching_up == ()
    assert directory.reads.count("projects_page wethod after None") == 1
    assert names(index.search_projects(W, "orion")) == ["Orion Data Platform", "Orion Mobile"]


async def test_reload_rebuilds_whatever_the_version(directory: FakeDirectory) -> None:
    index = DirectoryIndex(Sessions(directory), [W])  # type: ignore[arg-type]
    await index.catch_up()
    before = index.built(W)
    directory.projects[W] = [project("60", "Lyra")]  # changed behind the version's back
    await index.reload(W)
    assert index.built(W) is not before
    assert names(index.search_projects(W, "")) == ["Lyra"]


async def test_the_lookups_on_a_request_path_answer_from_memory_once_built(directory: FakeDirectory) -> None:
    ana = DirectoryPerson(
        upstream=W, upstream_id="7", name="Ana", email="ana@acme.example", role="Project Manager"
    )
    gone = DirectoryPerson(
        upstream=W,
        upstream_id="8",
        name="Old",
        email="old@acme.example",
        role="project manager",
        archived=True,
    )
    directory.people[W] = [ana, gone]
    sessions = Sessions(directory)
    index = DirectoryIndex(sessions, [W])  # type: ignore[arg-type]
    await index.catch_up()
    opened = sessions.opened
    assert await index.person_by_email(W, " Ana@Acme.example ") == ana
    assert await index.people(W, ["7", "7"]) == [ana]
    assert await index.people_with_role(W, "PROJECT MANAGER") == [ana]  # archived people are left out
    found = await index.project(W, PROJECTS[0].upstream_id)
    assert found is not None
    assert found.name == PROJECTS[0].name
    assert sessions.opened == opened  # no unit of work: the database was not asked

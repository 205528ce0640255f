"""The local directory: search by any word, refresh incrementally or in full, survive an upstream failure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.domain.directory import DirectoryPerson, DirectoryProject
from app.domain.errors import UpstreamUnavailable
from app.domain.upstreams import Upstream
from app.jobs.directory import AFTER_FAILURE, schedule_directory_refresh
from app.services.directory import refresh_directory, search_people, search_projects
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock

UowFactory = Callable[[], SqlUnitOfWork]
W = Upstream.WETHOD
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def project(
    pid: int, name: str, *, job_order: str | None = None, archived: bool = False, at: datetime = T0
) -> DirectoryProject:
    return DirectoryProject(
        upstream=W, upstream_id=str(pid), name=name, job_order=job_order, archived=archived, updated_at=at
    )


def person(pid: int, name: str, email: str, *, at: datetime = T0) -> DirectoryPerson:
    return DirectoryPerson(upstream=W, upstream_id=str(pid), name=name, email=email, updated_at=at)


@dataclass
class FakeSource:
    people: list[DirectoryPerson] = field(default_factory=list)
    projects: list[DirectoryProject] = field(default_factory=list)
    incremental: bool = True
    upstream: Upstream = W
    failing: set[str] = field(default_factory=set)
    asked: list[tuple[str, datetime | None]] = field(default_factory=list)

    async def fetch_people(self, since: datetime | None) -> list[DirectoryPerson]:
        return self._fetch("people", self.people, since)

    async def fetch_projects(self, since: datetime | None) -> list[DirectoryProject]:
        return self._fetch("projects", self.projects, since)

    def _fetch(
        self, part: str, items: list[DirectoryPerson] | list[DirectoryProject], since: datetime | None
    ) -> list:  # type: ignore[type-arg]
        self.asked.append((part, since))
        if part in self.failing:
            raise UpstreamUnavailable("Wethod", "answered 503")
        return [i for i in items if since is None or (i.updated_at and i.updated_at > since)]


async def seed(uow_factory: UowFactory, clock: FakeClock) -> FakeSource:
    source = FakeSource(
        people=[
            person(1, "Zoë Rizzo", "zoe.rizzo@acme.example"),
            person(2, "Niccolò Müller", "NICCOLO.MULLER@acme.example"),
            person(3, "Ana Rossi", "ana.rossi@acme.example"),
        ],
        projects=[
            project(10, "Apollo Website", job_order="JO-2026-0001"),
            project(11, "Équinoxe Brand Refresh", job_order="JO-2025-0005"),
            project(12, "Apollo Archive", job_order="JO-2019-0042", archived=True),
            project(13, "Zenith Migration"),
        ],
    )
    await refresh_directory(source, uow_factory, clock)
    return source


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apo", ["Apollo Website", "Apollo Archive"]),
        ("APOLLO web", ["Apollo Website"]),
        ("equinoxe", ["Équinoxe Brand Refresh"]),
        ("ÉQUI", ["Équinoxe Brand Refresh"]),
        ("jo-2026", ["Apollo Website"]),
        ("0042", ["Apollo Archive"]),
        ("site", []),
    ],
)
async def test_projects_are_found_by_the_start_of_any_word_with_archived_ones_last(
    uow_factory: UowFactory, clock: FakeClock, query: str, expected: list[str]
) -> None:
    await seed(uow_factory, clock)
    assert [p.name for p in await search_projects(uow_factory, W, query)] == expected


@pytest.mark.parametrize("query", ["", "%", "_ %"])
async def test_a_query_without_words_lists_everything_archived_last(
    uow_factory: UowFactory, clock: FakeClock, query: str
) -> None:
    await seed(uow_factory, clock)
    found = [p.name for p in await search_projects(uow_factory, W, query)]
    assert found == ["Apollo Website", "Équinoxe Brand Refresh", "Zenith Migration", "Apollo Archive"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zoe", ["Zoë Rizzo"]),
        ("muller", ["Niccolò Müller"]),
        ("niccolo.muller@acme", ["Niccolò Müller"]),
        ("acme ro", ["Ana Rossi"]),
    ],
)
async def test_people_are_found_by_name_or_email_words(
    uow_factory: UowFactory, clock: FakeClock, query: str, expected: list[str]
) -> None:
    await seed(uow_factory, clock)
    assert [p.name for p in await search_people(uow_factory, W, query)] == expected


async def test_a_person_is_found_by_email_whatever_its_case(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    await seed(uow_factory, clock)
    async with uow_factory() as uow:
        found = await uow.directory.person_by_email(W, " Niccolo.Muller@ACME.example ")
        missing = await uow.directory.person_by_email(Upstream.PROCORE, "niccolo.muller@acme.example")
    assert found is not None
    assert found.upstream_id == "2"
    assert missing is None


async def test_search_honours_its_limit(uow_factory: UowFactory, clock: FakeClock) -> None:
    source = FakeSource(projects=[project(i, f"Project {i:03d}") for i in range(120)])
    await refresh_directory(source, uow_factory, clock)
    assert len(await search_projects(uow_factory, W, "project", limit=100)) == 100


async def test_the_first_refresh_is_full_then_only_changes_are_asked_for(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = await seed(uow_factory, clock)
    assert source.asked == [("people", None), ("projects", None)]
    later = T0 + timedelta(days=1)
    source.projects.append(project(14, "Orion Data Platform", at=later))
    source.projects[0] = project(10, "Apollo Website v2", job_order="JO-2026-0001", at=later)
    source.asked.clear()
    clock.advance(hours=1)
    report = await refresh_directory(source, uow_factory, clock)
    assert not report.full
    assert source.asked == [("people", T0 - timedelta(seconds=1)), ("projects", T0 - timedelta(seconds=1))]
    assert [p.name for p in await search_projects(uow_factory, W, "orion")] == ["Orion Data Platform"]
    assert [p.name for p in await search_projects(uow_factory, W, "apollo v2")] == ["Apollo Website v2"]


async def test_a_full_refresh_drops_what_the_upstream_no_longer_lists(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = await seed(uow_factory, clock)
    source.projects = [p for p in source.projects if p.name != "Zenith Migration"]
    clock.advance(hours=25)
    report = await refresh_directory(source, uow_factory, clock)
    assert report.full
    assert await search_projects(uow_factory, W, "zenith") == []
    assert len(await search_projects(uow_factory, W, "apollo")) == 2


async def test_a_source_that_cannot_filter_is_always_read_in_full(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = FakeSource(projects=[project(1, "Vega")], incremental=False)
    await refresh_directory(source, uow_factory, clock)
    clock.advance(minutes=10)
    report = await refresh_directory(source, uow_factory, clock)
    assert report.full
    assert source.asked[-1] == ("projects", None)


async def test_a_part_that_cannot_be_read_is_reported_and_the_rest_kept(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = await seed(uow_factory, clock)
    source.failing = {"people"}
    source.people = []
    source.projects = []
    clock.advance(hours=25)
    report = await refresh_directory(source, uow_factory, clock)
    assert report.errors == ("people: answered 503",)
    assert [p.name for p in await search_people(uow_factory, W, "zoe")] == ["Zoë Rizzo"]
    assert len(await search_projects(uow_factory, W, "apollo")) == 2  # not wiped by a partial full refresh
    async with uow_factory() as uow:
        state = await uow.directory.sync_state(W)
    assert state is not None
    assert state.last_error == "people: answered 503"
    assert (state.people_cursor, state.projects_cursor) == (T0, T0)


@pytest.mark.parametrize(("failing", "next_in"), [(set(), timedelta(0)), ({"projects"}, AFTER_FAILURE)])
async def test_a_failed_scheduled_refresh_is_tried_again_a_minute_later(
    uow_factory: UowFactory, clock: FakeClock, failing: set[str], next_in: timedelta
) -> None:
    scheduler = AsyncIOScheduler(timezone=UTC)
    source = FakeSource(people=[person(1, "Zoë Rizzo", "zoe.rizzo@acme.example")], failing=failing)
    schedule_directory_refresh(scheduler, [source], uow_factory, clock)
    job = scheduler.get_job("directory-wethod")
    assert job is not None
    await job.func(*job.args)
    rescheduled = scheduler.get_job("directory-wethod")
    assert rescheduled is not None
    assert rescheduled.next_run_time == clock() + next_in  # else at once, then every five minutes

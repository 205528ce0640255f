"""The project index over a real database: the database search's answers, rebuilt once per refresh that
changed the directory and not after one that changed nothing, read in pages, caught up with other replicas'
refreshes, and option loads that use no database connection at all."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.directory import DirectoryProject
from app.domain.errors import StorageUnavailable
from app.domain.requests import RequestKind
from app.domain.upstreams import Upstream
from app.jobs.directory import CATCH_UP_EVERY, catch_up_once, schedule_index_catch_up
from app.services.directory import WRITE_CHUNK, refresh_directory, search_projects
from app.services.directory_index import DirectoryIndex
from app.services.project_index import ProjectIndex
from app.slack.ids import Action, Block
from app.slack.listeners import options
from app.slack.metadata import ModalContext, dump_metadata
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock
from tests.integration.test_directory import T0, FakeSource, W, person, project, seed

UowFactory = Callable[[], SqlUnitOfWork]


def read_only(engine: AsyncEngine) -> UowFactory:
    """Units of work as the app gives the index: on read-only sessions."""
    reading = database.session_factory(engine, read_only=True)
    return lambda: SqlUnitOfWork(reading)


class CountedIndex(DirectoryIndex):
    """The index, noting each rebuild."""

    def __init__(self, uow_factory: UowFactory) -> None:
        super().__init__(uow_factory)
        self.rebuilt: list[Upstream] = []

    async def _rebuild(self, upstream: Upstream) -> None:
        self.rebuilt.append(upstream)
        await super()._rebuild(upstream)


async def content_version(uow_factory: UowFactory) -> int:
    async with uow_factory() as uow:
        return await uow.directory.content_version(W)


@pytest.mark.parametrize(
    "query", ["apo", "APOLLO web", "ÉQUI", "jo-2026", "jo 20", "0042", "site", "", "%", "z", "a m"]
)
async def test_the_index_answers_as_the_database_search_does(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock, query: str
) -> None:
    source = await seed(uow_factory, clock)
    source.projects += [
        project(30 + i, f"Apollo Mission {i}", job_order=f"JO-2026-{i:04d}") for i in range(8)
    ]
    clock.advance(minutes=5)
    await refresh_directory(source, uow_factory, clock)
    index = DirectoryIndex(read_only(engine))
    await index.catch_up()
    for limit in (3, 50):
        assert index.search_projects(W, query, limit=limit) == await search_projects(
            uow_factory, W, query, limit=limit
        )


async def test_a_refresh_in_this_process_is_searched_at_once_and_indexed_once(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    index = CountedIndex(read_only(engine))
    await index.catch_up()
    index.rebuilt.clear()
    source = FakeSource(projects=[project(i, f"Project {i:04d}") for i in range(2 * WRITE_CHUNK + 10)])
    report = await refresh_directory(source, uow_factory, clock, index=index)
    assert report.projects == 2 * WRITE_CHUNK + 10  # stored in three chunks
    assert index.rebuilt == [W]
    assert [p.name for p in index.search_projects(W, "project 1009")] == ["Project 1009"]
    assert await index.catch_up() == ()  # the refresh is already in


async def test_a_refresh_that_changes_nothing_neither_moves_the_version_nor_rebuilds_any_index(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = await seed(uow_factory, clock)
    source.incremental = False  # every refresh lists everything again
    here, there = CountedIndex(read_only(engine)), CountedIndex(read_only(engine))
    await here.catch_up()
    await there.catch_up()
    built, version = there.built(W), await content_version(uow_factory)
    here.rebuilt.clear()
    there.rebuilt.clear()
    clock.advance(minutes=5)
    report = await refresh_directory(source, uow_factory, clock, index=there)
    assert (report.full, report.projects, report.changed) == (True, 4, 0)
    async with uow_factory() as uow:
        state = await uow.directory.sync_state(W)
    assert state is not None
    assert state.last_run_at == clock()  # recorded, as every refresh is
    assert await content_version(uow_factory) == version
    assert there.rebuilt == []
    assert there.built(W) is built
    assert await here.catch_up() == ()  # another replica reads the version only
    assert here.rebuilt == []


async def test_a_refresh_that_changes_one_project_rebuilds_each_index_once_and_search_sees_it(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = await seed(uow_factory, clock)
    source.incremental = False
    here, there = CountedIndex(read_only(engine)), CountedIndex(read_only(engine))
    await here.catch_up()
    await there.catch_up()
    version = await content_version(uow_factory)
    here.rebuilt.clear()
    there.rebuilt.clear()
    source.projects[3] = project(13, "Zenith Cloud Migration")
    clock.advance(minutes=5)
    report = await refresh_directory(source, uow_factory, clock, index=there)
    assert report.changed == 1
    assert await content_version(uow_factory) != version
    assert there.rebuilt == [W]
    assert [p.name for p in there.search_projects(W, "zenith cl")] == ["Zenith Cloud Migration"]
    assert here.search_projects(W, "zenith cl") == []  # until it catches up
    assert await here.catch_up() == (W,)
    assert [p.name for p in here.search_projects(W, "zenith cl")] == ["Zenith Cloud Migration"]
    assert await here.catch_up() == ()
    assert (here.rebuilt, there.rebuilt) == ([W], [W])


async def test_a_project_the_upstream_no_longer_lists_leaves_the_index_after_the_full_refresh(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = await seed(uow_factory, clock)
    source.incremental = False
    index = CountedIndex(read_only(engine))
    await index.catch_up()
    index.rebuilt.clear()
    source.projects = [p for p in source.projects if p.name != "Zenith Migration"]
    clock.advance(minutes=5)
    report = await refresh_directory(source, uow_factory, clock, index=index)
    assert report.changed == 1  # removed, nothing written
    assert index.rebuilt == [W]
    assert index.search_projects(W, "zenith") == []


@pytest.mark.parametrize("page_size", [1, 4, 7, 5_000])
async def test_a_rebuild_read_in_pages_gives_the_index_of_one_whole_read(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock, page_size: int
) -> None:
    ids = [f"{i}" if i % 3 else f"P-{i}" if i % 2 else f"p{i:03d}" for i in range(1, 29)]
    source = FakeSource(
        people=[person(i, f"Person {i}", f"person{i}@acme.example") for i in range(1, 12)],
        projects=[
            DirectoryProject(upstream=W, upstream_id=pid, name=f"Apollo {pid} Site", archived=pid < "3")
            for pid in ids
        ],
    )
    await refresh_directory(source, uow_factory, clock)
    index = DirectoryIndex(read_only(engine), page_size=page_size)
    assert await index.catch_up() == tuple(Upstream)
    async with uow_factory() as uow:
        projects = await uow.directory.all_projects(W)
        people = {p.upstream_id: p for p in await uow.directory.all_people(W)}
        version = await uow.directory.content_version(W)
    assert len(projects) == len(ids)
    assert index.built(W) == ProjectIndex.build(W, projects, version)
    taken = counting_connections(engine)
    assert await index.people(W, list(people)) == list(people.values())
    assert await index.person_by_email(W, "person11@acme.example") == people["11"]
    assert taken == []  # every person was in memory


async def test_a_project_added_by_another_replicas_refresh_is_found_after_catch_up(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    source = await seed(uow_factory, clock)
    here, there = DirectoryIndex(read_only(engine)), DirectoryIndex(read_only(engine))
    await here.catch_up()
    await there.catch_up()
    source.projects.append(project(20, "Nebula Launch", at=T0 + timedelta(days=1)))
    clock.advance(minutes=5)
    assert not (await refresh_directory(source, uow_factory, clock, index=there)).full
    assert [p.name for p in there.search_projects(W, "nebula")] == ["Nebula Launch"]
    assert here.search_projects(W, "nebula") == []  # until it catches up
    assert await here.catch_up() == (W,)
    assert [p.name for p in here.search_projects(W, "nebula")] == ["Nebula Launch"]


async def test_rows_written_outside_a_refresh_are_caught_up_as_soon_as_they_are_committed(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    await seed(uow_factory, clock)
    index = DirectoryIndex(read_only(engine))
    await index.catch_up()
    async with uow_factory() as uow:
        await uow.directory.upsert_projects([project(21, "Zenith Tower")], now=clock())
        assert await index.catch_up() == ()  # not committed yet
        await uow.commit()
    assert await index.catch_up() == (W,)
    assert [p.name for p in index.search_projects(W, "zenith")] == ["Zenith Migration", "Zenith Tower"]


async def test_an_option_load_before_the_first_refresh_finds_the_projects_once_caught_up(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    index = DirectoryIndex(read_only(engine))
    await index.catch_up()
    assert index.search_projects(W, "apollo") == []
    await seed(uow_factory, clock)
    await index.catch_up()
    assert [p.name for p in index.search_projects(W, "apollo")] == ["Apollo Website", "Apollo Archive"]


def counting_connections(engine: AsyncEngine) -> list[str]:
    """Every connection taken from `engine`'s pool from now on, noted."""
    taken: list[str] = []
    event.listen(engine.sync_engine, "engine_connect", lambda connection: taken.append("connect"))
    return taken


async def installed(**_: Any) -> AuthorizeResult:
    return AuthorizeResult(enterprise_id=None, team_id="T0ACME", bot_token="xoxb-test", bot_user_id="U0BOT")


async def option_load(app: AsyncApp, value: str, meta: ModalContext) -> list[str]:
    """What the project picker offers for `value` typed in a modal opened with `meta`, as Bolt answers."""
    payload = {
        "type": "block_suggestion",
        "team": {"id": "T0ACME"},
        "user": {"id": "U0MARTA"},
        "action_id": Action.PROJECT,
        "block_id": Block.PROJECT,
        "value": value,
        "view": {"id": "V1", "private_metadata": dump_metadata(meta)},
    }
    body = urlencode({"payload": json.dumps(payload)})
    headers = {"content-type": ["application/x-www-form-urlencoded"]}
    answer = await app.async_dispatch(AsyncBoltRequest(body=body, headers=headers))
    assert answer.status == 200, answer.body
    return [o["text"]["text"] for o in json.loads(answer.body)["options"]]


async def test_an_option_load_uses_no_database_connection(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    await seed(uow_factory, clock)
    index = DirectoryIndex(read_only(engine))
    app = AsyncApp(authorize=installed, request_verification_enabled=False)
    options.register(app, index)
    taken = counting_connections(engine)
    await index.catch_up()
    assert taken, "the index is built from the database"
    taken.clear()
    allocation = ModalContext(kind=RequestKind.ALLOCATION)
    assert await option_load(app, "apo", allocation) == [
        "Apollo Website (JO-2026-0001)",
        "Apollo Archive (JO-2019-0042) (archived)",
    ]
    assert await option_load(app, "nebula", allocation) == ["No project matches “nebula”"]
    assert await option_load(app, "", ModalContext(kind=RequestKind.PROCORE_PROJECT_PERSON)) == [
        "No projects to pick yet"
    ]
    assert taken == []


async def test_the_scheduled_catch_up_rebuilds_what_another_replica_refreshed(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    index = DirectoryIndex(read_only(engine))
    scheduler = AsyncIOScheduler(timezone=UTC)
    schedule_index_catch_up(scheduler, index)
    job = scheduler.get_job("directory-index-catch-up")
    assert job is not None
    assert job.trigger.interval == CATCH_UP_EVERY
    await seed(uow_factory, clock)
    assert await job.func(*job.args)
    assert [p.name for p in index.search_projects(W, "zenith")] == ["Zenith Migration"]


async def test_a_catch_up_that_cannot_read_the_database_keeps_the_index_as_it_was(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    await seed(uow_factory, clock)
    reachable = True

    def units() -> SqlUnitOfWork:
        if not reachable:
            raise StorageUnavailable
        return read_only(engine)()

    index = DirectoryIndex(units)
    assert await catch_up_once(index)
    reachable = False
    assert not await catch_up_once(index)
    assert [p.name for p in index.search_projects(W, "zenith")] == ["Zenith Migration"]

"""The directory filled from the simulators: Wethod incrementally, MissionX and Procore in full."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from app.clients.missionx.client import MissionXClient
from app.clients.procore.client import ProcoreClient
from app.clients.wethod.client import WethodClient
from app.domain.upstreams import Upstream
from app.integrations.missionx import MissionXDirectorySource
from app.integrations.procore import ProcoreDirectorySource
from app.integrations.wethod import WethodDirectorySource
from app.sandbox.core import Fault
from app.services.directory import refresh_directory, search_people, search_projects
from app.storage.unit_of_work import SqlUnitOfWork
from app.upstreams import EnabledUpstreams, build_upstreams
from tests.conftest import FakeClock
from tests.integration.upstreams import Sandbox, running_sandbox

UowFactory = Callable[[], SqlUnitOfWork]


@pytest.fixture
async def sandbox_upstreams() -> AsyncIterator[tuple[Sandbox, EnabledUpstreams]]:
    async with running_sandbox() as sandbox:
        upstreams = build_upstreams(sandbox.settings())
        yield sandbox, upstreams
        await upstreams.aclose()


async def test_wethod_is_read_in_full_then_only_what_changed(
    sandbox_upstreams: tuple[Sandbox, EnabledUpstreams], uow_factory: UowFactory, clock: FakeClock
) -> None:
    sandbox, upstreams = sandbox_upstreams
    source = WethodDirectorySource(upstreams.client_of(Upstream.WETHOD, WethodClient))
    first = await refresh_directory(source, uow_factory, clock)
    assert (first.full, first.people, first.projects) == (
        True,
        len(sandbox.company.people),
        len(sandbox.company.projects),
    )
    hour = [datetime(2027, 1, 1, tzinfo=UTC)]
    sandbox.wethod.state.clock = lambda: hour[0]
    apollo, borealis = sandbox.company.projects[0], sandbox.company.projects[1]
    sandbox.wethod.state.update_project(apollo.id, name="Apollo Relaunch")
    clock.advance(minutes=5)
    second = await refresh_directory(source, uow_factory, clock)
    assert not second.full
    hour[0] += timedelta(hours=1)
    sandbox.wethod.state.update_project(borealis.id, name="Borealis Reboot")
    clock.advance(minutes=5)
    third = await refresh_directory(source, uow_factory, clock)
    # Only what changed since the newest project already seen, which the cursor's overlap reads again.
    assert (third.full, third.projects) == (False, 2)
    assert [p.name for p in await search_projects(uow_factory, Upstream.WETHOD, "reboot")] == [
        "Borealis Reboot"
    ]
    found = await search_projects(uow_factory, Upstream.WETHOD, "relaunch")
    assert [(p.upstream_id, p.pm_id, p.account_id) for p in found] == [
        (str(apollo.id), str(apollo.pm_id), str(apollo.account_id))
    ]
    ana = await search_people(uow_factory, Upstream.WETHOD, "ana rossi")
    assert [(p.email, p.role) for p in ana] == [("ana.rossi@acme.example", "Project Manager")]


async def test_missionx_projects_know_their_managers(
    sandbox_upstreams: tuple[Sandbox, EnabledUpstreams], uow_factory: UowFactory, clock: FakeClock
) -> None:
    sandbox, upstreams = sandbox_upstreams
    report = await refresh_directory(
        MissionXDirectorySource(upstreams.client_of(Upstream.MISSIONX, MissionXClient)), uow_factory, clock
    )
    assert (report.full, report.projects, report.errors) == (True, len(sandbox.company.projects), ())
    (apollo,) = await search_projects(uow_factory, Upstream.MISSIONX, "apollo website")
    assert apollo.job_order == sandbox.company.projects[0].job_order
    assert len(apollo.manager_ids) == 1
    async with uow_factory() as uow:
        (manager,) = await uow.directory.get_people(Upstream.MISSIONX, list(apollo.manager_ids))
    assert manager.email == sandbox.company.person(sandbox.company.projects[0].pm_id).email


async def test_procore_lists_archived_projects_last(
    sandbox_upstreams: tuple[Sandbox, EnabledUpstreams], uow_factory: UowFactory, clock: FakeClock
) -> None:
    sandbox, upstreams = sandbox_upstreams
    report = await refresh_directory(
        ProcoreDirectorySource(upstreams.client_of(Upstream.PROCORE, ProcoreClient)), uow_factory, clock
    )
    assert (report.projects, report.people) == (len(sandbox.company.projects), len(sandbox.company.people))
    found = await search_projects(uow_factory, Upstream.PROCORE, "", limit=100)
    archived = [p.archived for p in found]
    assert archived == sorted(archived)
    assert archived.count(True) == sum(p.archived for p in sandbox.company.projects)


async def test_an_upstream_that_fails_leaves_the_directory_as_it_was(
    sandbox_upstreams: tuple[Sandbox, EnabledUpstreams], uow_factory: UowFactory, clock: FakeClock
) -> None:
    sandbox, upstreams = sandbox_upstreams
    source = ProcoreDirectorySource(upstreams.client_of(Upstream.PROCORE, ProcoreClient))
    await refresh_directory(source, uow_factory, clock)
    sandbox.procore.control.faults.append(Fault(status=403, count=50, path_prefix="/rest/v1.0/companies/"))
    clock.advance(hours=1)
    report = await refresh_directory(source, uow_factory, clock)
    assert len(report.errors) == 1
    assert report.errors[0].startswith("people: answered 403")
    assert len(await search_people(uow_factory, Upstream.PROCORE, "")) == len(sandbox.company.people)

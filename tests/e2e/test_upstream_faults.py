"""A real `staffdesk serve` meets 5xx, 429 and time-outs on every kind of create, before and after the
upstream commits: every request is delivered, and the upstream holds each resource once."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestPayload,
    WhitelistPayload,
)
from app.domain.status import RequestStatus
from app.sandbox.core import Fault
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from tests.e2e.harness import settled
from tests.e2e.processes import add_approved, serve_env, start_serve, stop
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import Sandbox, running_sandbox

ANSWER_SECONDS = 1  # STAFFDESK_UPSTREAM_TIMEOUT for the process under test
# An answer this late is never read: the requests are delivered long before it, or the test fails.
LATE = 120


def trouble(path_prefix: str) -> list[Fault]:
    """Every kind of trouble, once each, on the creates under `path_prefix`."""
    on_create = {"method": "POST", "path_prefix": path_prefix}
    return [
        Fault(status=503, retry_after=1, **on_create),  # surely not applied: sent again after the wait
        Fault(status=429, retry_after=1, **on_create),
        Fault(status=502, after_commit=True, **on_create),  # applied, answer lost: looked up first
        Fault(delay_seconds=LATE, **on_create),  # no answer in time, not applied
        Fault(delay_seconds=LATE, after_commit=True, **on_create),  # no answer in time, applied
    ]


def three_of_each(sandbox: Sandbox) -> list[RequestPayload]:
    company = sandbox.company
    person, project = company.people[13], company.projects[0]
    missionx_project = next(iter(sandbox.missionx.state.projects))
    procore_project = sandbox.procore.state.projects[0]["id"]
    first_day = date(2026, 12, 9)
    payloads: list[RequestPayload] = []
    for i in range(3):
        payloads += [
            AllocationPayload(
                person_id=person.id,
                project_id=project.id,
                dates=(first_day + timedelta(days=i),),
                hours=2,
            ),
            WhitelistPayload(project_id=company.projects[2].id, person_id=company.people[20 + i].id),
            MissionXProjectPersonPayload(
                project_id=missionx_project,
                email=f"contractor{i}@acme.example",
                permission="member",
                rate=50,
                rate_time="hourly",
            ),
            ProcoreProjectPersonPayload(project_id=procore_project, last_name=f"Esposito{i}"),
        ]
    return payloads


def held_upstream(sandbox: Sandbox, payload: RequestPayload) -> int:
    """How many resources the upstream holds for `payload`."""
    match payload:
        case AllocationPayload():
            wanted = (payload.person_id, payload.project_id, payload.dates[0])
            allocations = sandbox.wethod.state.live_allocations()
            return [(a.person_id, a.project_id, a.date) for a in allocations].count(wanted)
        case WhitelistPayload():
            return sum(
                1
                for w in sandbox.wethod.state.whitelists.values()
                if (w.project_id, w.person_id) == (payload.project_id, payload.person_id)
            )
        case MissionXProjectPersonPayload():
            people = sandbox.missionx.state.projects[payload.project_id]["people"]
            return [p["email"] for p in people].count(payload.email)
        case ProcoreProjectPersonPayload():
            people = sandbox.procore.state.people[payload.project_id]
            return [p["last_name"] for p in people].count(payload.last_name)
    raise AssertionError(f"no count for {payload!r}")


async def test_trouble_on_every_kind_of_create_still_delivers_each_request_once(
    fresh_database_url: str, tmp_path: Path
) -> None:
    async with running_sandbox() as sandbox, serve_fake_slack(FakeSlack()) as slack_url:
        sandbox.wethod.control.faults += trouble("/api/people-allocations") + trouble(
            "/api/timesheet-whitelists"
        )
        sandbox.missionx.control.faults += trouble("/v2/projects/")
        sandbox.procore.control.faults += trouble("/rest/v1.0/projects/")
        payloads = three_of_each(sandbox)
        engine = database.create_engine(fresh_database_url)
        sessions = database.session_factory(engine)
        env = serve_env(
            sandbox.env, slack_url, fresh_database_url, STAFFDESK_UPSTREAM_TIMEOUT=str(ANSWER_SECONDS)
        )
        server, _ = await start_serve(env, tmp_path)
        try:
            async with SqlUnitOfWork(sessions) as uow:
                for payload in payloads:
                    await add_approved(uow, payload)
                await uow.commit()

            async def statuses() -> list[RequestStatus]:
                async with SqlUnitOfWork(sessions) as uow:
                    return [r.status for r in await uow.requests.requested_by("U0GIULIA")]

            final = await settled(
                statuses, lambda found: found.count(RequestStatus.DELIVERED) == len(payloads), seconds=60
            )
        finally:
            await stop(server)
            await engine.dispose()
    assert final == [RequestStatus.DELIVERED] * len(payloads)
    assert [held_upstream(sandbox, p) for p in payloads] == [1] * len(payloads)
    for simulator in (sandbox.wethod, sandbox.missionx, sandbox.procore):
        assert simulator.control.faults == []  # every injected fault was met

"""Each request kind delivered through its adapter to the simulators, with every kind of answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import httpx
import pytest

from app.clients.wethod.client import WethodClient
from app.domain.outcomes import AlreadyDone, Delivered, NeedsOperator, Refused, RetryLater
from app.domain.requests import (
    AllocationPayload,
    MissionXProjectPersonPayload,
    ProcoreProjectPersonPayload,
    RequestPayload,
    StaffingRequest,
    WhitelistPayload,
)
from app.domain.upstreams import Upstream
from app.i18n import reading_as, render
from app.integrations.wethod import WethodAllocationProvisioner, WethodAllocationReader
from app.sandbox.core import Fault
from app.services.ports import Provisioner
from app.upstreams import EnabledUpstreams, build_upstreams
from tests.factories import a_request
from tests.integration.upstreams import Sandbox, running_sandbox

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def request(payload: RequestPayload, request_id: str = "req-1") -> StaffingRequest:
    return a_request(payload, id=request_id, lease_owner="w", lease_expires_at=NOW)


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    async with running_sandbox() as running:
        yield running


@pytest.fixture
async def upstreams(sandbox: Sandbox) -> AsyncIterator[EnabledUpstreams]:
    clients = build_upstreams(sandbox.settings())
    yield clients
    await clients.aclose()


def provisioner_for(sandbox: Sandbox, upstreams: EnabledUpstreams) -> Provisioner:
    return upstreams.provisioner()


async def test_an_allocation_over_several_days_creates_one_allocation_per_day(
    sandbox: Sandbox, upstreams: EnabledUpstreams
) -> None:
    person, project = sandbox.company.people[20], sandbox.company.projects[0]
    days = (date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3))
    payload = AllocationPayload(person_id=person.id, project_id=project.id, dates=days, hours=4)
    outcome = await provisioner_for(sandbox, upstreams).provision(request(payload), attempt=1)
    assert isinstance(outcome, Delivered)
    stored = [a for a in sandbox.wethod.state.live_allocations() if a.person_id == person.id]
    assert sorted(a.date for a in stored) == list(days)
    assert sorted(str(a.id) for a in stored) == sorted(outcome.upstream_ids)


async def test_an_allocation_the_upstream_refuses_comes_back_field_by_field(
    sandbox: Sandbox, upstreams: EnabledUpstreams
) -> None:
    payload = AllocationPayload(
        person_id=99_999, project_id=sandbox.company.projects[0].id, dates=(date(2026, 12, 1),), hours=2
    )
    outcome = await provisioner_for(sandbox, upstreams).provision(request(payload), attempt=1)
    assert isinstance(outcome, Refused)
    assert [f.field for f in outcome.failures] == ["person_id"]
    assert outcome.failures[0].message.startswith("Tue 1 Dec: ")
    with reading_as("it"):
        assert render(outcome.failures[0].said_message).startswith("mar 1 dic: ")


async def test_a_retried_allocation_finds_what_the_first_attempt_created(
    sandbox: Sandbox, upstreams: EnabledUpstreams
) -> None:
    person, project = sandbox.company.people[21], sandbox.company.projects[1]
    sandbox.wethod.state.add_allocation(person.id, project.id, date(2026, 12, 1), 6)
    payload = AllocationPayload(
        person_id=person.id, project_id=project.id, dates=(date(2026, 12, 1), date(2026, 12, 2)), hours=6
    )
    outcome = await provisioner_for(sandbox, upstreams).provision(request(payload), attempt=2)
    assert isinstance(outcome, Delivered)
    assert len([a for a in sandbox.wethod.state.live_allocations() if a.person_id == person.id]) == 2


async def test_a_whitelist_entry_is_added_and_asking_again_is_already_done(
    sandbox: Sandbox, upstreams: EnabledUpstreams
) -> None:
    payload = WhitelistPayload(
        project_id=sandbox.company.projects[2].id, person_id=sandbox.company.people[22].id
    )
    first = await provisioner_for(sandbox, upstreams).provision(request(payload), attempt=1)
    again = await provisioner_for(sandbox, upstreams).provision(request(payload, "req-2"), attempt=1)
    assert isinstance(first, Delivered)
    assert isinstance(again, AlreadyDone)
    assert "already" in again.summary


async def test_a_refused_token_asks_an_operator_to_check_the_setting(sandbox: Sandbox) -> None:
    upstreams = build_upstreams(sandbox.settings(WETHOD_TOKEN="not-the-token"))
    payload = WhitelistPayload(
        project_id=sandbox.company.projects[2].id, person_id=sandbox.company.people[23].id
    )
    try:
        outcome = await upstreams.provisioner().provision(request(payload), attempt=1)
    finally:
        await upstreams.aclose()
    assert isinstance(outcome, NeedsOperator)
    assert outcome.setting == "WETHOD_TOKEN"
    assert "not-the-token" not in outcome.reason


async def test_a_wrong_company_is_a_precondition_the_operator_fixes(sandbox: Sandbox) -> None:
    upstreams = build_upstreams(sandbox.settings(WETHOD_COMPANY="globex"))
    payload = WhitelistPayload(
        project_id=sandbox.company.projects[2].id, person_id=sandbox.company.people[23].id
    )
    try:
        outcome = await upstreams.provisioner().provision(request(payload), attempt=1)
    finally:
        await upstreams.aclose()
    assert isinstance(outcome, NeedsOperator)
    assert outcome.setting == "WETHOD_COMPANY, WETHOD_VERSION"


async def test_an_upstream_that_stays_unavailable_is_retried_later_after_its_wait(
    sandbox: Sandbox, upstreams: EnabledUpstreams
) -> None:
    sandbox.wethod.control.faults.append(Fault(status=503, count=10, retry_after=120))
    payload = WhitelistPayload(
        project_id=sandbox.company.projects[2].id, person_id=sandbox.company.people[24].id
    )
    outcome = await provisioner_for(sandbox, upstreams).provision(request(payload), attempt=1)
    assert isinstance(outcome, RetryLater)
    assert outcome.retry_after_seconds == 120
    assert sandbox.wethod.state.whitelist_entry(payload.project_id, payload.person_id) is None


async def test_a_missionx_person_is_added_once_and_a_bad_role_is_refused_by_field(
    sandbox: Sandbox, upstreams: EnabledUpstreams
) -> None:
    project_id = next(iter(sandbox.missionx.state.projects))
    payload = MissionXProjectPersonPayload(
        project_id=project_id, email="new.hire@acme.example", permission="member", rate=50, rate_time="hourly"
    )
    outcome = await provisioner_for(sandbox, upstreams).provision(request(payload), attempt=1)
    assert isinstance(outcome, Delivered)
    again = await provisioner_for(sandbox, upstreams).provision(request(payload, "req-2"), attempt=2)
    assert isinstance(again, AlreadyDone)
    people = sandbox.missionx.state.projects[project_id]["people"]
    assert [p["email"] for p in people].count("new.hire@acme.example") == 1
    wrong_role = payload.model_copy(
        update={"email": "other@acme.example", "role": "0123456789abcdef01234567"}
    )
    refused = await provisioner_for(sandbox, upstreams).provision(request(wrong_role, "req-3"), attempt=1)
    assert isinstance(refused, Refused)
    assert [f.field for f in refused.failures] == ["role"]


async def test_a_procore_person_carries_the_request_id_so_a_lost_answer_is_found_exactly(
    sandbox: Sandbox, upstreams: EnabledUpstreams
) -> None:
    project = sandbox.procore.state.projects[0]
    payload = ProcoreProjectPersonPayload(project_id=project["id"], last_name="Nakamura", first_name="Aiko")
    outcome = await provisioner_for(sandbox, upstreams).provision(request(payload, "req-77"), attempt=1)
    assert isinstance(outcome, Delivered)
    again = await provisioner_for(sandbox, upstreams).provision(request(payload, "req-77"), attempt=2)
    assert isinstance(again, AlreadyDone)
    namesakes = [p for p in sandbox.procore.state.people[project["id"]] if p["last_name"] == "Nakamura"]
    assert len(namesakes) == 1
    assert namesakes[0]["origin_id"] == "staffdesk:req-77"


async def test_an_answer_lost_after_the_upstream_committed_is_delivered_once(sandbox: Sandbox) -> None:
    fast = httpx.Timeout(5.0, read=0.3)
    env = sandbox.env
    client = WethodClient(env["WETHOD_BASE_URL"], env["WETHOD_TOKEN"], env["WETHOD_COMPANY"], timeout=fast)
    sandbox.wethod.control.faults.append(Fault(after_commit=True, delay_seconds=1.0, method="POST"))
    person, project = sandbox.company.people[25], sandbox.company.projects[3]
    payload = AllocationPayload(
        person_id=person.id, project_id=project.id, dates=(date(2026, 12, 7),), hours=3
    )
    try:
        outcome = await WethodAllocationProvisioner(client).provision(request(payload), attempt=1)
    finally:
        await client.aclose()
    assert isinstance(outcome, AlreadyDone)
    assert len([a for a in sandbox.wethod.state.live_allocations() if a.person_id == person.id]) == 1


async def test_a_whole_days_allocations_are_read_several_pages_at_a_time(
    sandbox: Sandbox, upstreams: EnabledUpstreams
) -> None:
    day = date(2026, 12, 14)
    people = sandbox.company.people
    for index in range(1_050):
        sandbox.wethod.state.add_allocation(
            people[index % len(people)].id, sandbox.company.projects[index % 30].id, day, 1
        )
    sandbox.wethod.state.add_allocation(people[0].id, sandbox.company.projects[0].id, date(2026, 12, 15), 8)
    client = upstreams.client_of(Upstream.WETHOD, WethodClient)
    found = await WethodAllocationReader(client).allocations_on(day)
    assert len(found) == 1_050
    assert sum(a.hours for a in found) == 1_050
    pages = sandbox.wethod.control.calls_to("GET", "/api/people-allocations")
    assert 11 <= len(pages) <= 1 + client.max_in_flight  # the first page, then a window of pages ahead
    assert sandbox.wethod.control.most_in_flight <= client.max_in_flight

"""Wethod read and written only as its pages document: days read one by one, the whitelist's flag told."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import pytest

from app.clients.retry import RetryPolicy
from app.clients.wethod import WethodClient
from app.domain.errors import UpstreamUnavailable
from app.domain.outcomes import AlreadyDone, Delivered
from app.domain.requests import WhitelistPayload
from app.integrations.wethod import WethodAllocationReader, WethodWhitelistProvisioner
from app.sandbox.core import Fault
from app.sandbox.wethod import WethodSimulator, build_wethod_simulator
from tests.factories import a_request

ALLOCATIONS = "/api/people-allocations"
MARTA, APOLLO, BOREALIS = 13, 1000, 1001
WEEK = [date(2031, 3, 3) + timedelta(days=n) for n in range(5)]
OFF_NOTE = (
    "note: the project's timesheet whitelist is off in Wethod, so it takes effect only once it is turned on."
)


@dataclass
class Recording(httpx.AsyncBaseTransport):
    """The simulator in process, with the URL of every request the client sends it."""

    sim: WethodSimulator
    sent: list[httpx.URL] = field(default_factory=list)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request.url)
        return await httpx.ASGITransport(app=self.sim.app).handle_async_request(request)


async def _no_wait(_: float) -> None:
    return None


@pytest.fixture
def sim() -> WethodSimulator:
    return build_wethod_simulator()


@pytest.fixture
def wire(sim: WethodSimulator) -> Recording:
    return Recording(sim)


@pytest.fixture
async def client(sim: WethodSimulator, wire: Recording) -> AsyncIterator[WethodClient]:
    settings = sim.settings_for("http://wethod.sandbox")
    async with WethodClient(
        settings["WETHOD_BASE_URL"],
        settings["WETHOD_TOKEN"],
        settings["WETHOD_COMPANY"],
        settings["WETHOD_VERSION"],
        transport=wire,
        retry=RetryPolicy(sleep=_no_wait),
    ) as wethod:
        yield wethod


async def test_hours_by_day_add_up_each_day_of_a_range_with_one_plain_day_filter_each(
    sim: WethodSimulator, wire: Recording, client: WethodClient
) -> None:
    state = sim.state
    state.add_allocation(MARTA, APOLLO, WEEK[1], 4)
    state.add_allocation(MARTA, BOREALIS, WEEK[1], 3)
    state.add_allocation(MARTA, APOLLO, WEEK[3], 8)
    state.delete_allocation(state.add_allocation(MARTA, APOLLO, WEEK[2], 5).id)
    state.add_allocation(MARTA + 1, APOLLO, WEEK[2], 6)
    state.add_allocation(MARTA, APOLLO, date(2031, 3, 10), 2)
    asked = [WEEK[0], WEEK[1], WEEK[2], WEEK[3]]

    hours = await WethodAllocationReader(client).hours_by_day(MARTA, asked)

    assert hours == {WEEK[0]: 0, WEEK[1]: 7, WEEK[2]: 0, WEEK[3]: 8}
    filters = sorted(url.params["date"] for url in wire.sent)
    assert filters == [day.isoformat() for day in asked]
    assert {url.params["person_id"] for url in wire.sent} == {str(MARTA)}
    assert [c.status for c in sim.control.calls_to("GET", ALLOCATIONS)] == [200] * len(asked)


async def test_hours_by_day_of_no_day_ask_nothing(wire: Recording, client: WethodClient) -> None:
    assert await WethodAllocationReader(client).hours_by_day(MARTA, []) == {}
    assert wire.sent == []


async def test_a_day_that_cannot_be_read_makes_the_hours_unavailable(
    sim: WethodSimulator, client: WethodClient
) -> None:
    sim.control.faults.append(Fault(status=403, method="GET", path_prefix=ALLOCATIONS))
    with pytest.raises(UpstreamUnavailable):
        await WethodAllocationReader(client).hours_by_day(MARTA, WEEK)


async def test_the_simulator_answers_a_between_filter_as_invalid_data(sim: WethodSimulator) -> None:
    settings = sim.settings_for("http://wethod.sandbox")
    headers = {
        "Authorization": f"Bearer {settings['WETHOD_TOKEN']}",
        "Wethod-Company": settings["WETHOD_COMPANY"],
        "Wethod-Version": settings["WETHOD_VERSION"],
    }
    transport = httpx.ASGITransport(app=sim.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://w", headers=headers) as raw:
        response = await raw.get(ALLOCATIONS, params={"date": "bt:2031-03-03,2031-03-07", "person_id": "13"})
    assert response.status_code == 400
    body = response.json()
    assert (body["key"], body["message"]) == (
        "invalid_data",
        "You provided invalid data. Check 'failures' for details.",
    )
    assert body["failures"] == [
        {"field": "date", "message": "This filter does not take bt:; it takes a plain value, gt:, lt:."}
    ]


def _whitelist(project_id: int) -> WhitelistPayload:
    return WhitelistPayload(project_id=project_id, person_id=MARTA)


async def test_a_whitelist_on_a_project_whose_whitelist_is_off_says_so_in_its_outcome(
    sim: WethodSimulator, client: WethodClient
) -> None:
    sim.state.update_project(APOLLO, is_timesheet_whitelist_enabled=False)
    provisioner = WethodWhitelistProvisioner(client)

    delivered = await provisioner.provision(a_request(_whitelist(APOLLO)), attempt=1)
    again = await provisioner.provision(a_request(_whitelist(APOLLO)), attempt=1)

    assert isinstance(delivered, Delivered)
    assert delivered.summary == f"Added to the project's timesheet whitelist in Wethod; {OFF_NOTE}"
    assert isinstance(again, AlreadyDone)
    assert again.summary == f"The person was already on the project's timesheet whitelist; {OFF_NOTE}"


async def test_a_whitelist_on_a_project_whose_whitelist_is_on_has_no_note(client: WethodClient) -> None:
    outcome = await WethodWhitelistProvisioner(client).provision(a_request(_whitelist(APOLLO)), attempt=1)
    assert isinstance(outcome, Delivered)
    assert outcome.summary == "Added to the project's timesheet whitelist in Wethod."


async def test_a_project_that_cannot_be_read_leaves_the_note_out_but_not_the_entry(
    sim: WethodSimulator, client: WethodClient
) -> None:
    sim.state.update_project(APOLLO, is_timesheet_whitelist_enabled=False)
    sim.control.faults.append(Fault(status=403, method="GET", path_prefix=f"/api/projects/{APOLLO}"))
    outcome = await WethodWhitelistProvisioner(client).provision(a_request(_whitelist(APOLLO)), attempt=1)
    assert isinstance(outcome, Delivered)
    assert outcome.summary == "Added to the project's timesheet whitelist in Wethod."
    assert sim.state.whitelist_entry(APOLLO, MARTA) is not None

"""Reading long Wethod lists: pages read ahead in a sliding window, never more requests in flight than the
client allows (counted by the simulator), a short list in one request, and the end found without waiting
for pages asked for past it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx
import pytest

from app.clients.errors import InvalidData
from app.clients.retry import RetryPolicy
from app.clients.wethod import WethodClient
from app.clients.wethod.client import MAX_IN_FLIGHT
from app.integrations.wethod import WethodAllocationReader
from app.sandbox.wethod import WethodSimulator, build_wethod_simulator
from app.services.ports import DayAllocation

DAY = date(2031, 3, 3)
ALLOCATIONS = "/api/people-allocations"
LIMIT = 4


async def no_wait(_: float) -> None:
    return None


def in_process(sim: WethodSimulator, max_in_flight: int = LIMIT) -> WethodClient:
    settings = sim.settings_for("http://wethod.sandbox")
    return WethodClient(
        settings["WETHOD_BASE_URL"],
        settings["WETHOD_TOKEN"],
        settings["WETHOD_COMPANY"],
        transport=httpx.ASGITransport(app=sim.app),
        retry=RetryPolicy(sleep=no_wait),
        max_in_flight=max_in_flight,
    )


def book(sim: WethodSimulator, day: date, count: int) -> list[DayAllocation]:
    people, projects = sim.state.company.people, sim.state.company.projects
    made = [
        sim.state.add_allocation(people[n % len(people)].id, projects[n % len(projects)].id, day, 1 + n % 8)
        for n in range(count)
    ]
    return [DayAllocation(person_id=a.person_id, project_id=a.project_id, hours=a.hours) for a in made]


@pytest.fixture
def sim() -> WethodSimulator:
    return build_wethod_simulator()


@pytest.fixture
async def reader(sim: WethodSimulator) -> AsyncIterator[WethodAllocationReader]:
    async with in_process(sim) as client:
        yield WethodAllocationReader(client)


async def test_a_long_day_is_read_whole_with_at_most_the_client_limit_in_flight(
    sim: WethodSimulator, reader: WethodAllocationReader
) -> None:
    book(sim, DAY - timedelta(days=1), 150)
    booked = book(sim, DAY, 2_050)
    book(sim, DAY + timedelta(days=1), 150)
    assert await reader.allocations_on(DAY) == booked
    assert sim.control.most_in_flight == LIMIT


async def test_the_days_of_a_week_read_at_once_share_one_limit(
    sim: WethodSimulator, reader: WethodAllocationReader
) -> None:
    days = [DAY + timedelta(days=n) for n in range(5)]
    booked = [book(sim, day, 450) for day in days]
    found = await asyncio.gather(*(reader.allocations_on(day) for day in days))
    assert found == booked
    assert sim.control.most_in_flight == LIMIT


async def test_a_day_shorter_than_a_page_costs_one_request(
    sim: WethodSimulator, reader: WethodAllocationReader
) -> None:
    booked = book(sim, DAY, 99)
    assert await reader.allocations_on(DAY) == booked
    assert len(sim.control.calls_to("GET", ALLOCATIONS)) == 1


async def test_reading_stops_at_the_first_short_page_asking_little_past_it(
    sim: WethodSimulator, reader: WethodAllocationReader
) -> None:
    book(sim, DAY, 2_000)  # 20 full pages, then an empty one
    assert len(await reader.allocations_on(DAY)) == 2_000
    asked = len(sim.control.calls_to("GET", ALLOCATIONS))
    assert 21 <= asked <= 21 + LIMIT - 1


def test_the_client_allows_the_width_its_docstring_gives() -> None:
    assert WethodClient("http://wethod.test", "t", "acme").max_in_flight == MAX_IN_FLIGHT == 20


@dataclass
class HeldFirstPage:
    """Wethod pages of 100 rows for `pages` pages; the page at offset 100 is answered only once the page
    at `release_at` has been asked for, which no reader that waits for a batch's slowest page does."""

    pages: int
    release_at: int
    asked: list[int] = field(default_factory=list)
    asked_while_held: list[int] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    released: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        self.asked.append(offset)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if offset == self.release_at:
                self.asked_while_held = list(self.asked)
                self.released.set()
            if offset == 100:
                await self.released.wait()
            return httpx.Response(200, json=self._rows(offset))
        finally:
            self.in_flight -= 1

    def _rows(self, offset: int) -> list[dict[str, object]]:
        count = max(0, min(100, self.pages * 100 - offset))
        return [
            {"id": offset + n + 1, "person_id": 3, "project_id": 1001, "date": "2031-03-03", "hours": 2}
            for n in range(count)
        ]


async def test_a_slow_page_does_not_hold_up_the_pages_after_it() -> None:
    pages = HeldFirstPage(pages=12, release_at=100 + LIMIT * 100)
    client = WethodClient(
        "http://wethod.test",
        "t",
        "acme",
        transport=httpx.MockTransport(pages),
        retry=RetryPolicy(sleep=no_wait),
        max_in_flight=LIMIT,
    )
    async with client, asyncio.timeout(60):  # a reader that waits for its slowest page never ends
        rows = await client.list_allocations(date=DAY.isoformat(), pages_at_once=LIMIT)
    assert [row.id for row in rows] == list(range(1, 1_201))
    assert pages.asked_while_held[: LIMIT + 2] == [0, 100, 200, 300, 400, 500]
    assert pages.most_in_flight <= LIMIT


async def test_a_page_that_fails_fails_the_list_and_cancels_the_reads_still_out() -> None:
    pages = HeldFirstPage(pages=12, release_at=-1)  # the page at offset 100 is never answered
    open_reads: list[int] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        open_reads.append(offset)
        try:
            if offset == 300:
                return httpx.Response(400, json={"key": "invalid_data", "message": "no", "failures": []})
            return await pages(request)
        finally:
            open_reads.remove(offset)

    client = WethodClient(
        "http://wethod.test",
        "t",
        "acme",
        transport=httpx.MockTransport(answer),
        retry=RetryPolicy(sleep=no_wait),
        max_in_flight=LIMIT,
    )
    async with client:
        with pytest.raises(InvalidData):
            await client.list_allocations(pages_at_once=LIMIT)
        assert 100 in pages.asked
        assert open_reads == []

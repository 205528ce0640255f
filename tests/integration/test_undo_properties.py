"""Random sequences of allocations, undos and changes, with injected faults and edits made in Wethod
meanwhile: Wethod ends holding exactly what the stored results say it should."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.clients.retry import RetryPolicy
from app.clients.wethod import WethodClient
from app.domain.amends import placements_of
from app.domain.errors import StaffdeskError
from app.domain.placement import AmendAction
from app.domain.requests import AllocationPayload, NewRequest, StaffingRequest
from app.domain.status import RequestStatus
from app.integrations.wethod import WethodAllocationProvisioner
from app.sandbox.core import Fault
from app.sandbox.wethod import WethodSimulator, build_wethod_simulator
from app.services.amendments import change_request, undo_request
from app.services.approvals import submit_request
from app.services.approvers import ApprovalContext
from app.services.delivery import DeliveryWorker
from app.storage.unit_of_work import SqlUnitOfWork
from tests.approvals_world import APOLLO, FakeSlackPeople, context, policy, seed_directory
from tests.conftest import FakeClock

START = datetime(2031, 3, 3, 8, 0, tzinfo=UTC)  # a Monday; Wethod's own "today" is years before
FIRST_DAY = date(2031, 3, 10)
FIRST_PERSON = 3  # Wethod's seeded people 3, 4, 5…: one per allocation asked in a run
RITA = "U0RITA"  # a resource manager: her requests need no approval, so each step is delivered as asked


@dataclass(frozen=True)
class Allocate:
    days: tuple[int, ...]
    hours: int


@dataclass(frozen=True)
class Undo:
    index: int


@dataclass(frozen=True)
class Change:
    index: int
    days: tuple[int, ...]
    hours: int


@dataclass(frozen=True)
class Break:
    """The next `count` calls of `method` fail: refused (503) or done with the answer lost (500)."""

    method: str
    lost: bool
    count: int


@dataclass(frozen=True)
class Edit:
    """Someone changes the hours of one allocation in Wethod directly."""

    index: int
    hours: int


@dataclass(frozen=True)
class Deliver:
    pass


day_sets = st.lists(st.integers(0, 4), min_size=1, max_size=4, unique=True).map(lambda d: tuple(sorted(d)))
hours = st.integers(1, 8)
steps = st.lists(
    st.one_of(
        st.builds(Allocate, day_sets, hours),
        st.builds(Undo, st.integers(0, 9)),
        st.builds(Change, st.integers(0, 9), day_sets, hours),
        st.builds(
            Break, st.sampled_from(["POST", "DELETE", "PATCH", "GET"]), st.booleans(), st.integers(1, 6)
        ),
        st.builds(Edit, st.integers(0, 30), hours),
        st.just(Deliver()),
    ),
    min_size=1,
    max_size=14,
)


async def _no_wait(_: float) -> None:
    return None


def _payload(person: int, days: tuple[int, ...], hours: int) -> AllocationPayload:
    dates = tuple(FIRST_DAY + timedelta(days=d) for d in days)
    return AllocationPayload(person_id=person, project_id=int(APOLLO), dates=dates, hours=hours)


@dataclass
class Run:
    ctx: ApprovalContext
    clock: FakeClock
    sim: WethodSimulator
    worker: DeliveryWorker
    ids: list[str]
    person_of: dict[str, int]

    async def step(self, step: object) -> None:
        try:
            if isinstance(step, Allocate):
                person = FIRST_PERSON + len(set(self.person_of.values()))  # each chain its own person
                new = NewRequest(payload=_payload(person, step.days, step.hours), requester_id=RITA)
                self._stored((await submit_request(self.ctx, new)).request.id, person)
            elif isinstance(step, Undo) and self.ids:
                target = self.ids[step.index % len(self.ids)]
                self._stored((await undo_request(self.ctx, target, RITA)).request.id, self.person_of[target])
            elif isinstance(step, Change) and self.ids:
                target = self.ids[step.index % len(self.ids)]
                payload = _payload(self.person_of[target], step.days, step.hours)
                changed = await change_request(self.ctx, target, RITA, payload)
                self._stored(changed.request.id, self.person_of[target])
        except StaffdeskError:
            return  # refused (not delivered yet, undone already, nothing to change): nothing was stored
        if isinstance(step, Break):
            fault = Fault(status=500 if step.lost else 503, after_commit=step.lost, method=step.method)
            self.sim.control.faults.append(fault.model_copy(update={"count": step.count}))
        elif isinstance(step, Edit):
            people = set(self.person_of.values())
            live = sorted(a.id for a in self.sim.state.live_allocations() if a.person_id in people)
            if live:
                self.sim.state.set_allocation_hours(live[step.index % len(live)], step.hours)
        elif isinstance(step, Deliver):
            await self.deliver()

    def _stored(self, request_id: str, person: int) -> None:
        self.ids.append(request_id)
        self.person_of[request_id] = person

    async def deliver(self) -> None:
        """Deliver whatever is due, as the outbox loop would, moving time on past each backoff."""
        for _ in range(40):
            await self.worker.run_once()
            self.clock.advance(hours=2)

    async def stored(self) -> list[StaffingRequest]:
        async with self.ctx.uow_factory() as uow:
            return [await uow.requests.get(i) for i in self.ids]


def check(requests: list[StaffingRequest], sim: WethodSimulator, people: set[int]) -> None:
    """What the results say Wethod holds is what it holds: each live allocation of the person placed by a
    request not undone or changed since, or left alone by an amendment because it was edited in Wethod."""
    assert all(r.status is RequestStatus.DELIVERED for r in requests), [r.result for r in requests]
    superseded = {r.amends.of_request for r in requests if r.amends is not None}
    owned = {
        p.upstream_id: p
        for r in requests
        if r.id not in superseded and (r.amends is None or r.amends.action is AmendAction.CHANGE)
        for p in placements_of(r)
    }
    left = {str(i) for r in requests for i in (r.result or {}).get("left", [])}
    removed = {str(i) for r in requests for i in (r.result or {}).get("removed", [])}
    live = {str(a.id): a for a in sim.state.live_allocations() if a.person_id in people}
    assert set(live) == set(owned) | (left & set(live)), "Wethod holds other allocations than recorded"
    assert not removed & set(live), "an allocation recorded as deleted is still there"
    for upstream_id, placed in owned.items():
        row = live[upstream_id]
        assert (row.date, row.project_id) == (placed.day, int(APOLLO))
    days = [(live[i].person_id, live[i].date) for i in owned]
    assert len(days) == len(set(days)), "two allocations of the same request chain on one day"


@example(plan=[Allocate((0, 1, 2, 3, 4), 4), Deliver(), Break("DELETE", True, 1), Undo(0), Deliver()])
@example(
    plan=[
        Allocate((0, 1, 2, 3, 4), 4),
        Deliver(),
        Change(0, (0, 1, 2), 6),
        Break("PATCH", True, 2),
        Deliver(),
    ]
)
@example(plan=[Allocate((0, 1), 4), Deliver(), Edit(0, 7), Undo(0), Deliver()])
@example(plan=[Allocate((0, 1), 4), Deliver(), Change(0, (1, 2), 4), Deliver(), Undo(1), Deliver()])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
async def test_wethod_ends_as_the_stored_results_say(
    uow_factory: Callable[[], SqlUnitOfWork], plan: list[object]
) -> None:
    clock = FakeClock(START)
    await seed_directory(uow_factory, clock)
    ctx = context(uow_factory, clock, FakeSlackPeople(), policy())
    sim = build_wethod_simulator()
    wethod = sim.settings_for("http://wethod.sandbox")
    async with WethodClient(
        wethod["WETHOD_BASE_URL"],
        wethod["WETHOD_TOKEN"],
        wethod["WETHOD_COMPANY"],
        wethod["WETHOD_VERSION"],
        transport=httpx.ASGITransport(app=sim.app),
        retry=RetryPolicy(sleep=_no_wait),
    ) as client:
        worker = DeliveryWorker(uow_factory, WethodAllocationProvisioner(client), worker_id="w1", clock=clock)
        run = Run(ctx, clock, sim, worker, ids=[], person_of={})
        for step in plan:
            await run.step(step)
        sim.control.faults.clear()
        await run.deliver()
        check(await run.stored(), sim, set(run.person_of.values()))

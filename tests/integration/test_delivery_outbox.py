"""The delivery outbox: leases, attempts, backoff, reclaiming a dead worker's request, exactly-once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from app.domain.outcomes import FieldFailure, NeedsOperator, Refused, RetryLater
from app.domain.requests import StaffingRequest
from app.domain.status import RequestStatus
from app.services.delivery import DeliveryPolicy, DeliveryWorker
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock
from tests.factories import stored
from tests.fakes import FakeProvisioner

UowFactory = Callable[[], SqlUnitOfWork]
POLICY = DeliveryPolicy(lease=timedelta(minutes=2), batch_size=10, max_attempts=3)


def worker(
    uow_factory: UowFactory, provisioner: FakeProvisioner, clock: FakeClock, name: str = "w1"
) -> DeliveryWorker:
    return DeliveryWorker(uow_factory, provisioner, worker_id=name, clock=clock, policy=POLICY)


async def approved(uow_factory: UowFactory, clock: FakeClock) -> StaffingRequest:
    return await stored(uow_factory, clock.now, status=RequestStatus.APPROVED)


async def current(uow_factory: UowFactory, request_id: str) -> StaffingRequest:
    async with uow_factory() as uow:
        return await uow.requests.get(request_id)


async def test_an_approved_request_is_delivered_once_with_its_attempt_recorded(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await approved(uow_factory, clock)
    provisioner = FakeProvisioner()
    reports = await worker(uow_factory, provisioner, clock).run_once()
    assert [r.request_id for r in reports] == [request.id]
    assert provisioner.calls == [(request.id, 1)]
    done = await current(uow_factory, request.id)
    assert done.status is RequestStatus.DELIVERED
    assert done.result is not None
    assert done.result["upstream_ids"] == [f"up-{request.id}"]
    assert (done.lease_owner, done.lease_expires_at) == (None, None)
    async with uow_factory() as uow:
        attempts = await uow.requests.delivery_attempts(request.id)
        trail = [e.action for e in await uow.requests.audit_trail(request.id)]
    assert [(a.number, a.worker, a.outcome) for a in attempts] == [(1, "w1", "delivered")]
    assert trail == ["submitted", "claimed", "delivered"]
    assert await worker(uow_factory, provisioner, clock).run_once() == []
    assert provisioner.delivered == [request.id]


async def test_requests_waiting_for_approval_are_never_claimed(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    await stored(uow_factory, clock.now)
    provisioner = FakeProvisioner()
    assert await worker(uow_factory, provisioner, clock).run_once() == []
    assert provisioner.calls == []


async def test_retry_later_puts_the_request_back_with_backoff_honouring_retry_after(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await approved(uow_factory, clock)
    answers = iter([RetryLater(reason="429", retry_after_seconds=120), RetryLater(reason="503")])
    provisioner = FakeProvisioner(answer=lambda r, a: next(answers))
    delivery = worker(uow_factory, provisioner, clock)
    await delivery.run_once()
    waiting = await current(uow_factory, request.id)
    assert waiting.status is RequestStatus.APPROVED
    assert waiting.next_attempt_at == clock.now + timedelta(seconds=120)
    assert waiting.result == {"outcome": "retry_later", "reason": "429", "retry_after_seconds": 120.0}

    clock.advance(seconds=119)
    assert await delivery.run_once() == []
    clock.advance(seconds=1)
    await delivery.run_once()
    assert provisioner.calls == [(request.id, 1), (request.id, 2)]
    again = await current(uow_factory, request.id)
    assert again.next_attempt_at == clock.now + timedelta(seconds=60)  # 30 s doubled for the second try


async def test_a_refused_request_fails_with_the_upstreams_field_failures(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await approved(uow_factory, clock)
    refusal = Refused(failures=(FieldFailure(field="hours", message="must be at most 8"),), summary="invalid")
    await worker(uow_factory, FakeProvisioner(answer=lambda r, a: refusal), clock).run_once()
    failed = await current(uow_factory, request.id)
    assert failed.status is RequestStatus.FAILED
    assert failed.result is not None
    failure = {"field": "hours", "message": "must be at most 8", "person_id": None}
    assert failed.result["failures"] == [failure]


async def test_after_the_last_allowed_attempt_the_request_fails_and_says_so(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await approved(uow_factory, clock)
    provisioner = FakeProvisioner(
        answer=lambda r, a: NeedsOperator(reason="token refused", setting="WETHOD_TOKEN")
    )
    delivery = worker(uow_factory, provisioner, clock)
    for _ in range(POLICY.max_attempts):
        await delivery.run_once()
        clock.advance(hours=2)
    final = await current(uow_factory, request.id)
    assert final.status is RequestStatus.FAILED
    assert final.result is not None
    assert final.result["gave_up_after_attempts"] == POLICY.max_attempts
    assert [a for _, a in provisioner.calls] == [1, 2, 3]
    assert await delivery.run_once() == []


async def test_a_provisioner_that_raises_is_retried_not_lost(
    uow_factory: UowFactory, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    request = await approved(uow_factory, clock)

    def explode(r: StaffingRequest, a: int) -> RetryLater:
        raise RuntimeError("boom")

    await worker(uow_factory, FakeProvisioner(answer=explode), clock).run_once()
    after = await current(uow_factory, request.id)
    assert after.status is RequestStatus.APPROVED
    assert after.result is not None
    assert "RuntimeError" in str(after.result["reason"])
    assert "will be retried" in caplog.text


async def test_a_request_whose_worker_stopped_beating_is_reclaimed_and_delivered_once(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await approved(uow_factory, clock)
    stuck = FakeProvisioner(hold=asyncio.Event())  # never released: this worker never finishes
    dying = asyncio.create_task(worker(uow_factory, stuck, clock, "dying").run_once())
    await stuck.called.wait()
    dying.cancel()  # the process is gone; its lease and its last heartbeat stay in the database
    with pytest.raises(asyncio.CancelledError):
        await dying
    assert (await current(uow_factory, request.id)).lease_owner == "dying"

    rescuer_provisioner = FakeProvisioner()
    rescuer = worker(uow_factory, rescuer_provisioner, clock, "rescuer")
    clock.advance(seconds=POLICY.stale_after.total_seconds() - 1)
    assert await rescuer.run_once() == []
    clock.advance(seconds=2)  # the lease still runs, but its holder has been silent too long
    assert clock.now < (await current(uow_factory, request.id)).lease_expires_at  # type: ignore[operator]
    await rescuer.run_once()

    done = await current(uow_factory, request.id)
    assert done.status is RequestStatus.DELIVERED
    assert rescuer_provisioner.calls == [
        (request.id, 2)
    ]  # attempt 2: the provisioner must look before creating
    assert stuck.delivered == []
    assert rescuer_provisioner.delivered == [request.id]
    async with uow_factory() as uow:
        trail = [(e.actor, e.action) for e in await uow.requests.audit_trail(request.id)]
    assert trail == [
        ("U0REQUEST1", "submitted"),
        ("dying", "claimed"),
        ("rescuer", "reclaimed"),
        ("rescuer", "delivered"),
    ]
    assert await rescuer.run_once() == []


async def test_a_worker_that_keeps_beating_keeps_its_lease_until_the_lease_runs_out(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await approved(uow_factory, clock)
    slow = FakeProvisioner(hold=asyncio.Event())
    holder = worker(uow_factory, slow, clock, "holder")
    busy = asyncio.create_task(holder.run_once())
    await slow.called.wait()
    rescuer = worker(uow_factory, FakeProvisioner(), clock, "rescuer")
    for _ in range(int(POLICY.lease.total_seconds() // 10) - 1):
        clock.advance(seconds=10)
        await holder.beat()
        assert await rescuer.run_once() == []
    clock.advance(seconds=20)  # alive, but stuck past its whole lease: taken over all the same
    await holder.beat()
    (report,) = await rescuer.run_once()
    assert report.request_id == request.id
    assert slow.hold is not None
    slow.hold.set()
    await busy


async def test_a_worker_that_finishes_after_losing_its_lease_changes_nothing(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await approved(uow_factory, clock)
    slow = FakeProvisioner(hold=asyncio.Event())
    late = asyncio.create_task(worker(uow_factory, slow, clock, "slow").run_once())
    await slow.called.wait()
    clock.advance(minutes=3)
    await worker(uow_factory, FakeProvisioner(), clock, "rescuer").run_once()
    assert slow.hold is not None
    slow.hold.set()
    (report,) = await late
    assert report.request is None  # the lease was lost: the result is recorded, the state is not touched
    done = await current(uow_factory, request.id)
    assert (done.status, done.version) == (RequestStatus.DELIVERED, 4)
    async with uow_factory() as uow:
        assert [a.worker for a in await uow.requests.delivery_attempts(request.id)] == ["rescuer", "slow"]


async def test_two_workers_racing_over_many_requests_deliver_each_exactly_once(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    requests = [await approved(uow_factory, clock) for _ in range(25)]
    provisioner = FakeProvisioner()
    workers = [worker(uow_factory, provisioner, clock, f"w{i}") for i in range(3)]
    while True:
        rounds = await asyncio.gather(*(w.run_once() for w in workers))
        if not any(rounds):
            break
    assert sorted(provisioner.delivered) == sorted(r.id for r in requests)
    assert len(provisioner.calls) == len(requests)


async def test_a_lease_can_be_renewed_only_by_its_holder(uow_factory: UowFactory, clock: FakeClock) -> None:
    request = await approved(uow_factory, clock)
    async with uow_factory() as uow:
        (claimed,) = await uow.requests.claim_due(
            worker="w1", now=clock.now, lease=POLICY.lease, limit=5, stale_after=POLICY.stale_after
        )
        assert await uow.requests.renew_lease(
            request.id, worker="w1", now=clock.now, lease=timedelta(minutes=10)
        )
        assert not await uow.requests.renew_lease(request.id, worker="w2", now=clock.now, lease=POLICY.lease)
        await uow.commit()
    assert claimed.attempts == 1
    assert (await current(uow_factory, request.id)).lease_expires_at == clock.now + timedelta(minutes=10)

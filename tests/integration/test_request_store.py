"""The request store: compare-and-set transitions, the audit trail, and races between clicks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.errors import IllegalTransition, RequestMovedOn, RequestNotFound
from app.domain.status import RequestStatus
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock
from tests.factories import allocation, cancelled, stored, whitelist

UowFactory = Callable[[], SqlUnitOfWork]


async def test_a_stored_request_reads_back_as_it_was_given(uow_factory: UowFactory, clock: FakeClock) -> None:
    new = allocation(hours=6)
    request = await stored(uow_factory, clock.now, new)
    async with uow_factory() as uow:
        again = await uow.requests.get(request.id)
    assert again == request
    assert again.payload == new.payload
    assert again.status is RequestStatus.PENDING_APPROVAL
    assert again.created_at == clock.now
    assert again.approvers == ("U0PM00001",)


async def test_submitting_writes_the_first_audit_entry(uow_factory: UowFactory, clock: FakeClock) -> None:
    request = await stored(uow_factory, clock.now, whitelist())
    async with uow_factory() as uow:
        trail = await uow.requests.audit_trail(request.id)
    assert [(e.action, e.from_status, e.to_status, e.actor) for e in trail] == [
        ("submitted", None, RequestStatus.PENDING_APPROVAL, "U0REQUEST1")
    ]


async def test_a_transition_sets_the_status_and_audits_who_did_what(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await stored(uow_factory, clock.now)
    clock.advance(minutes=5)
    async with uow_factory() as uow:
        rejected = await uow.requests.transition(
            request.id,
            expected=RequestStatus.PENDING_APPROVAL,
            target=RequestStatus.REJECTED,
            actor="U0PM00001",
            action="rejected",
            now=clock.now,
            detail={"reason": "over budget"},
            changes={"decided_by": "U0PM00001", "decided_at": clock.now, "decision_reason": "over budget"},
        )
        await uow.commit()
    assert rejected.status is RequestStatus.REJECTED
    assert rejected.decision_reason == "over budget"
    assert rejected.version == request.version + 1
    async with uow_factory() as uow:
        last = (await uow.requests.audit_trail(request.id))[-1]
    assert (last.actor, last.action, last.at, last.detail) == (
        "U0PM00001",
        "rejected",
        clock.now,
        {"reason": "over budget"},
    )
    assert (last.from_status, last.to_status) == (RequestStatus.PENDING_APPROVAL, RequestStatus.REJECTED)


async def test_a_transition_from_a_status_the_request_no_longer_has_says_it_moved_on(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await stored(uow_factory, clock.now)
    await cancelled(uow_factory, request.id, clock.now)
    async with uow_factory() as uow:
        with pytest.raises(RequestMovedOn) as raised:
            await uow.requests.transition(
                request.id,
                expected=RequestStatus.PENDING_APPROVAL,
                target=RequestStatus.APPROVED,
                actor="U0PM00001",
                action="approved",
                now=clock.now,
            )
    assert raised.value.actual is RequestStatus.CANCELLED
    assert "cancelled" in str(raised.value)


async def test_an_illegal_transition_is_refused_before_the_database_is_touched(
    uow_factory: UowFactory, clock: FakeClock
) -> None:
    request = await stored(uow_factory, clock.now)
    async with uow_factory() as uow:
        with pytest.raises(IllegalTransition):
            await uow.requests.transition(
                request.id,
                expected=RequestStatus.PENDING_APPROVAL,
                target=RequestStatus.DELIVERED,
                actor="U0PM00001",
                action="delivered",
                now=clock.now,
            )
        assert (await uow.requests.get(request.id)).status is RequestStatus.PENDING_APPROVAL
        assert len(await uow.requests.audit_trail(request.id)) == 1


async def test_an_unknown_request_is_not_found(uow_factory: UowFactory, clock: FakeClock) -> None:
    async with uow_factory() as uow:
        with pytest.raises(RequestNotFound):
            await uow.requests.get("no-such-request")
        with pytest.raises(RequestNotFound):
            await uow.requests.transition(
                "no-such-request",
                expected=RequestStatus.PENDING_APPROVAL,
                target=RequestStatus.APPROVED,
                actor="U0PM00001",
                action="approved",
                now=clock.now,
            )


async def test_work_not_committed_is_rolled_back(uow_factory: UowFactory, clock: FakeClock) -> None:
    request = await stored(uow_factory, clock.now)
    async with uow_factory() as uow:
        await uow.requests.transition(
            request.id,
            expected=RequestStatus.PENDING_APPROVAL,
            target=RequestStatus.APPROVED,
            actor="U0PM00001",
            action="approved",
            now=clock.now,
        )
    async with uow_factory() as uow:
        assert (await uow.requests.get(request.id)).status is RequestStatus.PENDING_APPROVAL
        assert len(await uow.requests.audit_trail(request.id)) == 1


async def _approve(uow_factory: UowFactory, request_id: str, approver: str, clock: FakeClock) -> str:
    async with uow_factory() as uow:
        try:
            await uow.requests.transition(
                request_id,
                expected=RequestStatus.PENDING_APPROVAL,
                target=RequestStatus.APPROVED,
                actor=approver,
                action="approved",
                now=clock.now,
                changes={"decided_by": approver, "decided_at": clock.now},
            )
            await asyncio.sleep(0)  # hold the transaction open so the other click really overlaps
            await uow.commit()
        except RequestMovedOn:
            return "moved on"
    return "won"


@pytest.mark.parametrize("clicks", [2, 8])
async def test_concurrent_approvals_leave_exactly_one_winner_and_one_audit_entry(
    uow_factory: UowFactory, clock: FakeClock, clicks: int
) -> None:
    request = await stored(uow_factory, clock.now)
    approvers = [f"U0APPROVER{i}" for i in range(clicks)]
    results = await asyncio.gather(*(_approve(uow_factory, request.id, a, clock) for a in approvers))
    assert sorted(results) == ["moved on"] * (clicks - 1) + ["won"]
    async with uow_factory() as uow:
        final = await uow.requests.get(request.id)
        approvals = [e for e in await uow.requests.audit_trail(request.id) if e.action == "approved"]
    assert final.status is RequestStatus.APPROVED
    assert len(approvals) == 1
    assert approvals[0].actor == final.decided_by == approvers[results.index("won")]
    assert final.version == 2


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entries SET actor = 'forger'", "DELETE FROM audit_entries"]
)
async def test_the_audit_trail_is_append_only(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock, statement: str
) -> None:
    request = await stored(uow_factory, clock.now)
    with pytest.raises(DBAPIError, match="append-only"):
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    async with uow_factory() as uow:
        assert [e.actor for e in await uow.requests.audit_trail(request.id)] == ["U0REQUEST1"]

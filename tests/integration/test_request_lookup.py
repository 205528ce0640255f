"""The read a click makes, straight on the driver, gives the request a unit of work gives, on both databases,
and falls back to a session when the driver fails."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import greenlet_spawn

from app.domain.amends import AmendAction
from app.domain.errors import RequestNotFound, StorageUnavailable
from app.domain.placement import Amendment, Placement
from app.domain.status import RequestStatus
from app.storage import database
from app.storage.request_lookup import DriverRequestLookup
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import FakeClock
from tests.factories import allocation, cancelled, stored

UowFactory = Callable[[], SqlUnitOfWork]


def lookup_on(engine: AsyncEngine) -> DriverRequestLookup:
    reading = database.session_factory(engine, read_only=True)
    return DriverRequestLookup(engine, lambda: SqlUnitOfWork(reading))


async def test_every_field_reads_as_a_unit_of_work_reads_it(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    earlier = await stored(uow_factory, clock.now, status=RequestStatus.DELIVERED)
    amends = Amendment(
        action=AmendAction.CHANGE,
        of_request=earlier.id,
        previous=(Placement(upstream_id="901", day=date(2026, 12, 1), hours=4, person_id=7),),
        person_id=7,
    )
    new = allocation(hours=6, dates=[date(2026, 12, 1), date(2026, 12, 2)]).model_copy(
        update={"amends": amends, "lacking": ("planning.modify",), "note": "Ünïcode & <notes>"}
    )
    request = await stored(uow_factory, clock.now, new)
    clock.advance(minutes=7)
    async with uow_factory() as uow:
        await uow.requests.transition(
            request.id,
            expected=RequestStatus.PENDING_APPROVAL,
            target=RequestStatus.APPROVED,
            actor="U0PM00001",
            action="approved_with_changes",
            now=clock.now,
            changes={
                "decided_by": "U0PM00001",
                "decided_at": clock.now,
                "decision_reason": "one day is enough",
                "next_attempt_at": clock.now + timedelta(seconds=30),
                "payload": allocation(hours=4).payload.model_dump(mode="json"),
                "asked_payload": new.payload.model_dump(mode="json"),
                "result": {"ids": [1, 2], "text": "ok"},
            },
        )
        await uow.commit()
    async with uow_factory() as uow:
        expected = await uow.requests.get(request.id)
        amended = await uow.requests.get(earlier.id)

    found = await lookup_on(engine)(request.id)

    assert found == expected
    assert await lookup_on(engine)(earlier.id) == amended
    assert amended.amended_by == request.id
    assert found.status is RequestStatus.APPROVED
    assert found.decided_at == clock.now
    assert found.decided_at.tzinfo is not None
    assert found.asked == new.payload
    assert found.amends == amends
    assert found.result == {"ids": [1, 2], "text": "ok"}


async def test_a_request_that_is_not_there_is_not_found(engine: AsyncEngine) -> None:
    with pytest.raises(RequestNotFound):
        await lookup_on(engine)("no-such-request")


async def test_it_sees_what_another_unit_of_work_committed_since(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock
) -> None:
    lookup = lookup_on(engine)
    request = await stored(uow_factory, clock.now)
    assert (await lookup(request.id)).status is RequestStatus.PENDING_APPROVAL
    await cancelled(uow_factory, request.id, clock.now)
    assert (await lookup(request.id)).status is RequestStatus.CANCELLED


async def test_a_broken_pooled_connection_is_dropped_and_the_read_made_through_a_session(
    engine: AsyncEngine, uow_factory: UowFactory, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    lookup = lookup_on(engine)
    request = await stored(uow_factory, clock.now)
    await lookup(request.id)  # the pool now holds a connection the lookup has used
    pooled = await engine.raw_connection()
    driver = pooled.driver_connection
    assert driver is not None
    await driver.close()  # as a server restart or a network fault leaves it
    await greenlet_spawn(pooled.close)

    with caplog.at_level(logging.INFO, logger="app.storage.request_lookup"):
        found = await lookup(request.id)

    assert found.id == request.id
    assert "through a session" in caplog.text
    assert (await lookup(request.id)).id == request.id  # and the pool is whole again


async def test_an_unreachable_database_is_storage_unavailable() -> None:
    engine = database.create_engine("postgresql://staffdesk@127.0.0.1:1/staffdesk")  # nothing listens there
    try:
        with pytest.raises(StorageUnavailable):
            await lookup_on(engine)("any-request")
    finally:
        await engine.dispose()

"""`staffdesk serve` killed while it delivers, and started again: within 30 seconds of the restart the
request is delivered, and it reaches Wethod once."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from app.domain.requests import AllocationPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.sandbox.core import Fault
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from tests.e2e.harness import eventually, settled
from tests.e2e.processes import add_approved, serve_env, start_serve, stop
from tests.fake_slack import FakeSlack, serve_fake_slack
from tests.integration.upstreams import running_sandbox

DAY = date(2026, 12, 9)
PERSON, PROJECT = 13, 1000


async def test_a_process_killed_mid_delivery_is_replaced_and_the_request_is_delivered_once(
    fresh_database_url: str, tmp_path: Path
) -> None:
    async with running_sandbox() as sandbox, serve_fake_slack(FakeSlack()) as slack_url:
        env = serve_env(sandbox.env, slack_url, fresh_database_url)
        first, _ = await start_serve(env, tmp_path)
        # Wethod commits the allocation, then its answer is held back: the worker is mid-delivery.
        sandbox.wethod.control.faults.append(Fault(after_commit=True, delay_seconds=60, method="POST"))
        engine = database.create_engine(fresh_database_url)
        sessions = database.session_factory(engine)
        payload = AllocationPayload(person_id=PERSON, project_id=PROJECT, dates=(DAY,), hours=5)
        async with SqlUnitOfWork(sessions) as uow:
            request = await add_approved(uow, payload)
            await uow.commit()

        def made() -> int:
            return len(
                [
                    a
                    for a in sandbox.wethod.state.live_allocations()
                    if a.person_id == PERSON and a.date == DAY
                ]
            )

        await eventually(lambda: made() == 1, seconds=30)
        first.kill()
        await first.wait()
        sandbox.wethod.control.faults.clear()
        async with SqlUnitOfWork(sessions) as uow:
            assert (await uow.requests.get(request.id)).status is RequestStatus.DELIVERING
        # The dead worker's lease runs for two minutes, but it no longer beats: the next process takes
        # the delivery over within 30 seconds of starting.
        second, _ = await start_serve(env, tmp_path)
        restarted = time.monotonic()
        try:

            async def read() -> StaffingRequest:
                async with SqlUnitOfWork(sessions) as uow:
                    return await uow.requests.get(request.id)

            stored = await settled(read, lambda r: r.status is RequestStatus.DELIVERED, seconds=30)
            took = time.monotonic() - restarted
            async with SqlUnitOfWork(sessions) as uow:
                trail = [e.action for e in await uow.requests.audit_trail(request.id)]
        finally:
            await stop(second)
            await engine.dispose()
    assert stored.status is RequestStatus.DELIVERED, f"not delivered {took:.0f} s after the restart"
    assert took <= 30
    assert made() == 1
    assert trail == ["submitted", "claimed", "reclaimed", "already_done"]

"""Small builders of domain objects for tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from app.domain.requests import AllocationPayload, NewRequest, StaffingRequest, WhitelistPayload
from app.domain.status import RequestStatus
from app.storage.unit_of_work import SqlUnitOfWork


def allocation(**overrides: object) -> NewRequest:
    payload = AllocationPayload.model_validate(
        {"person_id": 7, "project_id": 42, "dates": [date(2026, 12, 1)], "hours": 4} | overrides
    )
    return NewRequest(
        payload=payload, requester_id="U0REQUEST1", channel_id="C0CHANNEL1", approvers=("U0PM00001",)
    )


def whitelist() -> NewRequest:
    return NewRequest(payload=WhitelistPayload(project_id=42, person_id=7), requester_id="U0REQUEST1")


async def stored(
    uow_factory: Callable[[], SqlUnitOfWork],
    now: datetime,
    new: NewRequest | None = None,
    status: RequestStatus = RequestStatus.PENDING_APPROVAL,
) -> StaffingRequest:
    async with uow_factory() as uow:
        request = await uow.requests.add(new or allocation(), status=status, actor="U0REQUEST1", now=now)
        await uow.commit()
    return request

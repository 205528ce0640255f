"""Small builders of domain objects for tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from app.domain.requests import (
    AllocationPayload,
    NewRequest,
    RequestPayload,
    StaffingRequest,
    WhitelistPayload,
)
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


async def cancelled(uow_factory: Callable[[], SqlUnitOfWork], request_id: str, now: datetime) -> None:
    """The requester cancels their pending request, committed."""
    async with uow_factory() as uow:
        await uow.requests.transition(
            request_id,
            expected=RequestStatus.PENDING_APPROVAL,
            target=RequestStatus.CANCELLED,
            actor="U0REQUEST1",
            action="cancelled",
            now=now,
        )
        await uow.commit()


REQUEST_TIME = datetime(2026, 11, 23, 9, tzinfo=UTC)


def a_request(payload: RequestPayload, **fields: Any) -> StaffingRequest:
    """A stored request as the services see it; `fields` replace the defaults."""
    defaults: dict[str, Any] = {
        "id": "req-1",
        "status": RequestStatus.DELIVERING,
        "requester_id": "U0REQUEST1",
        "channel_id": None,
        "message_ts": None,
        "approvers": (),
        "created_at": REQUEST_TIME,
        "updated_at": REQUEST_TIME,
        "decided_by": None,
        "decided_at": None,
        "decision_reason": None,
        "attempts": 1,
        "next_attempt_at": None,
        "lease_owner": None,
        "lease_expires_at": None,
        "result": None,
        "version": 1,
    }
    return StaffingRequest(payload=payload, **(defaults | fields))

"""Reading stored requests: one by id or submission, the lists people and jobs ask for, and their history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit import AuditEntry, DeliveryAttempt
from app.domain.errors import RequestNotFound
from app.domain.placement import Amendment
from app.domain.requests import RequestPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.storage.tables import ApprovalMessageRow, AuditRow, DeliveryAttemptRow, RequestRow

PAYLOAD = TypeAdapter[RequestPayload](RequestPayload)
REQUESTS = cast(Table, RequestRow.__table__)
_BY_ID = select(REQUESTS).where(REQUESTS.c.id == bindparam("b_id"))
_BY_SUBMISSION_KEY = select(REQUESTS).where(REQUESTS.c.submission_key == bindparam("b_key"))


def to_request(row: Mapping[Any, Any]) -> StaffingRequest:
    return StaffingRequest(
        id=row["id"],
        payload=PAYLOAD.validate_python(row["payload"]),
        status=RequestStatus(row["status"]),
        requester_id=row["requester_id"],
        channel_id=row["channel_id"],
        message_ts=row["message_ts"],
        approvers=tuple(row["approvers"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        decision_reason=row["decision_reason"],
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        lease_owner=row["lease_owner"],
        lease_expires_at=row["lease_expires_at"],
        result=row["result"],
        version=row["version"],
        note=row["note"],
        lacking=tuple(row["lacking"] or ()),
        asked=PAYLOAD.validate_python(row["asked_payload"]) if row["asked_payload"] else None,
        amends=Amendment.model_validate(row["amends"]) if row["amends"] else None,
        amended_by=row["amended_by"],
    )


class SqlRequestReads:
    """The reading half of the request repository, in the caller's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, request_id: str) -> StaffingRequest:
        row = (await self._session.execute(_BY_ID, {"b_id": request_id})).mappings()
        found = row.first()
        if found is None:
            raise RequestNotFound(request_id)
        return to_request(found)

    async def by_submission_key(self, submission_key: str) -> StaffingRequest | None:
        values = {"b_key": submission_key}
        found = (await self._session.execute(_BY_SUBMISSION_KEY, values)).mappings().first()
        return to_request(found) if found is not None else None

    async def pending_created_before(self, cutoff: datetime) -> list[StaffingRequest]:
        rows = await self._session.execute(
            select(REQUESTS)
            .where(REQUESTS.c.status == RequestStatus.PENDING_APPROVAL.value, REQUESTS.c.created_at <= cutoff)
            .order_by(REQUESTS.c.created_at)
        )
        return [to_request(row) for row in rows.mappings()]

    async def approval_messages(self, request_id: str) -> list[tuple[str, str, str]]:
        """(approver, channel, ts) of every copy of the approval question."""
        rows = await self._session.scalars(
            select(ApprovalMessageRow).where(ApprovalMessageRow.request_id == request_id)
        )
        return [(r.approver_id, r.channel_id, r.message_ts) for r in rows]

    async def requested_by(self, requester_id: str, *, limit: int = 20) -> list[StaffingRequest]:
        rows = await self._session.execute(
            select(REQUESTS)
            .where(REQUESTS.c.requester_id == requester_id)
            .order_by(REQUESTS.c.created_at.desc())
            .limit(limit)
        )
        return [to_request(row) for row in rows.mappings()]

    async def waiting_for(self, approver_id: str) -> list[StaffingRequest]:
        rows = await self._session.execute(
            select(REQUESTS)
            .where(REQUESTS.c.status == RequestStatus.PENDING_APPROVAL.value)
            .order_by(REQUESTS.c.created_at)
        )
        found = [to_request(row) for row in rows.mappings()]
        return [r for r in found if approver_id in r.approvers]

    async def finished_between(self, start: datetime, end: datetime) -> list[StaffingRequest]:
        """Requests delivered, rejected or failed in [start, end)."""
        finals = [RequestStatus.DELIVERED.value, RequestStatus.REJECTED.value, RequestStatus.FAILED.value]
        rows = await self._session.execute(
            select(REQUESTS)
            .where(REQUESTS.c.status.in_(finals), REQUESTS.c.updated_at >= start, REQUESTS.c.updated_at < end)
            .order_by(REQUESTS.c.updated_at)
        )
        return [to_request(row) for row in rows.mappings()]

    async def pending(self) -> list[StaffingRequest]:
        rows = await self._session.execute(
            select(REQUESTS)
            .where(REQUESTS.c.status == RequestStatus.PENDING_APPROVAL.value)
            .order_by(REQUESTS.c.created_at)
        )
        return [to_request(row) for row in rows.mappings()]

    async def audit_trail(self, request_id: str) -> list[AuditEntry]:
        rows = await self._session.scalars(
            select(AuditRow).where(AuditRow.request_id == request_id).order_by(AuditRow.id)
        )
        return [
            AuditEntry(
                request_id=r.request_id,
                at=r.at,
                actor=r.actor,
                action=r.action,
                from_status=RequestStatus(r.from_status) if r.from_status else None,
                to_status=RequestStatus(r.to_status),
                detail=r.detail,
            )
            for r in rows
        ]

    async def delivery_attempts(self, request_id: str) -> list[DeliveryAttempt]:
        rows = await self._session.scalars(
            select(DeliveryAttemptRow)
            .where(DeliveryAttemptRow.request_id == request_id)
            .order_by(DeliveryAttemptRow.id)
        )
        return [
            DeliveryAttempt(
                request_id=r.request_id,
                number=r.number,
                worker=r.worker,
                started_at=r.started_at,
                finished_at=r.finished_at,
                outcome=r.outcome,
                detail=r.detail,
            )
            for r in rows
        ]

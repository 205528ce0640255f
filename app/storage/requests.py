"""The request repository: compare-and-set transitions, the audit trail and the outbox claim."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import RowMapping, Table, and_, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.audit import AuditEntry, DeliveryAttempt
from app.domain.errors import DuplicateSubmission, LeaseLost, RequestMovedOn, RequestNotFound
from app.domain.lifecycle import check_transition
from app.domain.requests import NewRequest, RequestPayload, StaffingRequest
from app.domain.status import RequestStatus
from app.services.ports import RequestChanges
from app.storage.notices import holder_is_gone
from app.storage.tables import ApprovalMessageRow, AuditRow, DeliveryAttemptRow, RequestRow

_PAYLOAD = TypeAdapter[RequestPayload](RequestPayload)
_REQUESTS = cast(Table, RequestRow.__table__)


def _to_request(row: RowMapping) -> StaffingRequest:
    return StaffingRequest(
        id=row["id"],
        payload=_PAYLOAD.validate_python(row["payload"]),
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
    )


class SqlRequestRepository:
    """RequestRepository on SQLAlchemy; every write happens in the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        new: NewRequest,
        *,
        status: RequestStatus,
        actor: str,
        now: datetime,
        detail: Mapping[str, object] | None = None,
    ) -> StaffingRequest:
        request_id = str(uuid.uuid4())
        values: dict[str, Any] = {
            "id": request_id,
            "kind": new.kind.value,
            "status": status.value,
            "payload": new.payload.model_dump(mode="json"),
            "requester_id": new.requester_id,
            "channel_id": new.channel_id,
            "approvers": list(new.approvers),
            "created_at": now,
            "updated_at": now,
            "attempts": 0,
            "next_attempt_at": now if status is RequestStatus.APPROVED else None,
            "decided_by": actor if status is RequestStatus.APPROVED else None,
            "decided_at": now if status is RequestStatus.APPROVED else None,
            "version": 1,
            "submission_key": new.submission_key,
            "note": new.note,
            "lacking": list(new.lacking),
        }
        try:
            row = (
                await self._session.execute(insert(_REQUESTS).values(values).returning(*_REQUESTS.c))
            ).mappings()
        except IntegrityError as error:
            if new.submission_key is None:
                raise
            raise DuplicateSubmission(new.submission_key) from error
        stored = _to_request(row.one())
        await self._audit(
            request_id, now, actor, "submitted", None, status, {"kind": new.kind.value, **(detail or {})}
        )
        return stored

    async def get(self, request_id: str) -> StaffingRequest:
        row = (await self._session.execute(select(_REQUESTS).where(_REQUESTS.c.id == request_id))).mappings()
        found = row.first()
        if found is None:
            raise RequestNotFound(request_id)
        return _to_request(found)

    async def by_submission_key(self, submission_key: str) -> StaffingRequest | None:
        statement = select(_REQUESTS).where(_REQUESTS.c.submission_key == submission_key)
        found = (await self._session.execute(statement)).mappings().first()
        return _to_request(found) if found is not None else None

    async def transition(
        self,
        request_id: str,
        *,
        expected: RequestStatus,
        target: RequestStatus,
        actor: str,
        action: str,
        now: datetime,
        detail: Mapping[str, object] | None = None,
        changes: RequestChanges | None = None,
        lease_owner: str | None = None,
    ) -> StaffingRequest:
        check_transition(expected, target)
        conditions = [_REQUESTS.c.id == request_id, _REQUESTS.c.status == expected.value]
        if lease_owner is not None:
            conditions.append(_REQUESTS.c.lease_owner == lease_owner)
        values: dict[str, Any] = {
            **(changes or {}),
            "status": target.value,
            "updated_at": now,
            "version": _REQUESTS.c.version + 1,
        }
        statement = update(_REQUESTS).where(*conditions).values(values).returning(*_REQUESTS.c)
        row = (await self._session.execute(statement)).mappings().first()
        if row is None:
            await self._explain_lost_race(request_id, expected, lease_owner)
        assert row is not None
        await self._audit(request_id, now, actor, action, expected, target, dict(detail or {}))
        return _to_request(row)

    async def _explain_lost_race(
        self, request_id: str, expected: RequestStatus, lease_owner: str | None
    ) -> None:
        current = (
            await self._session.execute(
                select(_REQUESTS.c.status, _REQUESTS.c.lease_owner).where(_REQUESTS.c.id == request_id)
            )
        ).first()
        if current is None:
            raise RequestNotFound(request_id)
        actual = RequestStatus(current.status)
        if actual is expected and lease_owner is not None and current.lease_owner != lease_owner:
            raise LeaseLost(request_id, lease_owner)
        raise RequestMovedOn(request_id, expected, actual)

    async def claim_due(
        self, *, worker: str, now: datetime, lease: timedelta, limit: int, stale_after: timedelta
    ) -> list[StaffingRequest]:
        due = (
            select(_REQUESTS.c.id, _REQUESTS.c.status, _REQUESTS.c.attempts)
            .where(
                or_(
                    and_(
                        _REQUESTS.c.status == RequestStatus.APPROVED.value,
                        _REQUESTS.c.next_attempt_at <= now,
                    ),
                    and_(
                        _REQUESTS.c.status == RequestStatus.DELIVERING.value,
                        or_(
                            _REQUESTS.c.lease_expires_at < now,
                            holder_is_gone(_REQUESTS.c.lease_owner, now, stale_after),
                        ),
                    ),
                )
            )
            .order_by(_REQUESTS.c.next_attempt_at, _REQUESTS.c.created_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        claimed: list[StaffingRequest] = []
        for request_id, status, attempts in (await self._session.execute(due)).all():
            current = RequestStatus(status)
            reclaimed = current is RequestStatus.DELIVERING
            claimed.append(
                await self.transition(
                    request_id,
                    expected=current,
                    target=RequestStatus.DELIVERING,
                    actor=worker,
                    action="reclaimed" if reclaimed else "claimed",
                    now=now,
                    detail={"lease_seconds": lease.total_seconds()},
                    changes={
                        "lease_owner": worker,
                        "lease_expires_at": now + lease,
                        "attempts": attempts + 1,
                    },
                )
            )
        return claimed

    async def pending_created_before(self, cutoff: datetime) -> list[StaffingRequest]:
        rows = await self._session.execute(
            select(_REQUESTS)
            .where(
                _REQUESTS.c.status == RequestStatus.PENDING_APPROVAL.value, _REQUESTS.c.created_at <= cutoff
            )
            .order_by(_REQUESTS.c.created_at)
        )
        return [_to_request(row) for row in rows.mappings()]

    async def set_message(self, request_id: str, channel_id: str, message_ts: str) -> None:
        await self._session.execute(
            update(_REQUESTS)
            .where(_REQUESTS.c.id == request_id)
            .values(channel_id=channel_id, message_ts=message_ts)
        )

    async def add_approval_message(self, request_id: str, approver_id: str, channel_id: str, ts: str) -> None:
        await self._session.merge(
            ApprovalMessageRow(
                request_id=request_id, approver_id=approver_id, channel_id=channel_id, message_ts=ts
            )
        )

    async def approval_messages(self, request_id: str) -> list[tuple[str, str, str]]:
        """(approver, channel, ts) of every copy of the approval question."""
        rows = await self._session.scalars(
            select(ApprovalMessageRow).where(ApprovalMessageRow.request_id == request_id)
        )
        return [(r.approver_id, r.channel_id, r.message_ts) for r in rows]

    async def requested_by(self, requester_id: str, *, limit: int = 20) -> list[StaffingRequest]:
        rows = await self._session.execute(
            select(_REQUESTS)
            .where(_REQUESTS.c.requester_id == requester_id)
            .order_by(_REQUESTS.c.created_at.desc())
            .limit(limit)
        )
        return [_to_request(row) for row in rows.mappings()]

    async def waiting_for(self, approver_id: str) -> list[StaffingRequest]:
        rows = await self._session.execute(
            select(_REQUESTS)
            .where(_REQUESTS.c.status == RequestStatus.PENDING_APPROVAL.value)
            .order_by(_REQUESTS.c.created_at)
        )
        found = [_to_request(row) for row in rows.mappings()]
        return [r for r in found if approver_id in r.approvers]

    async def finished_between(self, start: datetime, end: datetime) -> list[StaffingRequest]:
        """Requests delivered, rejected or failed in [start, end)."""
        finals = [RequestStatus.DELIVERED.value, RequestStatus.REJECTED.value, RequestStatus.FAILED.value]
        rows = await self._session.execute(
            select(_REQUESTS)
            .where(
                _REQUESTS.c.status.in_(finals), _REQUESTS.c.updated_at >= start, _REQUESTS.c.updated_at < end
            )
            .order_by(_REQUESTS.c.updated_at)
        )
        return [_to_request(row) for row in rows.mappings()]

    async def pending(self) -> list[StaffingRequest]:
        rows = await self._session.execute(
            select(_REQUESTS)
            .where(_REQUESTS.c.status == RequestStatus.PENDING_APPROVAL.value)
            .order_by(_REQUESTS.c.created_at)
        )
        return [_to_request(row) for row in rows.mappings()]

    async def renew_lease(self, request_id: str, *, worker: str, now: datetime, lease: timedelta) -> bool:
        result = await self._session.execute(
            update(_REQUESTS)
            .where(
                _REQUESTS.c.id == request_id,
                _REQUESTS.c.status == RequestStatus.DELIVERING.value,
                _REQUESTS.c.lease_owner == worker,
            )
            .values(lease_expires_at=now + lease)
            .returning(_REQUESTS.c.id)
        )
        return result.first() is not None

    async def record_attempt(self, attempt: DeliveryAttempt) -> None:
        await self._session.execute(insert(DeliveryAttemptRow).values(**attempt.model_dump()))

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

    async def _audit(
        self,
        request_id: str,
        at: datetime,
        actor: str,
        action: str,
        from_status: RequestStatus | None,
        to_status: RequestStatus,
        detail: dict[str, object],
    ) -> None:
        await self._session.execute(
            insert(AuditRow).values(
                request_id=request_id,
                at=at,
                actor=actor,
                action=action,
                from_status=from_status.value if from_status else None,
                to_status=to_status.value,
                detail=detail,
            )
        )

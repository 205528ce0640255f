"""The request repository: compare-and-set transitions, the audit trail and the outbox claim."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.domain.amends import ended_without_effect
from app.domain.audit import DeliveryAttempt
from app.domain.errors import AlreadyAmended, DuplicateSubmission, LeaseLost, RequestMovedOn, RequestNotFound
from app.domain.lifecycle import check_transition
from app.domain.requests import NewRequest, StaffingRequest
from app.domain.status import RequestStatus
from app.services.ports import RequestChanges
from app.storage.notices import holder_is_gone
from app.storage.request_reads import REQUESTS, SqlRequestReads, to_request
from app.storage.tables import ApprovalMessageRow, AuditRow, DeliveryAttemptRow

# The statements every request makes are built once: executed with their values as parameters, each is
# compiled once per set of columns and never built again (a statement built per call is hashed anew).
_AUDIT = insert(cast(Table, AuditRow.__table__))
_ATTEMPT = insert(cast(Table, DeliveryAttemptRow.__table__))
_ADD = insert(REQUESTS).returning(*REQUESTS.c)
_MOVE = (REQUESTS.c.id == bindparam("b_id"), REQUESTS.c.status == bindparam("b_expected"))
_HOLDER = REQUESTS.c.lease_owner == bindparam("b_lease_owner")
# The columns to set come with the values; the version is always one more.
_TRANSITION = update(REQUESTS).where(*_MOVE).values(version=REQUESTS.c.version + 1).returning(*REQUESTS.c)
_TRANSITION_HELD = _TRANSITION.where(_HOLDER)
_SET_MESSAGE = update(REQUESTS).where(REQUESTS.c.id == bindparam("b_id"))


def _approval_message_upsert(insert_into: Any) -> Any:
    statement = insert_into(cast(Table, ApprovalMessageRow.__table__))
    place = {"channel_id": statement.excluded.channel_id, "message_ts": statement.excluded.message_ts}
    return statement.on_conflict_do_update(index_elements=["request_id", "approver_id"], set_=place)


_APPROVAL_MESSAGE = {
    "postgresql": _approval_message_upsert(postgresql.insert),
    "sqlite": _approval_message_upsert(sqlite.insert),
}


class SqlRequestRepository(SqlRequestReads):
    """RequestRepository on SQLAlchemy; every write happens in the caller's transaction."""

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
            "amends": new.amends.model_dump(mode="json") if new.amends else None,
            "amends_id": new.amends.of_request if new.amends else None,
        }
        try:
            row = (await self._session.execute(_ADD, values)).mappings()
        except IntegrityError as error:
            if new.submission_key is None:
                raise
            raise DuplicateSubmission(new.submission_key) from error
        stored = to_request(row.one())
        if new.amends is not None:
            await self._mark_amended(new.amends.of_request, request_id)
        await self._audit(
            request_id, now, actor, "submitted", None, status, {"kind": new.kind.value, **(detail or {})}
        )
        return stored

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
        values: dict[str, Any] = {
            **(changes or {}),
            "status": target.value,
            "updated_at": now,
            "b_id": request_id,
            "b_expected": expected.value,
        }
        statement = _TRANSITION
        if lease_owner is not None:
            statement, values["b_lease_owner"] = _TRANSITION_HELD, lease_owner
        row = (await self._session.execute(statement, values)).mappings().first()
        if row is None:
            await self._explain_lost_race(request_id, expected, lease_owner)
        assert row is not None
        await self._audit(request_id, now, actor, action, expected, target, dict(detail or {}))
        moved = to_request(row)
        if moved.amends is not None and ended_without_effect(moved):
            await self._release(moved.amends.of_request, request_id)
        return moved

    async def _mark_amended(self, original_id: str, amendment_id: str) -> None:
        """Link the original to its amendment, only while it is delivered and has none: two clicks on
        Undo make one undo, and an undo of something already being undone is refused."""
        statement = (
            update(REQUESTS)
            .where(
                REQUESTS.c.id == original_id,
                REQUESTS.c.amended_by.is_(None),
                REQUESTS.c.status == RequestStatus.DELIVERED.value,
            )
            .values(amended_by=amendment_id, version=REQUESTS.c.version + 1)
        )
        if (await self._session.execute(statement)).rowcount != 1:  # type: ignore[attr-defined]
            current = await self.get(original_id)
            raise AlreadyAmended(original_id, current.amended_by)

    async def _release(self, original_id: str, amendment_id: str) -> None:
        """The original may be undone or changed again: its amendment ended having done nothing."""
        statement = (
            update(REQUESTS)
            .where(REQUESTS.c.id == original_id, REQUESTS.c.amended_by == amendment_id)
            .values(amended_by=None, version=REQUESTS.c.version + 1)
        )
        await self._session.execute(statement)

    async def _explain_lost_race(
        self, request_id: str, expected: RequestStatus, lease_owner: str | None
    ) -> None:
        current = (
            await self._session.execute(
                select(REQUESTS.c.status, REQUESTS.c.lease_owner).where(REQUESTS.c.id == request_id)
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
            select(REQUESTS.c.id, REQUESTS.c.status, REQUESTS.c.attempts)
            .where(
                or_(
                    and_(
                        REQUESTS.c.status == RequestStatus.APPROVED.value,
                        REQUESTS.c.next_attempt_at <= now,
                    ),
                    and_(
                        REQUESTS.c.status == RequestStatus.DELIVERING.value,
                        or_(
                            REQUESTS.c.lease_expires_at < now,
                            holder_is_gone(REQUESTS.c.lease_owner, now, stale_after),
                        ),
                    ),
                )
            )
            .order_by(REQUESTS.c.next_attempt_at, REQUESTS.c.created_at)
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

    async def set_message(self, request_id: str, channel_id: str, message_ts: str) -> None:
        values = {"b_id": request_id, "channel_id": channel_id, "message_ts": message_ts}
        await self._session.execute(_SET_MESSAGE, values)

    async def add_approvers(
        self,
        request_id: str,
        added: Sequence[str],
        *,
        actor: str,
        action: str,
        now: datetime,
        detail: Mapping[str, object],
    ) -> StaffingRequest:
        """Ask more approvers while the request is pending; raises RequestMovedOn once it is not."""
        current = await self.get(request_id)
        if current.status is not RequestStatus.PENDING_APPROVAL:
            raise RequestMovedOn(request_id, RequestStatus.PENDING_APPROVAL, current.status)
        approvers = [*current.approvers, *(a for a in added if a not in current.approvers)]
        row = (
            (
                await self._session.execute(
                    update(REQUESTS)
                    .where(REQUESTS.c.id == request_id, REQUESTS.c.version == current.version)
                    .values(approvers=approvers, updated_at=now, version=REQUESTS.c.version + 1)
                    .returning(*REQUESTS.c)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            await self._explain_lost_race(request_id, RequestStatus.PENDING_APPROVAL, None)
            raise RequestMovedOn(request_id, RequestStatus.PENDING_APPROVAL, RequestStatus.PENDING_APPROVAL)
        status = RequestStatus.PENDING_APPROVAL
        await self._audit(request_id, now, actor, action, status, status, dict(detail))
        return to_request(row)

    async def record(
        self, request_id: str, *, actor: str, action: str, now: datetime, detail: Mapping[str, object]
    ) -> None:
        """A line in the audit trail for something that did not change the request's state."""
        current = await self.get(request_id)
        await self._audit(request_id, now, actor, action, current.status, current.status, dict(detail))

    async def add_approval_message(self, request_id: str, approver_id: str, channel_id: str, ts: str) -> None:
        statement = _APPROVAL_MESSAGE[self._session.get_bind().dialect.name]
        values = {"request_id": request_id, "approver_id": approver_id, "channel_id": channel_id}
        await self._session.execute(statement, values | {"message_ts": ts})

    async def renew_lease(self, request_id: str, *, worker: str, now: datetime, lease: timedelta) -> bool:
        result = await self._session.execute(
            update(REQUESTS)
            .where(
                REQUESTS.c.id == request_id,
                REQUESTS.c.status == RequestStatus.DELIVERING.value,
                REQUESTS.c.lease_owner == worker,
            )
            .values(lease_expires_at=now + lease)
            .returning(REQUESTS.c.id)
        )
        return result.first() is not None

    async def record_attempt(self, attempt: DeliveryAttempt) -> None:
        await self._session.execute(_ATTEMPT, attempt.model_dump())

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
        values = {
            "request_id": request_id,
            "at": at,
            "actor": actor,
            "action": action,
            "from_status": from_status.value if from_status else None,
            "to_status": to_status.value,
            "detail": detail,
        }
        await self._session.execute(_AUDIT, values)

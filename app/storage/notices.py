"""The Slack outbox and the workers' heartbeats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    RowMapping,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningUpdate

from app.domain.notices import Notice, NoticeKind
from app.storage.database import insert_for
from app.storage.tables import SlackNoticeRow, WorkerRow

N = SlackNoticeRow
T = cast(Table, SlackNoticeRow.__table__)
FORGET_WORKERS_AFTER = timedelta(days=1)


def holder_is_gone(
    owner: ColumnElement[str | None], now: datetime, stale_after: timedelta
) -> ColumnElement[bool]:
    """True where the lease holder has no heartbeat newer than `stale_after`."""
    return _no_beat_since(owner, literal(now - stale_after, WorkerRow.beat_at.type))


def _no_beat_since(owner: ColumnElement[str | None], since: ColumnElement[datetime]) -> ColumnElement[bool]:
    alive = select(WorkerRow.worker_id).where(WorkerRow.worker_id == owner, WorkerRow.beat_at >= since)
    return ~exists(alive)


def _claim(of_one_request: bool) -> ReturningUpdate[Any]:
    """Lease the oldest due notices (of one request, or of any) that are free: never leased, their lease
    run out, or their holder silent. Rows another worker is claiming are skipped. Built once, with its
    values bound at each call: building and keying the statement cost more than running it."""
    earlier = T.alias("earlier")
    blocked = exists(
        select(earlier.c.id).where(
            earlier.c.request_id == T.c.request_id,
            earlier.c.id < T.c.id,
            earlier.c.sent_at.is_(None),
            earlier.c.given_up_at.is_(None),
        )
    )
    now = bindparam("b_now", type_=T.c.next_attempt_at.type)
    free = or_(
        T.c.lease_owner.is_(None),
        T.c.lease_expires_at < now,
        _no_beat_since(T.c.lease_owner, bindparam("b_alive_since", type_=WorkerRow.beat_at.type)),
    )
    conditions = [
        T.c.sent_at.is_(None),
        T.c.given_up_at.is_(None),
        T.c.next_attempt_at <= now,
        free,
        ~blocked,
    ]
    if of_one_request:
        conditions.append(T.c.request_id == bindparam("b_request_id"))
    limit = bindparam("b_limit", type_=Integer())
    due = select(T.c.id).where(*conditions).order_by(T.c.id).limit(limit).with_for_update(skip_locked=True)
    return (
        update(T)
        .where(T.c.id.in_(due.scalar_subquery()))
        .values(
            lease_owner=bindparam("b_worker", type_=T.c.lease_owner.type),
            lease_expires_at=bindparam("b_expires", type_=T.c.lease_expires_at.type),
            attempts=T.c.attempts + 1,
        )
        .returning(*T.c)
    )


_CLAIM_ANY, _CLAIM_OF_REQUEST = _claim(False), _claim(True)
_HELD = (T.c.id == bindparam("b_id", type_=T.c.id.type), T.c.lease_owner == bindparam("b_worker"))
_SAVE_PROGRESS = update(T).where(*_HELD).values(progress=bindparam("b_progress", type_=T.c.progress.type))
_RELEASED = {"lease_owner": None, "lease_expires_at": None}
_MARK_SENT = (
    update(T)
    .where(*_HELD)
    .values(sent_at=bindparam("b_at", type_=T.c.sent_at.type), last_error=None, **_RELEASED)
)
_RETRY_LATER = (
    update(T)
    .where(*_HELD)
    .values(
        next_attempt_at=bindparam("b_at", type_=T.c.next_attempt_at.type),
        last_error=bindparam("b_error", type_=T.c.last_error.type),
        **_RELEASED,
    )
)
_GIVE_UP = (
    update(T)
    .where(*_HELD)
    .values(
        given_up_at=bindparam("b_at", type_=T.c.given_up_at.type),
        last_error=bindparam("b_error", type_=T.c.last_error.type),
        **_RELEASED,
    )
)
_ADD = insert(T).values(
    request_id=bindparam("b_request_id", type_=T.c.request_id.type),
    kind=bindparam("b_kind", type_=T.c.kind.type),
    detail=bindparam("b_detail", type_=T.c.detail.type),
    created_at=bindparam("b_now", type_=T.c.created_at.type),
    next_attempt_at=bindparam("b_now", type_=T.c.next_attempt_at.type),
    attempts=0,
    progress={},
)


def _to_notice(row: RowMapping) -> Notice:
    return Notice(
        id=row["id"],
        request_id=row["request_id"],
        kind=NoticeKind(row["kind"]),
        detail=row["detail"],
        attempts=row["attempts"],
        progress=row["progress"],
    )


class SqlNoticeRepository:
    """Notices of one request are sent in the order they were written: one is claimable only when every
    earlier notice of its request is sent or given up."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, request_id: str, kind: NoticeKind, *, now: datetime, detail: Mapping[str, object] | None = None
    ) -> None:
        values = {
            "b_request_id": request_id,
            "b_kind": kind.value,
            "b_detail": dict(detail or {}),
            "b_now": now,
        }
        await self._session.execute(_ADD, values)

    async def claim_due(
        self,
        *,
        worker: str,
        now: datetime,
        lease: timedelta,
        stale_after: timedelta,
        limit: int,
        request_id: str | None = None,
    ) -> list[Notice]:
        values = {
            "b_worker": worker,
            "b_now": now,
            "b_expires": now + lease,
            "b_alive_since": now - stale_after,
            "b_limit": limit,
        }
        if request_id is not None:
            values["b_request_id"] = request_id
        statement = _CLAIM_ANY if request_id is None else _CLAIM_OF_REQUEST
        rows = (await self._session.execute(statement, values)).mappings().all()
        return sorted((_to_notice(row) for row in rows), key=lambda notice: notice.id)

    async def save_progress(self, notice_id: int, worker: str, progress: Mapping[str, str]) -> None:
        values = {"b_id": notice_id, "b_worker": worker, "b_progress": dict(progress)}
        await self._session.execute(_SAVE_PROGRESS, values)

    async def mark_sent(self, notice_id: int, worker: str, now: datetime) -> None:
        await self._session.execute(_MARK_SENT, {"b_id": notice_id, "b_worker": worker, "b_at": now})

    async def retry_later(self, notice_id: int, worker: str, at: datetime, error: str) -> None:
        values = {"b_id": notice_id, "b_worker": worker, "b_at": at, "b_error": error[:500]}
        await self._session.execute(_RETRY_LATER, values)

    async def give_up(self, notice_id: int, worker: str, now: datetime, error: str) -> None:
        values = {"b_id": notice_id, "b_worker": worker, "b_at": now, "b_error": error[:500]}
        await self._session.execute(_GIVE_UP, values)

    async def unsent(self, request_id: str | None = None) -> list[Notice]:
        """Notices still owed (not sent, not given up), oldest first."""
        statement = select(T).where(T.c.sent_at.is_(None), T.c.given_up_at.is_(None)).order_by(T.c.id)
        if request_id is not None:
            statement = statement.where(T.c.request_id == request_id)
        return [_to_notice(row) for row in (await self._session.execute(statement)).mappings()]


class SqlWorkerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def beat(self, worker: str, now: datetime) -> None:
        """Record that `worker` is alive now; forget workers silent for a day."""
        insert = insert_for(self._session)
        statement = insert(WorkerRow).values(worker_id=worker, started_at=now, beat_at=now)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[WorkerRow.worker_id], set_={"beat_at": now})
        )
        await self._session.execute(delete(WorkerRow).where(WorkerRow.beat_at < now - FORGET_WORKERS_AFTER))

    async def alive(self, now: datetime, stale_after: timedelta) -> list[str]:
        rows = await self._session.scalars(
            select(WorkerRow.worker_id).where(and_(WorkerRow.beat_at >= now - stale_after))
        )
        return sorted(rows)

"""The Slack outbox and the workers' heartbeats."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.domain.notices import Notice, NoticeKind
from app.storage.database import insert_for
from app.storage.tables import SlackNoticeRow, WorkerRow

N = SlackNoticeRow
FORGET_WORKERS_AFTER = timedelta(days=1)


def holder_is_gone(
    owner: ColumnElement[str | None], now: datetime, stale_after: timedelta
) -> ColumnElement[bool]:
    """True where the lease holder has no heartbeat newer than `stale_after`."""
    alive = select(WorkerRow.worker_id).where(
        WorkerRow.worker_id == owner, WorkerRow.beat_at >= now - stale_after
    )
    return ~exists(alive)


def _to_notice(row: SlackNoticeRow) -> Notice:
    return Notice(
        id=row.id,
        request_id=row.request_id,
        kind=NoticeKind(row.kind),
        detail=row.detail,
        attempts=row.attempts,
        progress=row.progress,
    )


class SqlNoticeRepository:
    """Notices of one request are sent in the order they were written: one is claimable only when every
    earlier notice of its request is sent or given up."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, request_id: str, kind: NoticeKind, *, now: datetime, detail: Mapping[str, object] | None = None
    ) -> None:
        self._session.add(
            N(
                request_id=request_id,
                kind=kind.value,
                detail=dict(detail or {}),
                created_at=now,
                next_attempt_at=now,
                attempts=0,
                progress={},
            )
        )
        await self._session.flush()

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
        earlier = aliased(N)
        blocked = exists(
            select(earlier.id).where(
                earlier.request_id == N.request_id,
                earlier.id < N.id,
                earlier.sent_at.is_(None),
                earlier.given_up_at.is_(None),
            )
        )
        free = or_(
            N.lease_owner.is_(None),
            N.lease_expires_at < now,
            holder_is_gone(N.lease_owner.expression, now, stale_after),
        )
        conditions = [N.sent_at.is_(None), N.given_up_at.is_(None), N.next_attempt_at <= now, free, ~blocked]
        if request_id is not None:
            conditions.append(N.request_id == request_id)
        due = select(N.id).where(*conditions).order_by(N.id).limit(limit).with_for_update(skip_locked=True)
        claim = (
            update(N)
            .where(N.id.in_(due.scalar_subquery()))
            .values(lease_owner=worker, lease_expires_at=now + lease, attempts=N.attempts + 1)
            .returning(N)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        rows = (await self._session.scalars(claim)).all()
        return sorted((_to_notice(row) for row in rows), key=lambda notice: notice.id)

    async def save_progress(self, notice_id: int, worker: str, progress: Mapping[str, str]) -> None:
        await self._session.execute(
            update(N).where(N.id == notice_id, N.lease_owner == worker).values(progress=dict(progress))
        )

    async def mark_sent(self, notice_id: int, worker: str, now: datetime) -> None:
        await self._session.execute(
            update(N)
            .where(N.id == notice_id, N.lease_owner == worker)
            .values(sent_at=now, lease_owner=None, lease_expires_at=None, last_error=None)
        )

    async def retry_later(self, notice_id: int, worker: str, at: datetime, error: str) -> None:
        await self._session.execute(
            update(N)
            .where(N.id == notice_id, N.lease_owner == worker)
            .values(next_attempt_at=at, lease_owner=None, lease_expires_at=None, last_error=error[:500])
        )

    async def give_up(self, notice_id: int, worker: str, now: datetime, error: str) -> None:
        await self._session.execute(
            update(N)
            .where(N.id == notice_id, N.lease_owner == worker)
            .values(given_up_at=now, lease_owner=None, lease_expires_at=None, last_error=error[:500])
        )

    async def unsent(self, request_id: str | None = None) -> list[Notice]:
        """Notices still owed (not sent, not given up), oldest first."""
        statement = select(N).where(N.sent_at.is_(None), N.given_up_at.is_(None)).order_by(N.id)
        if request_id is not None:
            statement = statement.where(N.request_id == request_id)
        return [_to_notice(row) for row in await self._session.scalars(statement)]


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

"""The record of posted summaries (one per day and destination, claimed under a lease) and digest opt-ins."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.database import insert_for
from app.storage.tables import DigestSubscriptionRow, PostedSummaryRow

T = PostedSummaryRow


class SqlSummaryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(
        self, day: date, destination: str, *, worker: str, now: datetime, lease: timedelta
    ) -> bool:
        """Take the right to post `day`'s summary to `destination`: False when it was posted, or another
        worker holds an unexpired claim."""
        insert = insert_for(self._session)
        await self._session.execute(
            insert(T).values(summary_date=day, channel_id=destination).on_conflict_do_nothing()
        )
        result = await self._session.execute(
            update(T)
            .where(
                T.summary_date == day,
                T.channel_id == destination,
                T.posted_at.is_(None),
                or_(T.claimed_by.is_(None), T.lease_expires_at < now, T.claimed_by == worker),
            )
            .values(claimed_by=worker, lease_expires_at=now + lease)
            .returning(T.channel_id)
        )
        return result.first() is not None

    async def mark_posted(self, day: date, destination: str, *, worker: str, now: datetime, ts: str) -> None:
        await self._session.execute(
            update(T)
            .where(and_(T.summary_date == day, T.channel_id == destination, T.claimed_by == worker))
            .values(posted_at=now, message_ts=ts, lease_expires_at=None)
        )

    async def posted_at(self, day: date, destination: str) -> datetime | None:
        row = await self._session.get(T, (day, destination))
        return row.posted_at if row else None

    async def last_posted_before(self, day: date, destination: str) -> datetime | None:
        statement = (
            select(T.posted_at)
            .where(T.channel_id == destination, T.summary_date < day, T.posted_at.is_not(None))
            .order_by(T.summary_date.desc())
            .limit(1)
        )
        return (await self._session.execute(statement)).scalar()

    async def set_digest(self, slack_user_id: str, enabled: bool, now: datetime) -> None:
        await self._session.merge(
            DigestSubscriptionRow(slack_user_id=slack_user_id, enabled=enabled, updated_at=now)
        )

    async def digest_subscribers(self) -> list[str]:
        rows = await self._session.scalars(
            select(DigestSubscriptionRow.slack_user_id).where(DigestSubscriptionRow.enabled.is_(True))
        )
        return list(rows)

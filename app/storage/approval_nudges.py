"""Reminders and escalations claimed once, and absences with their delegates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.absences import Absence
from app.storage.database import insert_for
from app.storage.tables import AbsenceRow, ApprovalNudgeRow


class SqlNudgeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, request_id: str, kind: str, number: int, at: datetime) -> bool:
        """Whether this caller is the first to claim the `number`-th `kind` nudge of the request."""
        statement = (
            insert_for(self._session)(ApprovalNudgeRow)
            .values(request_id=request_id, kind=kind, number=number, at=at)
            .on_conflict_do_nothing()
            .returning(ApprovalNudgeRow.request_id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def taken(self, request_ids: Sequence[str]) -> set[tuple[str, str, int]]:
        """(request, kind, number) of every nudge already claimed for these requests."""
        if not request_ids:
            return set()
        rows = await self._session.execute(
            select(ApprovalNudgeRow.request_id, ApprovalNudgeRow.kind, ApprovalNudgeRow.number).where(
                ApprovalNudgeRow.request_id.in_(request_ids)
            )
        )
        return {(r, k, n) for r, k, n in rows.all()}


def _absence(row: AbsenceRow) -> Absence:
    return Absence(
        slack_user_id=row.slack_user_id, delegate_id=row.delegate_id, starts=row.starts, ends=row.ends
    )


class SqlAbsenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set(self, absence: Absence, at: datetime) -> None:
        values = absence.model_dump() | {"set_at": at}
        statement = insert_for(self._session)(AbsenceRow).values(**values)
        changes = {c: statement.excluded[c] for c in ("delegate_id", "starts", "ends", "set_at")}
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["slack_user_id"], set_=changes)
        )

    async def end(self, slack_user_id: str) -> Absence | None:
        row = await self._session.get(AbsenceRow, slack_user_id)
        if row is None:
            return None
        ended = _absence(row)
        await self._session.execute(delete(AbsenceRow).where(AbsenceRow.slack_user_id == slack_user_id))
        return ended

    async def of(self, slack_user_ids: Sequence[str]) -> list[Absence]:
        if not slack_user_ids:
            return []
        rows = await self._session.scalars(
            select(AbsenceRow).where(AbsenceRow.slack_user_id.in_(slack_user_ids))
        )
        return [_absence(row) for row in rows]

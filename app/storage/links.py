"""The links between Slack users and upstream people."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.links import UserLink
from app.domain.upstreams import Upstream
from app.storage.database import insert_for
from app.storage.tables import UserLinkRow


class SqlLinkRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, slack_user_id: str, upstream: Upstream) -> UserLink | None:
        row = await self._session.get(UserLinkRow, (slack_user_id, upstream.value))
        if row is None:
            return None
        return UserLink(
            slack_user_id=row.slack_user_id,
            upstream=Upstream(row.upstream),
            upstream_person_id=row.upstream_person_id,
            email=row.email,
            refreshed_at=row.refreshed_at,
        )

    async def save(self, link: UserLink) -> None:
        """Insert or update in one statement: the same person clicking on two replicas at once saves the
        same link twice, and neither may fail."""
        statement = insert_for(self._session)(UserLinkRow).values(
            slack_user_id=link.slack_user_id,
            upstream=link.upstream.value,
            upstream_person_id=link.upstream_person_id,
            email=link.email,
            refreshed_at=link.refreshed_at,
        )
        changes = {c: statement.excluded[c] for c in ("upstream_person_id", "email", "refreshed_at")}
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["slack_user_id", "upstream"], set_=changes)
        )

    async def delete(self, slack_user_id: str, upstream: Upstream) -> None:
        await self._session.execute(
            delete(UserLinkRow).where(
                UserLinkRow.slack_user_id == slack_user_id, UserLinkRow.upstream == upstream.value
            )
        )

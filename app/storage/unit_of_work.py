"""A unit of work over one AsyncSession: rolled back on exit unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.storage.directory import SqlDirectoryRepository
from app.storage.links import SqlLinkRepository
from app.storage.repository import SqlRequestRepository
from app.storage.summaries import SqlSummaryRepository


class SqlUnitOfWork:
    requests: SqlRequestRepository
    directory: SqlDirectoryRepository
    links: SqlLinkRepository
    summaries: SqlSummaryRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        self._session = self._sessions()
        self.requests = SqlRequestRepository(self._session)
        self.directory = SqlDirectoryRepository(self._session)
        self.links = SqlLinkRepository(self._session)
        self.summaries = SqlSummaryRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None

    async def commit(self) -> None:
        assert self._session is not None, "commit outside 'async with'"
        await self._session.commit()

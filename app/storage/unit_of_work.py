"""A unit of work over one AsyncSession: rolled back on exit unless committed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.errors import StorageUnavailable
from app.storage.approval_nudges import SqlAbsenceRepository, SqlNudgeRepository
from app.storage.database import is_unavailable
from app.storage.directory import SqlDirectoryRepository
from app.storage.links import SqlLinkRepository
from app.storage.notices import SqlNoticeRepository, SqlWorkerRepository
from app.storage.requests import SqlRequestRepository
from app.storage.summaries import SqlSummaryRepository

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    """With `writer_lock` (SQLite, which has one writer at a time), units of work of this process wait
    for each other here, holding no connection, rather than in SQLite's busy handler, which polls with
    growing sleeps and keeps a pooled connection all the while.

    Raises StorageUnavailable, with the driver's error as its cause, when the database cannot be reached
    or used; the caller can then tell the user in plain words and keep what they sent."""

    requests: SqlRequestRepository
    directory: SqlDirectoryRepository
    links: SqlLinkRepository
    summaries: SqlSummaryRepository
    notices: SqlNoticeRepository
    workers: SqlWorkerRepository
    nudges: SqlNudgeRepository
    absences: SqlAbsenceRepository

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, writer_lock: asyncio.Lock | None = None
    ) -> None:
        self._sessions = sessions
        self._writer_lock = writer_lock
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        if self._writer_lock is not None:
            await self._writer_lock.acquire()
        try:
            self._session = self._sessions()
        except BaseException:
            if self._writer_lock is not None:
                self._writer_lock.release()
            raise
        self.requests = SqlRequestRepository(self._session)
        self.directory = SqlDirectoryRepository(self._session)
        self.links = SqlLinkRepository(self._session)
        self.summaries = SqlSummaryRepository(self._session)
        self.notices = SqlNoticeRepository(self._session)
        self.workers = SqlWorkerRepository(self._session)
        self.nudges = SqlNudgeRepository(self._session)
        self.absences = SqlAbsenceRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        session, self._session = self._session, None
        try:
            try:
                await session.rollback()
            finally:
                await session.close()
        except Exception as cleanup_error:
            with contextlib.suppress(Exception):
                await session.invalidate()
            if exc is None:
                if is_unavailable(cleanup_error):
                    raise StorageUnavailable() from cleanup_error
                raise
        finally:
            if self._writer_lock is not None:
                self._writer_lock.release()
        if exc is not None and is_unavailable(exc):
            log.warning("the database is unavailable (%s)", type(exc).__name__)
            raise StorageUnavailable() from exc

    async def commit(self) -> None:
        assert self._session is not None, "commit outside 'async with'"
        await self._session.commit()

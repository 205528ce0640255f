"""A worker's heartbeat: recorded with the work that leases in its name, at most once per interval."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from app.services.ports import UnitOfWork


class Heartbeat:
    """Shared by everything one worker does (deliveries, Slack notices), so it beats once, not per loop."""

    def __init__(self, worker_id: str, every: timedelta) -> None:
        self.worker_id = worker_id
        self.every = every
        self._last: datetime | None = None

    @asynccontextmanager
    async def with_claim(self, uow: UnitOfWork, now: datetime) -> AsyncIterator[None]:
        """Beat in `uow` when due, before a claim in the same transaction; counted once the body (which
        commits) has run without raising."""
        due = self._last is None or now - self._last >= self.every
        if due:
            await uow.workers.beat(self.worker_id, now)
        yield
        if due:
            self._last = now

    async def beat(self, uow: UnitOfWork, now: datetime) -> None:
        await uow.workers.beat(self.worker_id, now)
        await uow.commit()
        self._last = now

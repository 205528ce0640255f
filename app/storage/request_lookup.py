"""One request by id, read straight on the database driver: what a button click needs before it answers.

A click reads the request it acts on (is it still waiting, who may decide it) on the path of the person
who clicked. Through a unit of work that read takes a session, a transaction and a cursor: on SQLite
five round trips to aiosqlite's thread (a cursor made, executed, fetched from and closed, then a
rollback). Here the statement is compiled once for the dialect and run on a pooled connection's own
driver (aiosqlite's `execute_fetchall`, asyncpg's `fetchrow`: one round trip each, once asyncpg has
prepared the statement on that connection), and its columns are turned into Python values by the same
SQLAlchemy type processors a session uses, so both paths give equal requests
(`tests/integration/test_request_lookup.py` holds them to that; `bench/ack_latency.py` measures a click).

The connection is borrowed from the engine's pool and given back as a session gives it back; a read on
it outside a transaction sees the latest committed row on both databases (autocommit on asyncpg, WAL
readers on SQLite). A database that cannot be reached is StorageUnavailable, as for every other read.
When the driver fails on a connection the pool gave (one the server dropped, a locked file), that
connection is thrown away, the failure logged, and the read made again through `fallback`, which
reports what is wrong as every other read does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

from app.domain.errors import RequestNotFound, StorageUnavailable
from app.domain.requests import StaffingRequest
from app.services.ports import UnitOfWorkFactory
from app.storage.database import is_unavailable
from app.storage.request_reads import REQUESTS, to_request

log = logging.getLogger(__name__)

Processor = Callable[[Any], Any] | None


class DriverRequestLookup:
    """`await lookup(request_id)`: the stored request, or RequestNotFound."""

    def __init__(self, engine: AsyncEngine, fallback: UnitOfWorkFactory) -> None:
        self._engine = engine
        self._fallback = fallback
        dialect = engine.dialect
        self._postgres = dialect.name == "postgresql"
        self._sql = str(select(REQUESTS).where(REQUESTS.c.id == bindparam("id")).compile(dialect=dialect))
        self._names = [column.name for column in REQUESTS.c]
        self._processors: list[Processor] = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in REQUESTS.c
        ]

    async def __call__(self, request_id: str) -> StaffingRequest:
        try:
            connection = await self._engine.raw_connection()
        except Exception as error:
            if is_unavailable(error):
                raise StorageUnavailable() from error
            raise
        try:
            row = await self._fetch(connection, request_id)
        except Exception as error:
            log.warning(
                "request %s read through a session: the driver failed (%s: %s)",
                request_id,
                type(error).__name__,
                error,
            )
            async with self._fallback() as uow:
                return await uow.requests.get(request_id)
        if row is None:
            raise RequestNotFound(request_id)
        values = {
            name: value if process is None else process(value)
            for name, process, value in zip(self._names, self._processors, row, strict=True)
        }
        return to_request(values)

    async def _fetch(self, connection: PoolProxiedConnection, request_id: str) -> Sequence[Any] | None:
        try:
            driver = connection.driver_connection
            assert driver is not None
            if self._postgres:
                return cast(Sequence[Any] | None, await driver.fetchrow(self._sql, request_id))
            rows = list(await driver.execute_fetchall(self._sql, (request_id,)))
            return cast(Sequence[Any], rows[0]) if rows else None
        except BaseException:
            await greenlet_spawn(connection.invalidate)
            raise
        finally:
            await greenlet_spawn(connection.close)

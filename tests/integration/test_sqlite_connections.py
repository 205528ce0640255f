"""SQLite's pooled connections: a read-only unit of work begins no transaction, and a connection that goes
back to the pool with a transaction open is rolled back there (the pool rolls back only when SQLite says
a transaction is open)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's connections only")
UowFactory = Callable[[], SqlUnitOfWork]
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


async def test_a_transaction_left_open_on_a_pooled_connection_is_rolled_back(
    engine: AsyncEngine, uow_factory: UowFactory
) -> None:
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute("BEGIN IMMEDIATE")
        await raw.execute("INSERT INTO workers (worker_id, started_at, beat_at) VALUES ('left', '', '')")
        assert raw.in_transaction
    assert not raw.in_transaction

    async with uow_factory() as uow:  # a writer gets the lock, and sees nothing of the abandoned insert
        await uow.workers.beat("w1", NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.workers.alive(NOW, NOW - NOW) == ["w1"]


async def test_a_read_only_unit_of_work_begins_nothing_and_a_writer_begins_immediate(
    engine: AsyncEngine, uow_factory: UowFactory
) -> None:
    statements: list[str] = []
    event.listen(engine.sync_engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    async with SqlUnitOfWork(database.session_factory(engine, read_only=True)) as uow:
        assert await uow.workers.alive(NOW, NOW - NOW) == []
    assert not any(s.startswith("BEGIN") for s in statements)

    statements.clear()
    async with uow_factory() as uow:
        await uow.workers.beat("w1", NOW)
        await uow.commit()
    assert statements[0] == "BEGIN IMMEDIATE"
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM workers"))).scalar_one() == 1

"""A database that cannot be reached or used surfaces as StorageUnavailable, which users are told about in
plain words; any other database error is left as it is."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from app.domain.errors import StorageUnavailable
from app.storage import database
from app.storage.unit_of_work import SqlUnitOfWork


async def test_an_unreachable_database_is_storage_unavailable() -> None:
    engine = database.create_engine("postgresql://staffdesk@127.0.0.1:1/staffdesk")  # nothing listens there
    try:
        with pytest.raises(StorageUnavailable, match="cannot reach its database") as raised:
            async with SqlUnitOfWork(database.session_factory(engine)) as uow:
                await uow.requests.requested_by("U0ANYONE")
    finally:
        await engine.dispose()
    assert raised.value.__cause__ is not None  # the driver's error stays in the traceback for operators


@pytest.mark.parametrize(
    ("message", "unavailable"),
    [
        ("database is locked", True),  # another writer held it past the busy time-out
        ("unable to open database file", True),
        ("disk I/O error", True),
        ("no such table: requests", False),  # a fault in what was asked, not an outage
    ],
)
def test_sqlite_errors_that_mean_the_database_is_unavailable(message: str, unavailable: bool) -> None:
    error = OperationalError("SELECT 1", {}, sqlite3.OperationalError(message))
    assert database.is_unavailable(error) is unavailable


async def test_a_fault_in_what_was_asked_is_not_mistaken_for_an_outage(engine: AsyncEngine) -> None:
    with pytest.raises(DBAPIError, match="no_such_table") as raised:
        async with SqlUnitOfWork(database.session_factory(engine)), engine.connect() as conn:
            await conn.execute(text("SELECT * FROM no_such_table"))
    assert not isinstance(raised.value, StorageUnavailable)


async def test_other_errors_pass_through_unchanged(uow_factory: Callable[[], SqlUnitOfWork]) -> None:
    with pytest.raises(ValueError, match="not a database problem"):
        async with uow_factory():
            raise ValueError("not a database problem")


class FirstFailed(Exception):
    """The first writer's failure, carrying the task of the writer waiting for its turn."""


async def test_on_sqlite_the_writers_of_a_process_take_turns_and_a_failure_frees_the_turn(
    engine: AsyncEngine,
) -> None:
    lock = database.writer_lock(engine)
    if engine.dialect.name != "sqlite":
        assert lock is None  # PostgreSQL locks rows, not the whole database
        return
    assert lock is not None
    sessions = database.session_factory(engine)
    order: list[str] = []

    async def second() -> None:
        async with SqlUnitOfWork(sessions, writer_lock=lock) as uow:
            order.append("second in")
            await uow.requests.requested_by("U0SECOND")

    async def first() -> asyncio.Task[None]:
        async with SqlUnitOfWork(sessions, writer_lock=lock):
            order.append("first in")
            waiting = asyncio.create_task(second())
            for _ in range(20):
                await asyncio.sleep(0)  # let the second writer run as far as it can
            order.append("first out")
            raise FirstFailed(waiting)

    with pytest.raises(FirstFailed) as failed:
        await first()
    waiting = failed.value.args[0]
    await waiting
    assert order == ["first in", "first out", "second in"]
    assert not lock.locked()

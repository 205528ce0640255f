"""Counting what a piece of work asks of the database.

On PostgreSQL the count is of asyncpg's network exchanges: BEGIN, COMMIT and ROLLBACK, each statement
executed, each executemany and each ping. Preparing a statement is left out: asyncpg prepares a statement
once per connection and SQLAlchemy keeps it, so whether a statement is prepared afresh depends on which
pooled connection a unit of work gets, not on the work. On SQLite (in-process, no network) the count is of
the same things as SQLAlchemy sees them (statements, and BEGIN, COMMIT and ROLLBACK of transactions that
ran a statement) and each statement sent to aiosqlite's connection past SQLAlchemy."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_COUNTED: ContextVar[bool] = ContextVar("counted", default=True)


class RoundTrips:
    """Round trips by kind. Work done in a task that called `leave_out_this_task` (a test reading the
    database to see what the app did) is not counted; tasks started before that call still are."""

    def __init__(self) -> None:
        self.kinds: Counter[str] = Counter()

    @staticmethod
    def leave_out_this_task() -> None:
        _COUNTED.set(False)

    def add(self, kind: str) -> None:
        if _COUNTED.get():
            self.kinds[kind.rstrip(";")] += 1

    @property
    def total(self) -> int:
        return sum(self.kinds.values())

    def reset(self) -> None:
        self.kinds.clear()


def _count_asyncpg(monkeypatch: pytest.MonkeyPatch, trips: RoundTrips) -> None:
    import asyncpg.connection
    import asyncpg.prepared_stmt

    def counting(owner: Any, name: str, kind: str | None) -> None:
        """Count each call of `owner.name`: as `kind`, or by its query's first word (BEGIN, COMMIT...)."""
        original = getattr(owner, name)

        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            trips.add(kind or str(args[0]).split()[0].upper())
            return await original(self, *args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)

    counting(asyncpg.prepared_stmt.PreparedStatement, "fetch", "statement")
    counting(asyncpg.connection.Connection, "executemany", "executemany")
    counting(asyncpg.connection.Connection, "fetchrow", "ping or query")
    counting(asyncpg.connection.Connection, "execute", None)  # BEGIN, COMMIT, ROLLBACK: a query string


def _count_sqlite(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, trips: RoundTrips) -> None:
    import aiosqlite

    def statement(*_: Any) -> None:
        trips.add("statement")

    # Statements run on aiosqlite's connection itself, past SQLAlchemy (the request lookup of a click).
    original = aiosqlite.Connection.execute_fetchall

    def driver_statement(self: aiosqlite.Connection, *args: Any, **kwargs: Any) -> Any:
        statement()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "execute_fetchall", driver_statement)

    def ended(kind: str) -> Any:
        return lambda *_: trips.add(kind)

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "commit", ended("COMMIT"))
    event.listen(engine.sync_engine, "rollback", ended("ROLLBACK"))


@contextmanager
def counting_round_trips(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> Iterator[RoundTrips]:
    trips = RoundTrips()
    if engine.dialect.name == "postgresql":
        _count_asyncpg(monkeypatch, trips)
    else:
        _count_sqlite(engine, monkeypatch, trips)
    yield trips

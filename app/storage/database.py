"""The async engine: URL to driver, SQLite's single-writer transactions, and the health probe."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.asyncio import AsyncSession as AsyncSession

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}
SQLITE_BUSY_TIMEOUT_MS = 15_000
READ_ONLY = "staffdesk_read_only"


class UnsupportedDatabase(ValueError):
    """DATABASE_URL names a database Staffdesk does not run on."""


def async_url(database_url: str) -> URL:
    """The SQLAlchemy URL with the async driver for `database_url` (sqlite:// or postgresql://)."""
    url = make_url(database_url)
    driver = _ASYNC_DRIVERS.get(url.drivername)
    if driver is None:
        raise UnsupportedDatabase(
            f"'{url.drivername}' is not supported; use sqlite:///path.db or postgresql://user@host/db"
        )
    return url.set(drivername=driver)


def safe_url(database_url: str) -> str:
    """The URL with any password hidden, fit for logs and messages."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable DATABASE_URL>"


def create_engine(database_url: str, *, connect_args: dict[str, Any] | None = None) -> AsyncEngine:
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args=connect_args or {})
        _make_sqlite_single_writer(engine)
        return engine
    # Up to 30 connections a process: reads on the path of Slack's 3-second ack should not wait for a
    # connection behind the work that follows acks. No ping at checkout: on asyncpg it costs three round
    # trips (BEGIN, an empty query, ROLLBACK) on every unit of work. A connection the server dropped fails
    # its next statement instead; SQLAlchemy then invalidates every pooled connection older than the
    # failure, so after a database restart one unit of work fails (told to its user as "try again") and
    # the next ones connect afresh.
    return create_async_engine(url, pool_size=10, max_overflow=20, connect_args=connect_args or {})


def _make_sqlite_single_writer(engine: AsyncEngine) -> None:
    """Every SQLite transaction starts with BEGIN IMMEDIATE, so writers queue instead of racing.

    This is SQLite's equivalent of row locks: read-then-write sequences such as the outbox claim
    run one at a time, and a waiting writer blocks for up to the busy timeout instead of failing.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def insert_for(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT construct, which has ON CONFLICT (upserts) on both databases."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def writer_lock(engine: AsyncEngine) -> asyncio.Lock | None:
    """A lock for this process's write transactions on SQLite (one writer at a time); None elsewhere."""
    return asyncio.Lock() if engine.dialect.name == "sqlite" else None


def session_factory(engine: AsyncEngine, *, read_only: bool = False) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`. Read-only ones take no write lock on SQLite, so they never wait for writers;
    on PostgreSQL they run each statement in its own implicit transaction (autocommit), which spares the
    BEGIN and ROLLBACK round trips of a transaction that only reads."""
    if not read_only:
        return async_sessionmaker(engine, expire_on_commit=False)
    options: dict[str, Any] = {READ_ONLY: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    return async_sessionmaker(engine.execution_options(**options), expire_on_commit=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise unless the database answers a trivial query."""
    async with engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


# PostgreSQL error classes: connection exception, operator intervention (shutdown, starting up),
# insufficient resources (too many connections).
_UNAVAILABLE_SQLSTATES = ("08", "57P", "53")
_SQLITE_UNAVAILABLE = ("database is locked", "unable to open database", "disk i/o error")


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database could not be reached or used just now (a dropped or refused
    connection, a server starting up or shutting down, SQLite's file locked past the busy time-out),
    rather than a fault in what was asked of it."""
    if isinstance(error, OSError):  # refused or reset connections and time-outs, raised as they are
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    cause = error.orig if isinstance(error, DBAPIError) else error
    sqlstate = getattr(cause, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)
    if isinstance(error, OperationalError):  # SQLite, which has no SQLSTATE
        return any(marker in str(cause).lower() for marker in _SQLITE_UNAVAILABLE)
    return False

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
from sqlalchemy.pool import PoolResetState

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
        engine = create_async_engine(url, connect_args=connect_args or {}, pool_reset_on_return=None)
        _make_sqlite_single_writer(engine)
        return engine
    # Up to 40 connections a process, 20 of them kept open: reads on the path of Slack's 3-second ack
    # should not wait for a connection behind the work that follows acks (at most SENDING_AT_ONCE Slack
    # sends and one batch of deliveries), and a burst should not open and close a connection per unit of
    # work (each costs the server a process and the client a handshake). No ping at checkout: on asyncpg
    # it costs three round trips (BEGIN, an empty query, ROLLBACK) on every unit of work. A connection the
    # server dropped fails its next statement instead; SQLAlchemy then invalidates every pooled connection
    # older than the failure, so after a database restart one unit of work fails (told to its user as "try
    # again") and the next ones connect afresh.
    return create_async_engine(url, pool_size=20, max_overflow=20, connect_args=connect_args or {})


def _make_sqlite_single_writer(engine: AsyncEngine) -> None:
    """Every SQLite write transaction starts with BEGIN IMMEDIATE, so writers queue instead of racing.

    This is SQLite's equivalent of row locks: read-then-write sequences such as the outbox claim
    run one at a time, and a waiting writer blocks for up to the busy timeout instead of failing.
    Read-only sessions begin nothing: each of their statements reads on its own, as on PostgreSQL.

    Each call on an aiosqlite connection is a round trip to its thread, so none is made for nothing:
    a connection goes back to the pool rolled back only when SQLite says a transaction is open.
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
        if not conn.get_execution_options().get(READ_ONLY, False):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine.sync_engine, "reset")
    def _on_reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        if state.asyncio_safe and not state.terminate_only and _in_transaction(dbapi_connection):
            dbapi_connection.rollback()


def _in_transaction(dbapi_connection: Any) -> bool:
    """Whether SQLite has a transaction open on this connection, read without a round trip; when that
    cannot be read (a closed connection), the rollback is tried as the pool would, and its error handled
    as the pool handles it."""
    try:
        return bool(dbapi_connection.driver_connection.in_transaction)
    except Exception:
        return True


def insert_for(session: AsyncSession) -> Callable[..., Any]:
    """The dialect's INSERT construct, which has ON CONFLICT (upserts) on both databases."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def writer_lock(engine: AsyncEngine) -> asyncio.Lock | None:
    """A lock for this process's write transactions on SQLite (one writer at a time); None elsewhere."""
    return asyncio.Lock() if engine.dialect.name == "sqlite" else None


def session_factory(
    engine: AsyncEngine, *, read_only: bool = False, one_statement: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`. Read-only ones run each statement in its own implicit transaction, which
    spares the BEGIN and ROLLBACK round trips of a transaction that only reads (autocommit on PostgreSQL;
    no BEGIN on SQLite, where they take no write lock and so never wait for writers). `one_statement`
    ones are for writes of a single statement, which is atomic on its own: autocommit on PostgreSQL (one
    round trip instead of BEGIN, the statement and COMMIT); on SQLite, the usual write transaction."""
    options: dict[str, Any] = {READ_ONLY: True} if read_only else {}
    if (read_only or one_statement) and engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    bound = engine.execution_options(**options) if options else engine
    return async_sessionmaker(bound, expire_on_commit=False)


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

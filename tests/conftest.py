"""Shared fixtures: a fresh migrated database per test (SQLite, or PostgreSQL when DATABASE_URL says so)."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.settings import Settings
from app.storage import database, migrate
from app.storage.unit_of_work import SqlUnitOfWork

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith(("postgres://", "postgresql"))


@dataclass
class FakeClock:
    """A clock the test moves by hand."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A URL for an empty database of the backend under test."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'staffdesk.db'}"
        return
    yield POSTGRES_URL


@pytest.fixture
async def empty_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty database: a temporary file on SQLite, a schema of its own on PostgreSQL."""
    if not ON_POSTGRES:
        engine = database.create_engine(database_url)
        yield engine
        await engine.dispose()
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = database.create_engine(database_url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = database.create_engine(database_url, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield engine
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
async def engine(empty_engine: AsyncEngine) -> AsyncEngine:
    await migrate.upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def uow_factory(engine: AsyncEngine) -> Callable[[], SqlUnitOfWork]:
    sessions = database.session_factory(engine)
    return lambda: SqlUnitOfWork(sessions)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Staffdesk variable set and no .env in the working directory."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
async def fresh_database_url(database_url: str) -> AsyncIterator[str]:
    """A URL of a database of its own, for commands run in another process."""
    if not ON_POSTGRES:
        yield database_url
        return
    name = f"staffdesk_{uuid.uuid4().hex[:10]}"
    admin = database.create_engine(database_url)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(
            database.async_url(database_url)
            .set(database=name)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
    finally:
        async with admin.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()
